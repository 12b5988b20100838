{#- Engine-specific SQL used by the feature layer, behind adapter.dispatch (default = DuckDB). -#}

{#- Number of rows of the group where `condition` is true, as a BIGINT. (DuckDB's count_if returns a
    HUGEINT, which is about 50x slower to scan and sum downstream than a BIGINT.) -#}
{% macro count_where(condition) -%}
  {{ return(adapter.dispatch('count_where', 'vklsvd')(condition)) }}
{%- endmacro %}

{% macro default__count_where(condition) -%}
  count(*) filter (where {{ condition }})
{%- endmacro %}

{#- `expression` as a double-precision float. -#}
{% macro as_double(expression) -%}
  {{ return(adapter.dispatch('as_double', 'vklsvd')(expression)) }}
{%- endmacro %}

{% macro default__as_double(expression) -%}
  cast({{ expression }} as double)
{%- endmacro %}

{#- Estimated number of distinct values of `expression` in the group (HyperLogLog in DuckDB). -#}
{% macro approx_distinct_count(expression) -%}
  {{ return(adapter.dispatch('approx_distinct_count', 'vklsvd')(expression)) }}
{%- endmacro %}

{% macro default__approx_distinct_count(expression) -%}
  approx_count_distinct({{ expression }})
{%- endmacro %}

{#- Number of bits set in the 64-bit integer `expression`, as a BIGINT. -#}
{% macro bit_count(expression) -%}
  {{ return(adapter.dispatch('bit_count', 'vklsvd')(expression)) }}
{%- endmacro %}

{% macro default__bit_count(expression) -%}
  cast(bit_count({{ expression }}) as bigint)
{%- endmacro %}
