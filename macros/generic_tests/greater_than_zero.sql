{#- Fails on rows where the column is null or not > 0 (the dataset's ids start at 1). -#}
{% test greater_than_zero(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or {{ column_name }} <= 0
{% endtest %}
