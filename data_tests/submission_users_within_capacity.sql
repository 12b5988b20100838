-- No user appears in more than user_capacity lists.
select user_id, count(*) as appearances
from {{ ref('eval_submission_ranked') }}
group by user_id
having count(*) > {{ var('user_capacity') }}
