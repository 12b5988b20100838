{{ config(tags=['features']) }}
-- The clips of target_clip_features are new in their as-of week: none of them was shown before it (so
-- their features cannot carry their own interactions). Returns the clips that were.
select
    t.item_id,
    t.as_of_week,
    min(i.week) as first_seen_week
from {{ ref('target_clip_features') }} as t
inner join {{ ref('int_interactions') }} as i on i.item_id = t.item_id and i.week < t.as_of_week
group by t.item_id, t.as_of_week
