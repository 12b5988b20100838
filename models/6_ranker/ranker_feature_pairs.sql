-- The pairs that get features: every target-week candidate (all of them are scored), and the training
-- sample: for every training clip with both relevant and irrelevant candidates, all relevant candidates
-- and `ranker_negatives_per_clip` irrelevant ones drawn by a seeded hash, for clips drawn (seeded) until
-- `ranker_max_training_pairs` pairs. A ranking objective learns from the order of positives against
-- negatives within a clip; it needs neither every negative nor every clip, and the caps keep the
-- training set, its memory and its training time bounded whatever the size of the data. Clips whose
-- candidates are all relevant or all irrelevant teach a ranking nothing and are left out.
{% set seed = var('sample_seed') %}
with training as (
    select
        as_of_week,
        item_id,
        user_id,
        label,
        count(*) filter (where label) over by_clip as clip_positives,
        count(*) filter (where not label) over by_clip as clip_negatives,
        row_number() over (
            partition by as_of_week, item_id, label
            order by {{ hash_fraction("cast(as_of_week as varchar) || '-' || cast(item_id as varchar) || '-' || cast(user_id as varchar)", seed) }}, user_id
        ) as draw
    from {{ ref('ranker_candidates') }}
    where not is_target_week
    window by_clip as (partition by as_of_week, item_id)
),

sampled as (
    select as_of_week, item_id, user_id, label
    from training
    where clip_positives > 0
      and clip_negatives > 0
      and (label or draw <= {{ var('ranker_negatives_per_clip') }})
),

clips as (
    select
        as_of_week,
        item_id,
        sum(count(*)) over (
            order by {{ hash_fraction("cast(as_of_week as varchar) || '-' || cast(item_id as varchar)", seed) }}, as_of_week, item_id
            rows between unbounded preceding and current row
        ) as pairs_so_far
    from sampled
    group by as_of_week, item_id
)

select as_of_week, item_id, user_id, is_target_week, label
from {{ ref('ranker_candidates') }}
where is_target_week
union all
select s.as_of_week, s.item_id, s.user_id, false as is_target_week, s.label
from sampled as s
semi join clips as c
    on s.as_of_week = c.as_of_week and s.item_id = c.item_id
    and c.pairs_so_far <= {{ var('ranker_max_training_pairs') }}
