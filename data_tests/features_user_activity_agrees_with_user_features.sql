{{ config(tags=['features']) }}
-- int_user_activity (stage 2, for the candidates and the fill order) and user_features (stage 6) count a
-- user's impressions and positives before each as-of week through the same as-of cut (macro as_of_row):
-- with an all-history window in var feature_windows the two must agree on every (user, as-of week).
-- Returns the pairs where they do not (nothing to compare without an all-history window).
{%- set all_history = feature_windows() | selectattr('weeks', 'none') | map(attribute='name') | list %}
{%- if all_history %}
{%- set suffix = all_history[0] %}
select coalesce(a.user_id, f.user_id) as user_id, coalesce(a.as_of_week, f.as_of_week) as as_of_week
from {{ ref('int_user_activity') }} as a
full outer join {{ ref('user_features') }} as f on a.user_id = f.user_id and a.as_of_week = f.as_of_week
where a.impressions is distinct from f.impressions_{{ suffix }}
   or a.positives is distinct from f.positives_{{ suffix }}
{%- else %}
select user_id, as_of_week from {{ ref('int_user_activity') }} where false
{%- endif %}
