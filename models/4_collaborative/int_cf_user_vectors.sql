{{ config(materialized='view') }}
-- Each user's collaborative vectors as of every as-of week: the ALS factor of their whole history and
-- the fold-in of their last var cf_params.recent_weeks weeks (null without engagement in those weeks).
select
    f.as_of_week,
    f.entity_id as user_id,
    f.factors,
    r.factors as recent_factors
from {{ ref('ml_user_author_factors') }} as f
left join {{ ref('ml_user_author_factors') }} as r
    on f.as_of_week = r.as_of_week and f.entity_id = r.entity_id and r.side = 'user_recent'
where f.side = 'user'
