from vklsvd.content.adapters import PROFILE_HISTORY_COLUMNS, user_content_profiles
from vklsvd.io.arrow import stream_batches, to_arrow


def model(dbt, session):
    history = dbt.ref("int_user_history").select(", ".join(PROFILE_HISTORY_COLUMNS))
    batch_rows = int(dbt.config.get("batch_rows"))
    return user_content_profiles(
        lambda first, last: stream_batches(history.filter(f"user_id between {first} and {last}"), batch_rows),
        to_arrow(dbt.ref("int_users_sampled").select("user_id")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
        users_per_chunk=int(dbt.config.get("users_per_chunk")),
    )
