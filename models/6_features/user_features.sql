-- User features as of each as-of week: one row per (user, as_of_week) for users with at least one
-- impression before the as-of week. Counters, means and rates over every window of var feature_windows,
-- from weeks strictly before as_of_week only (summed from the per-period aggregates); context
-- concentration (place, platform) from user_context_features and the number of engaged authors from
-- user_author_features (same as-of cut). Activity trend: impressions and positives per week of the
-- shortest finite window over those of each longer finite window (`*_trend_w1_w4` = last week against the
-- 4-week mean: this week's activity is what separates users most), with active weeks and weeks since
-- last active.
{%- set windows = feature_windows() %}
{#- activity trend: the shortest finite window's weekly rate against each longer finite window's -#}
{%- set finite = windows | selectattr('weeks') | sort(attribute='weeks') | list %}
{%- set trend_windows = [] %}
{%- for long in finite[1:] %}{% do trend_windows.append((finite[0], long)) %}{% endfor %}
{%- set signal_counters = signal_count_columns() %}
with windowed as (
    {{ as_of_window_sums(
        relation=ref('int_users_aggregated_to_periods'),
        as_of=ref('int_feature_as_of_weeks'),
        keys=['user_id'],
        count_columns=['impressions', 'timed_impressions', 'timespent', 'completions', 'positives'] + signal_counters,
        double_columns=['watch_fraction_sum', 'watched_duration_sum']
    ) }}
),

priors as (
    -- the positive rate of all users over the same window and as-of week: the prior of the smoothed rate
    select
        as_of_week,
        {%- for window in windows %}
        {{ safe_divide('sum(positives_' ~ window.name ~ ')', 'sum(impressions_' ~ window.name ~ ')') }} as positive_rate_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from windowed
    group by as_of_week
),

contexts as (
    select
        user_id,
        as_of_week,
        {%- for window in windows %}
        {%- set share = 'impression_share_' ~ window.name %}
        max(case when context = 'place' then {{ share }} end) as top_place_share_{{ window.name }},
        -sum(case when context = 'place' and {{ share }} > 0 then {{ share }} * ln({{ share }}) end)
            as place_entropy_{{ window.name }},
        max(case when context = 'platform' then {{ share }} end) as top_platform_share_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('user_context_features') }}
    where context in ('place', 'platform')
    group by user_id, as_of_week
),

authors as (
    select
        user_id,
        as_of_week,
        {%- for window in windows %}
        {{ count_where('positives_' ~ window.name ~ ' > 0') }} as engaged_authors_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('user_author_features') }}
    group by user_id, as_of_week
)

select
    w.user_id,
    w.as_of_week,
    {%- for window in windows %}
    {%- set n = window.name %}
    w.impressions_{{ n }},
    w.active_weeks_{{ n }},
    w.timespent_{{ n }},
    {{ safe_divide('w.timespent_' ~ n, 'w.impressions_' ~ n) }} as timespent_mean_{{ n }},
    {{ safe_divide('w.watch_fraction_sum_' ~ n, 'w.timed_impressions_' ~ n) }} as watch_fraction_mean_{{ n }},
    {{ safe_divide('w.completions_' ~ n, 'w.timed_impressions_' ~ n) }} as completion_rate_{{ n }},
    {{ safe_divide('w.watched_duration_sum_' ~ n, 'w.watch_fraction_sum_' ~ n) }} as preferred_duration_{{ n }},
    w.positives_{{ n }},
    {{ safe_divide('w.positives_' ~ n, 'w.impressions_' ~ n) }} as positive_rate_{{ n }},
    {{ smoothed_rate('w.positives_' ~ n, 'w.impressions_' ~ n, 'p.positive_rate_' ~ n) }} as positive_rate_smoothed_{{ n }},
    {%- for signal in feature_signals() %}
    w.{{ signal }}_count_{{ n }},
    {{ safe_divide('w.' ~ signal ~ '_count_' ~ n, 'w.impressions_' ~ n) }} as {{ signal }}_rate_{{ n }},
    {%- endfor %}
    coalesce(au.engaged_authors_{{ n }}, 0) as engaged_authors_{{ n }},
    c.top_place_share_{{ n }},
    c.place_entropy_{{ n }},
    c.top_platform_share_{{ n }},
    {%- endfor %}
    {%- for pair in trend_windows %}
    {%- set short, long = pair %}
    {%- for counter in ['impressions', 'positives'] %}
    {{ safe_divide('w.' ~ counter ~ '_' ~ short.name ~ ' * ' ~ long.weeks, 'w.' ~ counter ~ '_' ~ long.name ~ ' * ' ~ short.weeks) }} as {{ counter }}_trend_{{ short.name }}_{{ long.name }},
    {%- endfor %}
    {%- endfor %}
    w.as_of_week - w.last_active_week as weeks_since_last_active
from windowed as w
inner join priors as p on w.as_of_week = p.as_of_week
left join contexts as c on w.user_id = c.user_id and w.as_of_week = c.as_of_week
left join authors as au on w.user_id = au.user_id and w.as_of_week = au.as_of_week
