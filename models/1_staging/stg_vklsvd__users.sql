select
    cast(user_id as {{ unsigned_int_type(32) }}) as user_id,
    cast(age as {{ unsigned_int_type(8) }}) as age,
    cast(gender as {{ unsigned_int_type(8) }}) as gender,
    cast(geo as {{ unsigned_int_type(8) }}) as geo,
    cast(train_interactions_rank as {{ unsigned_int_type(32) }}) as train_interactions_rank
from {{ source('vklsvd', 'users_metadata') }}
