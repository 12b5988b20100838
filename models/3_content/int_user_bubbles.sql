-- Each user's interest bubbles before the target week: the mixture components of the clips in their
-- history (each clip carries its top components with probabilities, from ml_item_bubbles), the totals as
-- of the target week from int_user_bubble_periods.
--   membership  : mean component membership over the history, weighted by watch fraction (shares)
--   engagement  : expected positives in the component + content_watch_weight x expected watched clips;
--                 an absolute count, so it carries the user's activity as well as their taste
-- Only the user's top `gmm_user_top_components` components by engagement are kept (sparse profile).
-- The share's denominator is an exact decimal sum: the same value whatever the order of the aggregation.
with per_component as (
    select user_id, component, watched_mass, positive_mass, impressions
    from {{ ref('int_user_bubble_periods') }} as p
    where {{ as_of_row('p', var('target_week') | int) }}
)

select
    user_id,
    component,
    coalesce(
        watched_mass / nullif(cast(sum(cast(watched_mass as decimal(38, 9))) over (partition by user_id) as double), 0),
        0
    ) as membership,
    positive_mass,
    watched_mass,
    impressions,
    positive_mass + {{ var('content_watch_weight') }} * watched_mass as engagement,
    row_number() over (
        partition by user_id order by positive_mass + {{ var('content_watch_weight') }} * watched_mass desc, component
    ) as component_rank
from per_component
qualify component_rank <= {{ var('gmm_user_top_components') }}
