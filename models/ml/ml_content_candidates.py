from vklsvd.arrow_io import to_arrow
from vklsvd.steps import content_candidates


def model(dbt, session):
    profiles = to_arrow(dbt.ref("ml_user_content_profiles"))
    target_items = to_arrow(dbt.ref("int_target_items"))
    return content_candidates(profiles, target_items, int(dbt.config.get("candidates_per_item")))
