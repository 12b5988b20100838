"""dbt-duckdb plugin that prepares the warehouse before DuckDB opens it.

DuckDB creates a database file but not its folder, so a first `dbt build` on a fresh clone stopped with
"Cannot open file warehouse/vklsvd.duckdb". Before connecting, this plugin creates the folder of the
database file and the spill folder (`temp_directory`), and gives DuckDB the build's thread budget
(`vklsvd.resources.thread_budget`, env VKLSVD_THREADS) unless the profile sets `threads` itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from vklsvd.resources import thread_budget

IN_MEMORY = (":memory:", "")


def folders_to_create(database_path: str, settings: dict[str, Any]) -> list[Path]:
    """The folder of the database file (unless in memory) and the spill folder (`temp_directory` of the
    connection config or settings), when configured."""
    folders = []
    if database_path not in IN_MEMORY and not database_path.startswith(("md:", "motherduck:")):
        folders.append(Path(database_path).expanduser().resolve().parent)
    spill = str(settings.get("temp_directory") or "")
    if spill:
        folders.append(Path(spill).expanduser().resolve())
    return folders


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        settings = {**(creds.settings or {}), **config}
        for folder in folders_to_create(str(creds.path), settings):
            folder.mkdir(parents=True, exist_ok=True)
        if "threads" not in settings:
            config["threads"] = thread_budget()
