{{ config(materialized='view') }}
-- Each user's interest fold-ins in the user x clip space as of every as-of week, one column per interest
-- (interest_<i>_factors, i < var interest_params.max_clusters; null where the user has fewer interests or an
-- interest had no clip with an embedding), so that a pair compares the clip with every interest of its
-- user without a join that multiplies the pairs.
{% set interests = range(var('interest_params')['max_clusters'] | int) | list %}
select
    as_of_week,
    entity_id as user_id,
    {%- for interest in interests %}
    max(factors) filter (where interest_id = {{ interest }}) as interest_{{ interest }}_factors{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('ml_user_clip_factors') }}
where side = 'user_interest'
group by as_of_week, entity_id
