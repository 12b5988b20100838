-- Relevance for the metric: (target clip, user) pairs of the target week with at least one positive signal
-- from var `positive_signals`. Empty when the target week has no interactions (the test week).
select distinct
    i.item_id,
    i.user_id
from {{ ref('int_interactions') }} as i
inner join {{ ref('int_target_clips') }} as t on i.item_id = t.item_id
where i.week = {{ var('target_week') }}
  and {{ positive_signal() }}
