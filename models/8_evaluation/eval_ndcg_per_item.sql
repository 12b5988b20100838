-- NDCG@list_size of every scored target clip, for the submission (ranker), the reciprocal-rank-fusion
-- baseline under the same assignment, and the random-users reference.
select 'submission' as ranking, *
from ({{ ndcg_per_item(ref('eval_submission_ranked'), ref('int_target_labels'), var('list_size')) }})
union all
select 'rrf_baseline' as ranking, *
from ({{ ndcg_per_item(ref('eval_baseline_ranked'), ref('int_target_labels'), var('list_size')) }})
union all
select 'random_users' as ranking, *
from ({{ ndcg_per_item(ref('eval_random_ranked'), ref('int_target_labels'), var('list_size')) }})
