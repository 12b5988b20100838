from pathlib import Path

from vklsvd.io.arrow import to_arrow
from vklsvd.io.export import export_submission


def model(dbt, session):
    return export_submission(
        to_arrow(dbt.ref("submission")),
        Path(dbt.config.get("submission_path")),
        list_size=int(dbt.config.get("list_size")),
        capacity=int(dbt.config.get("user_capacity")),
    )
