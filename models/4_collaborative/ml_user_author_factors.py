from vklsvd.collaborative.adapters import engagement_columns, user_author_factors
from vklsvd.collaborative.factors import CollaborativeParams
from vklsvd.io.arrow import stream_batches, to_arrow
from vklsvd.resources import released_after
from vklsvd.settings import stage_settings


def model(dbt, session):
    engagement = dbt.ref("int_user_author_engagement").select(engagement_columns("author_id"))
    return user_author_factors(
        released_after(stream_batches(engagement, int(dbt.config.get("batch_rows"))), session),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
        stage_settings(CollaborativeParams, "cf_params", dbt.config.get("cf_params")),
    )
