from vklsvd.arrow_io import to_arrow
from vklsvd.artifacts import artifacts_folder
from vklsvd.ranker import RankerParams
from vklsvd.ranking_steps import train_ranker_model


def model(dbt, session):
    params = dict(dbt.config.get("params"))
    training = dbt.ref("ranker_pairs").filter("not is_target_week")
    return train_ranker_model(
        to_arrow(training),
        RankerParams(**params, seed=int(dbt.config.get("seed"))),
        artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
