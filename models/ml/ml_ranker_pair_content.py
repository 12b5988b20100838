from vklsvd.arrow_io import to_arrow
from vklsvd.ranking_steps import pair_content_similarities


def model(dbt, session):
    return pair_content_similarities(
        to_arrow(dbt.ref("ranker_candidates")),
        to_arrow(dbt.ref("ml_user_content_profiles")),
        to_arrow(dbt.ref("ranker_clips")),
    )
