from vklsvd.io.arrow import to_arrow
from vklsvd.run_config import artifact_hashes, run_config_table


def model(dbt, session):
    trained = {
        "ml_gmm_bubbles": dbt.ref("ml_gmm_bubbles"),
        "ml_semantic_codebooks": dbt.ref("ml_semantic_codebooks"),
        "ml_hnsw_user_index": dbt.ref("ml_hnsw_user_index"),
        "ml_ranker_model": dbt.ref("ml_ranker_model"),
        "ml_submission_export": dbt.ref("ml_submission_export"),
    }
    return run_config_table(
        to_arrow(dbt.ref("run_vars")),
        artifacts=artifact_hashes({name: to_arrow(relation) for name, relation in trained.items()}),
    )
