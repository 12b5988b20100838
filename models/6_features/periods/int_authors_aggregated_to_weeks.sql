-- Weekly partial aggregates of the author family: one row per (author, week) with at least one impression
-- of the author's clips, plus the author's clips first shown that week (int_item_first_week). Weekly, not
-- per period: there are few authors (a small hash table), and the reached users of a week are summed into
-- reached user-weeks. `reached_users` is the number of distinct users of the week, estimated with
-- HyperLogLog (macro approx_distinct_count, a few % error; the exact count distinct made this model
-- 2.5x slower at 20 M rows) and capped at the impressions. Signal counts come from
-- int_feature_signal_impressions.
{%- set signal_counters = ['positives'] %}
{%- for signal in feature_signals() %}{% do signal_counters.append(signal ~ '_count') %}{% endfor %}
with impressions as (
    select
        m.author_id,
        i.week,
        i.user_id,
        i.timespent,
        m.duration,
        {{ watch_fraction_from_inverse('i.timespent', 'm.inverse_duration') }} as watch_fraction
    from {{ ref('int_interactions') }} as i
    inner join {{ ref('int_feature_items') }} as m on i.item_id = m.item_id
    where i.week <= {{ feature_last_week() }}
),

weekly as (
    select
        author_id,
        week,
        count(*) as impressions,
        least({{ approx_distinct_count("user_id") }}, count(*)) as reached_users,
        cast(sum(timespent) as bigint) as timespent,
        {{ count_where(is_completed('timespent', 'duration')) }} as completions,
        sum(watch_fraction) as watch_fraction_sum
    from impressions
    group by author_id, week
),

signals as (
    select
        author_id,
        week,
        {{ count_where('is_positive') }} as positives,
        {%- for signal in feature_signals() %}
        {{ count_where(adapter.quote(signal)) }} as {{ signal }}_count{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_feature_signal_impressions') }}
    where author_id is not null
    group by author_id, week
),

releases as (
    select
        m.author_id,
        f.first_week as week,
        count(*) as clips_released
    from {{ ref('int_item_first_week') }} as f
    inner join {{ ref('int_feature_items') }} as m on f.item_id = m.item_id
    where f.first_week <= {{ feature_last_week() }}
    group by m.author_id, f.first_week
)

select
    w.*,
    {%- for counter in signal_counters %}
    coalesce(s.{{ counter }}, 0) as {{ counter }},
    {%- endfor %}
    coalesce(r.clips_released, 0) as clips_released
from weekly as w
left join signals as s on w.author_id = s.author_id and w.week = s.week
left join releases as r on w.author_id = r.author_id and w.week = r.week
