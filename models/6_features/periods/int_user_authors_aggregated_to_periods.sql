-- Partial aggregates of the user x author family for kept pairs: one row per (user, author, period)
-- (as-of periods, macro feature_periods) for pairs with at least one positive signal (var
-- positive_signals) or at least var user_author_min_impressions impressions in the weeks read, counting
-- all their impressions. Most (user, author) pairs are shown once (20,000 sparse users: 3.7 M pairs in
-- 5.1 M impressions, 0.83 M kept), so keeping all pairs would copy the interactions; a repeatedly shown
-- author is kept without a positive because the feed's repeat exposure is itself a preference signal
-- (demo, target week: candidates whose author the user never engaged with were positive 1.4 per mille
-- of the time when never shown the author, 6.0 when shown it 5 times or more, 10.3 when engaged). The
-- as-of mart keeps a pair as of week W only when it qualified before W, which makes the restriction
-- leak-free. The engaged pairs and the signal counts come from int_feature_signal_impressions; the
-- repeated pairs from one grouped scan of the interactions, and one more scan, semi-joined to the kept
-- pairs, gives impressions, timespent and watch fraction.
{%- set signal_counters = ['positives'] + signal_count_columns() %}
{%- set min_impressions = var('user_author_min_impressions') %}
with kept_pairs as (
    select distinct
        user_id,
        author_id
    from {{ ref('int_feature_signal_impressions') }}
    where is_positive and author_id is not null
    {%- if min_impressions is not none %}
    union
    select
        i.user_id,
        m.author_id
    from {{ ref('int_interactions') }} as i
    inner join {{ ref('int_feature_items') }} as m on i.item_id = m.item_id
    where i.week <= {{ feature_last_week() }} and m.author_id is not null
    group by i.user_id, m.author_id
    having count(*) >= {{ min_impressions | int }}
    {%- endif %}
),

impressions as (
    select
        i.user_id,
        m.author_id,
        i.week,
        {{ feature_period('i.week') }} as period,
        i.timespent,
        {{ watch_fraction_from_inverse('i.timespent', 'm.inverse_duration') }} as watch_fraction
    from {{ ref('int_interactions') }} as i
    inner join {{ ref('int_feature_items') }} as m on i.item_id = m.item_id
    where i.week <= {{ feature_last_week() }}
      -- a semi join (an inner join may be reordered to kept pairs x clips first)
      and (i.user_id, m.author_id) in (select user_id, author_id from kept_pairs)
),

totals as (
    select
        user_id,
        author_id,
        period,
        count(*) as impressions,
        cast(sum(timespent) as bigint) as timespent,
        sum(watch_fraction) as watch_fraction_sum,
        bit_or({{ week_bit('week') }}) as weeks_mask,
        max(week) as last_week
    from impressions
    group by user_id, author_id, period
),

signals as (
    select
        user_id,
        author_id,
        period,
        {{ signal_count_expressions() }},
        max(case when is_positive then week end) as last_positive_week
    from {{ ref('int_feature_signal_impressions') }}
    where author_id is not null
    group by user_id, author_id, period
)

select
    t.user_id,
    t.author_id,
    t.period,
    t.impressions,
    t.timespent,
    t.watch_fraction_sum,
    {%- for counter in signal_counters %}
    coalesce(s.{{ counter }}, 0) as {{ counter }},
    {%- endfor %}
    s.last_positive_week,
    t.weeks_mask,
    t.last_week
from totals as t
left join signals as s on t.user_id = s.user_id and t.author_id = s.author_id and t.period = s.period
