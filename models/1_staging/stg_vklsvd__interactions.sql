-- One row per impression. `week` comes from the file name and `event_order` is the row's position in its
-- weekly file, which is chronological: together they are the event time the dataset has no column for.
select
    {{ week_from_filename('filename') }} as week,
    cast(file_row_number as bigint) as event_order,
    cast(user_id as {{ unsigned_int_type(32) }}) as user_id,
    cast(item_id as {{ unsigned_int_type(32) }}) as item_id,
    cast(place as {{ unsigned_int_type(8) }}) as place,
    cast(platform as {{ unsigned_int_type(8) }}) as platform,
    cast(agent as {{ unsigned_int_type(8) }}) as agent,
    cast(timespent as {{ unsigned_int_type(8) }}) as timespent,
    cast({{ adapter.quote('like') }} as boolean) as {{ adapter.quote('like') }},
    cast(dislike as boolean) as dislike,
    cast(share as boolean) as share,
    cast(bookmark as boolean) as bookmark,
    cast(click_on_author as boolean) as click_on_author,
    cast(open_comments as boolean) as open_comments
from {{ source('vklsvd', 'interactions') }}
