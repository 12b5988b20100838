from vklsvd.arrow_io import to_arrow
from vklsvd.steps import user_content_profiles


def model(dbt, session):
    return user_content_profiles(
        to_arrow(dbt.ref("int_user_history")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
    )
