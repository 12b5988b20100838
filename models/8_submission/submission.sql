-- The challenge submission: one row per target clip with the ranker's list of users.
select
    cast(item_id as {{ unsigned_int_type(32) }}) as item_id,
    {{ ordered_list("cast(user_id as " ~ unsigned_int_type(32) ~ ")", "position") }} as user_id
from {{ ref('ml_assignments') }}
where ranking = 'ranker'
group by item_id
