-- Candidate (clip, user) pairs for every as-of week, built the same way for training weeks and the target
-- week so the ranker learns on the distribution it scores:
--   content          exact cosine top-k between the clip and user profiles as of that week
--   author_audience  users with positives on the clip's author before that week, most positives first
--   active_users     users with the most positives before that week
-- The target week also gets every pair of the multi-source `candidates` table (HNSW, bubbles, semantic
-- IDs...). `label`: the user engaged with the clip in its first week (training weeks; null for the
-- target week, whose labels only the evaluation reads).
{% set k = var('ranker_candidate_k') %}
with author_audience as (
    select c.as_of_week, c.item_id, ua.user_id
    from {{ ref('ranker_clips') }} as c
    inner join {{ ref('user_author_features') }} as ua
        on c.author_id = ua.author_id and c.as_of_week = ua.as_of_week
    qualify row_number() over (
        partition by c.as_of_week, c.item_id
        order by ua.positives_all desc, ua.impressions_all desc, ua.user_id
    ) <= {{ k['author_audience'] }}
),

top_users as (
    select as_of_week, user_id
    from {{ ref('user_features') }}
    qualify row_number() over (
        partition by as_of_week order by positives_all desc, impressions_all desc, user_id
    ) <= {{ k['active_users'] }}
),

active_users as (
    select c.as_of_week, c.item_id, u.user_id
    from {{ ref('ranker_clips') }} as c
    inner join top_users as u on c.as_of_week = u.as_of_week
),

target_candidates as (
    select w.as_of_week, c.item_id, c.user_id
    from {{ ref('candidates') }} as c
    cross join {{ ref('int_feature_as_of_weeks') }} as w
    where w.is_target_week
),

pairs as (
    select distinct as_of_week, item_id, user_id
    from (
        select as_of_week, item_id, user_id from {{ ref('ml_ranker_content_candidates') }}
        union all
        select as_of_week, item_id, user_id from author_audience
        union all
        select as_of_week, item_id, user_id from active_users
        union all
        select as_of_week, item_id, user_id from target_candidates
    ) as all_pairs
)

select
    p.as_of_week,
    p.item_id,
    p.user_id,
    w.is_target_week,
    case when w.is_target_week then null else l.user_id is not null end as label
from pairs as p
inner join {{ ref('int_feature_as_of_weeks') }} as w on p.as_of_week = w.as_of_week
left join {{ ref('int_as_of_labels') }} as l
    on p.as_of_week = l.as_of_week and p.item_id = l.item_id and p.user_id = l.user_id
