-- How much each candidate user engaged, before the pair's as-of week, with the clip's content codes:
--   sid_l{n}_*  : the clip's semantic-ID prefix of length n (residual-quantisation codes)
--   bubble_*    : the clip's Gaussian-mixture components, weighted by the clip's membership probability
-- A cold clip's codes come from its embedding alone, so these carry "users who liked this kind of
-- content" to brand-new clips. Weekly partial aggregates, then sums over weeks strictly before the
-- as-of week: the as-of cut that keeps training rows free of their own week. The weekly aggregates are
-- shared with the target-week counters (int_user_semantic_prefix_weeks, int_user_bubble_weeks).
{% set levels = range(1, (var('semantic_id_counter_levels') | int) + 1) | list %}
with pairs as (
    select as_of_week, item_id, user_id from {{ ref('ranker_candidates') }}
),

pair_prefixes as (
    select p.as_of_week, p.item_id, p.user_id, s.level, s.prefix
    from pairs as p
    inner join {{ ref('ml_item_semantic_ids') }} as s on p.item_id = s.item_id
    where s.level <= {{ levels | length }}
),

prefix_affinity as (
    select
        pp.as_of_week,
        pp.item_id,
        pp.user_id,
        pp.level,
        sum(w.positives) as positives,
        {{ exact_sum('w.watched') }} as watched
    from pair_prefixes as pp
    inner join {{ ref('int_user_semantic_prefix_weeks') }} as w
        on pp.user_id = w.user_id and pp.level = w.level and pp.prefix = w.prefix and w.week < pp.as_of_week
    group by pp.as_of_week, pp.item_id, pp.user_id, pp.level
),

bubble_affinity as (
    select
        p.as_of_week,
        p.item_id,
        p.user_id,
        {{ exact_sum('b.probability * w.positive_mass') }} as bubble_positive_mass,
        {{ exact_sum('b.probability * w.watched_mass') }} as bubble_watched_mass
    from pairs as p
    inner join {{ ref('ml_item_bubbles') }} as b on p.item_id = b.item_id
    inner join {{ ref('int_user_bubble_weeks') }} as w
        on p.user_id = w.user_id and b.component = w.component and w.week < p.as_of_week
    group by p.as_of_week, p.item_id, p.user_id
)

select
    p.as_of_week,
    p.item_id,
    p.user_id,
    {%- for level in levels %}
    coalesce(l{{ level }}.positives, 0) as sid_l{{ level }}_positives,
    coalesce(l{{ level }}.watched, 0) as sid_l{{ level }}_watched,
    {%- endfor %}
    coalesce(b.bubble_positive_mass, 0) as bubble_positive_mass,
    coalesce(b.bubble_watched_mass, 0) as bubble_watched_mass
from pairs as p
{%- for level in levels %}
left join prefix_affinity as l{{ level }}
    on p.as_of_week = l{{ level }}.as_of_week and p.item_id = l{{ level }}.item_id
    and p.user_id = l{{ level }}.user_id and l{{ level }}.level = {{ level }}
{%- endfor %}
left join bubble_affinity as b
    on p.as_of_week = b.as_of_week and p.item_id = b.item_id and p.user_id = b.user_id
