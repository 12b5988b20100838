-- The pairs that get features, with their candidate columns (per-source rank and score, n_sources,
-- rrf_score: macro candidate_pair_columns) and graded relevance:
--   * every target-week candidate (all of them are scored);
--   * the training sample: for every training clip with both relevant and irrelevant candidates, every
--     candidate (var `ranker_negatives_per_clip` null, the default: the clip's list as it is served) or
--     all relevant candidates and that many irrelevant ones drawn by a seeded hash, for clips drawn
--     (seeded) until `ranker_max_training_pairs` pairs; the cap keeps the training set, its memory and
--     its training time bounded whatever the size of the data. Whole lists train the top of a list,
--     where NDCG is decided: a uniform draw of irrelevant candidates is mostly easy ones (demo,
--     revision 2487bc5: NDCG 0.182 with 300 per clip against 0.196 with every candidate, same clips).
--     Clips whose candidates are all relevant or all irrelevant teach a ranking nothing;
--   * the held-out clips (`is_holdout`): with two or more training weeks, up to `ranker_holdout_clips`
--     clips of the last training week (seeded draw among those with both kinds) keep every candidate, so
--     the held-out NDCG that chooses the number of trees is measured on the lists as they are served.
{% set seed = var('sample_seed') %}
{#- carried through from ranker_labelled_candidates: the graded target and the candidate columns -#}
{% set carried = ['relevance'] + candidate_pair_columns() %}
{% set training_weeks = feature_as_of_weeks() | reject('equalto', var('target_week') | int) | list %}
{% set holdout_week = training_weeks | max if training_weeks | length >= 2 else none %}
with training as (
    select
        as_of_week,
        item_id,
        user_id,
        label,
        {%- for name in carried %}
        {{ name }},
        {%- endfor %}
        count(*) filter (where label) over by_clip as clip_positives,
        count(*) filter (where not label) over by_clip as clip_negatives,
        row_number() over (
            partition by as_of_week, item_id, label
            order by {{ hash_fraction(['as_of_week', 'item_id', 'user_id'], seed) }}, user_id
        ) as draw
    from {{ ref('ranker_labelled_candidates') }}
    where not is_target_week
    window by_clip as (partition by as_of_week, item_id)
),

usable_clips as (
    select
        as_of_week,
        item_id,
        {%- if holdout_week is none %}
        false as is_holdout
        {%- else %}
        as_of_week = {{ holdout_week }} and row_number() over (
            partition by as_of_week
            order by {{ hash_fraction(["'holdout'", 'as_of_week', 'item_id'], seed) }}, item_id
        ) <= {{ var('ranker_holdout_clips') | int }} as is_holdout
        {%- endif %}
    from training
    where clip_positives > 0 and clip_negatives > 0
    group by as_of_week, item_id
),

sampled as (
    select t.as_of_week, t.item_id, t.user_id, t.label, c.is_holdout{% for name in carried %}, t.{{ name }}{% endfor %}
    from training as t
    inner join usable_clips as c on t.as_of_week = c.as_of_week and t.item_id = c.item_id
    {%- set negatives = var('ranker_negatives_per_clip') %}
    {%- if negatives is not none and (negatives is not number or negatives is boolean or negatives < 1) %}
    {{ exceptions.raise_compiler_error("var ranker_negatives_per_clip must be null (every candidate of a training clip) or a whole number >= 1 of irrelevant candidates kept per clip; got " ~ negatives) }}
    {%- endif %}
    {%- if negatives is not none %}
    where t.label or c.is_holdout or t.draw <= {{ negatives | int }}
    {%- endif %}
),

clips as (
    -- the held-out clips are kept whole and outside the cap
    select
        as_of_week,
        item_id,
        bool_or(is_holdout) as is_holdout,
        sum(case when bool_or(is_holdout) then 0 else count(*) end) over (
            order by {{ hash_fraction(['as_of_week', 'item_id'], seed) }}, as_of_week, item_id
            rows between unbounded preceding and current row
        ) as pairs_so_far
    from sampled
    group by as_of_week, item_id
)

select as_of_week, item_id, user_id, is_target_week, false as is_holdout, label{% for name in carried %}, {{ name }}{% endfor %}
from {{ ref('ranker_labelled_candidates') }}
where is_target_week
union all
select s.as_of_week, s.item_id, s.user_id, false as is_target_week, s.is_holdout, s.label{% for name in carried %}, s.{{ name }}{% endfor %}
from sampled as s
semi join clips as c
    on s.as_of_week = c.as_of_week and s.item_id = c.item_id
    and (c.is_holdout or c.pairs_so_far <= {{ var('ranker_max_training_pairs') }})
