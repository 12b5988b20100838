select
    cast(item_id as uinteger) as item_id,
    cast(author_id as uinteger) as author_id,
    cast(duration as utinyint) as duration,
    cast(train_interactions_rank as uinteger) as train_interactions_rank
from {{ source('vklsvd', 'items_metadata') }}
