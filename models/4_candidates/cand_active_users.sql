{{ config(materialized='view') }}
-- Candidate source `active_users`: the fallback shared by every clip, the most active users overall
-- (int_fill_users priority; score = 1 / priority).
select
    t.item_id,
    f.user_id,
    'active_users' as source,
    1.0 / f.priority as score,
    f.priority as source_rank
from {{ ref('int_target_items') }} as t
cross join {{ ref('int_fill_users') }} as f
where f.priority <= {{ var('candidate_k')['active_users'] }}
