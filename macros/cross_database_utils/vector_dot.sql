{#- Dot product of two float vectors of the same length (lists or fixed-size arrays); null when either is
    null (the same guard as vector_cosine). -#}
{% macro vector_dot(left, right) -%}
  {{ return(adapter.dispatch('vector_dot', 'vklsvd')(left, right)) }}
{%- endmacro %}

{% macro default__vector_dot(left, right) -%}
  case when {{ left }} is not null and {{ right }} is not null
  then list_dot_product(cast({{ left }} as double[]), cast({{ right }} as double[])) end
{%- endmacro %}

{#- Spark: the products of zip_with summed by aggregate, in double precision. -#}
{% macro spark__vector_dot(left, right) -%}
  case when {{ left }} is not null and {{ right }} is not null
  then {{ spark__array_sum("zip_with(cast(" ~ left ~ " as array<double>), cast(" ~ right ~ " as array<double>), (x, y) -> x * y)") }} end
{%- endmacro %}

{#- Sum of an array<double> (Spark). -#}
{% macro spark__array_sum(array) -%}
  aggregate({{ array }}, cast(0 as double), (total, value) -> total + value)
{%- endmacro %}
