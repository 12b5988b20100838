{{ config(materialized='view') }}
-- User engagement per semantic-ID prefix (lengths 1..semantic_id_params.counter_levels) as of every as-of week.
-- A new clip's code comes from its embedding alone, so it inherits the interest its prefixes earned:
-- these counters rank users for it. The totals read from int_user_semantic_prefix_periods at the as-of
-- week.
select
    w.as_of_week,
    p.user_id,
    p.level,
    p.prefix,
    p.impressions,
    p.positives,
    p.watched,
    p.positives + {{ var('content_watch_weight') }} * p.watched as engagement
from {{ ref('int_user_semantic_prefix_periods') }} as p
inner join {{ ref('int_feature_as_of_weeks') }} as w on {{ as_of_row('p', 'w.as_of_week') }}
