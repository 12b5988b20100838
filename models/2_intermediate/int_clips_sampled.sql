-- Clips kept by var `item_sample` (dataset rules ir/ip); all clips when it is null.
select *
from {{ ref('stg_vklsvd__items') }}
where {{ sample_predicate(var('item_sample'), ['ir', 'ip'], 'item_id', 'train_interactions_rank', ref('stg_vklsvd__items')) }}
