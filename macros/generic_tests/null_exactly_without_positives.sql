{#- Fails on rows of a windowed feature mart where the column (a recency of the last positive) is null
    although the row has positives before its as-of week, or set although it has none. Without an
    all-history window in var feature_windows only the first half can be checked: a null row must have
    no positive in any window. -#}
{% test null_exactly_without_positives(model, column_name) %}
{%- set windows = feature_windows() %}
{%- set unbounded = windows | selectattr('weeks', 'none') | list %}
select {{ column_name }}
from {{ model }}
{%- if unbounded %}
where ({{ column_name }} is null) != (positives_{{ unbounded[0].name }} = 0)
{%- else %}
where {{ column_name }} is null and (
    {%- for window in windows %}
    positives_{{ window.name }} > 0{{ " or" if not loop.last }}
    {%- endfor %}
)
{%- endif %}
{% endtest %}
