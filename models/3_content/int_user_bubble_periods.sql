-- User mass per mixture component before the target week, as running totals over the as-of periods
-- (macros as_of_periods, as_of_running_totals): each clip carries its top components with their
-- probabilities (ml_clip_bubbles), so a positive adds P(component | clip) to positive_mass and a view adds
-- watch fraction x P(component | clip) to watched_mass. The target-week bubble profile (int_user_bubbles)
-- and the ranker's as-of affinities (ranker_user_clip_features) both read it. Exact float sums.
with per_period as (
    select
        h.user_id,
        b.component,
        {{ feature_period('h.week', as_of_periods()) }} as period,
        count(*) as impressions,
        {{ exact_sum('case when h.is_positive then b.probability else 0 end') }} as positive_mass,
        {{ exact_sum('h.watch_fraction * b.probability') }} as watched_mass
    from {{ ref('int_user_history') }} as h
    inner join {{ ref('ml_clip_bubbles') }} as b on h.item_id = b.item_id
    group by all
)

{{ as_of_running_totals('per_period', ['user_id', 'component'], ['impressions'], ['positive_mass', 'watched_mass']) }}
