-- Overall activity of each user before the target week: the prior that very active users engage more.
select
    user_id,
    count(*) as impressions,
    cast(count_if(is_positive) as bigint) as positives,
    max(week) as last_week
from {{ ref('int_user_history') }}
group by user_id
