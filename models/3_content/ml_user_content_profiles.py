from vklsvd.content.adapters import PROFILE_HISTORY_COLUMNS, user_content_profiles
from vklsvd.io.arrow import stream_batches, to_arrow


def model(dbt, session):
    history = dbt.ref("int_user_history").select(", ".join(PROFILE_HISTORY_COLUMNS))
    return user_content_profiles(
        stream_batches(history, int(dbt.config.get("batch_rows"))),
        to_arrow(dbt.ref("int_users_sampled").select("user_id")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
    )
