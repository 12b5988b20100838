-- The as-of weeks the feature layer is built for: var feature_as_of_weeks, by default the target week
-- (inference) and var training_weeks (training labels; default the `training_week_count` weeks before
-- the target week). Every as-of model joins its weekly aggregates to this table on
-- `week < as_of_week`: that join is the as-of cut.
{%- set weeks = feature_as_of_weeks() %}
select
    cast(weeks.as_of_week as integer) as as_of_week,
    weeks.as_of_week = {{ var('target_week') | int }} as is_target_week
from (values {% for week in weeks %}({{ week }}){{ ", " if not loop.last }}{% endfor %}) as weeks (as_of_week)
