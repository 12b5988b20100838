-- User x context affinities as of each as-of week: one row per (user, as_of_week, context, context_value)
-- seen before the as-of week, for the contexts place, platform and duration_bucket (not the agent: see
-- macro feature_contexts), counted per as-of period (int_user_contexts_aggregated_to_periods). Per window:
-- the share of the user's impressions in that context value and the positive rate there, smoothed towards
-- the user's own positive rate in the window (so a context seen twice is not an extreme affinity).
{%- set windows = feature_windows() %}
with windowed as (
    {{ as_of_window_sums(
        relation=ref('int_user_contexts_aggregated_to_periods'),
        as_of=ref('int_feature_as_of_weeks'),
        keys=['user_id', 'context_id', 'context_value'],
        count_columns=['impressions', 'positives'],
        activity=false
    ) }}
),

with_user_totals as (
    select
        *,
        {%- for window in windows %}
        sum(impressions_{{ window.name }}) over user_context as user_impressions_{{ window.name }},
        sum(positives_{{ window.name }}) over user_context as user_positives_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from windowed
    window user_context as (partition by user_id, as_of_week, context_id)
)

select
    user_id,
    as_of_week,
    case context_id
        {%- for name, context_id in feature_contexts().items() %}
        when {{ context_id }} then '{{ name }}'
        {%- endfor %}
    end as context,
    context_value,
    {%- for window in windows %}
    {%- set w = window.name %}
    impressions_{{ w }},
    positives_{{ w }},
    {{ safe_divide('impressions_' ~ w, 'user_impressions_' ~ w) }} as impression_share_{{ w }},
    {{ smoothed_rate('positives_' ~ w, 'impressions_' ~ w, safe_divide('user_positives_' ~ w, 'user_impressions_' ~ w)) }} as positive_rate_smoothed_{{ w }}{{ "," if not loop.last }}
    {%- endfor %}
from with_user_totals
