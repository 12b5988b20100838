from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder
from vklsvd.retrieval.adapters import build_user_hnsw_index
from vklsvd.retrieval.hnsw import HnswParams
from vklsvd.settings import stage_settings


def model(dbt, session):
    return build_user_hnsw_index(
        to_arrow(dbt.ref("ml_user_content_profiles")),
        to_arrow(dbt.ref("ml_user_interests")),
        to_arrow(dbt.ref("int_as_of_clips")),
        k=int(dbt.config.get("candidates_k")),
        params=stage_settings(
            HnswParams, "hnsw_params", dbt.config.get("hnsw_params"), seed=int(dbt.config.get("seed"))
        ),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
