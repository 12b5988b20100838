"""Writing a synthetic dataset in the hub layout, week by week."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from vklsvd.constants import ITEMS_METADATA_SCHEMA, SIGNALS, SUBMISSION_SCHEMA, USERS_METADATA_SCHEMA
from vklsvd.io.artifacts import write_atomically, write_npz_atomically
from vklsvd.synthetic.config import (
    LAST_TRAIN_WEEK,
    PARQUET_COMPRESSION,
    TEST_WEEK,
    VALIDATION_WEEK,
    GenerationSummary,
    GeneratorConfig,
    IntArray,
)
from vklsvd.synthetic.simulation import _calibrate, _Simulator, _week_table
from vklsvd.synthetic.world import build_world


def split_of_week(week: int) -> str:
    """Hub folder of a week: train (0..24), validation (25) or test (26)."""
    if week == VALIDATION_WEEK:
        return "validation"
    if week == TEST_WEEK:
        return "test"
    return "train"


def week_path(root: Path, week: int) -> Path:
    """``<root>/interactions/<split>/week_XX.parquet``."""
    return root / "interactions" / split_of_week(week) / f"week_{week:02d}.parquet"


def _write_parquet(table: pa.Table, path: Path) -> None:
    write_atomically(path, lambda target: pq.write_table(table, target, compression=PARQUET_COMPRESSION))


def _ranks(counts: IntArray, ids: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """1 = most interactions; ties broken by ascending id."""
    order = np.lexsort((ids, -counts))
    ranks = np.empty(ids.size, dtype=np.uint32)
    ranks[order] = np.arange(1, ids.size + 1, dtype=np.uint32)
    return ranks


def _remove_stale_outputs(out_dir: Path, weeks: range) -> None:
    """Drop the completion marker and week files this run will not rewrite (from an earlier run)."""
    (out_dir / "metadata" / "items_metadata.parquet").unlink(missing_ok=True)
    wanted = {week_path(out_dir, week) for week in weeks}
    for split in ("train", "validation", "test"):
        folder = out_dir / "interactions" / split
        if folder.is_dir():
            for path in folder.glob("week_[0-9][0-9].parquet"):
                if path not in wanted:
                    path.unlink()


def generate_dataset(out_dir: Path, config: GeneratorConfig) -> GenerationSummary:
    """Write a synthetic VK-LSVD with the settings `config` (e.g. `shape_config("demo")`) into
    ``out_dir`` in the hub layout and return what was written.

    Weeks ``0..n_weeks-1`` are written (25 to ``validation/``, 26 to ``test/``, others to ``train/``);
    with fewer than 26 weeks those folders get no file. ``metadata/items_metadata.parquet`` is
    written last, so its presence means a complete dataset. The submission template lists the clips
    first seen in the last generated week (26 by default).
    """
    out_dir = Path(out_dir)
    world = build_world(config)
    simulator = _Simulator(world)
    calibration = _calibrate(world)
    weeks = range(config.n_weeks)
    _remove_stale_outputs(out_dir, weeks)

    user_train_counts = np.zeros(config.n_users, dtype=np.int64)
    item_train_counts = np.zeros(config.n_items, dtype=np.int64)
    never = np.iinfo(np.int64).max
    item_first_week = np.full(config.n_items, never, dtype=np.int64)
    signal_totals = dict.fromkeys(SIGNALS, 0)
    timespent_total = 0
    rows_per_week: list[int] = []
    files: list[Path] = []

    for week in weeks:
        rng = np.random.default_rng([config.seed, 100 + week])
        imp = simulator.draw(week, rng)
        table = _week_table(imp, world, calibration, rng)
        path = week_path(out_dir, week)
        _write_parquet(table, path)
        files.append(path)
        rows_per_week.append(table.num_rows)
        if week <= LAST_TRAIN_WEEK:
            user_train_counts += np.bincount(imp.user, minlength=config.n_users)
            item_train_counts += np.bincount(imp.item, minlength=config.n_items)
        shown = np.unique(imp.item)
        item_first_week[shown] = np.minimum(item_first_week[shown], week)
        for name in SIGNALS:
            signal_totals[name] += int(np.count_nonzero(table.column(name).to_numpy()))
        timespent_total += int(table.column("timespent").to_numpy().sum(dtype=np.int64))

    meta = out_dir / "metadata"
    user_order = np.argsort(world.user_ids, kind="stable")
    users = pa.table(
        {
            "user_id": world.user_ids[user_order],
            "age": world.user_age[user_order],
            "gender": world.user_gender[user_order],
            "geo": world.user_geo[user_order],
            "train_interactions_rank": _ranks(user_train_counts, world.user_ids)[user_order],
        },
        schema=USERS_METADATA_SCHEMA,
    )
    item_order = np.argsort(world.item_ids, kind="stable")
    items = pa.table(
        {
            "item_id": world.item_ids[item_order],
            "author_id": world.author_ids[world.item_author[item_order]],
            "duration": world.item_duration[item_order],
            "train_interactions_rank": _ranks(item_train_counts, world.item_ids)[item_order],
        },
        schema=ITEMS_METADATA_SCHEMA,
    )
    last_week = config.n_weeks - 1
    template_ids = np.sort(world.item_ids[item_first_week == last_week])
    submission = pa.table(
        {
            "item_id": pa.array(template_ids, type=pa.uint32()),
            "user_id": pa.array([[]] * template_ids.size, type=pa.list_(pa.uint32())),
        },
        schema=SUBMISSION_SCHEMA,
    )
    _write_parquet(users, meta / "users_metadata.parquet")
    write_npz_atomically(
        meta / "item_embeddings.npz",
        {"item_id": world.item_ids[item_order], "embedding": world.item_embedding[item_order]},
    )
    _write_parquet(submission, meta / "submission.parquet")
    _write_parquet(items, meta / "items_metadata.parquet")  # last: marks a complete dataset
    files += [meta / name for name in ("users_metadata.parquet", "item_embeddings.npz", "submission.parquet")]
    files.append(meta / "items_metadata.parquet")

    total_rows = int(sum(rows_per_week))
    denominator = max(total_rows, 1)
    return GenerationSummary(
        out_dir=out_dir,
        n_users=config.n_users,
        n_items=config.n_items,
        n_authors=config.n_authors,
        rows_per_week=tuple(rows_per_week),
        total_rows=total_rows,
        rates={name: signal_totals[name] / denominator for name in SIGNALS},
        mean_timespent=timespent_total / denominator,
        n_validation_target_clips=int(np.count_nonzero(item_first_week == VALIDATION_WEEK)),
        n_template_items=int(template_ids.size),
        files=tuple(files),
    )
