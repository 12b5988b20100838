{#- Pre-flight check of every var, run by `on-run-start` before any model: a wrong setting fails the build
    in seconds with the var's name and what it accepts, not minutes in at the model that first reads it.
    Rules are table-driven (`var_rules`); the vars with rules of their own (windows, weeks, signals,
    sampling) are checked by calling the macros that read them. -#}
{% macro check_vars() %}
  {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'compile', 'show', 'run-operation') -%}
    {{ return('') }}
  {%- endif -%}
  {#- every var of the tables at once: a user who set several wrong sees them all in one run -#}
  {%- set problems = [] -%}
  {%- for name, rule in var_rules().items() -%}
    {%- do problems.append(var_value_problem(name, var(name), rule)) -%}
  {%- endfor -%}
  {%- for group, rules in stage_setting_rules().items() -%}
    {%- set settings = var(group) -%}
    {%- if settings is not mapping -%}
      {%- do problems.append("var " ~ group ~ " must be a mapping with the keys " ~ (rules.keys() | list) ~ ", got " ~ settings) -%}
    {%- else -%}
      {%- set unknown = settings.keys() | reject('in', rules.keys()) | list -%}
      {%- set absent = rules.keys() | reject('in', settings.keys()) | list -%}
      {%- if unknown or absent -%}
        {%- do problems.append("var " ~ group ~ ": unknown key(s) " ~ unknown ~ ", missing key(s) " ~ absent ~ "; the keys are " ~ (rules.keys() | list) ~ " (a --vars mapping replaces the whole default: copy it from dbt_project.yml and change what you need)") -%}
      {%- else -%}
        {%- for key, rule in rules.items() -%}
          {%- do problems.append(var_value_problem(group ~ '.' ~ key, settings[key], rule)) -%}
        {%- endfor -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set problems = problems | select | list -%}
  {%- if problems | length == 1 -%}
    {{ exceptions.raise_compiler_error(problems[0]) }}
  {%- elif problems -%}
    {{ exceptions.raise_compiler_error(problems | length ~ " vars are not valid:\n  " ~ problems | join("\n  ")) }}
  {%- endif -%}

  {%- set sources = ['hnsw', 'author_audience', 'bubbles', 'semantic_ids', 'active_users', 'collaborative'] -%}
  {%- set depths = var('candidate_k') -%}
  {%- if depths is not mapping or (depths.keys() | sort) != (sources | sort) -%}
    {{ exceptions.raise_compiler_error("var candidate_k must map every candidate source " ~ sources ~ " to a depth, got " ~ depths) }}
  {%- endif -%}
  {%- for source, depth in depths.items() -%}
    {%- do check_var_value('candidate_k.' ~ source, depth, ('int', 1, none)) -%}
  {%- endfor -%}

  {%- set families = var('ranker_feature_families') -%}
  {%- if families is not none and families is not mapping -%}
    {{ exceptions.raise_compiler_error("var ranker_feature_families must be a mapping of family name to a list of column patterns, got " ~ families) }}
  {%- endif -%}
  {%- for family, patterns in (families or {}).items() -%}
    {%- if patterns is string or patterns is not iterable or patterns | length == 0 -%}
      {{ exceptions.raise_compiler_error("var ranker_feature_families: family '" ~ family ~ "' must list column patterns (regex), got " ~ patterns) }}
    {%- endif -%}
  {%- endfor -%}

  {%- set unknown_kinds = var('hnsw_params')['profile_kinds'] | reject('in', var('profile_kinds')) | list -%}
  {%- if unknown_kinds -%}
    {{ exceptions.raise_compiler_error("var hnsw_params.profile_kinds names unknown profile kind(s) " ~ unknown_kinds ~ "; known kinds: " ~ var('profile_kinds')) }}
  {%- endif -%}
  {%- set bubbles = var('bubble_params') -%}
  {%- for key in ['item_top_components', 'user_top_components'] if bubbles[key] > bubbles['components'] -%}
    {{ exceptions.raise_compiler_error("var bubble_params." ~ key ~ " must be at most bubble_params.components (" ~ bubbles['components'] ~ "), got " ~ bubbles[key]) }}
  {%- endfor -%}
  {%- set semantic_ids = var('semantic_id_params') -%}
  {%- if semantic_ids['counter_levels'] > semantic_ids['sizes'] | length -%}
    {{ exceptions.raise_compiler_error("var semantic_id_params.counter_levels must be at most the number of codebooks in semantic_id_params.sizes (" ~ (semantic_ids['sizes'] | length) ~ "), got " ~ semantic_ids['counter_levels']) }}
  {%- endif -%}
  {%- if var('cf_params')['watch_weight'] + var('cf_params')['positive_weight'] <= 0 -%}
    {{ exceptions.raise_compiler_error("var cf_params: watch_weight and positive_weight are both 0: no engagement would be counted; set one of them > 0") }}
  {%- endif -%}
  {%- if var('first_week') >= var('target_week') -%}
    {{ exceptions.raise_compiler_error("var first_week (" ~ var('first_week') ~ ") must be before target_week (" ~ var('target_week') ~ ")") }}
  {%- endif -%}
  {%- if not (var('submission_path') | string).endswith('.parquet') -%}
    {{ exceptions.raise_compiler_error("var submission_path must name a .parquet file, got '" ~ var('submission_path') ~ "'") }}
  {%- endif -%}

  {#- the macros that read these vars validate them -#}
  {%- do feature_windows() -%}
  {%- do feature_as_of_weeks() -%}
  {%- do feature_periods() -%}
  {%- do duration_bucket_bounds() -%}
  {%- do positive_signal() -%}
  {%- do label_relevance() -%}
  {%- do sample_predicate(var('user_sample'), ['ur', 'up'], 'user_id', 'rank', 'users') -%}
  {%- do sample_predicate(var('item_sample'), ['ir', 'ip'], 'item_id', 'rank', 'items') -%}
  {{ return('') }}
{% endmacro %}


{#- var -> (kind, low, high): kind `int` (a whole number), `number`, `positive` (a number > 0), `bool`, `text` (non-empty), `list`
    (non-empty list; low/high bound its whole-number elements, or none for any elements), `choice` (low =
    the allowed values); bounds inclusive, none = unbounded; an `or null` kind (`int?`, `number?`) also
    takes null. -#}
{% macro var_rules() %}
  {{ return({
    'data_root': ('text', none, none),
    'subsample': ('text', none, none),
    'dataset_signals': ('list', none, none),
    'profile_kinds': ('list', none, none),
    'target_week': ('int', 1, none),
    'test_week': ('int', 1, none),
    'first_week': ('int', 0, none),
    'sample_seed': ('int', 0, none),
    'stream_batch_rows': ('int', 1, none),
    'profile_users_per_chunk': ('int', 1, none),
    'embedding_dim': ('int', 1, 64),
    'content_watch_weight': ('number', 0, none),
    'candidate_recall_ks': ('list', 1, none),
    'training_week_count': ('int', 1, none),
    'training_clips_per_week': ('int?', 1, none),
    'feature_prior_strength': ('positive', none, none),
    'user_author_min_impressions': ('int?', 1, none),
    'ranker_negatives_per_clip': ('int?', 0, none),
    'ranker_max_training_pairs': ('int', 1, none),
    'ranker_holdout_clips': ('int', 0, none),
    'feature_ablation': ('bool', none, none),
    'ablation_max_training_pairs': ('int', 1, none),
    'list_size': ('int', 1, none),
    'user_capacity': ('int', 1, none),
    'rrf_k': ('number', 0, none),
    'submission_path': ('text', none, none),
    'artifacts_dir': ('text', none, none),
  }) }}
{% endmacro %}


{#- The stage settings: each var a mapping passed whole to its stage's dataclass (vklsvd.settings), key ->
    rule as in var_rules. tests/test_check_vars.py keeps the keys equal to the dataclasses' fields. -#}
{% macro stage_setting_rules() %}
  {{ return({
    'interest_params': {
      'max_clusters': ('int', 1, none),
      'min_items_per_cluster': ('int', 1, none),
      'iterations': ('int', 1, none),
    },
    'bubble_params': {
      'components': ('int', 1, none),
      'covariance': ('choice', ['full', 'tied', 'diag', 'spherical'], none),
      'max_fit_items': ('int', 2, none),
      'max_iterations': ('int', 1, none),
      'item_top_components': ('int', 1, none),
      'user_top_components': ('int', 1, none),
    },
    'semantic_id_params': {
      'sizes': ('list', 1, none),
      'max_fit_items': ('int', 2, none),
      'counter_levels': ('int', 1, none),
    },
    'cf_params': {
      'watch_weight': ('number', 0, none),
      'positive_weight': ('number', 0, none),
      'factors': ('int', 1, none),
      'regularization': ('number', 0, none),
      'alpha': ('positive', none, none),
      'iterations': ('int', 1, none),
      'warm_iterations': ('int', 0, none),
      'seed': ('int', 0, none),
      'recent_weeks': ('int', 1, none),
      'bridge_regularization': ('positive', none, none),
      'exact_search_max_products': ('int', 0, none),
    },
    'hnsw_params': {
      'profile_kinds': ('list', none, none),
      'm': ('int', 2, none),
      'ef_construction': ('int', 1, none),
      'ef_search': ('int', 0, none),
      'max_ef_search': ('int', 0, none),
      'target_recall': ('positive', none, 1),
      'overfetch': ('int', 1, none),
      'recall_queries': ('int', 1, none),
    },
    'ranker_params': {
      'objective': ('choice', ['binary:logistic', 'rank:ndcg', 'rank:pairwise'], none),
      'n_estimators': ('int', 1, none),
      'early_stopping_rounds': ('int', 1, none),
      'max_depth': ('int', 1, 20),
      'learning_rate': ('positive', none, 1),
      'min_child_weight': ('number', 0, none),
      'subsample': ('positive', none, 1),
      'colsample_bytree': ('positive', none, 1),
      'max_bin': ('int', 2, none),
    },
  }) }}
{% endmacro %}


{% macro check_var_value(name, value, rule) %}
  {%- set problem = var_value_problem(name, value, rule) -%}
  {%- if problem -%}
    {{ exceptions.raise_compiler_error(problem) }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}


{#- What is wrong with the var's value under its rule (see var_rules), or '' when nothing is. -#}
{% macro var_value_problem(name, value, rule) %}
  {%- set kind, low, high = rule -%}
  {%- set nullable = kind.endswith('?') -%}
  {%- set kind = kind.rstrip('?') -%}
  {%- if value is none and nullable -%}{{ return('') }}{%- endif -%}
  {%- set bounds = ("" if low is none else " >= " ~ low) ~ ("" if low is none or high is none else " and") ~ ("" if high is none else " <= " ~ high) -%}
  {%- set null_note = " (or null)" if nullable else "" -%}
  {%- set is_int = value is number and value is not boolean and value == (value | int) -%}
  {%- if kind == 'int' -%}
    {%- set ok = is_int and (low is none or value >= low) and (high is none or value <= high) -%}
    {%- set wanted = "a whole number" ~ bounds -%}
  {%- elif kind == 'number' -%}
    {%- set ok = value is number and value is not boolean and (low is none or value >= low) and (high is none or value <= high) -%}
    {%- set wanted = "a number" ~ bounds -%}
  {%- elif kind == 'positive' -%}
    {%- set ok = value is number and value is not boolean and value > 0 and (high is none or value <= high) -%}
    {%- set wanted = "a number > 0" ~ ("" if high is none else " and <= " ~ high) -%}
  {%- elif kind == 'bool' -%}
    {%- set ok = value is boolean -%}
    {%- set wanted = "true or false" -%}
  {%- elif kind == 'text' -%}
    {%- set ok = value is string and value | trim | length > 0 -%}
    {%- set wanted = "a non-empty string" -%}
  {%- elif kind == 'choice' -%}
    {%- set ok = value in low -%}
    {%- set wanted = "one of " ~ low -%}
  {%- elif kind == 'list' -%}
    {%- set ok = value is iterable and value is not string and value is not mapping and value | length > 0 -%}
    {%- if ok and low is not none -%}
      {%- set bad = [] -%}
      {%- for element in value -%}
        {%- if not (element is number and element is not boolean and element == (element | int) and element >= low) -%}
          {%- do bad.append(element) -%}
        {%- endif -%}
      {%- endfor -%}
      {%- set ok = bad | length == 0 -%}
    {%- endif -%}
    {%- set wanted = "a non-empty list" ~ ("" if low is none else " of whole numbers" ~ bounds) -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("var_value_problem: unknown rule kind '" ~ kind ~ "' for var " ~ name) }}
  {%- endif -%}
  {%- if not ok -%}
    {{ return("var " ~ name ~ " must be " ~ wanted ~ null_note ~ ", got " ~ (value | tojson)) }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}
