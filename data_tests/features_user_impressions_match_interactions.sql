{{ config(tags=['features']) }}
-- On the real data: for every as-of week and window, the impressions summed over user_features equal
-- the impressions of int_interactions in that window before the as-of week, i.e. the as-of cut and
-- the windows neither drop nor add weeks. Returns the as-of weeks where they differ.
{%- set windows = feature_windows() %}
with expected as (
    select
        a.as_of_week,
        {%- for window in windows %}
        count(i.week){% if window.weeks is not none %} filter (where i.week >= a.as_of_week - {{ window.weeks }}){% endif %} as impressions_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_feature_as_of_weeks') }} as a
    left join {{ ref('int_interactions') }} as i on i.week < a.as_of_week
    group by a.as_of_week
),

actual as (
    select
        as_of_week,
        {%- for window in windows %}
        sum(impressions_{{ window.name }}) as impressions_{{ window.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('user_features') }}
    group by as_of_week
)

select e.as_of_week
from expected as e
left join actual as a on e.as_of_week = a.as_of_week
where false
{%- for window in windows %}
   or coalesce(a.impressions_{{ window.name }}, 0) <> e.impressions_{{ window.name }}
{%- endfor %}
