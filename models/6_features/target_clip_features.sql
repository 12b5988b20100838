-- Clips to rank for each as-of week (int_as_of_clips: the target week's clips and a seeded sample of each
-- training week's new clips), with only what is known without their own interactions: one row per
-- (item, as_of_week).
select
    item_id,
    as_of_week,
    is_target_week,
    author_id,
    duration,
    {{ duration_bucket('duration') }} as duration_bucket,
    has_embedding
from {{ ref('int_as_of_clips') }}
