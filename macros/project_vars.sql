{#- Every var of the project (the `vars:` of dbt_project.yml) with the value this build resolved (command
    line --vars included), for the run_vars table. tests/test_run_config.py keeps this list equal to
    dbt_project.yml's. -#}
{% macro project_vars() -%}
  {%- set names = [
    'data_root', 'subsample', 'dataset_signals', 'profile_kinds', 'target_week', 'test_week', 'first_week',
    'user_sample', 'item_sample', 'sample_seed', 'positive_signals', 'label_signal_weights', 'stream_batch_rows',
    'embedding_dim', 'profile_users_per_chunk', 'content_watch_weight', 'interest_params', 'bubble_params',
    'semantic_id_params', 'cf_params', 'hnsw_params', 'candidate_k', 'candidate_recall_ks',
    'feature_windows', 'training_weeks', 'training_week_count', 'training_clips_per_week', 'feature_as_of_weeks', 'feature_prior_strength', 'user_author_min_impressions',
    'duration_bucket_bounds', 'ranker_negatives_per_clip', 'ranker_max_training_pairs', 'ranker_holdout_clips',
    'ranker_params', 'feature_ablation', 'ablation_max_training_pairs', 'ranker_feature_families', 'list_size', 'user_capacity', 'rrf_k', 'submission_path', 'artifacts_dir'
  ] -%}
  {%- set resolved = {} -%}
  {%- for name in names -%}{%- do resolved.update({name: var(name)}) -%}{%- endfor -%}
  {{ return(resolved) }}
{%- endmacro %}
