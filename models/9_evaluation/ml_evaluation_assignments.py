from vklsvd.io.arrow import to_arrow
from vklsvd.ranking.adapters import capacity_assignments, source_rankings


def model(dbt, session):
    # refs outside literals: dbt's parser finds them there
    ranker, baseline = to_arrow(dbt.ref("ml_ranker_scores")), to_arrow(dbt.ref("baseline_scores"))
    sources = source_rankings(to_arrow(dbt.ref("eval_source_candidates")))
    return capacity_assignments(
        {
            "rrf_baseline": (baseline, "score"),
            "ranker_expected_dcg": (ranker, "expected_dcg"),
            "ranker_round_robin": (ranker, "round_robin"),
            **sources,
        },
        to_arrow(dbt.ref("int_target_clips")),
        to_arrow(dbt.ref("int_fill_users")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
    )
