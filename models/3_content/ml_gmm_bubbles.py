from vklsvd.content.adapters import fit_gmm_bubbles
from vklsvd.content.bubbles import BubbleParams
from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder
from vklsvd.settings import stage_settings


def model(dbt, session):
    return fit_gmm_bubbles(
        to_arrow(dbt.ref("int_content_fit_clips")),
        stage_settings(BubbleParams, "bubble_params", dbt.config.get("bubble_params")),
        seed=int(dbt.config.get("seed")),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
