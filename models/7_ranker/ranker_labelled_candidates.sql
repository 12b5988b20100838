-- The ranker's (clip, user) pairs for every as-of week: exactly the multi-source `candidates` of that week,
-- one row per pair, so training weeks and the target week share one candidate distribution and one SQL.
-- Per source (the keys of var candidate_k) the pair's rank and score (null = not found by it), how many
-- sources found it and the reciprocal-rank-fusion score (sum of 1 / (rrf_k + rank)), all features of
-- the ranker. `label`: the user engaged with the clip in its first week, `relevance` its graded value
-- (var label_signal_weights; 0 when not engaged), the ranker's target (training weeks; both null for the
-- target week, whose labels only the evaluation reads).
{% set rrf_k = var('rrf_k') %}
with pairs as (
    select
        as_of_week,
        item_id,
        user_id,
        {%- for source in var('candidate_k').keys() %}
        min(source_rank) filter (where source = '{{ source }}') as {{ source }}_rank,
        max(score) filter (where source = '{{ source }}') as {{ source }}_score,
        {%- endfor %}
        count(*) as n_sources,
        -- exact_sum: the same score whatever the order of the aggregation
        {{ exact_sum('cast(1 as double) / (' ~ rrf_k ~ ' + source_rank)', 15) }} as rrf_score
    from {{ ref('candidates') }}
    group by as_of_week, item_id, user_id
)

select
    p.as_of_week,
    p.item_id,
    p.user_id,
    w.is_target_week,
    case when w.is_target_week then null else l.user_id is not null end as label,
    case when w.is_target_week then null else coalesce(l.relevance, 0) end as relevance,
    {%- for name in candidate_pair_columns() %}
    p.{{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from pairs as p
inner join {{ ref('int_feature_as_of_weeks') }} as w on p.as_of_week = w.as_of_week
left join {{ ref('int_as_of_labels') }} as l
    on p.as_of_week = l.as_of_week and p.item_id = l.item_id and p.user_id = l.user_id
