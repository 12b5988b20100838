{{ config(materialized='view') }}
-- Each user's interest bubbles as of every as-of week: the mixture components of the clips in their
-- history before that week (each clip carries its top components with probabilities, from
-- ml_clip_bubbles), the totals read from int_user_bubble_periods at the as-of week.
--   membership  : mean component membership over the history, weighted by watch fraction (shares)
--   engagement  : expected positives in the component + content_watch_weight x expected watched clips;
--                 an absolute count, so it carries the user's activity as well as their taste
-- Only the user's top `bubble_params.user_top_components` components by engagement are kept (sparse profile).
-- The share's denominator is an exact decimal sum: the same value whatever the order of the aggregation.
with per_component as (
    select w.as_of_week, p.user_id, p.component, p.watched_mass, p.positive_mass, p.impressions
    from {{ ref('int_user_bubble_periods') }} as p
    inner join {{ ref('int_feature_as_of_weeks') }} as w on {{ as_of_row('p', 'w.as_of_week') }}
)

select
    as_of_week,
    user_id,
    component,
    coalesce(
        watched_mass / nullif({{ exact_sum('watched_mass', over='(partition by as_of_week, user_id)') }}, 0),
        0
    ) as membership,
    positive_mass,
    watched_mass,
    impressions,
    positive_mass + {{ var('content_watch_weight') }} * watched_mass as engagement,
    row_number() over (
        partition by as_of_week, user_id
        order by positive_mass + {{ var('content_watch_weight') }} * watched_mass desc, component
    ) as component_rank
from per_component
qualify component_rank <= {{ var('bubble_params')['user_top_components'] }}
