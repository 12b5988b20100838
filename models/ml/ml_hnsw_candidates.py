from vklsvd.arrow_io import to_arrow
from vklsvd.steps import hnsw_candidates


def model(dbt, session):
    return hnsw_candidates(to_arrow(dbt.ref("ml_hnsw_user_index")), to_arrow(dbt.ref("int_target_items")))
