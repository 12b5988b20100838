{{ config(materialized='view') }}
-- Candidate source `semantic_ids`: users with the most engagement (as of the week) on the clip's
-- semantic-ID prefixes; score = sum over prefix lengths 1..semantic_id_params.counter_levels of the user's
-- engagement on the clip's prefix, so a match on a finer prefix counts again. Each (as-of week, prefix)
-- first keeps its k x levels most engaged users, which bounds the join.
{% set k = var('candidate_k').get('semantic_ids') or 0 %}  {#- checked by check_vars -#}
{% set levels = var('semantic_id_params')['counter_levels'] %}
with clip_prefixes as (
    select c.as_of_week, s.item_id, s.level, s.prefix
    from {{ ref('ml_clip_semantic_ids') }} as s
    inner join {{ ref('int_as_of_clips') }} as c on s.item_id = c.item_id
    where s.level <= {{ levels }}
),

prefix_users as (
    select p.as_of_week, p.level, p.prefix, p.user_id, p.engagement
    from {{ ref('int_user_semantic_prefixes') }} as p
    semi join clip_prefixes as c on p.as_of_week = c.as_of_week and p.level = c.level and p.prefix = c.prefix
    qualify row_number() over (
        partition by p.as_of_week, p.level, p.prefix order by p.engagement desc, p.user_id
    ) <= {{ k * levels }}
),

scored as (
    -- exact_sum: the same score whatever the order of the parallel aggregation (ranks stay reproducible)
    select c.as_of_week, c.item_id, u.user_id, {{ exact_sum('u.engagement') }} as score
    from clip_prefixes as c
    inner join prefix_users as u
        on c.as_of_week = u.as_of_week and c.level = u.level and c.prefix = u.prefix
    group by c.as_of_week, c.item_id, u.user_id
)

{{ top_candidates('scored', 'semantic_ids', k) }}
