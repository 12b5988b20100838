{{ config(tags=['features']) }}
-- Every impression has one place, one platform and one duration bucket, so for each user,
-- as-of week, kind of context and window the impression shares sum to 1 (or are all null when the user
-- had no impression in the window). Returns the groups where they do not.
{%- set windows = feature_windows() %}
select
    user_id,
    as_of_week,
    context
from {{ ref('user_context_features') }}
group by user_id, as_of_week, context
having false
{%- for window in windows %}
    or abs(coalesce(sum(impression_share_{{ window.name }}), 1.0) - 1.0) > 1e-9
{%- endfor %}
