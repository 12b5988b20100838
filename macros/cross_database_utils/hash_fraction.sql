{#- Deterministic pseudo-random number in [0, 1) from a key and a seed: the same key and seed give the
    same number in every build, so random subsamples and random baselines are reproducible. -#}
{% macro hash_fraction(key, seed) -%}
  {{ return(adapter.dispatch('hash_fraction', 'vklsvd')(key, seed)) }}
{%- endmacro %}

{% macro default__hash_fraction(key, seed) -%}
  (hash(cast({{ key }} as varchar) || ':' || cast({{ seed }} as varchar)) % 1000000007) / 1000000007.0
{%- endmacro %}
