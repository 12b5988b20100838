from vklsvd.collaborative.factors import CollaborativeParams
from vklsvd.io.arrow import to_arrow
from vklsvd.retrieval.adapters import collaborative_candidates
from vklsvd.retrieval.hnsw import HnswParams
from vklsvd.settings import stage_settings


def model(dbt, session):
    collaborative = stage_settings(CollaborativeParams, "cf_params", dbt.config.get("cf_params"))
    return collaborative_candidates(
        to_arrow(dbt.ref("ml_user_clip_factors").filter("side in ('user', 'clip')")),
        k=int(dbt.config.get("candidates_k")),
        params=stage_settings(
            HnswParams, "hnsw_params", dbt.config.get("hnsw_params"), seed=int(dbt.config.get("seed"))
        ),
        max_exact_products=collaborative.exact_search_max_products,
    )
