{#- Order-independent sum of a floating-point expression. A parallel engine adds doubles in whatever
    order its threads finish, so plain sum()/avg() can differ in the last bit between two builds and flip
    near-ties in a ranking. Rounding each term to `scale` decimals and adding exact decimals gives the
    same value every time. Use it for every float aggregate that feeds a score or a feature. `over`: a
    window (its name, or its definition in parentheses) to sum over instead of the group. -#}
{% macro exact_sum(expression, scale=9, over=none) -%}
  {{ return(adapter.dispatch('exact_sum', 'vklsvd')(expression, scale, over)) }}
{%- endmacro %}

{% macro default__exact_sum(expression, scale, over) -%}
  cast(sum(cast({{ expression }} as decimal(38, {{ scale }}))){% if over %} over {{ over }}{% endif %} as double)
{%- endmacro %}

{#- Order-independent mean, see exact_sum. -#}
{% macro exact_avg(expression, scale=9) -%}
  ({{ exact_sum(expression, scale) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}
