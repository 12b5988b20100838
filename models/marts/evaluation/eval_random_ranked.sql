-- Reference point for the metric: for each target clip, list_size users drawn at random (a seeded hash)
-- among the users seen before the target week.
select
    t.item_id,
    a.user_id,
    row_number() over (
        partition by t.item_id
        order by {{ hash_fraction("cast(t.item_id as varchar) || '-' || cast(a.user_id as varchar)", var('sample_seed')) }}, a.user_id
    ) as position
from {{ ref('int_target_items') }} as t
cross join {{ ref('int_user_activity') }} as a
qualify position <= {{ var('list_size') }}
