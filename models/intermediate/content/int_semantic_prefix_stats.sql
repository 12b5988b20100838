-- What each semantic-ID prefix earned overall before the target week: clips, audience and engagement
-- rate. A brand-new clip inherits these through its prefixes (a content prior without interactions).
with clips as (
    select s.level, s.prefix, count(*) as clips
    from {{ ref('ml_item_semantic_ids') }} as s
    inner join {{ ref('int_content_fit_items') }} as f on s.item_id = f.item_id
    where s.level <= {{ var('semantic_id_counter_levels') }}
    group by s.level, s.prefix
),

audience as (
    select
        level,
        prefix,
        count(*) as users,
        sum(impressions) as impressions,
        sum(positives) as positives,
        {{ exact_sum('watched') }} as watched
    from {{ ref('int_user_semantic_prefixes') }}
    group by level, prefix
)

select
    c.level,
    c.prefix,
    c.clips,
    coalesce(a.users, 0) as users,
    coalesce(a.impressions, 0) as impressions,
    coalesce(a.positives, 0) as positives,
    coalesce(a.watched, 0) as watched,
    coalesce(a.positives / nullif(a.impressions, 0), 0) as positive_rate
from clips as c
left join audience as a on c.level = a.level and c.prefix = a.prefix
