-- Users kept by var `user_sample` (dataset rules ur/up); all users when it is null.
select *
from {{ ref('stg_vklsvd__users') }}
where {{ sample_predicate(var('user_sample'), ['ur', 'up'], 'user_id', 'train_interactions_rank', ref('stg_vklsvd__users')) }}
