-- `grouping sets` is beyond the SQL linter's DuckDB parser:
-- sqlfluff:ignore:parsing
-- User engagement per semantic-ID prefix (lengths 1..semantic_id_params.counter_levels) before the target week, as
-- running totals over the as-of periods (macros as_of_periods, as_of_running_totals): the row with
-- period < W <= next_period holds what the user did on the prefix in every week before W. The target-week
-- counters (int_user_semantic_prefixes) and the ranker's as-of affinities (ranker_user_clip_features)
-- both read it. One scan of the history: a clip's prefixes are columns, aggregated by grouping sets.
-- Float sums are exact (same value whatever the order of the parallel aggregation).
{% set levels = range(1, (var('semantic_id_params')['counter_levels'] | int) + 1) | list %}
with item_prefixes as (
    select
        item_id,
        {%- for level in levels %}
        max(case when level = {{ level }} then prefix end) as prefix_{{ level }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('ml_clip_semantic_ids') }}
    where level <= {{ levels | length }}
    group by item_id
),

events as (
    select
        h.user_id,
        {{ feature_period('h.week', as_of_periods()) }} as period,
        h.is_positive,
        h.watch_fraction,
        {%- for level in levels %}
        p.prefix_{{ level }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_user_history') }} as h
    inner join item_prefixes as p on h.item_id = p.item_id
),

per_period as (
    select
        user_id,
        period,
        case
            {%- for level in levels %}
            when grouping(prefix_{{ level }}) = 0 then {{ level }}
            {%- endfor %}
        end as level,
        coalesce({% for level in levels %}prefix_{{ level }}{{ ", " if not loop.last }}{% endfor %}) as prefix,
        count(*) as impressions,
        {{ count_where('is_positive') }} as positives,
        {{ exact_sum('watch_fraction') }} as watched
    from events
    group by grouping sets ({% for level in levels %}(user_id, period, prefix_{{ level }}){{ ", " if not loop.last }}{% endfor %})
)

{{ as_of_running_totals('per_period', ['user_id', 'level', 'prefix'], ['impressions', 'positives'], ['watched']) }}
