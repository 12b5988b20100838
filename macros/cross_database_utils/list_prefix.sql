{#- First `length` elements of an array column (1-based, inclusive). -#}
{% macro list_prefix(column, length) -%}
  {{ return(adapter.dispatch('list_prefix', 'vklsvd')(column, length)) }}
{%- endmacro %}

{% macro default__list_prefix(column, length) -%}
  list_slice(cast({{ column }} as float[]), 1, {{ length }})
{%- endmacro %}

{% macro spark__list_prefix(column, length) -%}
  slice(cast({{ column }} as array<float>), 1, {{ length }})
{%- endmacro %}
