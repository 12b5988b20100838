from vklsvd.arrow_io import arrow_schema, row_count, stream_batches
from vklsvd.artifacts import artifacts_folder
from vklsvd.ranker import RankerParams
from vklsvd.ranking_steps import train_ranker_model


def model(dbt, session):
    pairs = dbt.ref("ranker_training_pairs")
    return train_ranker_model(
        stream_batches(pairs, int(dbt.config.get("batch_rows"))),
        arrow_schema(pairs),
        row_count(pairs),
        RankerParams(**dict(dbt.config.get("params")), seed=int(dbt.config.get("seed"))),
        artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
