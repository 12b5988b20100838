{{ config(materialized='view') }}
-- Each candidate source's lists of the target week, for ml_evaluation_assignments to assign under the
-- same capacity as the submission. A source's list reaches below its top list_size only where the
-- capacity took its users from it; twice list_size deep bounds the assignment's work (every source at
-- the default depth would be candidate_k / list_size times the pairs).
select source, item_id, user_id, source_rank
from {{ ref('candidates') }}
where
    as_of_week = {{ var('target_week') | int }}
    and source_rank <= {{ 2 * (var('list_size') | int) }}
