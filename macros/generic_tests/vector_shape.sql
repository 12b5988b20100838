{#- Vector tests that read the vectors through the cross-database macros (a column expression in the
    yml would be passed to the engine as written): each fails on the rows where the vector is null or
    has another length / a squared norm further than `tolerance` from 1. -#}
{% test list_length_is(model, column_name, length) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or {{ list_length(column_name) }} <> {{ length }}
{% endtest %}

{% test unit_length(model, column_name, tolerance) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or abs({{ vector_dot(column_name, column_name) }} - 1) > {{ tolerance }}
{% endtest %}
