-- Candidate users for the clips of every as-of week (int_as_of_clips: the target week's clips and a sample
-- of each training week's new clips), one row per (as-of week, clip, source, user): the first level of
-- the two-level system. Every source reads only what was known before the as-of week, so the ranker
-- trains on the training weeks' rows of this table and scores the target week's rows of the same SQL.
-- Each source scores on its own scale and ranks its users (1 = best):
--   hnsw            : nearest users by content (watched profile and multi-interest vectors, hnswlib)
--   author_audience : users engaged with the clip's author
--   bubbles         : users engaged with the clip's Gaussian-mixture components
--   semantic_ids    : users engaged with the clip's semantic-ID prefixes
--   active_users    : the most active users (fallback, identical for every clip)
--   collaborative   : users whose ALS factor matches the clip's factor predicted from its content and author
{% set sources = ['ml_hnsw_candidates', 'cand_author_audience', 'cand_bubbles', 'cand_semantic_ids', 'cand_active_users', 'ml_collaborative_candidates'] %}
{% for name in sources %}
select
    cast(as_of_week as integer) as as_of_week,
    cast(item_id as {{ unsigned_int_type(32) }}) as item_id,
    cast(user_id as {{ unsigned_int_type(32) }}) as user_id,
    cast(source as string) as source,
    cast(score as double) as score,
    cast(source_rank as integer) as source_rank
from {{ ref(name) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
