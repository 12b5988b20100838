from vklsvd.arrow_io import stream_batches, to_arrow
from vklsvd.steps import PROFILE_HISTORY_COLUMNS, user_content_profiles


def model(dbt, session):
    history = dbt.ref("int_user_history").select(", ".join(PROFILE_HISTORY_COLUMNS))
    return user_content_profiles(
        stream_batches(history, int(dbt.config.get("batch_rows"))),
        to_arrow(dbt.ref("int_users_sampled").select("user_id")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
    )
