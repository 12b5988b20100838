"""What XGBoost settings cost and buy: the ranker refitted on a built warehouse's training pairs under a
few variants of its parameters, timed in one run, each scored on the target week's candidates.

Usage (from the repository root, after a build of a warehouse with a labelled target week)::

    .venv/bin/python benchmarks/ranker_settings.py --warehouse warehouse/vklsvd.duckdb \\
        --variant 'learning_rate=0.1,n_estimators=250,early_stopping_rounds=25' \\
        --output benchmarks/results/ranker_settings/demo.md

The first row is always the warehouse's own settings (the parameters saved with `ml_ranker_model`);
every `--variant` overrides some of them (`name=value,...`, names of `RankerParams`) and may set three
more keys: `missing=nan` (see MISSING_KEY), `max_pairs=N` trains on a seeded sample of whole training
clips within N pairs (the held-out clips stay whole: the curve of quality against training pairs), and
`fit=refit` runs the design of revision 7784ed0 and before instead of the build's one fit: a fit on the
weeks before the held-out week chooses the trees, then a second fit on every pair. Each variant
otherwise runs what `ml_ranker_model` runs (one fit on every pair but the held-out clips, which stop it
early), with the build's thread budget. The table gives, per variant, its training pairs, the trees
chosen, the fit's wall time and its ratio to the first row, the held-out NDCG@100 and the NDCG@100 of
ranking each target clip's candidates by the model's score (no capacity: the ranking quality alone,
against every positive user of the clip, as `eval_ndcg_per_clip` counts them). The variants run one
after another in one process, so the time ratios are measured under the same conditions.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import asdict, fields, replace
from pathlib import Path

import duckdb
import numpy as np

from vklsvd.cli import existing_warehouse
from vklsvd.io.arrow import arrow_schema, column, row_count, stream_batches
from vklsvd.io.artifacts import write_atomically
from vklsvd.ranking.metrics import candidate_ndcg
from vklsvd.ranking.ranker import (
    MISSING_VALUE,
    RankerParams,
    TrainedRanker,
    TrainingPairs,
    feature_matrix,
    fit_all_pairs,
    fit_ranker,
    fit_with_holdout,
    load_saved_ranker,
    read_training_pairs,
)
from vklsvd.resources import thread_budget

BATCH_ROWS = 100_000


#: Variant keys that are not RankerParams: the training sample's size, the fitting design and how null
#: feature values reach XGBoost (`sentinel`: MISSING_VALUE, as the build does; `nan`: missing, as the
#: build did until the revision after 320900c; the results `*_missing.md` were made then, with the
#: variant `missing=sentinel` against the build's NaN).
SAMPLE_KEY, FIT_KEY, MISSING_KEY = "max_pairs", "fit", "missing"


def parse_variant(text: str) -> dict[str, object]:
    """`name=value,...` as RankerParams overrides, each value cast to the field's type, plus
    `max_pairs` (int) and `fit` (`refit`)."""
    types = {field_.name: field_.type for field_ in fields(RankerParams)}
    types |= {SAMPLE_KEY: "int", FIT_KEY: "str", MISSING_KEY: "str"}
    overrides: dict[str, object] = {}
    for part in filter(None, (item.strip() for item in text.split(","))):
        name, _, value = part.partition("=")
        if name not in types or not value:
            raise SystemExit(f"--variant {text!r}: '{part}' is not name=value of {sorted(types)}")
        kind = {"int": int, "float": float}.get(str(types[name]), str)
        overrides[name] = kind(value)
    return overrides


def sampled_rows(pairs: TrainingPairs, max_pairs: int, seed: int) -> np.ndarray:
    """Rows of a seeded sample of whole training clips within `max_pairs` pairs, plus every held-out row."""
    training = pairs.restricted(np.flatnonzero(~pairs.holdout))
    kept = training.clip_sample(max_pairs, seed)
    in_sample = np.ones(training.n_rows, bool) if kept is None else np.isin(np.arange(training.n_rows), kept)
    chosen = pairs.holdout.copy()
    chosen[np.flatnonzero(~pairs.holdout)[in_sample]] = True
    return np.flatnonzero(chosen)


def refitted(pairs: TrainingPairs, params: RankerParams, threads: int) -> TrainedRanker:
    """The two-fit design: trees chosen by a fit on the weeks before the held-out week (stopped early by
    the held-out clips), then a fit of that many trees on every pair."""
    holdout_week = int(pairs.weeks[pairs.holdout].max())
    earlier = pairs.restricted(np.flatnonzero((pairs.weeks < holdout_week) | pairs.holdout))
    chosen = fit_with_holdout(earlier, params, threads)
    return fit_all_pairs(pairs, params, threads, chosen.trees)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=existing_warehouse, required=True)
    parser.add_argument("--variant", action="append", default=[], help="name=value,... (repeatable)")
    parser.add_argument("--output", type=Path, required=True)
    arguments = parser.parse_args(argv)
    threads = thread_budget()
    con = duckdb.connect(str(arguments.warehouse), read_only=True)
    con.execute(f"set threads = {threads}")
    model = con.table("ml_ranker_model").fetchall()
    columns = [description[0] for description in con.table("ml_ranker_model").description]
    described = dict(zip(columns, model[0], strict=True))
    saved = load_saved_ranker(described["path"], described["sha256"])
    base = saved.params
    training = con.table("ranker_training_rows")
    pairs = read_training_pairs(
        stream_batches(training, BATCH_ROWS), arrow_schema(training), row_count(training), base
    )
    targets = con.sql(
        "select p.*, l.user_id is not null as is_relevant from ranker_feature_matrix as p "
        "left join int_target_labels as l on p.item_id = l.item_id and p.user_id = l.user_id "
        "where p.is_target_week"
    )
    items_parts, relevant_parts, matrices = [], [], []
    for batch in stream_batches(targets, BATCH_ROWS):
        items_parts.append(column(batch, "item_id", np.uint32))
        relevant_parts.append(column(batch, "is_relevant", bool))
        matrices.append(feature_matrix(batch, pairs.names))
    items, relevant = np.concatenate(items_parts), np.concatenate(relevant_parts)
    matrix = np.concatenate(matrices)
    del matrices
    positives = dict(con.sql("select item_id, count(*) from int_target_labels group by item_id").fetchall())
    rows = []
    for label, overrides in [
        ("build settings", {}),
        *((text, parse_variant(text)) for text in arguments.variant),
    ]:
        max_pairs = overrides.pop(SAMPLE_KEY, None)
        design = overrides.pop(FIT_KEY, "single")
        if design not in ("single", "refit"):
            raise SystemExit(f"--variant {label!r}: fit must be 'single' or 'refit', got {design!r}")
        missing = overrides.pop(MISSING_KEY, "sentinel")
        if missing not in ("nan", "sentinel"):
            raise SystemExit(f"--variant {label!r}: missing must be 'nan' or 'sentinel', got {missing!r}")
        params = replace(base, **overrides)
        copy = pairs.restricted(sampled_rows(pairs, max_pairs, base.seed) if max_pairs else None)
        scored = matrix
        if missing == "nan":
            copy.features[copy.features == MISSING_VALUE] = np.nan
            scored = np.where(matrix == MISSING_VALUE, np.float32(np.nan), matrix)
        started = time.perf_counter()
        trained = (
            fit_ranker(copy, params, threads=threads)
            if design == "single"
            else refitted(copy, params, threads)
        )
        seconds = time.perf_counter() - started
        label = f"{label} ({copy.n_rows:,} pairs)"
        del copy
        trained.booster.set_param({"nthread": threads})
        scores = trained.booster.inplace_predict(scored).astype(np.float64)
        ndcg = candidate_ndcg(items, relevant, scores, positives, params.eval_at)
        rows.append((label, trained.trees, seconds, trained.holdout_ndcg, ndcg))
        print(
            f"{label}: {trained.trees} trees, {seconds:.0f} s, held-out {trained.holdout_ndcg:.4f}, "
            f"target {ndcg:.4f}"
        )
    first_seconds = rows[0][2]
    lines = [
        "# Ranker settings: cost and quality",
        "",
        "Produced by `benchmarks/ranker_settings.py` (see its docstring), one process, variants in order.",
        "",
        f"- warehouse: {arguments.warehouse.name}; {pairs.n_rows:,} training pairs of "
        f"{np.unique(pairs.query_ids).size:,} clips, {len(pairs.names)} features; {items.size:,} target "
        f"pairs of {np.unique(items).size:,} clips ({len(positives):,} with a positive user)",
        f"- machine: {platform.platform()}, {threads} threads; build settings: {asdict(base)}",
        "",
        "| settings | trees | fit (s) | time vs first | held-out NDCG@100 | target NDCG@100 (candidates) |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {trees} | {seconds:.0f} | {seconds / first_seconds:.2f} | {held:.4f} | {ndcg:.4f} |"
            for label, trees, seconds, held, ndcg in rows
        ),
        "",
    ]
    write_atomically(arguments.output, lambda target: target.write_text("\n".join(lines)))
    print(arguments.output.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
