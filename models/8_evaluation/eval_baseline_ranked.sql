{{ config(materialized='view') }}
-- The fusion baseline's lists (clip, user, position), assigned under the same capacity as the submission.
select item_id, user_id, position
from {{ ref('ml_assignments') }}
where ranking = 'rrf_baseline'
