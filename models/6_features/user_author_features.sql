-- User x author features as of each as-of week: one row per (user, author, as_of_week) for pairs with at
-- least one positive signal, or at least var user_author_min_impressions impressions, before the as-of
-- week (a missing pair = neither yet; int_user_authors_aggregated_to_periods says why the shown ones).
-- Counters over every window of var feature_windows, from weeks strictly before as_of_week only.
{%- set signal_counters = signal_count_columns() %}
with windowed as (
    {{ as_of_window_sums(
        relation=ref('int_user_authors_aggregated_to_periods'),
        as_of=ref('int_feature_as_of_weeks'),
        keys=['user_id', 'author_id'],
        count_columns=['impressions', 'timespent', 'positives'] + signal_counters,
        double_columns=['watch_fraction_sum'],
        max_columns={'last_positive_week': 'last_positive_week'},
        total_columns=['impressions']
    ) }}
)

select
    user_id,
    author_id,
    as_of_week,
    {%- for window in feature_windows() %}
    {%- set w = window.name %}
    impressions_{{ w }},
    active_weeks_{{ w }},
    timespent_{{ w }},
    {{ safe_divide('watch_fraction_sum_' ~ w, 'impressions_' ~ w) }} as watch_fraction_mean_{{ w }},
    positives_{{ w }},
    {{ safe_divide('positives_' ~ w, 'impressions_' ~ w) }} as positive_rate_{{ w }},
    {%- for signal in feature_signals() %}
    {{ signal }}_count_{{ w }},
    {%- endfor %}
    {%- endfor %}
    as_of_week - last_active_week as weeks_since_last_interaction,
    as_of_week - last_positive_week as weeks_since_last_positive
from windowed
where last_positive_week is not null
{%- if var('user_author_min_impressions') is not none %}
    or impressions_before_as_of >= {{ var('user_author_min_impressions') | int }}
{%- endif %}
