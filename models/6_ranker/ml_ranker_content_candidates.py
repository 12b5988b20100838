from vklsvd.io.arrow import to_arrow
from vklsvd.ranking.adapters import as_of_content_candidates


def model(dbt, session):
    return as_of_content_candidates(
        to_arrow(dbt.ref("ml_user_content_profiles")),
        to_arrow(dbt.ref("ranker_clips")),
        k=int(dbt.config.get("k")),
    )
