from vklsvd.io.arrow import to_arrow
from vklsvd.retrieval.adapters import collaborative_candidates
from vklsvd.retrieval.hnsw import HnswParams


def model(dbt, session):
    return collaborative_candidates(
        to_arrow(dbt.ref("ml_user_item_factors").filter("side in ('user', 'clip')")),
        k=int(dbt.config.get("candidates_k")),
        params=HnswParams(
            m=int(dbt.config.get("m")),
            ef_construction=int(dbt.config.get("ef_construction")),
            ef_search=int(dbt.config.get("ef_search")),
            seed=int(dbt.config.get("seed")),
            target_recall=float(dbt.config.get("target_recall")),
            max_ef_search=int(dbt.config.get("max_ef_search")),
        ),
        recall_queries=int(dbt.config.get("recall_queries")),
        max_exact_products=int(dbt.config.get("max_exact_products")),
    )
