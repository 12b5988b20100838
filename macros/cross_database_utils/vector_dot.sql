{#- Dot product of two float vectors of the same length (lists or fixed-size arrays); null when either is
    null (the same guard as vector_cosine). -#}
{% macro vector_dot(left, right) -%}
  {{ return(adapter.dispatch('vector_dot', 'vklsvd')(left, right)) }}
{%- endmacro %}

{% macro default__vector_dot(left, right) -%}
  case when {{ left }} is not null and {{ right }} is not null
  then list_dot_product(cast({{ left }} as float[]), cast({{ right }} as float[])) end
{%- endmacro %}
