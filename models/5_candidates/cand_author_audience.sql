{{ config(materialized='view') }}
-- Candidate source `author_audience`: users who engaged with the clip's author before the as-of week,
-- most engaged first (positives, then content_watch_weight x watched clips).
{% set w = var('content_watch_weight') %}
select
    c.as_of_week,
    c.item_id,
    a.user_id,
    'author_audience' as source,
    cast(a.positives + {{ w }} * a.watched as double) as score,
    row_number() over (
        partition by c.as_of_week, c.item_id order by a.positives + {{ w }} * a.watched desc, a.user_id
    ) as source_rank
from {{ ref('int_as_of_clips') }} as c
inner join {{ ref('int_author_audience') }} as a on c.author_id = a.author_id and c.as_of_week = a.as_of_week
qualify source_rank <= {{ var('candidate_k').get('author_audience') }}
