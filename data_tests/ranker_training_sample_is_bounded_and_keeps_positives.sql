-- The ranker's training sample (ranker_sampled_pairs): a sampled clip keeps every relevant candidate and
-- min(its irrelevant candidates, var ranker_negatives_per_clip) irrelevant ones (all of them when the var
-- is null), a held-out clip every candidate; only clips with both kinds are sampled; the sampled pairs of the other clips together stay
-- within var ranker_max_training_pairs, the held-out clips within var ranker_holdout_clips, all of one week.
-- Rows returned = failures.
with candidates as (
    select as_of_week, item_id, count(*) filter (where label) as positives, count(*) filter (where not label) as negatives
    from {{ ref('ranker_labelled_candidates') }}
    where not is_target_week
    group by as_of_week, item_id
),

sampled as (
    select
        as_of_week,
        item_id,
        bool_or(is_holdout) as is_holdout,
        count(*) filter (where label) as positives,
        count(*) filter (where not label) as negatives
    from {{ ref('ranker_sampled_pairs') }}
    where not is_target_week
    group by as_of_week, item_id
),

wrong_clips as (
    select s.as_of_week, s.item_id, 'clip sample' as problem
    from sampled as s
    left join candidates as c on s.as_of_week = c.as_of_week and s.item_id = c.item_id
    where c.positives = 0 or c.negatives = 0
        or s.positives is distinct from c.positives
        or s.negatives is distinct from case
            {%- if var('ranker_negatives_per_clip') is none %}
            when true then c.negatives
            {%- else %}
            when s.is_holdout then c.negatives else least(c.negatives, {{ var('ranker_negatives_per_clip') | int }})
            {%- endif %}
        end
),

wrong_holdout as (
    select null as as_of_week, null as item_id, 'held-out clips' as problem
    from sampled
    having count(*) filter (where is_holdout) > {{ var('ranker_holdout_clips') }}
        or count(distinct as_of_week) filter (where is_holdout) > 1
),

over_cap as (
    select null as as_of_week, null as item_id, 'more than ranker_max_training_pairs' as problem
    from sampled
    having sum(positives + negatives) filter (where not is_holdout) > {{ var('ranker_max_training_pairs') }}
)

select * from wrong_clips
union all
select * from wrong_holdout
union all
select * from over_cap
