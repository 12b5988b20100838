from vklsvd.content.adapters import clip_bubbles
from vklsvd.content.bubbles import BubbleParams
from vklsvd.io.arrow import to_arrow
from vklsvd.settings import stage_settings


def model(dbt, session):
    return clip_bubbles(
        to_arrow(dbt.ref("ml_gmm_bubbles")),
        to_arrow(dbt.ref("stg_vklsvd__item_embeddings")),
        stage_settings(BubbleParams, "bubble_params", dbt.config.get("bubble_params")),
    )
