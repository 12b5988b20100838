{{ config(materialized='view') }}
-- Candidate source `bubbles`: users whose interest bubbles (as of the week) match the clip's mixture
-- components; score = sum over the clip's components of P(component | clip) x the user's engagement in
-- it. Each (as-of week, component) first keeps its k x bubble_params.item_top_components most engaged users, so
-- the join stays bounded by the number of clips, not the number of users.
{% set k = var('candidate_k').get('bubbles') or 0 %}  {#- checked by check_vars -#}
with clip_components as (
    select c.as_of_week, b.item_id, b.component, b.probability
    from {{ ref('ml_clip_bubbles') }} as b
    inner join {{ ref('int_as_of_clips') }} as c on b.item_id = c.item_id
),

component_users as (
    select u.as_of_week, u.component, u.user_id, u.engagement
    from {{ ref('int_user_bubbles') }} as u
    semi join clip_components as c on u.as_of_week = c.as_of_week and u.component = c.component
    qualify row_number() over (
        partition by u.as_of_week, u.component order by u.engagement desc, u.user_id
    ) <= {{ k * var('bubble_params')['item_top_components'] }}
),

scored as (
    -- exact_sum: the same score whatever the order of the parallel aggregation (ranks stay reproducible)
    select c.as_of_week, c.item_id, u.user_id, {{ exact_sum('c.probability * u.engagement') }} as score
    from clip_components as c
    inner join component_users as u on c.as_of_week = u.as_of_week and c.component = u.component
    group by c.as_of_week, c.item_id, u.user_id
)

{{ top_candidates('scored', 'bubbles', k) }}
