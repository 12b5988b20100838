from vklsvd.io.arrow import to_arrow
from vklsvd.ranking.adapters import capacity_assignments


def model(dbt, session):
    ranker, baseline = to_arrow(dbt.ref("ml_ranker_scores")), to_arrow(dbt.ref("baseline_scores"))
    return capacity_assignments(
        {
            "ranker": (ranker, "expected_dcg"),
            "ranker_greedy": (ranker, "score"),
            "ranker_round_robin": (ranker, "round_robin"),
            "rrf_baseline": (baseline, "score"),
        },
        to_arrow(dbt.ref("int_target_clips")),
        to_arrow(dbt.ref("int_fill_users")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
    )
