"""Assignment under a binding user capacity: greedy, round robin, expected-NDCG prices and the exact
optimum, scored on the held-out week of a built warehouse.

Usage (from the repository root, on a warehouse built with target week 25)::

    .venv/bin/python benchmarks/assignment.py --warehouse warehouse/vklsvd.duckdb \\
        --output benchmarks/results/assignment/demo.md
    # with the generator's own probabilities beside the ranker's (the world options of `vklsvd generate`)
    .venv/bin/python benchmarks/assignment.py --warehouse W --oracle-replicates 32 --shape sparse --scale 1 \\
        --seed 5 --output benchmarks/results/assignment/sparse_100k.md

Every ranking of the submission's target clips is a set of lists of `list_size` distinct users under the
per-user capacity (`vklsvd.ranking.assignment`); which pairs fill them is the decision when popular
users are wanted by more clips than their capacity. For the ranker's scored pairs (and, with
``--oracle-replicates``, the generator's engagement probabilities of the same pairs,
:mod:`vklsvd.synthetic.oracle`), the report scores with the week's labels:

- **uncapped**: each clip's best list_size users, no capacity (what the cap costs);
- **greedy**: by score (`score`, the submission's); **round robin**: by rank within the clip
  (`round_robin`); **expected NDCG**: the priced gains of `vklsvd.ranking.expected_dcg` (`expected_dcg`);
- **exact**: the optimum of the objective the prices relax (the sum over chosen pairs of
  p(u, c) / IDCG_c, each clip at most list_size users, each user at most `capacity` clips): a
  transportation problem, solved as a linear programme (HiGHS; its constraint matrix is totally
  unimodular, so the optimum is whole pairs). It runs on a seeded sample of ``--exact-clips`` clips with
  the capacity scaled by the sample's share (so the cap binds about as hard), where every other strategy
  runs again for a like-for-like comparison.

Columns: NDCG@list_size over the labelled clips, with every clip and on the sample; on the sample the
objective as a share of the exact optimum; the users the capacity filled.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from vklsvd.cli import add_world_arguments, existing_warehouse, world_config, world_option_words
from vklsvd.io.artifacts import publish_report
from vklsvd.ranking.assignment import Assignment, assign_by_strategy, assign_with_capacity
from vklsvd.ranking.expected_dcg import expected_gains
from vklsvd.ranking.metrics import ranked_ndcg
from vklsvd.synthetic.oracle import engagement_probabilities

SAMPLE_SEED = 0
STRATEGIES = {
    "greedy (the submission's)": "score",
    "round robin": "round_robin",
    "expected NDCG": "expected_dcg",
}
SUBMISSION_STRATEGY = "greedy (the submission's)"  # ml_assignments' strategy: "score"


def _keys(item_id: np.ndarray, user_id: np.ndarray) -> np.ndarray:
    return item_id.astype(np.uint64) << np.uint64(32) | user_id.astype(np.uint64)


def _column(con: duckdb.DuckDBPyConnection, sql: str, name: str, dtype: type) -> np.ndarray:
    return con.sql(sql).to_arrow_table().column(name).to_numpy().astype(dtype)


@dataclass(frozen=True)
class Scores:
    """Scored (clip, user) pairs: `score` orders them, `probability` is what expected NDCG reads."""

    item_id: np.ndarray
    user_id: np.ndarray
    score: np.ndarray
    probability: np.ndarray

    def restricted(self, clips: np.ndarray) -> Scores:
        keep = np.isin(self.item_id, clips)
        return Scores(self.item_id[keep], self.user_id[keep], self.score[keep], self.probability[keep])


class Warehouse:
    """What the benchmark reads from a built warehouse."""

    def __init__(self, path: Path) -> None:
        with duckdb.connect(str(path), read_only=True) as con:
            variables = {
                n: json.loads(v) for n, v in con.execute("select name, value from run_vars").fetchall()
            }
            self.target_week = int(variables["target_week"])
            self.list_size = int(variables["list_size"])
            self.capacity = int(variables["user_capacity"])
            self.seed = int(variables["sample_seed"])
            self.clips = np.unique(_column(con, "select item_id from int_target_clips", "item_id", np.uint32))
            self.fill_users = _column(
                con, "select user_id from int_fill_users order by priority", "user_id", np.uint32
            )
            scored = con.sql(
                "select item_id, user_id, score, probability from ml_ranker_scores"
            ).to_arrow_table()
            self.ranker = Scores(
                *(scored.column(n).to_numpy().astype(t) for n, t in _SCORE_COLUMNS),
            )
            labels = con.sql("select item_id, user_id from int_target_labels").to_arrow_table()
            self.label_keys = np.unique(
                _keys(labels.column("item_id").to_numpy(), labels.column("user_id").to_numpy())
            )
            self.n_users = int(con.sql("select count(*) from int_users_sampled").fetchone()[0])
            (self.submission_ndcg,) = con.sql(
                "select ndcg from eval_summary where ranking = 'submission'"
            ).fetchone()


_SCORE_COLUMNS = (
    ("item_id", np.uint32),
    ("user_id", np.uint32),
    ("score", np.float64),
    ("probability", np.float64),
)


def _ndcg(assignment: Assignment, label_keys: np.ndarray, list_size: int) -> float:
    """Mean NDCG@list_size over the assignment's clips that have labels (every relevant user counted)."""
    relevant = np.isin(_keys(assignment.item_id, assignment.user_id), label_keys)
    label_items = (label_keys >> np.uint64(32)).astype(np.uint32)
    clips, n_relevant = np.unique(label_items[np.isin(label_items, assignment.item_id)], return_counts=True)
    listed = np.unique(assignment.item_id)
    per_clip = np.zeros(listed.size, dtype=np.int64)
    per_clip[np.searchsorted(listed, clips)] = n_relevant
    groups, values = ranked_ndcg(
        assignment.item_id, -assignment.position.astype(np.float64), relevant, list_size, per_clip
    )
    return float(values.mean()) if groups.size else float("nan")


