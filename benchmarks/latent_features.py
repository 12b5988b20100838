"""Which missing signal costs the ranker most: the warehouse's ranker refitted with one of the generator's
latent quantities as an extra feature. A test-bed experiment on generated data, never in the product.

Usage (from the repository root, after a build of a warehouse with a labelled target week)::

    .venv/bin/python benchmarks/latent_features.py --warehouse warehouse/vklsvd.duckdb \\
        --output benchmarks/results/latent_features/demo.md
    .venv/bin/python benchmarks/latent_features.py --warehouse W --shape sparse --scale 5 --seed 5 --output F

The world options are ``vklsvd generate``'s and must be the ones the warehouse's dataset was written with
(the world is rebuilt from them; a user or clip of the warehouse the world does not know stops the run).
Every training and target-week pair gets, from the world:

- ``activity``: the user's mean impressions a week;
- ``propensity``: the user's engagement bias;
- ``interest_match``: the user's topic mix against the clip's (the topic term of the generator's
  affinity);
- ``favourite_author``: whether the clip's author is one of the user's favourite authors;
- ``clip_quality`` and ``clip_popularity``: the clip's own, which no model can know of a new clip
  (the controls: what the week's reception is worth).

The ranker is fitted as ``ml_ranker_model`` fits it (the saved parameters, the same held-out clips
stopping it early) once on the build's features and once more with each quantity added, and each target
clip's candidates are ranked by the scores (NDCG@100 against every positive user of the clip, no
capacity: the ranking quality alone, as benchmarks/ranker_settings.py measures it). A row's gain over
the first is what that signal, known exactly, is worth to this ranker on this world: where it is large,
a better estimator of it from the data is where the ranker can still learn.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from vklsvd.cli import add_world_arguments, existing_warehouse, world_config, world_option_words
from vklsvd.id_map import IdMap
from vklsvd.io.arrow import arrow_schema, column, row_count, stream_batches
from vklsvd.io.artifacts import publish_report
from vklsvd.ranking.metrics import candidate_ndcg
from vklsvd.ranking.ranker import feature_matrix, fit_ranker, load_saved_ranker, read_training_pairs
from vklsvd.resources import thread_budget
from vklsvd.synthetic.world import SyntheticWorld, build_world

BATCH_ROWS = 100_000
LATENTS = ("activity", "propensity", "interest_match", "favourite_author", "clip_quality", "clip_popularity")


def _column_name(latent: str) -> str:
    return f"latent_{latent}"


class WorldLookup:
    """The world's rows of the warehouse's user and clip ids."""

    def __init__(self, world: SyntheticWorld) -> None:
        self.world = world
        self.users = IdMap.of(world.user_ids)
        self.items = IdMap.of(world.item_ids)

    def rows(self, user_id: np.ndarray, item_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        users, items = self.users.rows(user_id), self.items.rows(item_id)
        if (users < 0).any() or (items < 0).any():
            raise SystemExit(
                "error: the world options do not reproduce the warehouse's dataset: "
                f"{int((users < 0).sum())} users and {int((items < 0).sum())} clips are not in the world; "
                "pass the options of `vklsvd generate` the dataset was written with"
            )
        return users, items

    def values(self, user_id: np.ndarray, item_id: np.ndarray) -> dict[str, np.ndarray]:
        """Each latent quantity of the pairs (user_id[i], item_id[i]), as float32."""
        world = self.world
        users, items = self.rows(user_id, item_id)
        author = world.item_author[items]
        values = {
            "activity": world.user_activity[users],
            "propensity": world.user_propensity[users],
            "interest_match": np.einsum("ij,ij->i", world.user_interest[users], world.item_topics[items]),
            "favourite_author": (world.user_favourite_authors[users] == author[:, None]).any(axis=1),
            "clip_quality": world.item_quality[items],
            "clip_popularity": world.item_popularity[items],
        }
        return {name: np.asarray(value, dtype=np.float32) for name, value in values.items()}


def with_latents(batches: Iterable[pa.RecordBatch], lookup: WorldLookup) -> Iterator[pa.RecordBatch]:
    """The batches with one float column per latent quantity appended."""
    for batch in batches:
        values = lookup.values(column(batch, "user_id", np.uint32), column(batch, "item_id", np.uint32))
        yield pa.RecordBatch.from_arrays(
            [*batch.columns, *(pa.array(values[latent]) for latent in LATENTS)],
            names=[*batch.schema.names, *(_column_name(latent) for latent in LATENTS)],
        )


def _schema_with_latents(schema: pa.Schema) -> pa.Schema:
    return pa.schema([*schema, *(pa.field(_column_name(latent), pa.float32()) for latent in LATENTS)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse", type=existing_warehouse, required=True, help="a warehouse built with target week 25"
    )
    parser.add_argument("--output", type=Path, help="markdown report to write (default: print only)")
    add_world_arguments(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    lookup = WorldLookup(build_world(world_config(args)))
    threads = thread_budget()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    con.execute(f"set threads = {threads}")
    path, sha256 = con.sql("select path, sha256 from ml_ranker_model").fetchone()
    params = load_saved_ranker(path, sha256).params
    training = con.table("ranker_training_rows")
    pairs = read_training_pairs(
        with_latents(stream_batches(training, BATCH_ROWS), lookup),
        _schema_with_latents(arrow_schema(training)),
        row_count(training),
        params,
    )
    targets = con.sql(
        "select p.*, l.user_id is not null as is_relevant from ranker_feature_matrix as p "
        "left join int_target_labels as l on p.item_id = l.item_id and p.user_id = l.user_id "
        "where p.is_target_week"
    )
    items, relevant, matrices = [], [], []
    for batch in with_latents(stream_batches(targets, BATCH_ROWS), lookup):
        items.append(column(batch, "item_id", np.uint32))
        relevant.append(column(batch, "is_relevant", bool))
        matrices.append(feature_matrix(batch, pairs.names))
    item_id, is_relevant, matrix = np.concatenate(items), np.concatenate(relevant), np.concatenate(matrices)
    del matrices
    positives = dict(con.sql("select item_id, count(*) from int_target_labels group by item_id").fetchall())
    n_users = int(con.sql("select count(*) from int_users_sampled").fetchone()[0])
    con.close()

    rows = []
    for added in (None, *LATENTS):
        left_out = [_column_name(latent) for latent in LATENTS if latent != added]
        variant = pairs.restricted(left_out=left_out)
        fitted = time.perf_counter()
        trained = fit_ranker(variant, params, threads=threads)
        seconds = time.perf_counter() - fitted
        used = [pairs.names.index(name) for name in variant.names]
        trained.booster.set_param({"nthread": threads})
        scores = trained.booster.inplace_predict(matrix[:, used]).astype(np.float64)
        ndcg = candidate_ndcg(item_id, is_relevant, scores, positives, params.eval_at)
        rows.append(
            (added or "none (the build's features)", trained.trees, seconds, trained.holdout_ndcg, ndcg)
        )
        print(f"{rows[-1][0]}: {trained.trees} trees, {seconds:.0f} s, target NDCG {ndcg:.4f}", flush=True)

    world_words = world_option_words(args)
    base = rows[0][4]
    lines = [
        "# The ranker with one latent quantity of the generator as an extra feature",
        "",
        f"Command: `python benchmarks/latent_features.py --warehouse WAREHOUSE {' '.join(world_words)}`",
        "",
        f"- Data: {n_users:,} users; {pairs.n_rows:,} training pairs of {np.unique(pairs.query_ids).size:,} "
        f"clips, {len(pairs.names) - len(LATENTS)} build features; {item_id.size:,} target pairs of "
        f"{np.unique(item_id).size:,} clips ({len(positives):,} with a positive user).",
        f"- {time.perf_counter() - started:.0f} s on {platform.machine()} with Python "
        f"{platform.python_version()}, {threads} threads; the ranker's saved parameters.",
        "",
        "| extra feature | trees | fit (s) | held-out NDCG@100 | target NDCG@100 (candidates, no capacity) "
        "| gain |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for index, (name, trees, seconds, held_out, ndcg) in enumerate(rows):
        gain = f"{ndcg - base:+.4f}" if index else ""
        lines.append(f"| {name} | {trees} | {seconds:.0f} | {held_out:.4f} | {ndcg:.4f} | {gain} |")
    report = "\n".join(lines) + "\n"
    publish_report(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
