-- Clip attributes the feature layer joins to every impression, computed once per clip rather than once
-- per impression: author, duration, duration bucket (macro duration_bucket; -1 = unknown duration) and
-- the inverse duration (macro inverse_duration) that turns the watch fraction into one multiplication.
select
    item_id,
    author_id,
    duration,
    cast(coalesce({{ duration_bucket('duration') }}, -1) as integer) as duration_bucket,
    {{ inverse_duration('duration') }} as inverse_duration
from {{ ref('stg_vklsvd__items') }}
