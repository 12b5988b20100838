{#- Week number encoded in a weekly file name (`.../week_07.parquet` -> 7). -#}
{% macro week_from_filename(column) -%}
  {{ return(adapter.dispatch('week_from_filename', 'vklsvd')(column)) }}
{%- endmacro %}

{% macro default__week_from_filename(column) -%}
  cast(regexp_extract({{ column }}, 'week_([0-9]+)[.]parquet$', 1) as integer)
{%- endmacro %}
