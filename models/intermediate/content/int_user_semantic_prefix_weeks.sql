-- User engagement per semantic-ID prefix (lengths 1..semantic_id_counter_levels) and week, before the
-- target week: the weekly partial aggregate that both the target-week counters (int_user_semantic_prefixes)
-- and the ranker's as-of affinities sum over. Float sums use exact_sum (order-independent).
select
    h.user_id,
    h.week,
    s.level,
    s.prefix,
    count(*) as impressions,
    cast(count_if(h.is_positive) as bigint) as positives,
    {{ exact_sum('h.watch_fraction') }} as watched
from {{ ref('int_user_history') }} as h
inner join {{ ref('ml_item_semantic_ids') }} as s on h.item_id = s.item_id
where s.level <= {{ var('semantic_id_counter_levels') }}
group by h.user_id, h.week, s.level, s.prefix
