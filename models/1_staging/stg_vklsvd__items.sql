select
    cast(item_id as {{ unsigned_int_type(32) }}) as item_id,
    cast(author_id as {{ unsigned_int_type(32) }}) as author_id,
    cast(duration as {{ unsigned_int_type(8) }}) as duration,
    cast(train_interactions_rank as {{ unsigned_int_type(32) }}) as train_interactions_rank
from {{ source('vklsvd', 'items_metadata') }}
