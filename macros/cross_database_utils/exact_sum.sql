{#- Order-independent sum of a floating-point expression. A parallel engine adds doubles in whatever
    order its threads finish, so plain sum()/avg() can differ in the last bit between two builds and flip
    near-ties in a ranking. Rounding each term to `scale` decimals and adding exact decimals gives the
    same value every time. Use it for every float aggregate that feeds a score or a feature. -#}
{% macro exact_sum(expression, scale=9) -%}
  {{ return(adapter.dispatch('exact_sum', 'vklsvd')(expression, scale)) }}
{%- endmacro %}

{% macro default__exact_sum(expression, scale) -%}
  cast(sum(cast({{ expression }} as decimal(38, {{ scale }}))) as double)
{%- endmacro %}

{#- Order-independent mean, see exact_sum. -#}
{% macro exact_avg(expression, scale=9) -%}
  ({{ exact_sum(expression, scale) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}
