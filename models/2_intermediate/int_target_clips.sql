-- Target clips: cold clips of var `target_week` (first shown that week), plus for the test week the
-- challenge template's clips that were never shown before. What is known of them without their
-- interactions (author, duration, embedding) is in int_as_of_clips, with the training weeks' clips.
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
select item_id, {{ target_week }} as target_week
from candidates
