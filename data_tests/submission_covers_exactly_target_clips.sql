-- The submission lists every target clip and nothing else.
select coalesce(s.item_id, t.item_id) as item_id,
       s.item_id is null as missing_from_submission,
       t.item_id is null as not_a_target_clip
from {{ ref('submission') }} as s
full outer join {{ ref('int_target_clips') }} as t on s.item_id = t.item_id
where s.item_id is null or t.item_id is null
