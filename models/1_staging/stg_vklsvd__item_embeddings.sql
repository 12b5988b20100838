-- Item content vectors cut to the first `embedding_dim` components (the leading ones carry the most
-- information, so a prefix is a valid cheaper embedding).
{% set dim = var('embedding_dim') | int %}
{% if dim < 1 or dim > 64 %}
  {{ exceptions.raise_compiler_error("var embedding_dim must be in 1..64, got " ~ var('embedding_dim')) }}
{% endif %}
select
    cast(item_id as uinteger) as item_id,
    {{ list_prefix('embedding', dim) }} as embedding
from {{ source('vklsvd', 'item_embeddings') }}
