-- The training rows of ranker_pairs (the sampled pairs of the training weeks, label set), materialised
-- once with a query id per (as-of week, clip): the ranker's data iterator reads them ordered by query more
-- than once (XGBoost sketches the feature quantiles, then bins the rows).
select
    dense_rank() over (order by as_of_week, item_id) as query_id,
    *
from {{ ref('ranker_pairs') }}
where not is_target_week
