from vklsvd.arrow_io import to_arrow
from vklsvd.steps import item_bubbles


def model(dbt, session):
    return item_bubbles(
        to_arrow(dbt.ref("ml_gmm_bubbles")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        top=int(dbt.config.get("top_components")),
    )
