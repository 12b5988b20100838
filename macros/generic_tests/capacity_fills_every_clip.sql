{#- Fails when the clips of `model` cannot all get `list_size` distinct users from `users` with no user
    in more than `capacity` lists: at least list_size users and users x capacity >= clips x list_size.
    Attached to the clips every candidate source starts from (int_as_of_clips, filtered to the target
    week), it runs as soon as they and the users are built, and its failure skips everything downstream
    (candidates, ranker, assignment) instead of the assignment refusing minutes
    later. Fix: more users (a larger subsample), fewer target clips or a larger var user_capacity. -#}
{% test capacity_fills_every_clip(model, users, list_size, capacity) %}
with counts as (
    select
        (select count(*) from {{ users }}) as users,
        (select count(*) from {{ model }}) as clips
)

select
    users,
    clips,
    {{ list_size | int }} as list_size,
    {{ capacity | int }} as capacity,
    'cannot fill ' || clips || ' clips with ' || {{ list_size | int }} || ' distinct users each: '
        || users || ' users with capacity ' || {{ capacity | int }} as problem
from counts
where clips > 0 and (users < {{ list_size | int }} or users * {{ capacity | int }} < clips * {{ list_size | int }})
{% endtest %}
