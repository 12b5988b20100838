-- Users that may fill a clip's list when its candidates run out, most active first (priority 1) as of the
-- target week. Every sampled user is eligible, so the submission can always be completed when there are
-- enough users.
select
    u.user_id,
    row_number() over (
        order by coalesce(a.positives, 0) desc, coalesce(a.impressions, 0) desc, u.user_id
    ) as priority
from {{ ref('int_users_sampled') }} as u
left join {{ ref('int_user_activity') }} as a
    on u.user_id = a.user_id and a.as_of_week = {{ var('target_week') | int }}
