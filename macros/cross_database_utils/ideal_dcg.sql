{#- Ideal DCG with binary gains: sum over i = 1..min(n_relevant, k) of 1 / log2(i + 1). -#}
{% macro ideal_dcg(n_relevant, k) -%}
  {{ return(adapter.dispatch('ideal_dcg', 'vklsvd')(n_relevant, k)) }}
{%- endmacro %}

{% macro default__ideal_dcg(n_relevant, k) -%}
  list_sum(list_transform(range(1, least({{ n_relevant }}, {{ k }}) + 1), i -> 1.0 / log2(i + 1)))
{%- endmacro %}
