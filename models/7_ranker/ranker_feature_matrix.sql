{{ config(materialized='view') }}
-- The ranker's pairs with every feature known as of the pair's week, one row per feature pair (training
-- sample and target-week candidates, ranker_sampled_pairs). A view: the scoring step streams the target
-- week's rows through it once, so the wide table is never stored; the training rows are materialised by
-- ranker_training_rows. Training and scoring read the same SQL, so they see the same features. Only one
-- pair-sized table is joined (ranker_user_clip_features); the others are per user, user x author and user x
-- context, small next to the pairs.
--   cos_*, sid_*, bubble_*  the pair's own features (ranker_user_clip_features)
--   u_*     user features (user_features)
--   ua_*    the user's history with the clip's author (user_author_features; null = never engaged)
--   ud_*    the user's affinity to the clip's duration bucket (user_context_features)
-- Clip-level features (author, duration) are constant within a clip's list and cannot reorder its users,
-- so they are left out.
select
    p.*
    {{ prefixed_columns(ref('user_features'), 'u', 'u_', ['user_id', 'as_of_week']) }}
    {{ prefixed_columns(ref('user_author_features'), 'ua', 'ua_', ['user_id', 'author_id', 'as_of_week']) }}
    {{ prefixed_columns(ref('user_context_features'), 'ud', 'ud_', ['user_id', 'as_of_week', 'context', 'context_value']) }}
from {{ ref('ranker_user_clip_features') }} as p
inner join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
left join {{ ref('user_features') }} as u on p.as_of_week = u.as_of_week and p.user_id = u.user_id
left join {{ ref('user_author_features') }} as ua
    on p.as_of_week = ua.as_of_week and p.user_id = ua.user_id and c.author_id = ua.author_id
left join {{ ref('user_context_features') }} as ud
    on p.as_of_week = ud.as_of_week and p.user_id = ud.user_id
    and ud.context = 'duration_bucket' and ud.context_value = c.duration_bucket
