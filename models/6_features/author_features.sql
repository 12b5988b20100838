-- Author features as of each as-of week: one row per (author, as_of_week) for authors with at least one
-- impression before the as-of week. Per window of var feature_windows (weeks strictly before as_of_week):
-- volume (impressions, reached user-weeks, clips released), consumption (mean timespent, watch fraction,
-- completion rate), each signal's count and Bayesian-smoothed rate (prior: the rate of all authors in the
-- same window, worth var feature_prior_strength impressions) and the engaged audience (users with a
-- positive signal on the author, from user_author_features) with its activity.
{%- set windows = feature_windows() %}
{%- set signal_counters = [] %}
{%- for signal in feature_signals() %}{% do signal_counters.append(signal ~ '_count') %}{% endfor %}
with windowed as (
    {{ as_of_window_sums(
        relation=ref('int_authors_aggregated_to_weeks'),
        as_of=ref('int_feature_as_of_weeks'),
        keys=['author_id'],
        count_columns=['impressions', 'reached_users', 'clips_released', 'timespent', 'completions', 'positives'] + signal_counters,
        double_columns=['watch_fraction_sum'],
        period_column='week',
        weeks_mask_column=none,
        last_week_column='week'
    ) }}
),

priors as (
    -- each signal's rate over all authors in the same window and as-of week
    select
        as_of_week,
        {%- for window in windows %}
        {%- set n = window.name %}
        {%- for counter in ['positives'] + signal_counters %}
        {{ safe_divide('sum(' ~ counter ~ '_' ~ n ~ ')', 'sum(impressions_' ~ n ~ ')') }} as {{ counter }}_{{ n }}{{ "," if not loop.last }}
        {%- endfor %}{{ "," if not loop.last }}
        {%- endfor %}
    from windowed
    group by as_of_week
),

audience as (
    select
        author_id,
        as_of_week,
        {%- for window in windows %}
        {%- set n = window.name %}
        {{ count_where('positives_' ~ n ~ ' > 0') }} as audience_users_{{ n }},
        sum(case when positives_{{ n }} > 0 then impressions_{{ n }} else 0 end) as audience_impressions_{{ n }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('user_author_features') }}
    group by author_id, as_of_week
)

select
    w.author_id,
    w.as_of_week,
    {%- for window in windows %}
    {%- set n = window.name %}
    w.impressions_{{ n }},
    w.reached_users_{{ n }} as reached_user_weeks_{{ n }},
    w.clips_released_{{ n }},
    w.active_weeks_{{ n }},
    {{ safe_divide('w.timespent_' ~ n, 'w.impressions_' ~ n) }} as timespent_mean_{{ n }},
    {{ safe_divide('w.watch_fraction_sum_' ~ n, 'w.impressions_' ~ n) }} as watch_fraction_mean_{{ n }},
    {{ safe_divide('w.completions_' ~ n, 'w.impressions_' ~ n) }} as completion_rate_{{ n }},
    w.positives_{{ n }},
    {{ smoothed_rate('w.positives_' ~ n, 'w.impressions_' ~ n, 'p.positives_' ~ n) }} as positive_rate_smoothed_{{ n }},
    {%- for signal in feature_signals() %}
    w.{{ signal }}_count_{{ n }},
    {{ smoothed_rate('w.' ~ signal ~ '_count_' ~ n, 'w.impressions_' ~ n, 'p.' ~ signal ~ '_count_' ~ n) }} as {{ signal }}_rate_smoothed_{{ n }},
    {%- endfor %}
    coalesce(au.audience_users_{{ n }}, 0) as audience_users_{{ n }},
    {{ safe_divide('au.audience_impressions_' ~ n, 'au.audience_users_' ~ n) }} as audience_impressions_per_user_{{ n }},
    {{ safe_divide('w.positives_' ~ n, 'au.audience_users_' ~ n) }} as audience_positives_per_user_{{ n }},
    {%- endfor %}
    w.as_of_week - w.last_active_week as weeks_since_last_impression
from windowed as w
inner join priors as p on w.as_of_week = p.as_of_week
left join audience as au on w.author_id = au.author_id and w.as_of_week = au.as_of_week
