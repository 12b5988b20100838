{#- `, alias.col as prefix_col` for every column of `relation` except `skip`: lets a wide mart join
    several feature tables without naming (and re-listing on every change) each of their columns. -#}
{% macro prefixed_columns(relation, alias, prefix, skip) -%}
  {%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name not in skip -%}
    , {{ alias }}.{{ adapter.quote(column.name) }} as {{ adapter.quote(prefix ~ column.name) }}
    {% endfor -%}
  {%- endif -%}
{%- endmacro %}
