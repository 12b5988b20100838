-- The challenge submission: one row per target clip with its ranked list of users.
select
    cast(item_id as uinteger) as item_id,
    list(cast(user_id as uinteger) order by position) as user_id
from {{ ref('ml_capacity_assignment') }}
group by item_id
