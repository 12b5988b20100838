-- Target clips: cold clips of var `target_week` (first shown that week), plus for the test week the
-- challenge template's clips that were never shown before. Only what is known without their
-- interactions is carried: author, duration, whether a content embedding exists.
{% set target_week = var('target_week') | int %}
with candidates as (
    select item_id
    from {{ ref('int_clip_first_week') }}
    where first_week = {{ target_week }}
    {% if target_week == var('test_week') | int %}
    union
    select t.item_id
    from {{ ref('stg_vklsvd__submission_template') }} as t
    where not exists (
        select 1 from {{ ref('int_clip_first_week') }} as f
        where f.item_id = t.item_id and f.first_week < {{ target_week }}
    )
    {% endif %}
)
select
    c.item_id,
    {{ target_week }} as target_week,
    m.author_id,
    m.duration,
    e.item_id is not null as has_embedding,
    e.embedding
from candidates as c
left join {{ ref('stg_vklsvd__items') }} as m on c.item_id = m.item_id
left join {{ ref('stg_vklsvd__item_embeddings') }} as e on c.item_id = e.item_id
