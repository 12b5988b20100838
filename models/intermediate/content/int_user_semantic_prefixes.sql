-- User engagement per semantic-ID prefix before the target week (prefix lengths 1..semantic_id_counter_levels).
-- A new clip's code comes from its embedding alone, so it inherits the interest its prefixes earned:
-- these counters rank users for it. Float sums use exact_sum (same value whatever the aggregation order).
select
    user_id,
    level,
    prefix,
    sum(impressions) as impressions,
    sum(positives) as positives,
    {{ exact_sum('watched') }} as watched,
    sum(positives) + {{ var('content_watch_weight') }} * {{ exact_sum('watched') }} as engagement
from {{ ref('int_user_semantic_prefix_weeks') }}
group by user_id, level, prefix
