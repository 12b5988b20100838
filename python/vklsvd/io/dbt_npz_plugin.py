"""dbt-duckdb source plugin: exposes `item_embeddings.npz` to SQL as a table.

DuckDB cannot read `.npz`; the plugin loads and validates it once per build and dbt-duckdb
materialises it under the source's name, so SQL and Python models read the same vectors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin

from vklsvd.io.embeddings import embeddings_to_arrow, load_item_embeddings


class Plugin(BasePlugin):
    def load(self, source_config: Any) -> pa.Table:
        location = str(source_config["npz_path"]).strip("'")
        item_id, vectors = load_item_embeddings(Path(location))
        return embeddings_to_arrow(item_id, vectors)
