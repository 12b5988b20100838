"""Facts of the dataset and of the warehouse that SQL and Python share.

SQL reads the same lists through vars (`dataset_signals`, `profile_kinds` in dbt_project.yml);
tests/test_project_structure.py fails when the two disagree.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

#: Every feedback signal of an impression, in the files' column order.
SIGNALS: Final = ("like", "dislike", "share", "bookmark", "click_on_author", "open_comments")

#: User content profile kind -> the history column that weighs each event for it.
PROFILE_WEIGHTS: Final = {
    "watched": "watch_fraction",
    "timespent": "timespent",
    "positive": "is_positive",
    "negative": "is_negative",
}
PROFILE_KINDS: Final = tuple(PROFILE_WEIGHTS)
#: The kind of the multi-interest vectors when they stand next to profiles (HNSW index labels).
INTEREST_KIND: Final = "interest"

#: Weekly interaction files, exact dtypes.
INTERACTIONS_SCHEMA: Final = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("item_id", pa.uint32()),
        ("place", pa.uint8()),
        ("platform", pa.uint8()),
        ("agent", pa.uint8()),
        ("timespent", pa.uint8()),
        *[(name, pa.bool_()) for name in SIGNALS],
    ]
)
USERS_METADATA_SCHEMA: Final = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("age", pa.uint8()),
        ("gender", pa.uint8()),
        ("geo", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)
ITEMS_METADATA_SCHEMA: Final = pa.schema(
    [
        ("item_id", pa.uint32()),
        ("author_id", pa.uint32()),
        ("duration", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)
#: The challenge's submission file (and the template of target clips).
SUBMISSION_SCHEMA: Final = pa.schema([("item_id", pa.uint32()), ("user_id", pa.list_(pa.uint32()))])
#: Dimensions of an item content embedding in the dataset.
EMBEDDING_DIM: Final = 64
