from vklsvd.content.adapters import clip_semantic_ids
from vklsvd.io.arrow import to_arrow


def model(dbt, session):
    return clip_semantic_ids(
        to_arrow(dbt.ref("ml_semantic_codebooks")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
    )
