-- Candidate users for every target clip, one row per (clip, source, user): the first level of the
-- two-level system. Each source scores on its own scale and ranks its users (1 = best):
--   hnsw            : nearest users by content (watched profile and multi-interest vectors, hnswlib)
--   author_audience : users engaged with the clip's author
--   bubbles         : users engaged with the clip's Gaussian-mixture components
--   semantic_ids    : users engaged with the clip's semantic-ID prefixes
--   active_users    : the most active users (fallback, identical for every clip)
{% set sources = ['ml_hnsw_candidates', 'cand_author_audience', 'cand_bubbles', 'cand_semantic_ids', 'cand_active_users'] %}
{% for name in sources %}
select
    cast(item_id as uinteger) as item_id,
    cast(user_id as uinteger) as user_id,
    cast(source as varchar) as source,
    cast(score as double) as score,
    cast(source_rank as integer) as source_rank
from {{ ref(name) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
