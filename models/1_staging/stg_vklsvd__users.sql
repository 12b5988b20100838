select
    cast(user_id as uinteger) as user_id,
    cast(age as utinyint) as age,
    cast(gender as utinyint) as gender,
    cast(geo as utinyint) as geo,
    cast(train_interactions_rank as uinteger) as train_interactions_rank
from {{ source('vklsvd', 'users_metadata') }}
