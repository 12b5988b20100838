{#- One row per list element with its 1-based position: (key, user_id, position). -#}
{% macro explode_ranked_lists(relation, key_column, list_column) -%}
  {{ return(adapter.dispatch('explode_ranked_lists', 'vklsvd')(relation, key_column, list_column)) }}
{%- endmacro %}

{% macro default__explode_ranked_lists(relation, key_column, list_column) -%}
  select
      {{ key_column }},
      unnest({{ list_column }}) as user_id,
      generate_subscripts({{ list_column }}, 1) as position
  from {{ relation }}
{%- endmacro %}

{% macro spark__explode_ranked_lists(relation, key_column, list_column) -%}
  select
      {{ key_column }},
      exploded.user_id,
      exploded.position + 1 as position
  from {{ relation }}
  lateral view posexplode({{ list_column }}) exploded as position, user_id
{%- endmacro %}
