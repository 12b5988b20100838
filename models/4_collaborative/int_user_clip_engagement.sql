{{ config(materialized='view') }}
-- The user x clip factorisation's input: one row per (user, clip) impression with engagement, weeks
-- before the target week (int_user_history), engagement = var cf_params.watch_weight x watch fraction + var
-- cf_params.positive_weight x (a positive signal), the user x author rule on a single clip. A view: a pair
-- never repeats in the dataset, so there is nothing to aggregate, and ml_user_clip_factors streams it.
select
    user_id,
    item_id,
    week,
    engagement
from (
    select
        user_id,
        item_id,
        cast(week as smallint) as week,
        {{ var('cf_params')['watch_weight'] }} * watch_fraction
        + {{ var('cf_params')['positive_weight'] }} * cast(is_positive as integer) as engagement
    from {{ ref('int_user_history') }}
) as impressions
where engagement > 0
