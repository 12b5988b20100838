-- The ablation of the validation week, one row per ranking: NDCG@list_size (mean over labelled target
-- clips, macro ndcg_per_item) and recall@list_size (share of the relevant pairs in the lists) of
--   reference  random users (eval_random_ranked)
--   source     each candidate source alone: its top list_size users per clip, no capacity
--              (`active_users` = the most active users, `hnsw` = the content baseline)
--   fusion     reciprocal rank fusion of every source, assigned under the capacity (rrf_baseline)
--   ranker     the ranker's calibrated probabilities assigned for the most expected NDCG (the
--              submission), and its scores assigned greedily by raw score and round robin
--   ablation   the ranker retrained without one feature family (var ranker_feature_families), assigned
--              like the submission
{% set k = var('list_size') | int %}
{% set labels = ref('int_target_labels') %}
{% set lists = [
    ('random_users', 'reference', "select item_id, user_id, position from " ~ ref('eval_random_ranked')),
    ('rrf_baseline', 'fusion', "select item_id, user_id, position from " ~ ref('eval_assignment_ranked') ~ " where ranking = 'rrf_baseline'"),
    ('ranker', 'ranker', "select item_id, user_id, position from " ~ ref('eval_submission_ranked')),
    ('ranker_greedy', 'ranker', "select item_id, user_id, position from " ~ ref('eval_assignment_ranked') ~ " where ranking = 'ranker_greedy'"),
    ('ranker_round_robin', 'ranker', "select item_id, user_id, position from " ~ ref('eval_assignment_ranked') ~ " where ranking = 'ranker_round_robin'"),
] %}
{% for source in var('candidate_k').keys() %}
{% do lists.append(('source_' ~ source, 'source', "select item_id, user_id, source_rank as position from " ~ ref('candidates') ~ " where as_of_week = " ~ (var('target_week') | int) ~ " and source = '" ~ source ~ "' and source_rank <= " ~ k)) %}
{% endfor %}
{% for family in (var('ranker_feature_families') or {}).keys() %}
{% do lists.append(('ranker_without_' ~ family, 'ablation', "select item_id, user_id, position from " ~ ref('ml_ablation_assignments') ~ " where ranking = 'ranker_without_" ~ family ~ "'")) %}
{% endfor %}
with per_clip as (
    {%- for name, kind, ranked in lists %}
    select '{{ name }}' as ranking, '{{ kind }}' as kind, {{ loop.index }} as ranking_order, *
    from ({{ ndcg_per_item('(' ~ ranked ~ ')', labels, k) }}) as scored
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    ranking,
    kind,
    {{ var('target_week') | int }} as target_week,
    count(*) as clips_scored,
    {{ exact_avg('ndcg', 15) }} as ndcg,
    cast(sum(hits) as double) / nullif(sum(n_relevant), 0) as recall,
    cast(sum(hits) as bigint) as hits,
    cast(sum(n_relevant) as bigint) as relevant_pairs,
    min(ranking_order) as ranking_order
from per_clip
group by ranking, kind
