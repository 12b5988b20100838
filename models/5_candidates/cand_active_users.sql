{{ config(materialized='view') }}
-- Candidate source `active_users`: the fallback shared by every clip of an as-of week, the users with the
-- most positives (then impressions) before that week; score = 1 / rank.
with ranked_users as (
    select
        as_of_week,
        user_id,
        row_number() over (partition by as_of_week order by positives desc, impressions desc, user_id) as source_rank
    from {{ ref('int_user_activity') }}
    qualify source_rank <= {{ var('candidate_k').get('active_users') }}
)

select
    c.as_of_week,
    c.item_id,
    u.user_id,
    'active_users' as source,
    cast(1 as double) / u.source_rank as score,
    u.source_rank
from {{ ref('int_as_of_clips') }} as c
inner join ranked_users as u on c.as_of_week = u.as_of_week
