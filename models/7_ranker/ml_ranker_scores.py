from vklsvd.io.arrow import stream_batches, to_arrow
from vklsvd.ranking.adapters import score_target_pairs


def model(dbt, session):
    targets = dbt.ref("ranker_feature_matrix").filter("is_target_week")
    return score_target_pairs(
        to_arrow(dbt.ref("ml_ranker_model")),
        stream_batches(targets, int(dbt.config.get("batch_rows"))),
    )
