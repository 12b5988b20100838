{{ config(materialized='view') }}
-- Impressions of sampled users on sampled clips from week `first_week` on. A view: it stays a filter over
-- the weekly files, and the weekly aggregates downstream scan it once.
select i.*
from {{ ref('stg_vklsvd__interactions') }} as i
{% if var('user_sample') %}
semi join {{ ref('int_users_sampled') }} as u on i.user_id = u.user_id
{% endif %}
{% if var('item_sample') %}
semi join {{ ref('int_clips_sampled') }} as c on i.item_id = c.item_id
{% endif %}
where i.week >= {{ var('first_week') }}
