{#- Cosine similarity of two float vectors of the same length (lists or fixed-size arrays), in double
    precision on every engine (single precision would make the engines differ in the 7th digit); null when
    either is null. (The guard matters in DuckDB: a fixed-size array that a left join left null casts
    to a list of nulls, which list_cosine_similarity refuses.) -#}
{% macro vector_cosine(left, right) -%}
  {{ return(adapter.dispatch('vector_cosine', 'vklsvd')(left, right)) }}
{%- endmacro %}

{% macro default__vector_cosine(left, right) -%}
  case when {{ left }} is not null and {{ right }} is not null
  then list_cosine_similarity(cast({{ left }} as double[]), cast({{ right }} as double[])) end
{%- endmacro %}

{#- Spark: the dot product over the product of the norms (null when a norm is zero). -#}
{% macro spark__vector_cosine(left, right) -%}
  case when {{ left }} is not null and {{ right }} is not null
  then {{ spark__vector_dot(left, right) }} / nullif(
      sqrt({{ spark__array_sum("transform(cast(" ~ left ~ " as array<double>), x -> x * x)") }})
      * sqrt({{ spark__array_sum("transform(cast(" ~ right ~ " as array<double>), x -> x * x)") }}), 0) end
{%- endmacro %}
