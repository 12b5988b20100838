from vklsvd.collaborative.adapters import engagement_columns, user_clip_factors
from vklsvd.collaborative.factors import CollaborativeParams
from vklsvd.io.arrow import stream_batches, to_arrow
from vklsvd.resources import released_after
from vklsvd.settings import stage_settings


def model(dbt, session):
    engagement = dbt.ref("int_user_clip_engagement").select(engagement_columns("item_id"))
    interests = dbt.ref("ml_user_interests")
    return user_clip_factors(
        released_after(stream_batches(engagement, int(dbt.config.get("batch_rows"))), session),
        to_arrow(dbt.ref("stg_vklsvd__items").select("item_id, author_id, duration")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        to_arrow(dbt.ref("int_as_of_clips").select("as_of_week, item_id")),
        to_arrow(dbt.ref("ml_user_author_factors").filter("side = 'author'")),
        lambda week: to_arrow(
            interests.filter(f"as_of_week = {int(week)}").select("user_id, interest_id, embedding")
        ),
        stage_settings(CollaborativeParams, "cf_params", dbt.config.get("cf_params")),
    )
