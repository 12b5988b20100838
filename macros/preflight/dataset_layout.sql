{#- Paths of the dataset in the hub layout, shared by the sources and the pre-flight checks. -#}
{% macro interactions_folder() -%}
  {%- if var('subsample') == 'full' -%}
    {{ var('data_root') }}/interactions
  {%- else -%}
    {{ var('data_root') }}/subsamples/{{ var('subsample') }}
  {%- endif -%}
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
  {%- set signals = {'like': 'BOOLEAN', 'dislike': 'BOOLEAN', 'share': 'BOOLEAN', 'bookmark': 'BOOLEAN', 'click_on_author': 'BOOLEAN', 'open_comments': 'BOOLEAN'} -%}
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
