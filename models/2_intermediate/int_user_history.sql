{{ config(materialized='view') }}
-- Impressions strictly before the target week with the clip's duration: the input of user content
-- profiles. Watch fraction is capped at 1 (timespent can exceed duration on re-watch) and 0 for a clip of
-- unknown duration (the metadata tests refuse those anyway).
select
    i.user_id,
    i.item_id,
    i.week,
    i.timespent,
    coalesce({{ watch_fraction("i.timespent", "m.duration") }}, 0.0) as watch_fraction,
    {{ positive_signal() }} as is_positive,
    i.dislike as is_negative
from {{ ref('int_interactions') }} as i
left join {{ ref('stg_vklsvd__items') }} as m on i.item_id = m.item_id
where i.week < {{ var('target_week') }}
