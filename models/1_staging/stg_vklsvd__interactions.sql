-- One row per impression. `week` comes from the file name and `event_order` is the row's position in its
-- weekly file, which is chronological: together they are the event time the dataset has no column for.
select
    {{ week_from_filename('filename') }} as week,
    cast(file_row_number as bigint) as event_order,
    cast(user_id as uinteger) as user_id,
    cast(item_id as uinteger) as item_id,
    cast(place as utinyint) as place,
    cast(platform as utinyint) as platform,
    cast(agent as utinyint) as agent,
    cast(timespent as utinyint) as timespent,
    cast("like" as boolean) as "like",
    cast(dislike as boolean) as dislike,
    cast(share as boolean) as share,
    cast(bookmark as boolean) as bookmark,
    cast(click_on_author as boolean) as click_on_author,
    cast(open_comments as boolean) as open_comments
from {{ source('vklsvd', 'interactions') }}
