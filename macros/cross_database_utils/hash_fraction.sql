{#- Deterministic pseudo-random number in [0, 1) from a key and a seed: the same key and seed give the
    same number in every build and on every engine, so random subsamples, training draws and random
    baselines are reproducible and a Spark build draws what a DuckDB build draws. `keys`: one SQL
    expression or a list of them (joined with '-'). The number is the first 60 bits of the MD5 of
    '<keys>:<seed>' over 2^60: MD5 because both engines compute it the same way (their hash() differ). -#}
{% macro hash_fraction(keys, seed) -%}
  {%- set keys = [keys] if keys is string else keys -%}
  {%- set parts = [] -%}
  {%- for key in keys -%}
    {%- do parts.append("cast(" ~ key ~ " as string)") -%}
  {%- endfor -%}
  {%- set text = "concat_ws('-', " ~ parts | join(", ") ~ ") || ':' || '" ~ seed ~ "'" -%}
  ({{ adapter.dispatch('hex_prefix_to_bigint', 'vklsvd')("substr(md5(" ~ text ~ "), 1, 15)") }} / 1152921504606846976.0)
{%- endmacro %}

{#- A string of at most 15 hexadecimal digits as a bigint. -#}
{% macro default__hex_prefix_to_bigint(hex) -%}
  cast(('0x' || {{ hex }}) as bigint)
{%- endmacro %}

{% macro spark__hex_prefix_to_bigint(hex) -%}
  cast(conv({{ hex }}, 16, 10) as bigint)
{%- endmacro %}
