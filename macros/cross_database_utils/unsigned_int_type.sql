{#- The type of the dataset's unsigned integer columns of `bits` (8, 16 or 32) bits: DuckDB has unsigned
    types; Spark has none, so the next wider signed type holds every value. -#}
{% macro unsigned_int_type(bits) -%}
  {%- if bits not in (8, 16, 32) -%}
    {{ exceptions.raise_compiler_error("unsigned_int_type: bits must be 8, 16 or 32, got " ~ bits) }}
  {%- endif -%}
  {{ return(adapter.dispatch('unsigned_int_type', 'vklsvd')(bits)) }}
{%- endmacro %}

{% macro default__unsigned_int_type(bits) -%}
  {{ {8: 'utinyint', 16: 'usmallint', 32: 'uinteger'}[bits] }}
{%- endmacro %}

{% macro spark__unsigned_int_type(bits) -%}
  {{ {8: 'smallint', 16: 'int', 32: 'bigint'}[bits] }}
{%- endmacro %}
