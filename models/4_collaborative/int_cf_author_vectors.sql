{{ config(materialized='view') }}
-- Each author's ALS factor as of every as-of week (authors with engagement before it).
select
    as_of_week,
    entity_id as author_id,
    factors
from {{ ref('ml_user_author_factors') }}
where side = 'author'
