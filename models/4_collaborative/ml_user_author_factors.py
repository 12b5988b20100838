from vklsvd.collaborative.adapters import engagement_columns, user_author_factors
from vklsvd.collaborative.factors import AlsParams
from vklsvd.io.arrow import stream_batches, to_arrow
from vklsvd.resources import released_after


def model(dbt, session):
    engagement = dbt.ref("int_user_author_engagement").select(engagement_columns("author_id"))
    return user_author_factors(
        released_after(stream_batches(engagement, int(dbt.config.get("batch_rows"))), session),
        to_arrow(dbt.ref("int_feature_as_of_weeks")),
        params=AlsParams(
            factors=int(dbt.config.get("factors")),
            regularization=float(dbt.config.get("regularization")),
            alpha=float(dbt.config.get("alpha")),
            iterations=int(dbt.config.get("iterations")),
            warm_iterations=int(dbt.config.get("warm_iterations")),
            seed=int(dbt.config.get("seed")),
        ),
        recent_weeks=int(dbt.config.get("recent_weeks")),
    )
