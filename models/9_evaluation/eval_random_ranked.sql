-- Reference point for the metric: for each target clip, list_size users drawn uniformly at random (a
-- seeded hash) among the users seen before the target week. Each clip draws 4 x list_size user numbers
-- with replacement and keeps the first list_size distinct users in draw order: a uniform random
-- ordered sample without replacement, in time and memory proportional to clips x list_size rather than
-- clips x users. (With fewer than about list_size users seen, a list can come out shorter.)
{% set list_size = var('list_size') | int %}
with users as (
    select user_id, row_number() over (order by user_id) - 1 as user_number
    from {{ ref('int_user_activity') }}
    where as_of_week = {{ var('target_week') | int }}
),

population as (
    select count(*) as users from users
),

draws as (
    select
        t.item_id,
        d.draw,
        cast(floor(
            {{ hash_fraction(['t.item_id', 'd.draw'], var('sample_seed')) }}
            * p.users
        ) as bigint) as user_number
    from {{ ref('int_target_clips') }} as t
    cross join range(0, {{ 4 * list_size }}) as d (draw)
    cross join population as p
),

first_draws as (
    select d.item_id, u.user_id, min(d.draw) as first_draw
    from draws as d
    inner join users as u on d.user_number = u.user_number
    group by d.item_id, u.user_id
)

select
    item_id,
    user_id,
    row_number() over (partition by item_id order by first_draw) as position
from first_draws
qualify position <= {{ list_size }}
