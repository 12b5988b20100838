-- The ranker's training and scoring set: one row per candidate (as-of week, clip, user) with every
-- feature known as of that week and, for weeks with labels, whether the user engaged.
--   cos_*   cosine between the clip and the user's content profiles (ml_ranker_pair_content)
--   sid_*, bubble_*  the user's engagement with the clip's semantic-ID prefixes and mixture components
--   u_*     user features (user_features)
--   ua_*    the user's history with the clip's author (user_author_features; null = never engaged)
--   ud_*    the user's affinity to the clip's duration bucket (user_context_features)
-- Clip-level features (author, duration) are constant within a clip's list and cannot reorder its users,
-- so they are left out.
select
    p.as_of_week,
    p.item_id,
    p.user_id,
    w.is_target_week,
    case when w.is_target_week then null else l.user_id is not null end as label,
    s.cos_watched,
    s.cos_timespent,
    s.cos_positive,
    s.cos_negative
    {{ prefixed_columns(ref('ranker_pair_code_affinities'), 'a', '', ['as_of_week', 'item_id', 'user_id']) }}
    {{ prefixed_columns(ref('user_features'), 'u', 'u_', ['user_id', 'as_of_week']) }}
    {{ prefixed_columns(ref('user_author_features'), 'ua', 'ua_', ['user_id', 'author_id', 'as_of_week']) }}
    {{ prefixed_columns(ref('user_context_features'), 'ud', 'ud_', ['user_id', 'as_of_week', 'context', 'context_value']) }}
from {{ ref('ranker_candidates') }} as p
inner join {{ ref('int_feature_as_of_weeks') }} as w on p.as_of_week = w.as_of_week
inner join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
left join {{ ref('ml_ranker_pair_content') }} as s
    on p.as_of_week = s.as_of_week and p.item_id = s.item_id and p.user_id = s.user_id
left join {{ ref('ranker_pair_code_affinities') }} as a
    on p.as_of_week = a.as_of_week and p.item_id = a.item_id and p.user_id = a.user_id
left join {{ ref('user_features') }} as u on p.as_of_week = u.as_of_week and p.user_id = u.user_id
left join {{ ref('user_author_features') }} as ua
    on p.as_of_week = ua.as_of_week and p.user_id = ua.user_id and c.author_id = ua.author_id
left join {{ ref('user_context_features') }} as ud
    on p.as_of_week = ud.as_of_week and p.user_id = ud.user_id
    and ud.context = 'duration_bucket' and ud.context_value = c.duration_bucket
left join {{ ref('int_as_of_labels') }} as l
    on p.as_of_week = l.as_of_week and p.item_id = l.item_id and p.user_id = l.user_id
