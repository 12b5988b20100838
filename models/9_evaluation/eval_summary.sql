-- Mean NDCG@list_size over target clips with at least one relevant user, per ranking.
select
    ranking,
    {{ var('target_week') }} as target_week,
    {{ var('list_size') }} as list_size,
    count(*) as clips_scored,
    {{ exact_avg("ndcg", 15) }} as ndcg,
    cast(sum(hits) as bigint) as hits,
    cast(sum(n_relevant) as bigint) as relevant_pairs
from {{ ref('eval_ndcg_per_clip') }}
group by ranking
