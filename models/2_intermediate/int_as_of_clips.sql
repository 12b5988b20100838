-- The clips ranked as of every as-of week, with only what is known without their own interactions. For the
-- target week these are int_target_clips (cold clips of the target week, and for the test week the
-- template's clips); for a training as-of week W, the clips first shown in week W (the same rule one
-- week back), at most var `training_clips_per_week` of them drawn by a seeded hash (null = all). Every
-- candidate source and the ranker's pairs start from this table, so training weeks and the target week
-- go through the same SQL; the cap bounds the cost of the training weeks' candidates at any data size.
{% set cap = var('training_clips_per_week') %}
with training_clips as (
    select f.item_id, a.as_of_week, a.is_target_week
    from {{ ref('int_clip_first_week') }} as f
    inner join {{ ref('int_feature_as_of_weeks') }} as a on f.first_week = a.as_of_week
    where not a.is_target_week
    {%- if cap is not none %}
    qualify row_number() over (
        partition by a.as_of_week
        order by {{ hash_fraction(['a.as_of_week', 'f.item_id'], var('sample_seed')) }}, f.item_id
    ) <= {{ cap | int }}
    {%- endif %}
),

clips as (
    select t.item_id, a.as_of_week, a.is_target_week
    from {{ ref('int_target_clips') }} as t
    inner join {{ ref('int_feature_as_of_weeks') }} as a on t.target_week = a.as_of_week
    union all
    select item_id, as_of_week, is_target_week from training_clips
)

select
    c.as_of_week,
    c.item_id,
    c.is_target_week,
    m.author_id,
    m.duration,
    e.item_id is not null as has_embedding,
    e.embedding
from clips as c
left join {{ ref('stg_vklsvd__items') }} as m on c.item_id = m.item_id
left join {{ ref('stg_vklsvd__item_embeddings') }} as e on c.item_id = e.item_id