def _objective(assignment: Assignment, scores: Scores, list_size: int) -> float:
    """The sum of p(u, c) / IDCG_c over the assignment's pairs that were scored (fills add nothing)."""
    gains = expected_gains(scores.item_id, scores.probability, list_size)
    chosen = np.isin(_keys(scores.item_id, scores.user_id), _keys(assignment.item_id, assignment.user_id))
    return float(gains[chosen].sum())


def _assign(
    scores: Scores,
    strategy: str,
    clips: np.ndarray,
    fill: np.ndarray,
    list_size: int,
    capacity: int,
    seed: int,
) -> Assignment:
    """The production assignment of `scores` by `strategy`, as ml_assignments runs it."""
    return assign_by_strategy(
        clips,
        scores.item_id,
        scores.user_id,
        scores.score,
        fill,
        strategy,
        list_size=list_size,
        capacity=capacity,
        seed=seed,
        probability=scores.probability,
    )


def _exact(
    scores: Scores, clips: np.ndarray, fill: np.ndarray, list_size: int, capacity: int, seed: int
) -> tuple[Assignment, float]:
    """The pairs that maximise the summed expected gains under the capacity (a linear programme whose
    vertices are whole pairs), listed by probability; and the solver's seconds."""
    gains = expected_gains(scores.item_id, scores.probability, list_size)
    _, clip_row = np.unique(scores.item_id, return_inverse=True)
    _, user_row = np.unique(scores.user_id, return_inverse=True)
    n = gains.size
    columns = np.arange(n)
    constraints = sp.vstack(
        (
            sp.csr_matrix((np.ones(n), (clip_row, columns))),
            sp.csr_matrix((np.ones(n), (user_row, columns))),
        )
    ).tocsr()
    bounds = np.r_[np.full(clip_row.max() + 1, list_size), np.full(user_row.max() + 1, capacity)]
    started = time.perf_counter()
    solved = linprog(-gains, A_ub=constraints, b_ub=bounds, bounds=(0, 1), method="highs")
    seconds = time.perf_counter() - started
    if solved.status != 0:
        raise SystemExit(f"error: the exact assignment's linear programme failed: {solved.message}")
    if np.abs(solved.x - np.rint(solved.x)).max() > 1e-6:
        raise SystemExit(
            "error: the linear programme's optimum is fractional; the problem is not a transportation one"
        )
    chosen = solved.x > 0.5
    # the chosen pairs respect every constraint, so the greedy takes all of them; fills complete the lists
    assignment = assign_with_capacity(
        clips,
        scores.item_id[chosen],
        scores.user_id[chosen],
        scores.probability[chosen],
        fill,
        list_size=list_size,
        capacity=capacity,
        seed=seed,
        tiebreak=scores.score[chosen],
    )
    return assignment, seconds


