{{ config(materialized='view') }}
-- Clips first shown before the target week, with their embedding: what the interest-bubble mixture and
-- the semantic-ID codebooks are fitted on. Target clips are only encoded by the fitted models.
select
    e.item_id,
    e.embedding
from {{ ref('stg_vklsvd__item_embeddings') }} as e
inner join {{ ref('int_clip_first_week') }} as f on e.item_id = f.item_id
where f.first_week < {{ var('target_week') }}
