from vklsvd.arrow_io import to_arrow
from vklsvd.ranking_steps import score_target_pairs


def model(dbt, session):
    return score_target_pairs(
        to_arrow(dbt.ref("ml_ranker_model")),
        to_arrow(dbt.ref("ranker_pairs").filter("is_target_week")),
    )
