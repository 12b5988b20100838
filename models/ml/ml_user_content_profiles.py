from vklsvd.arrow_io import to_arrow
from vklsvd.steps import user_content_profiles


def model(dbt, session):
    history = dbt.ref("int_user_history")
    embeddings = dbt.ref("stg_vklsvd__item_embeddings")
    return user_content_profiles(to_arrow(history), to_arrow(embeddings))
