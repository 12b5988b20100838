-- First honest ranking: every candidate source ranks users for a clip on its own scale; reciprocal rank
-- fusion (sum of 1 / (k + rank)) merges them without any weights fitted to the data.
--   content_watched / content_positive : exact cosine between user profile and clip embedding
--   author_audience                    : users who engaged with the clip's author, most engaged first
--   active_users                       : the most active users overall (a prior shared by every clip)
{% set rrf_k = 60 %}
with author_audience as (
    select
        t.item_id,
        a.user_id,
        'author_audience' as source,
        cast(a.positives as float) as score,
        row_number() over (
            partition by t.item_id order by a.positives desc, a.watched desc, a.user_id
        ) as source_rank
    from {{ ref('int_target_items') }} as t
    inner join {{ ref('int_author_audience') }} as a on t.author_id = a.author_id
    qualify source_rank <= {{ var('author_candidates_per_item') }}
),

active_users as (
    select
        t.item_id,
        f.user_id,
        'active_users' as source,
        cast(-f.priority as float) as score,
        f.priority as source_rank
    from {{ ref('int_target_items') }} as t
    cross join {{ ref('int_fill_users') }} as f
    where f.priority <= {{ var('list_size') }}
),

all_sources as (
    select item_id, user_id, source, score, source_rank from {{ ref('ml_content_candidates') }}
    union all
    select item_id, user_id, source, score, source_rank from author_audience
    union all
    select item_id, user_id, source, score, source_rank from active_users
)

select
    item_id,
    user_id,
    sum(1.0 / ({{ rrf_k }} + source_rank)) as score,
    count(*) as n_sources,
    min(source_rank) as best_source_rank
from all_sources
group by item_id, user_id
