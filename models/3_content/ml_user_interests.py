from vklsvd.content.adapters import user_interest_profiles
from vklsvd.io.arrow import to_arrow


def model(dbt, session):
    positives = (
        dbt.ref("int_user_history").filter("is_positive").select("user_id, item_id, week, is_positive")
    )
    return user_interest_profiles(
        to_arrow(positives),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
        k_max=int(dbt.config.get("k_max")),
        min_items_per_cluster=int(dbt.config.get("min_items_per_cluster")),
        n_iter=int(dbt.config.get("n_iter")),
    )
