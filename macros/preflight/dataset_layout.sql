{#- The folder of the weekly interaction files, taken from the one place that defines it: the
    `external_location` of source vklsvd.interactions (_vklsvd__sources.yml), i.e. its parquet path
    (macro source_parquet_path) without the /*/week_*.parquet glob. -#}
{% macro interactions_folder() -%}
  {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'vklsvd') | selectattr('name', 'equalto', 'interactions') | first -%}
  {%- set glob = '/*/week_*.parquet' -%}
  {%- set path = source_parquet_path(node) -%}
  {%- if not path.endswith(glob) -%}
    {{ exceptions.raise_compiler_error("source vklsvd.interactions: external_location must read '<folder>" ~ glob ~ "', got " ~ (node.config.meta.external_location or node.meta.external_location)) }}
  {%- endif -%}
  {{ return(path[:(path | length) - (glob | length)]) }}
{%- endmacro %}

{#- The weeks a build reads: history from `first_week` up to the target week, plus the target week itself
    when it must have labels (every target week but the test week). -#}
{% macro required_weeks() -%}
  {%- set weeks = range(var('first_week') | int, var('target_week') | int) | list -%}
  {%- if (var('target_week') | int) != (var('test_week') | int) -%}
    {%- do weeks.append(var('target_week') | int) -%}
  {%- endif -%}
  {{ return(weeks) }}
{%- endmacro %}

{#- Column -> expected DuckDB type of each file kind. Integer columns stored with another integer width
    are accepted and cast with a range check (an out-of-range value fails the cast); boolean signals
    stored as integers are accepted (non-zero = true). Anything else is refused before a model runs. -#}
{% macro expected_columns(kind) -%}
  {%- set signals = {} -%}
  {%- for signal in var('dataset_signals') %}{% do signals.update({signal: 'BOOLEAN'}) %}{% endfor -%}
  {%- set kinds = {
      'interactions': {'user_id': 'UINTEGER', 'item_id': 'UINTEGER', 'place': 'UTINYINT', 'platform': 'UTINYINT', 'agent': 'UTINYINT', 'timespent': 'UTINYINT'},
      'users_metadata': {'user_id': 'UINTEGER', 'age': 'UTINYINT', 'gender': 'UTINYINT', 'geo': 'UTINYINT', 'train_interactions_rank': 'UINTEGER'},
      'items_metadata': {'item_id': 'UINTEGER', 'author_id': 'UINTEGER', 'duration': 'UTINYINT', 'train_interactions_rank': 'UINTEGER'},
      'submission': {'item_id': 'UINTEGER'},
  } -%}
  {%- set columns = kinds[kind] -%}
  {%- if kind == 'interactions' -%}
    {%- do columns.update(signals) -%}
  {%- endif -%}
  {{ return(columns) }}
{%- endmacro %}
