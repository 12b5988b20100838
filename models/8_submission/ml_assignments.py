from vklsvd.io.arrow import to_arrow
from vklsvd.ranking.adapters import capacity_assignments


def model(dbt, session):
    ranker = to_arrow(dbt.ref("ml_ranker_scores"))  # refs outside literals: dbt's parser finds them there
    return capacity_assignments(
        {"ranker": (ranker, "score")},
        to_arrow(dbt.ref("int_target_clips")),
        to_arrow(dbt.ref("int_fill_users")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
    )