def _full_users(assignment: Assignment, capacity: int) -> int:
    return int(
        np.count_nonzero(np.bincount(np.unique(assignment.user_id, return_inverse=True)[1]) >= capacity)
    )


@dataclass(frozen=True)
class Row:
    strategy: str
    ndcg_all: float
    ndcg_sample: float
    objective_share: float
    full_users: int


def _rows(
    warehouse: Warehouse, scores: Scores, sample: np.ndarray, sample_capacity: int
) -> tuple[list[Row], float]:
    k, seed, fill = warehouse.list_size, warehouse.seed, warehouse.fill_users
    sampled = scores.restricted(sample)
    exact, seconds = _exact(sampled, sample, fill, k, sample_capacity, seed)
    best = _objective(exact, sampled, k)
    rows = []
    uncapped = warehouse.clips.size  # every clip may take every user
    for name, strategy, capacity_all, capacity_sample in [
        ("uncapped", "score", uncapped, uncapped),
        *((name, strategy, warehouse.capacity, sample_capacity) for name, strategy in STRATEGIES.items()),
    ]:
        everywhere = _assign(scores, strategy, warehouse.clips, fill, k, capacity_all, seed)
        on_sample = _assign(sampled, strategy, sample, fill, k, capacity_sample, seed)
        rows.append(
            Row(
                name,
                _ndcg(everywhere, warehouse.label_keys, k),
                _ndcg(on_sample, warehouse.label_keys, k),
                _objective(on_sample, sampled, k) / best,
                _full_users(everywhere, warehouse.capacity) if capacity_all == warehouse.capacity else 0,
            )
        )
    rows.append(Row("exact (sample only)", float("nan"), _ndcg(exact, warehouse.label_keys, k), 1.0, 0))
    return rows, seconds


def _oracle_scores(args: argparse.Namespace, warehouse: Warehouse) -> Scores:
    """The generator's engagement probabilities of the ranker's scored pairs (0 where no redraw showed
    the pair), as both score and probability."""
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        signals = json.loads(
            con.execute("select value from run_vars where name = 'positive_signals'").fetchone()[0]
        )
    oracle = engagement_probabilities(
        world_config(args), warehouse.target_week, replicates=args.oracle_replicates, positive_signals=signals
    )
    known = _keys(oracle.item_id, oracle.user_id)
    order = np.argsort(known)
    pairs = _keys(warehouse.ranker.item_id, warehouse.ranker.user_id)
    at = np.minimum(np.searchsorted(known[order], pairs), known.size - 1)
    found = known[order][at] == pairs
    probability = np.where(found, oracle.probability[order][at], 0.0)
    return Scores(warehouse.ranker.item_id, warehouse.ranker.user_id, probability, probability)


