from vklsvd.content.adapters import fit_semantic_codebooks
from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder


def model(dbt, session):
    sizes = dbt.config.get("sizes")
    return fit_semantic_codebooks(
        to_arrow(dbt.ref("int_content_fit_items")),
        sizes=[int(size) for size in sizes],
        seed=int(dbt.config.get("seed")),
        max_fit_items=int(dbt.config.get("max_fit_items")),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
