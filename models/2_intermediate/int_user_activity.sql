-- Each user's overall activity before every as-of week (impressions, positive impressions): the prior that
-- very active users engage more, behind the `active_users` candidates, the fill order of the submission
-- (as of the target week) and the random baseline's population. Running totals over the as-of periods
-- (macro as_of_running_totals), read at each as-of week (macro as_of_row). user_features holds the same
-- two counts (impressions_all, positives_all) when var feature_windows has an all-history window, but in
-- stage 6, after the candidates that need them; the cut is the same macro, so the two agree.
with per_period as (
    select
        user_id,
        {{ feature_period('week', as_of_periods()) }} as period,
        count(*) as impressions,
        {{ count_where('is_positive') }} as positives
    from {{ ref('int_user_history') }}
    group by all
),

running as (
    {{ as_of_running_totals('per_period', ['user_id'], ['impressions', 'positives']) }}
)

select w.as_of_week, r.user_id, r.impressions, r.positives
from running as r
inner join {{ ref('int_feature_as_of_weeks') }} as w on {{ as_of_row('r', 'w.as_of_week') }}
