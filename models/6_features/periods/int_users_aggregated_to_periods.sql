-- Partial aggregates of the user family: one row per (user, period) with at least one impression, where
-- a period is a run of weeks no as-of week or window edge splits (macro feature_periods): about 8 rows
-- per user instead of 25 weekly ones, from a single scan of the interactions. Weeks after the last one any
-- as-of week reads are skipped. Watch measures use the clip's duration (impressions of clips without
-- metadata count only in `impressions`, not in `timed_impressions` and the watch sums). Impressions per
-- duration bucket (the user x duration bucket context) are counted in the same pass; signal counts come
-- from int_feature_signal_impressions.
{%- set bounds = duration_bucket_bounds() %}
{%- set signal_counters = ['positives'] + signal_count_columns() %}
with impressions as (
    select
        i.user_id,
        i.week,
        {{ feature_period('i.week') }} as period,
        i.timespent,
        m.duration,
        m.duration_bucket,
        {{ watch_fraction_from_inverse('i.timespent', 'm.inverse_duration') }} as watch_fraction
    from {{ ref('int_interactions') }} as i
    left join {{ ref('int_feature_items') }} as m on i.item_id = m.item_id
    where i.week <= {{ feature_last_week() }}
),

totals as (
    select
        user_id,
        period,
        count(*) as impressions,
        count(duration) as timed_impressions,
        cast(sum(timespent) as bigint) as timespent,
        {{ count_where(is_completed('timespent', 'duration')) }} as completions,
        sum(watch_fraction) as watch_fraction_sum,
        sum(watch_fraction * duration) as watched_duration_sum,
        {#- the last bucket is timed_impressions minus the others (no extra count per impression) #}
        {%- for bound in bounds %}
        {{ count_where('duration_bucket = ' ~ loop.index0) }} as duration_bucket_{{ loop.index0 }}_impressions,
        {%- endfor %}
        bit_or({{ week_bit('week') }}) as weeks_mask,
        max(week) as last_week
    from impressions
    group by user_id, period
),

signals as (
    select
        user_id,
        period,
        {{ signal_count_expressions() }}
    from {{ ref('int_feature_signal_impressions') }}
    group by user_id, period
)

select
    t.user_id,
    t.period,
    t.impressions,
    t.timed_impressions,
    t.timespent,
    t.completions,
    t.watch_fraction_sum,
    t.watched_duration_sum,
    {%- for counter in signal_counters %}
    coalesce(s.{{ counter }}, 0) as {{ counter }},
    {%- endfor %}
    {%- for bound in bounds %}
    t.duration_bucket_{{ loop.index0 }}_impressions,
    {%- endfor %}
    t.timed_impressions{% for bound in bounds %} - t.duration_bucket_{{ loop.index0 }}_impressions{% endfor %}
        as duration_bucket_{{ bounds | length }}_impressions,
    t.weeks_mask,
    t.last_week
from totals as t
left join signals as s on t.user_id = s.user_id and t.period = s.period
