from vklsvd.content.adapters import fit_gmm_bubbles
from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder


def model(dbt, session):
    return fit_gmm_bubbles(
        to_arrow(dbt.ref("int_content_fit_items")),
        n_components=int(dbt.config.get("n_components")),
        covariance_type=str(dbt.config.get("covariance_type")),
        seed=int(dbt.config.get("seed")),
        max_fit_items=int(dbt.config.get("max_fit_items")),
        max_iterations=int(dbt.config.get("max_iterations")),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
