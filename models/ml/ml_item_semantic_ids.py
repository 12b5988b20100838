from vklsvd.arrow_io import to_arrow
from vklsvd.steps import item_semantic_ids


def model(dbt, session):
    return item_semantic_ids(
        to_arrow(dbt.ref("ml_semantic_codebooks")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
    )
