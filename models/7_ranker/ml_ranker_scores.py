from vklsvd.io.arrow import stream_batches, to_arrow
from vklsvd.ranking.adapters import score_target_pairs


def model(dbt, session):
    return score_target_pairs(
        to_arrow(dbt.ref("ml_ranker_model")),
        stream_batches(dbt.ref("ranker_pairs").filter("is_target_week"), int(dbt.config.get("batch_rows"))),
    )
