-- `grouping sets` is beyond the SQL linter's DuckDB parser:
-- sqlfluff:ignore:parsing
-- Partial aggregates of the user x context family: one row per (user, period, context_id, context_value)
-- with impressions and positive impressions, per as-of period (macro feature_periods) rather than per
-- week, for the contexts place, platform and duration bucket (macro feature_contexts: 0 = place,
-- 1 = platform, 3 = duration_bucket; -1 = clip without a known duration). Place and platform come from one
-- hash aggregation of the interactions by (user, period, place, platform), rolled up to each; the duration
-- buckets from the per-bucket counts of int_users_aggregated_to_periods; the positives from
-- int_feature_signal_impressions. An integer id rather than a name: the marts name the contexts.
{%- set contexts = feature_contexts() %}
{%- set n_buckets = duration_bucket_bounds() | length + 1 %}
with devices as (
    select
        user_id,
        {{ feature_period('week') }} as period,
        place,
        platform,
        count(*) as impressions
    from {{ ref('int_interactions') }}
    where week <= {{ feature_last_week() }}
    group by all
),

impressions as (
    select
        user_id,
        period,
        case when grouping(place) = 0 then {{ contexts['place'] }} else {{ contexts['platform'] }} end as context_id,
        cast(case when grouping(place) = 0 then place else platform end as integer) as context_value,
        sum(impressions) as impressions
    from devices
    group by grouping sets ((user_id, period, place), (user_id, period, platform))
    union all
    select user_id, period, {{ contexts['duration_bucket'] }} as context_id, context_value, impressions
    from (
        -- one row per bucket: each row of the periods table once per bucket (a cross join with the
        -- bucket ids), the bucket's column picked by a case
        select
            p.user_id,
            p.period,
            b.context_value,
            case b.context_value
                {%- for bucket in range(n_buckets) %}
                when {{ bucket }} then p.duration_bucket_{{ bucket }}_impressions
                {%- endfor %}
                else p.impressions - p.timed_impressions
            end as impressions
        from {{ ref('int_users_aggregated_to_periods') }} as p
        cross join (values {% for bucket in range(n_buckets) %}({{ bucket }}), {% endfor %}(-1)) as b (context_value)
    ) as buckets
    where impressions > 0
),

positives as (
    select
        user_id,
        period,
        case
            when grouping(place) = 0 then {{ contexts['place'] }}
            when grouping(platform) = 0 then {{ contexts['platform'] }}
            else {{ contexts['duration_bucket'] }}
        end as context_id,
        cast(case
            when grouping(place) = 0 then place
            when grouping(platform) = 0 then platform
            else duration_bucket
        end as integer) as context_value,
        {{ count_where('is_positive') }} as positives
    from {{ ref('int_feature_signal_impressions') }}
    group by grouping sets ((user_id, period, place), (user_id, period, platform), (user_id, period, duration_bucket))
)

select
    i.user_id,
    i.period,
    i.context_id,
    i.context_value,
    cast(i.impressions as bigint) as impressions,
    coalesce(p.positives, 0) as positives
from impressions as i
left join positives as p
    on i.user_id = p.user_id
    and i.period = p.period
    and i.context_id = p.context_id
    and i.context_value = p.context_value
