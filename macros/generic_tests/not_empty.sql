{#- Fails when the model has no rows: an empty subsample or a target week without new clips must stop
    the build instead of producing an empty submission. -#}
{% test not_empty(model) %}
select 'the model has no rows' as problem
where not exists (select 1 from {{ model }})
{% endtest %}
