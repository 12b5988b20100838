from vklsvd.arrow_io import to_arrow
from vklsvd.steps import capacity_assignment


def model(dbt, session):
    return capacity_assignment(
        to_arrow(dbt.ref("ml_ranker_scores")),
        to_arrow(dbt.ref("int_target_items")),
        to_arrow(dbt.ref("int_fill_users")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
    )
