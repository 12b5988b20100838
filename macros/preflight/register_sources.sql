{#- Run by `on-run-start` before the dataset check: makes every parquet source of _vklsvd__sources.yml
    readable under its schema and name. DuckDB reads them in place through their `external_location`
    (dbt-duckdb), so there is nothing to do. On Spark each becomes a view over the same files (the same
    glob; for the weekly files also `filename` and `file_row_number`, as DuckDB's read_parquet gives);
    the embeddings (an .npz, not parquet) are loaded into their table by `vklsvd spark-build` before dbt
    runs. -#}
{% macro register_sources() %}
  {{ return(adapter.dispatch('register_sources', 'vklsvd')()) }}
{% endmacro %}

{% macro default__register_sources() %}
  {{ return('') }}
{% endmacro %}

{% macro spark__register_sources() %}
  {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'compile', 'show') -%}
    {{ return('') }}
  {%- endif -%}
  {%- for node in graph.sources.values() if node.source_name == 'vklsvd' -%}
    {%- set location = node.config.meta.external_location or node.meta.external_location -%}
    {%- if location -%}
      {%- set file_columns = ", _metadata.file_path as filename, _metadata.row_index as file_row_number" if 'filename = true' in location else "" -%}
      {%- do run_query("create schema if not exists " ~ node.schema) -%}
      {%- do run_query("create or replace view " ~ node.schema ~ "." ~ node.identifier ~ " as select *" ~ file_columns ~ " from parquet.`" ~ source_parquet_path(node) ~ "`") -%}
    {%- elif not adapter.get_relation(database=none, schema=node.schema, identifier=node.identifier) -%}
      {{ exceptions.raise_compiler_error("source " ~ node.source_name ~ "." ~ node.name ~ " (" ~ node.schema ~ "." ~ node.identifier ~ ") is not in the Spark catalog: it is not parquet, so `vklsvd spark-build` loads it before dbt runs; build with that command") }}
    {%- endif -%}
  {%- endfor -%}
  {{ return('') }}
{% endmacro %}

{#- The file or glob a parquet source reads: the first argument of read_parquet in its external_location. -#}
{% macro source_parquet_path(node) -%}
  {%- set location = node.config.meta.external_location or node.meta.external_location -%}
  {%- set match = modules.re.search("read_parquet\\('([^']*)'", location or '') -%}
  {%- if not match -%}
    {{ exceptions.raise_compiler_error("source " ~ node.source_name ~ "." ~ node.name ~ ": external_location must be read_parquet('<path>', ...), got " ~ location) }}
  {%- endif -%}
  {{ return(match.group(1)) }}
{%- endmacro %}
