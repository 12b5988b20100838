{#- Ideal DCG with binary gains: sum over i = 1..min(n_relevant, k) of 1 / log2(i + 1). -#}
{% macro ideal_dcg(n_relevant, k) -%}
  {{ return(adapter.dispatch('ideal_dcg', 'vklsvd')(n_relevant, k)) }}
{%- endmacro %}

{% macro default__ideal_dcg(n_relevant, k) -%}
  list_sum(list_transform(range(1, least({{ n_relevant }}, {{ k }}) + 1), i -> 1.0 / log2(i + 1)))
{%- endmacro %}

{#- Spark: sequence(1, 0) counts down, so no relevant item is a 0 of its own. -#}
{% macro spark__ideal_dcg(n_relevant, k) -%}
  case when least({{ n_relevant }}, {{ k }}) >= 1
  then aggregate(sequence(1, least({{ n_relevant }}, {{ k }})), cast(0 as double), (total, i) -> total + 1.0 / log2(i + 1))
  else cast(0 as double) end
{%- endmacro %}
