-- The week each clip was first shown: a clip is cold (new) in that week.
select
    item_id,
    min(week) as first_week
from {{ ref('int_interactions') }}
group by item_id
