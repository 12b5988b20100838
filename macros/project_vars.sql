{#- Every var of the project (the `vars:` of dbt_project.yml) with the value this build resolved (command
    line --vars included), for the run_vars table. tests/test_run_config.py keeps this list equal to
    dbt_project.yml's. -#}
{% macro project_vars() -%}
  {%- set names = [
    'data_root', 'subsample', 'dataset_signals', 'profile_kinds', 'target_week', 'test_week', 'first_week',
    'user_sample', 'item_sample', 'sample_seed', 'positive_signals', 'label_signal_weights', 'stream_batch_rows', 'embedding_dim', 'profile_users_per_chunk',
    'content_watch_weight', 'interest_max_clusters', 'interest_min_items_per_cluster', 'interest_iterations',
    'gmm_components', 'gmm_covariance', 'gmm_max_fit_items', 'gmm_max_iterations', 'gmm_item_top_components',
    'gmm_user_top_components', 'semantic_id_sizes', 'semantic_id_max_fit_items', 'semantic_id_counter_levels',
    'cf_watch_weight', 'cf_positive_weight', 'cf_factors', 'cf_regularization', 'cf_alpha', 'cf_iterations',
    'cf_warm_iterations', 'cf_seed', 'cf_recent_weeks', 'cf_bridge_regularization', 'cf_exact_search_max_products',
    'hnsw_profile_kinds', 'hnsw_m', 'hnsw_ef_construction', 'hnsw_ef_search', 'hnsw_max_ef_search',
    'hnsw_target_recall', 'hnsw_overfetch', 'hnsw_recall_queries', 'candidate_k', 'candidate_recall_ks',
    'feature_windows', 'training_weeks', 'training_week_count', 'training_clips_per_week', 'feature_as_of_weeks', 'feature_prior_strength',
    'duration_bucket_bounds', 'ranker_negatives_per_clip', 'ranker_max_training_pairs', 'ranker_holdout_clips',
    'ranker_params', 'feature_ablation', 'ablation_max_training_pairs', 'ranker_feature_families', 'list_size', 'user_capacity', 'rrf_k', 'submission_path', 'artifacts_dir'
  ] -%}
  {%- set resolved = {} -%}
  {%- for name in names -%}{%- do resolved.update({name: var(name)}) -%}{%- endfor -%}
  {{ return(resolved) }}
{%- endmacro %}
