-- Clips to rank for every as-of week (cold clips of that week) with their content embedding: the queries
-- of the ranker's content candidates and content features.
select
    c.as_of_week,
    c.item_id,
    c.author_id,
    c.duration_bucket,
    e.embedding
from {{ ref('target_clip_features') }} as c
left join {{ ref('stg_vklsvd__item_embeddings') }} as e on c.item_id = e.item_id
