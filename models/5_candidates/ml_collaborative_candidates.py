from vklsvd.io.arrow import to_arrow
from vklsvd.retrieval.adapters import collaborative_candidates


def model(dbt, session):
    return collaborative_candidates(
        to_arrow(dbt.ref("ml_user_item_factors")), k=int(dbt.config.get("candidates_k"))
    )
