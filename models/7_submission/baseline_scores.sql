-- First honest ranking: every candidate source ranks users for a clip on its own scale; reciprocal rank
-- fusion (sum of 1 / (k + rank)) merges them without any weights fitted to the data. The sources are
-- those of the unified `candidates` table (hnsw, author_audience, bubbles, semantic_ids, active_users).
-- exact_sum: the score does not depend on the order of the aggregation (ranks stay reproducible).
{% set rrf_k = var('rrf_k') %}
select
    item_id,
    user_id,
    {{ exact_sum('1.0 / (' ~ rrf_k ~ ' + source_rank)', 15) }} as score,
    count(*) as n_sources,
    min(source_rank) as best_source_rank
from {{ ref('candidates') }}
group by item_id, user_id
