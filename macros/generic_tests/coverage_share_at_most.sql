{#- The row of `measure` in a coverage table (measure, missing, total, share) when its share of missing
    entities is above `max_share`. Used at severity warn with fail_calc = max(missing), so the build's
    output says how many entities lack what the measure counts. -#}
{% test coverage_share_at_most(model, measure, max_share) %}
select measure, missing, total, share
from {{ model }}
where measure = '{{ measure }}' and share > {{ max_share }}
{% endtest %}
