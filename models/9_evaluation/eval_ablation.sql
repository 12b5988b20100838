-- The ablation of the validation week, one row per ranking: NDCG@list_size (mean over labelled target
-- clips, macro ndcg_per_clip; the submission, baselines and references as eval_ndcg_per_clip scored them)
-- and recall@list_size (share of the relevant pairs in the lists) of every ranking under the same user
-- capacity as the submission; ndcg_uncapped: the same scores' top list_size per clip without it (sources,
-- the fusion baseline and the ranker), what the capacity costs each:
--   reference  random users (eval_random_ranked)
--   source     each candidate source alone, its lists assigned round robin
--              (`active_users` = the most active users, `hnsw` = the content baseline)
--   fusion     reciprocal rank fusion of every source, assigned under the capacity (rrf_baseline)
--   ranker     the ranker's calibrated probabilities assigned for the most expected NDCG (the
--              submission), and its scores assigned greedily by raw score and round robin
--   ablation   the ranker retrained without one feature family (var ranker_feature_families), assigned
--              greedily, and ranker_all_features, every feature on the same training pairs; only with
--              var feature_ablation (ml_ablation_assignments is disabled without it)
{% set k = var('list_size') | int %}
{% set labels = ref('int_target_labels') %}
{#- already scored per clip by eval_ndcg_per_clip: (its ranking name, the name here, kind) in table order -#}
{% set scored = [
    ('random_users', 'random_users', 'reference'),
    ('rrf_baseline', 'rrf_baseline', 'fusion'),
    ('submission', 'ranker', 'ranker'),
    ('ranker_expected_dcg', 'ranker_expected_dcg', 'ranker'),
    ('ranker_round_robin', 'ranker_round_robin', 'ranker'),
] %}
{% set lists = [] %}
{% for source in var('candidate_k').keys() %}
{% do lists.append(('source_' ~ source, 'source', "select item_id, user_id, position from " ~ ref('eval_assignment_ranked') ~ " where ranking = 'source_" ~ source ~ "'")) %}
{% endfor %}
{#- the uncapped top list_size per clip: (ranking, ranked relation) -#}
{% set uncapped = [
    ('rrf_baseline', "select item_id, user_id, row_number() over (partition by item_id order by score desc, user_id) as position from " ~ ref('baseline_scores')),
    ('ranker', "select item_id, user_id, row_number() over (partition by item_id order by score desc, user_id) as position from " ~ ref('ml_ranker_scores')),
] %}
{% for source in var('candidate_k').keys() %}
{% do uncapped.append(('source_' ~ source, "select item_id, user_id, source_rank as position from " ~ ref('eval_source_candidates') ~ " where source = '" ~ source ~ "'")) %}
{% endfor %}
{% set families = (var('ranker_feature_families') or {}).keys() | list if var('feature_ablation') | as_bool else [] %}
{% set ablation_rankings = ['ranker_all_features'] if families else [] %}
{% for family in families %}{% do ablation_rankings.append('ranker_without_' ~ family) %}{% endfor %}
{% for ranking in ablation_rankings %}
{% do lists.append((ranking, 'ablation', "select item_id, user_id, position from " ~ ref('ml_ablation_assignments') ~ " where ranking = '" ~ ranking ~ "'")) %}
{% endfor %}
with per_clip as (
    {%- for evaluated, name, kind in scored %}
    select '{{ name }}' as ranking, '{{ kind }}' as kind, {{ loop.index }} as ranking_order, item_id, n_relevant, hits, ndcg
    from {{ ref('eval_ndcg_per_clip') }}
    where ranking = '{{ evaluated }}'
    union all
    {%- endfor %}
    {%- for name, kind, ranked in lists %}
    select '{{ name }}' as ranking, '{{ kind }}' as kind, {{ scored | length + loop.index }} as ranking_order, item_id, n_relevant, hits, ndcg
    from ({{ ndcg_per_clip('(' ~ ranked ~ ')', labels, k) }}) as scored
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

uncapped as (
    {%- for name, ranked in uncapped %}
    select '{{ name }}' as ranking, {{ exact_avg('ndcg', 15) }} as ndcg_uncapped
    from ({{ ndcg_per_clip('(' ~ ranked ~ ')', labels, k) }}) as scored
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

summary as (
    select
        ranking,
        kind,
        count(*) as clips_scored,
        {{ exact_avg('ndcg', 15) }} as ndcg,
        cast(sum(hits) as double) / nullif(sum(n_relevant), 0) as recall,
        cast(sum(hits) as bigint) as hits,
        cast(sum(n_relevant) as bigint) as relevant_pairs,
        min(ranking_order) as ranking_order
    from per_clip
    group by ranking, kind
)

select
    summary.ranking,
    summary.kind,
    {{ var('target_week') | int }} as target_week,
    summary.clips_scored,
    summary.ndcg,
    uncapped.ndcg_uncapped,
    summary.recall,
    summary.hits,
    summary.relevant_pairs,
    summary.ranking_order
from summary
left join uncapped on summary.ranking = uncapped.ranking
