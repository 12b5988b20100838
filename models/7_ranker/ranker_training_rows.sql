-- The training rows of ranker_feature_matrix (the sampled pairs of the training weeks, label set), materialised
-- once with a query id per (as-of week, clip) and the clip's is_holdout flag (ranker_sampled_pairs): the
-- ranker's data iterator reads them ordered by query.
-- The ids are numbered on the distinct clips and joined back (a window over the wide rows themselves
-- would hold all of them in one partition).
with queries as (
    select as_of_week, item_id, is_holdout, row_number() over (order by as_of_week, item_id) as query_id
    from (
        select distinct as_of_week, item_id, is_holdout
        from {{ ref('ranker_sampled_pairs') }}
        where not is_target_week
    ) as clips
)

select q.query_id, q.is_holdout, p.*
from {{ ref('ranker_feature_matrix') }} as p
inner join queries as q on p.as_of_week = q.as_of_week and p.item_id = q.item_id
where not p.is_target_week
