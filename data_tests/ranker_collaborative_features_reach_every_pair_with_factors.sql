-- Every feature pair whose user and clip author both have an ALS factor as of the pair's week carries
-- the collaborative features (each family of them where its own vectors exist), and some pair does (a lost join would leave them all null and the ranker
-- would silently train without them). Returns the failures.
select p.as_of_week, p.item_id, p.user_id, 'collaborative features missing' as problem
from {{ ref('ranker_user_clip_features') }} as p
inner join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
inner join {{ ref('int_cf_user_vectors') }} as u on p.as_of_week = u.as_of_week and p.user_id = u.user_id
inner join {{ ref('int_cf_author_vectors') }} as a
    on p.as_of_week = a.as_of_week and c.author_id = a.author_id
where p.cf_author_dot is null or p.cf_author_cosine is null or p.cf_user_norm is null
union all
select p.as_of_week, p.item_id, p.user_id, 'clip factor features missing'
from {{ ref('ranker_user_clip_features') }} as p
inner join {{ ref('ml_user_clip_factors') }} as u
    on p.as_of_week = u.as_of_week and p.user_id = u.entity_id and u.side = 'user'
inner join {{ ref('ml_user_clip_factors') }} as c
    on p.as_of_week = c.as_of_week and p.item_id = c.entity_id and c.side = 'clip'
where p.cf_clip_dot is null or p.cf_clip_cosine is null
union all
select p.as_of_week, p.item_id, p.user_id, 'author clips features missing'
from {{ ref('ranker_user_clip_features') }} as p
inner join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
inner join {{ ref('ml_user_clip_factors') }} as u
    on p.as_of_week = u.as_of_week and p.user_id = u.entity_id and u.side = 'user'
inner join {{ ref('ml_user_clip_factors') }} as a
    on p.as_of_week = a.as_of_week and c.author_id = a.entity_id and a.side = 'author'
where p.cf_author_clips_dot is null or p.cf_author_clips_cosine is null
union all
select p.as_of_week, p.item_id, p.user_id, 'interest features missing'
from {{ ref('ranker_user_clip_features') }} as p
inner join (
    select distinct as_of_week, entity_id from {{ ref('ml_user_clip_factors') }} where side = 'user_interest'
) as i on p.as_of_week = i.as_of_week and p.user_id = i.entity_id
inner join {{ ref('ml_user_clip_factors') }} as c
    on p.as_of_week = c.as_of_week and p.item_id = c.entity_id and c.side = 'clip'
where p.cf_interest_max_dot is null or p.cf_interest_max_cosine is null
union all
select null, null, null, 'no pair has collaborative features'
where not exists (
    select 1 from {{ ref('ranker_user_clip_features') }}
    where cf_author_dot is not null and cf_clip_dot is not null and cf_author_clips_dot is not null
        and cf_interest_max_dot is not null
)
