from vklsvd.io.arrow import arrow_schema, row_count, stream_batches, to_arrow
from vklsvd.ranking.adapters import ablation_assignments


def model(dbt, session):
    training = dbt.ref("ranker_training_rows")
    targets = dbt.ref("ranker_feature_matrix").filter("is_target_week")
    batch_rows = int(dbt.config.get("batch_rows"))
    families = dbt.config.get("families")
    return ablation_assignments(
        to_arrow(dbt.ref("ml_ranker_model")),
        lambda: stream_batches(training, batch_rows),
        arrow_schema(training),
        row_count(training),
        lambda: stream_batches(targets, batch_rows),
        to_arrow(dbt.ref("int_target_clips")),
        to_arrow(dbt.ref("int_fill_users")),
        families={str(name): [str(p) for p in patterns] for name, patterns in dict(families or {}).items()},
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
        seed=int(dbt.config.get("seed")),
        max_training_pairs=int(dbt.config.get("max_training_pairs")),
    )
