-- The ranker's training sample (ranker_feature_pairs): a sampled clip keeps every relevant candidate and
-- min(its irrelevant candidates, var ranker_negatives_per_clip) irrelevant ones; only clips with both
-- kinds are sampled; all sampled pairs together stay within var ranker_max_training_pairs.
-- Rows returned = failures.
with candidates as (
    select as_of_week, item_id, count(*) filter (where label) as positives, count(*) filter (where not label) as negatives
    from {{ ref('ranker_candidates') }}
    where not is_target_week
    group by as_of_week, item_id
),

sampled as (
    select as_of_week, item_id, count(*) filter (where label) as positives, count(*) filter (where not label) as negatives
    from {{ ref('ranker_feature_pairs') }}
    where not is_target_week
    group by as_of_week, item_id
),

wrong_clips as (
    select s.as_of_week, s.item_id, 'clip sample' as problem
    from sampled as s
    left join candidates as c on s.as_of_week = c.as_of_week and s.item_id = c.item_id
    where c.positives = 0 or c.negatives = 0
        or s.positives is distinct from c.positives
        or s.negatives is distinct from least(c.negatives, {{ var('ranker_negatives_per_clip') }})
),

over_cap as (
    select null as as_of_week, null as item_id, 'more than ranker_max_training_pairs' as problem
    from sampled
    having sum(positives + negatives) > {{ var('ranker_max_training_pairs') }}
)

select * from wrong_clips
union all
select * from over_cap
