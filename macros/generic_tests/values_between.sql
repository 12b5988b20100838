{#- Range test: fails on rows where the column is null or outside [min_value, max_value] (either bound
    may be omitted). Used by the content and candidate tables for scores, probabilities and ranks. -#}
{% test values_between(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% if min_value is not none %}   or {{ column_name }} < {{ min_value }}{% endif %}
{% if max_value is not none %}   or {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}
