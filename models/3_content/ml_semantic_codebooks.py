from vklsvd.content.adapters import fit_semantic_codebooks
from vklsvd.content.semantic_ids import SemanticIdParams
from vklsvd.io.arrow import to_arrow
from vklsvd.io.artifacts import artifacts_folder
from vklsvd.settings import stage_settings


def model(dbt, session):
    return fit_semantic_codebooks(
        to_arrow(dbt.ref("int_content_fit_clips")),
        stage_settings(SemanticIdParams, "semantic_id_params", dbt.config.get("semantic_id_params")),
        seed=int(dbt.config.get("seed")),
        artifacts_dir=artifacts_folder(dbt.config.get("artifacts_dir"), session),
    )
