-- The challenge's target clips for the test week; the user lists of the template are not used.
select distinct cast(item_id as {{ unsigned_int_type(32) }}) as item_id
from {{ source('vklsvd', 'submission_template') }}
