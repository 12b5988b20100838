{{ config(materialized='view') }}
-- First honest ranking: every candidate source ranks users for a clip on its own scale; reciprocal rank
-- fusion (sum of 1 / (rrf_k + rank), ranker_labelled_candidates.rrf_score) merges them without any weights
-- fitted to the data. The target week's pairs of the unified candidates.
select item_id, user_id, rrf_score as score, n_sources
from {{ ref('ranker_labelled_candidates') }}
where is_target_week
