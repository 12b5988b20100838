from vklsvd.content.adapters import user_interest_profiles
from vklsvd.content.interests import InterestParams
from vklsvd.io.arrow import to_arrow
from vklsvd.settings import stage_settings


def model(dbt, session):
    positives = (
        dbt.ref("int_user_history").filter("is_positive").select("user_id, item_id, week, is_positive")
    )
    return user_interest_profiles(
        to_arrow(positives),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
        stage_settings(InterestParams, "interest_params", dbt.config.get("interest_params")),
    )
