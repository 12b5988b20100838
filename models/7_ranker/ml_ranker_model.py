from vklsvd.io.arrow import arrow_schema, row_count, stream_batches
from vklsvd.io.artifacts import artifacts_folder
from vklsvd.ranking.adapters import train_ranker_model
from vklsvd.ranking.ranker import RankerParams
from vklsvd.resources import released_after
from vklsvd.settings import stage_settings


def model(dbt, session):
    pairs = dbt.ref("ranker_training_rows")
    return train_ranker_model(
        released_after(stream_batches(pairs, int(dbt.config.get("batch_rows"))), session),
        arrow_schema(pairs),
        row_count(pairs),
        stage_settings(
            RankerParams,
            "ranker_params",
            dbt.config.get("ranker_params"),
            seed=int(dbt.config.get("seed")),
            eval_at=int(dbt.config.get("list_size")),
        ),
        artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
