-- Every clip lists exactly list_size distinct, non-null users.
select item_id, count(*) as n_users, count(distinct user_id) as n_distinct
from {{ ref('eval_submission_ranked') }}
group by item_id
having count(*) != {{ var('list_size') }}
    or count(distinct user_id) != {{ var('list_size') }}
    or count(user_id) != count(*)
