{#- Pre-flight check, run by `on-run-start`: the dataset under `data_root` must be in the hub layout with
    every file the build needs, each with the expected columns and compatible types. Every problem is
    reported with the file, the column and what to do, before any model reads a file. -#}
{% macro check_dataset() %}
  {{ return(adapter.dispatch('check_dataset', 'vklsvd')()) }}
{% endmacro %}

{% macro default__check_dataset() %}
  {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'compile', 'show') -%}
    {{ return('') }}
  {%- endif -%}
  {%- set root = var('data_root') -%}
  {%- set fix_root = "point var data_root at a directory in the hub layout: dbt build --vars '{data_root: /path/to/VK-LSVD}'" -%}
  {%- if run_query("select count(*) from glob('" ~ root ~ "/**')").columns[0].values()[0] == 0 -%}
    {{ exceptions.raise_compiler_error("data_root '" ~ root ~ "' does not exist or holds no files; " ~ fix_root ~ " (or run `make demo` to generate the demo data)") }}
  {%- endif -%}

  {%- set folder = interactions_folder() -%}
  {%- set found = run_query("select file from glob('" ~ folder ~ "/*/week_*.parquet') order by file").columns[0].values() -%}
  {%- if found | length == 0 -%}
    {%- set available = run_query("select distinct regexp_extract(file, 'subsamples/([^/]+)/', 1) from glob('" ~ root ~ "/subsamples/*/*/week_*.parquet') order by 1").columns[0].values() -%}
    {{ exceptions.raise_compiler_error("no weekly files under '" ~ folder ~ "/{train,validation,test}/week_XX.parquet' (var subsample = '" ~ var('subsample') ~ "'); subsamples present under data_root: " ~ (available | list if available else 'none') ~ "; set var subsample to one of them, or to 'full' for interactions/, or download it with `vklsvd download`") }}
  {%- endif -%}

  {%- set weeks_found = {} -%}
  {%- for file in found -%}
    {%- set week = modules.re.search('week_([0-9]+)\.parquet$', file).group(1) | int -%}
    {%- if week in weeks_found -%}
      {{ exceptions.raise_compiler_error("week " ~ week ~ " appears in two files: " ~ weeks_found[week] ~ " and " ~ file ~ "; keep one file per week") }}
    {%- endif -%}
    {%- do weeks_found.update({week: file}) -%}
  {%- endfor -%}
  {%- set missing = [] -%}
  {%- for week in required_weeks() -%}
    {%- if week not in weeks_found -%}{%- do missing.append(week) -%}{%- endif -%}
  {%- endfor -%}
  {%- if missing -%}
    {%- set target_note = " (the target week " ~ var('target_week') ~ " holds the labels)" if (var('target_week') | int) in missing else "" -%}
    {{ exceptions.raise_compiler_error("missing weekly files for week(s) " ~ missing ~ target_note ~ " under '" ~ folder ~ "'; download them (`vklsvd download --weeks ...`) or narrow the build with vars first_week / target_week") }}
  {%- endif -%}

  {%- set checks = [] -%}
  {#- files of later weeks are never read (the test week's file may differ in the real dataset) -#}
  {%- for week, file in weeks_found.items() if week >= (var('first_week') | int) and week <= (var('target_week') | int) -%}
    {%- do checks.append(('interactions', file)) -%}
  {%- endfor -%}
  {%- for kind in ['users_metadata', 'items_metadata', 'submission'] -%}
    {%- do checks.append((kind, root ~ '/metadata/' ~ kind ~ '.parquet')) -%}
  {%- endfor -%}
  {%- for name in ['users_metadata.parquet', 'items_metadata.parquet', 'submission.parquet', 'item_embeddings.npz'] -%}
    {%- if run_query("select count(*) from glob('" ~ root ~ "/metadata/" ~ name ~ "')").columns[0].values()[0] == 0 -%}
      {{ exceptions.raise_compiler_error("missing metadata file '" ~ root ~ "/metadata/" ~ name ~ "'; download the metadata (`vklsvd download --target ...` fetches it by default) or copy it into metadata/") }}
    {%- endif -%}
  {%- endfor -%}

  {%- set describe_sql -%}
    {%- for kind, file in checks -%}
      select '{{ kind }}' as kind, '{{ file }}' as file, column_name, column_type
      from (describe select * from read_parquet('{{ file }}'))
      {% if not loop.last %}union all{% endif %}
    {% endfor -%}
  {%- endset -%}
  {%- set described = run_query(describe_sql) -%}
  {%- set schemas = {} -%}
  {%- for row in described.rows -%}
    {%- do schemas.setdefault(row[1], {'kind': row[0], 'columns': {}}) -%}
    {%- do schemas[row[1]]['columns'].update({row[2]: row[3]}) -%}
  {%- endfor -%}
  {%- set integer_types = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'] -%}
  {%- for file, schema in schemas.items() -%}
    {%- do check_file_columns(file, schema['kind'], schema['columns'], integer_types, 'BOOLEAN') -%}
  {%- endfor -%}
  {{ return('') }}
{% endmacro %}

{#- On Spark the sources are views over the files (macro register_sources, run just before): a missing
    folder or week fails there with the path; here every source's columns and types are checked the same
    way, from the views' schemas. -#}
{% macro spark__check_dataset() %}
  {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'compile', 'show') -%}
    {{ return('') }}
  {%- endif -%}
  {%- set integer_types = ['tinyint', 'smallint', 'int', 'bigint'] -%}
  {%- set kinds = {'interactions': 'interactions', 'users_metadata': 'users_metadata', 'items_metadata': 'items_metadata', 'submission_template': 'submission'} -%}
  {%- for node in graph.sources.values() if node.source_name == 'vklsvd' and node.name in kinds -%}
    {%- set columns = {} -%}
    {%- for row in run_query("describe " ~ node.schema ~ "." ~ node.identifier).rows if row[0] and not row[0].startswith('#') -%}
      {%- do columns.setdefault(row[0], row[1] | lower) -%}
    {%- endfor -%}
    {%- do check_file_columns(source_parquet_path(node), kinds[node.name], columns, integer_types, 'boolean') -%}
  {%- endfor -%}
  {{ return('') }}
{% endmacro %}

{#- Refuses a file (or glob) whose `columns` ({name: engine type}) lack a column of its kind or give one an
    incompatible type: any integer width is accepted for an integer column (the staging casts check the
    range), only `boolean_type` for a signal. -#}
{% macro check_file_columns(file, kind, columns, integer_types, boolean_type) %}
  {%- for column, expected in expected_columns(kind).items() -%}
    {%- set actual = columns.get(column) -%}
    {%- if actual is none -%}
      {{ exceptions.raise_compiler_error(file ~ ": missing column '" ~ column ~ "' (expected " ~ expected ~ "); columns present: " ~ (columns.keys() | list) ~ "; the file is not in the VK-LSVD format — re-download it") }}
    {%- endif -%}
    {%- if not (actual in integer_types or (expected == 'BOOLEAN' and actual == boolean_type)) -%}
      {{ exceptions.raise_compiler_error(file ~ ": column '" ~ column ~ "' has type " ~ actual ~ ", expected " ~ expected ~ " (other integer widths are accepted and range-checked; " ~ actual ~ " is not); rewrite the file with the dataset's dtypes") }}
    {%- endif -%}
  {%- endfor -%}
{% endmacro %}
