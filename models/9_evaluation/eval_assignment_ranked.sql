{{ config(materialized='view') }}
-- The lists (ranking, clip, user, position) of every ranking assigned for the evaluation, under the
-- same capacity as the submission (scored through the exported submission): the fusion baseline, the
-- ranker's scores assigned greedily and round robin, and each candidate source alone.
select ranking, item_id, user_id, position
from {{ ref('ml_evaluation_assignments') }}
