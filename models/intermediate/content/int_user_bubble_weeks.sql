-- User mass per mixture component and week before the target week (each clip carries its top components
-- with probabilities, from ml_item_bubbles): the weekly partial aggregate that the target-week bubble
-- profile (int_user_bubbles) and the ranker's as-of affinities sum over. exact_sum: order-independent.
select
    h.user_id,
    h.week,
    b.component,
    count(*) as impressions,
    {{ exact_sum('case when h.is_positive then b.probability else 0 end') }} as positive_mass,
    {{ exact_sum('h.watch_fraction * b.probability') }} as watched_mass
from {{ ref('int_user_history') }} as h
inner join {{ ref('ml_item_bubbles') }} as b on h.item_id = b.item_id
group by h.user_id, h.week, b.component
