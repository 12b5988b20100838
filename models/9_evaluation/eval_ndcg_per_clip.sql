-- NDCG@list_size of every scored target clip, for the submission (ranker: calibrated probabilities
-- assigned for the most expected NDCG), the rankings of ml_evaluation_assignments under the same capacity
-- (the fusion baseline; the ranker's scores assigned greedily by raw score and round robin) and the
-- random-users reference.
{% set assigned = ['rrf_baseline', 'ranker_expected_dcg', 'ranker_round_robin'] %}
select 'submission' as ranking, *
from ({{ ndcg_per_clip(ref('eval_submission_ranked'), ref('int_target_labels'), var('list_size')) }})
{%- for name in assigned %}
union all
select '{{ name }}' as ranking, *
from ({{ ndcg_per_clip("(select item_id, user_id, position from " ~ ref('eval_assignment_ranked') ~ " where ranking = '" ~ name ~ "')", ref('int_target_labels'), var('list_size')) }})
{%- endfor %}
union all
select 'random_users' as ranking, *
from ({{ ndcg_per_clip(ref('eval_random_ranked'), ref('int_target_labels'), var('list_size')) }})
