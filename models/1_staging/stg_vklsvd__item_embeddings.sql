-- Item content vectors cut to the first `embedding_dim` components (the leading ones carry the most
-- information, so a prefix is a valid cheaper embedding).
-- var embedding_dim is checked (1..64) before the build by macro check_vars.
{% set dim = var('embedding_dim') | int %}
select
    cast(item_id as {{ unsigned_int_type(32) }}) as item_id,
    {{ list_prefix('embedding', dim) }} as embedding
from {{ source('vklsvd', 'item_embeddings') }}
