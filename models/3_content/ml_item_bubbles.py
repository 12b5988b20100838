from vklsvd.content.adapters import item_bubbles
from vklsvd.io.arrow import to_arrow


def model(dbt, session):
    return item_bubbles(
        to_arrow(dbt.ref("ml_gmm_bubbles")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        top=int(dbt.config.get("top_components")),
    )
