{#- The group's values of `value` as a list ordered by `order_by` (ascending). -#}
{% macro ordered_list(value, order_by) -%}
  {{ return(adapter.dispatch('ordered_list', 'vklsvd')(value, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list(value, order_by) -%}
  list({{ value }} order by {{ order_by }})
{%- endmacro %}

{#- Spark's collect_list has no order: the (key, value) pairs are collected, sorted by key, unwrapped. -#}
{% macro spark__ordered_list(value, order_by) -%}
  transform(array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'value', {{ value }}))), pair -> pair.value)
{%- endmacro %}
