from vklsvd.io.arrow import to_arrow
from vklsvd.retrieval.adapters import hnsw_candidates


def model(dbt, session):
    return hnsw_candidates(to_arrow(dbt.ref("ml_hnsw_user_index")), to_arrow(dbt.ref("int_as_of_clips")))
