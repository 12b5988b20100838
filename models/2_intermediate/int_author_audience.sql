-- Each author's engaged audience before every as-of week: users with at least one positive signal on the
-- author's clips before that week, with how much they engaged (impressions, positives, watched = sum of
-- watch fractions). Running totals over the as-of periods (macro as_of_running_totals), read at each
-- as-of week (macro as_of_row); watched is an exact sum.
with per_period as (
    select
        m.author_id,
        h.user_id,
        {{ feature_period('h.week', as_of_periods()) }} as period,
        count(*) as impressions,
        {{ count_where('h.is_positive') }} as positives,
        {{ exact_sum('h.watch_fraction') }} as watched
    from {{ ref('int_user_history') }} as h
    inner join {{ ref('stg_vklsvd__items') }} as m on h.item_id = m.item_id
    group by all
),

running as (
    {{ as_of_running_totals('per_period', ['author_id', 'user_id'], ['impressions', 'positives'], ['watched']) }}
)

select w.as_of_week, r.author_id, r.user_id, r.impressions, r.positives, r.watched
from running as r
inner join {{ ref('int_feature_as_of_weeks') }} as w on {{ as_of_row('r', 'w.as_of_week') }}
where r.positives > 0
