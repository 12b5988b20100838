-- What the input lacks, so that a partial input is accepted and said: clips without a content embedding
-- (all clips, and the target clips: those are ranked without the content sources and features), target
-- clips that no candidate source reached, and sampled users without any history before the target week
-- (they can reach a list only as fill). One row per measure; warn-level data tests compare each share
-- with its documented threshold, and `vklsvd report` prints them.
{% set target_week = var('target_week') | int %}
with clips as (
    select count(*) as total, count(*) filter (where e.item_id is null) as missing
    from {{ ref('stg_vklsvd__items') }} as i
    left join {{ ref('stg_vklsvd__item_embeddings') }} as e on i.item_id = e.item_id
),

target_clips as (
    select count(*) as total, count(*) filter (where not has_embedding) as missing
    from {{ ref('int_as_of_clips') }}
    where as_of_week = {{ target_week }}
),

reached as (
    select distinct item_id from {{ ref('candidates') }} where as_of_week = {{ target_week }}
),

unreached as (
    select count(*) as total, count(*) filter (where r.item_id is null) as missing
    from {{ ref('int_target_clips') }} as t
    left join reached as r on t.item_id = r.item_id
),

with_history as (
    select distinct user_id from {{ ref('int_user_history') }}
),

users as (
    select count(*) as total, count(*) filter (where h.user_id is null) as missing
    from {{ ref('int_users_sampled') }} as u
    left join with_history as h on u.user_id = h.user_id
),

measures as (
    select 1 as measure_order, 'clips_without_embedding' as measure, 'clips' as unit, missing, total from clips
    union all
    select 2, 'target_clips_without_embedding', 'target clips', missing, total from target_clips
    union all
    select 3, 'target_clips_without_candidates', 'target clips', missing, total from unreached
    union all
    select 4, 'users_without_history', 'users', missing, total from users
)

select
    measure,
    measure_order,
    unit,
    cast(missing as bigint) as missing,
    cast(total as bigint) as total,
    {{ safe_divide('missing', 'total') }} as share
from measures
