{#- The number of elements of a list (array). -#}
{% macro list_length(list) -%}
  {{ return(adapter.dispatch('list_length', 'vklsvd')(list)) }}
{%- endmacro %}

{% macro default__list_length(list) -%}
  len({{ list }})
{%- endmacro %}

{% macro spark__list_length(list) -%}
  size({{ list }})
{%- endmacro %}
