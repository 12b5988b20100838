-- User engagement per semantic-ID prefix before the target week (prefix lengths 1..semantic_id_counter_levels).
-- A new clip's code comes from its embedding alone, so it inherits the interest its prefixes earned:
-- these counters rank users for it. Float sums use exact_sum (same value whatever the aggregation order).
select
    h.user_id,
    s.level,
    s.prefix,
    count(*) as impressions,
    count_if(h.is_positive) as positives,
    {{ exact_sum('h.watch_fraction') }} as watched,
    count_if(h.is_positive) + {{ var('content_watch_weight') }} * {{ exact_sum('h.watch_fraction') }} as engagement
from {{ ref('int_user_history') }} as h
inner join {{ ref('ml_item_semantic_ids') }} as s on h.item_id = s.item_id
where s.level <= {{ var('semantic_id_counter_levels') }}
group by h.user_id, s.level, s.prefix
