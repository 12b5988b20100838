from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder
from vklsvd.retrieval.adapters import build_user_hnsw_index
from vklsvd.retrieval.hnsw import HnswParams


def model(dbt, session):
    kinds = dbt.config.get("profile_kinds")
    return build_user_hnsw_index(
        to_arrow(dbt.ref("ml_user_content_profiles")),
        to_arrow(dbt.ref("ml_user_interests")),
        to_arrow(dbt.ref("int_as_of_clips")),
        kinds=[str(kind) for kind in kinds],
        k=int(dbt.config.get("candidates_k")),
        overfetch=int(dbt.config.get("overfetch")),
        params=HnswParams(
            m=int(dbt.config.get("m")),
            ef_construction=int(dbt.config.get("ef_construction")),
            ef_search=int(dbt.config.get("ef_search")),
            seed=int(dbt.config.get("seed")),
            target_recall=float(dbt.config.get("target_recall")),
            max_ef_search=int(dbt.config.get("max_ef_search")),
        ),
        recall_queries=int(dbt.config.get("recall_queries")),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
