-- User engagement per semantic-ID prefix before the target week (prefix lengths 1..semantic_id_counter_levels).
-- A new clip's code comes from its embedding alone, so it inherits the interest its prefixes earned:
-- these counters rank users for it. The totals as of the target week from int_user_semantic_prefix_periods.
select
    p.user_id,
    p.level,
    p.prefix,
    p.impressions,
    p.positives,
    p.watched,
    p.positives + {{ var('content_watch_weight') }} * p.watched as engagement
from {{ ref('int_user_semantic_prefix_periods') }} as p
where {{ as_of_row('p', var('target_week') | int) }}
