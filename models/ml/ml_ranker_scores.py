from vklsvd.arrow_io import stream_batches, to_arrow
from vklsvd.ranking_steps import score_target_pairs


def model(dbt, session):
    return score_target_pairs(
        to_arrow(dbt.ref("ml_ranker_model")),
        stream_batches(dbt.ref("ranker_pairs").filter("is_target_week"), int(dbt.config.get("batch_rows"))),
    )
