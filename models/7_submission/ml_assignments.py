from vklsvd.io.arrow import to_arrow
from vklsvd.ranking.adapters import capacity_assignments


def model(dbt, session):
    scores = {"ranker": dbt.ref("ml_ranker_scores"), "rrf_baseline": dbt.ref("baseline_scores")}
    return capacity_assignments(
        {ranking: to_arrow(relation) for ranking, relation in scores.items()},
        to_arrow(dbt.ref("int_target_items")),
        to_arrow(dbt.ref("int_fill_users")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
    )