def _report(
    args: argparse.Namespace,
    warehouse: Warehouse,
    sample: np.ndarray,
    sample_capacity: int,
    tables: dict[str, tuple[list[Row], float]],
    seconds: float,
) -> str:
    world = world_option_words(args)
    command = f"--exact-clips {args.exact_clips} --oracle-replicates {args.oracle_replicates}"
    if args.oracle_replicates:
        command += " " + " ".join(world)
    lines = [
        "# Assignment under the user capacity",
        "",
        f"Command: `python benchmarks/assignment.py --warehouse WAREHOUSE {command}`",
        "",
        f"- Data: {warehouse.n_users:,} users, {warehouse.clips.size:,} target clips of week "
        f"{warehouse.target_week}, {warehouse.ranker.item_id.size:,} scored pairs, "
        f"{warehouse.label_keys.size:,} relevant pairs; lists of {warehouse.list_size}, capacity "
        f"{warehouse.capacity}.",
        f"- Sample for the exact optimum: {sample.size:,} clips (seed {SAMPLE_SEED}), capacity scaled to "
        f"{sample_capacity}.",
        f"- {seconds:.0f} s on {platform.machine()} with Python {platform.python_version()}.",
    ]
    for scores_name, (rows, solver_seconds) in tables.items():
        lines += [
            "",
            f"## {scores_name}",
            "",
            f"Exact optimum solved in {solver_seconds:.1f} s.",
            "",
            "| assignment | NDCG@k, every clip | NDCG@k, sample | objective on the sample, share of optimum "
            "| users at capacity |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            everywhere = "" if np.isnan(row.ndcg_all) else f"{row.ndcg_all:.4f}"
            full = f"{row.full_users:,}" if row.full_users else ""
            share = f"{row.objective_share:.1%}"
            lines.append(f"| {row.strategy} | {everywhere} | {row.ndcg_sample:.4f} | {share} | {full} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse", required=True, type=existing_warehouse, help="a warehouse built with target week 25"
    )
    parser.add_argument(
        "--exact-clips",
        type=int,
        default=500,
        help="target clips sampled for the exact optimum (default 500)",
    )
    parser.add_argument(
        "--oracle-replicates",
        type=int,
        default=0,
        help="redraws of the week for the generator's probabilities (default 0: the ranker's only)",
    )
    parser.add_argument("--output", type=Path, help="markdown report to write (default: print only)")
    add_world_arguments(parser)
    args = parser.parse_args(argv)
    if args.exact_clips < 1:
        parser.error("--exact-clips must be at least 1")
    warehouse = Warehouse(args.warehouse)
    if warehouse.label_keys.size == 0:
        raise SystemExit(f"error: the warehouse's target week {warehouse.target_week} has no labels to score")
    started = time.perf_counter()
    rng = np.random.default_rng(SAMPLE_SEED)
    take = min(args.exact_clips, warehouse.clips.size)
    sample = np.sort(rng.choice(warehouse.clips, size=take, replace=False))
    sample_capacity = max(1, round(warehouse.capacity * take / warehouse.clips.size))
    ranker = _rows(warehouse, warehouse.ranker, sample, sample_capacity)
    submission = next(row for row in ranker[0] if row.strategy == SUBMISSION_STRATEGY).ndcg_all
    if abs(submission - warehouse.submission_ndcg) > 1e-9:
        raise SystemExit(
            f"error: the submission's assignment ({SUBMISSION_STRATEGY}) scores {submission:.6f} here, "
            f"the warehouse's submission {warehouse.submission_ndcg:.6f}: the benchmark does not reproduce "
            "ml_assignments"
        )
    tables = {"The ranker's scores and calibrated probabilities": ranker}
    if args.oracle_replicates:
        oracle = _oracle_scores(args, warehouse)
        tables["The generator's probabilities of the same pairs"] = _rows(
            warehouse, oracle, sample, sample_capacity
        )
    report = _report(args, warehouse, sample, sample_capacity, tables, time.perf_counter() - started)
    publish_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
