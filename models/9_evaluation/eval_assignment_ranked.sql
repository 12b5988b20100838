{{ config(materialized='view') }}
-- The lists (ranking, clip, user, position) of every ranking of ml_assignments other than the
-- submission's own (`ranker`, scored through the exported submission): the fusion baseline and the
-- ranker's scores assigned round robin, under the same capacity as the submission.
select ranking, item_id, user_id, position
from {{ ref('ml_assignments') }}
where ranking <> 'ranker'
