-- Each author's engaged audience before the target week: users with at least one positive signal on
-- the author's clips, with how much they engaged.
select
    m.author_id,
    h.user_id,
    count(*) as impressions,
    cast(count_if(h.is_positive) as bigint) as positives,
    {{ exact_sum("h.watch_fraction") }} as watched
from {{ ref('int_user_history') }} as h
inner join {{ ref('stg_vklsvd__items') }} as m on h.item_id = m.item_id
group by m.author_id, h.user_id
having count_if(h.is_positive) > 0
