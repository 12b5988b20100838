{#- Range test over many columns at once: rows where any chosen column is outside [min_value, max_value]
    (nulls pass). Columns are named in `columns` and/or chosen by Python regular expressions in
    `column_patterns` matched against the relation's columns at run time, so windowed columns
    (<measure>_<window>) stay covered when var feature_windows changes. A pattern that matches no
    column fails the test rather than passing vacuously. -#}
{% test feature_columns_in_range(model, columns=[], column_patterns=[], min_value=none, max_value=none) %}
  {%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("feature_columns_in_range needs min_value and/or max_value") }}
  {%- endif -%}
  {%- set chosen = columns | list -%}
  {%- if execute and column_patterns | length > 0 -%}
    {%- set names = adapter.get_columns_in_relation(model) | map(attribute='name') | list -%}
    {%- for pattern in column_patterns -%}
      {%- set matched = [] -%}
      {%- for name in names -%}
        {%- if modules.re.fullmatch(pattern, name) -%}
          {%- do matched.append(name) -%}
        {%- endif -%}
      {%- endfor -%}
      {#- no columns at all: the relation is not built yet (dbt compile); the select below then fails at run -#}
      {%- if matched | length == 0 and names | length > 0 -%}
        {{ exceptions.raise_compiler_error("feature_columns_in_range: pattern '" ~ pattern ~ "' matches no column of " ~ model ~ " (columns: " ~ names ~ ")") }}
      {%- endif -%}
      {%- for name in matched if name not in chosen -%}
        {%- do chosen.append(name) -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- endif -%}
select *
from {{ model }}
where false
{%- for column in chosen %}
  {%- if min_value is not none %}
   or {{ adapter.quote(column) }} < {{ min_value }}
  {%- endif %}
  {%- if max_value is not none %}
   or {{ adapter.quote(column) }} > {{ max_value }}
  {%- endif %}
{%- endfor %}
{% endtest %}
