"""The ceiling of NDCG@100 on a synthetic dataset, next to what the warehouse reached on it.

Usage (from the repository root, after ``make demo``)::

    .venv/bin/python benchmarks/ceiling.py --warehouse warehouse/vklsvd.duckdb \\
        --output benchmarks/results/ceiling/demo.md
    .venv/bin/python benchmarks/ceiling.py --warehouse /tmp/w20k/vklsvd.duckdb --shape demo --scale 5 \\
        --seed 11 --output benchmarks/results/ceiling/s20k.md

The world options are ``vklsvd generate``'s and must be the ones the warehouse's dataset was generated
with: the script regenerates the target week and refuses to go on if its positive pairs differ from the
warehouse's labels.

What one run does:

1. reads the warehouse's resolved vars (``run_vars``: target week, positive signals, list size, user
   capacity), its target clips, fill users, candidates of the target week, labels and NDCG summary;
2. estimates every (target clip, user) engagement probability from the generator
   (:func:`vklsvd.synthetic.oracle.engagement_probabilities`: ``--replicates`` redraws of the target
   week from the world's state before it), twice, with the first half and with all of the replicates,
   so the report shows how far the estimate has converged;
3. assigns users to clips under the same list size and user capacity as the submission
   (:func:`vklsvd.ranking.assignment.assign_with_capacity`, greedy by probability) and scores NDCG@k
   with the reference metric (:mod:`vklsvd.ranking.metrics`), for:
   - **oracle, every user**: what a model that knew the generator could reach (the ceiling);
   - **oracle, the warehouse's candidates**: the same, restricted to the target week's candidate pairs
     (the ceiling of the ranker given the retrieval);
   - **hindsight, the warehouse's candidates**: the labels themselves among the candidates (not
     reachable by any model: it knows the week's noise; the retrieval's bound);
4. writes a markdown report: the data scale, these rows next to the warehouse's own rankings from
   ``eval_summary``, and each as a share of the ceiling.

The submission's NDCG is recomputed with the reference metric from ``eval_submission_ranked`` and must
equal the warehouse's value, so every row of the table is scored the same way.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from vklsvd.cli import (
    WORLD_OPTIONS,
    add_world_arguments,
    existing_warehouse,
    world_config,
    world_option_words,
)
from vklsvd.io.artifacts import publish_report
from vklsvd.ranking.assignment import assign_with_capacity
from vklsvd.ranking.metrics import mean_ndcg
from vklsvd.synthetic.beliefs import UNKNOWNS
from vklsvd.synthetic.oracle import EngagementOracle, engagement_probabilities

ASSIGNMENT_SEED = 0  # order of fill users where a clip's scored pairs run out
#: The decomposition's beliefs (vklsvd.synthetic.beliefs): the realistic ceiling first, then each user
#: quantity estimated from the earlier weeks on top of it, then all of them at once.
REALISTIC = ("new_clips",)
TRUE_WORLD = "the true world, the same redraws"
BELIEFS = {
    TRUE_WORLD: (),
    "new clips' quality and popularity unknown (the realistic ceiling)": REALISTIC,
    **{
        f"  + {name.replace('_', ' ')} {'at the mean' if name == 'propensity' else 'estimated'}": (
            *REALISTIC,
            name,
        )
        for name in UNKNOWNS
        if name not in REALISTIC
    },
    "  + every user quantity estimated": UNKNOWNS,
}
WAREHOUSE_RANKINGS = (
    "submission",
    "ranker_expected_dcg",
    "ranker_round_robin",
    "rrf_baseline",
    "random_users",
)


def _vars(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {
        name: json.loads(value) for name, value in con.execute("select name, value from run_vars").fetchall()
    }


def _column(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    return table.column(name).to_numpy().astype(dtype)


def _lists(item_id: np.ndarray, user_id: np.ndarray, position: np.ndarray) -> dict[int, list[int]]:
    order = np.lexsort((position, item_id))
    item_id, user_id = item_id[order], user_id[order]
    bounds = np.flatnonzero(np.r_[True, item_id[1:] != item_id[:-1], True])
    return {int(item_id[a]): user_id[a:b].tolist() for a, b in itertools.pairwise(bounds)}


def _relevant(item_id: np.ndarray, user_id: np.ndarray) -> dict[int, set[int]]:
    return {item: set(users) for item, users in _lists(item_id, user_id, np.zeros(item_id.size)).items()}


def _pair_keys(item_id: np.ndarray, user_id: np.ndarray) -> np.ndarray:
    return item_id.astype(np.uint64) << np.uint64(32) | user_id.astype(np.uint64)


class Warehouse:
    """What the benchmark reads from a built warehouse."""

    def __init__(self, path: Path) -> None:
        con = duckdb.connect(str(path), read_only=True)
        try:
            self.vars = _vars(con)
            self.target_week = int(self.vars["target_week"])
            self.target_clips = _column(
                con.sql("select item_id from int_target_clips").to_arrow_table(), "item_id", np.uint32
            )
            fill = con.sql("select user_id from int_fill_users order by priority").to_arrow_table()
            self.fill_users = _column(fill, "user_id", np.uint32)  # by priority, as the assignment takes them
            self.users = np.unique(self.fill_users)  # every sampled user, sorted
            candidates = con.sql(
                f"select distinct item_id, user_id from candidates where as_of_week = {self.target_week}"
            ).to_arrow_table()
            self.candidate_keys = np.unique(
                _pair_keys(
                    _column(candidates, "item_id", np.uint32), _column(candidates, "user_id", np.uint32)
                )
            )
            labels = con.sql("select item_id, user_id from int_target_labels").to_arrow_table()
            self.label_item = _column(labels, "item_id", np.uint32)
            self.label_user = _column(labels, "user_id", np.uint32)
            ranked = con.sql("select item_id, user_id, position from eval_submission_ranked").to_arrow_table()
            self.submission = _lists(
                _column(ranked, "item_id", np.uint32),
                _column(ranked, "user_id", np.uint32),
                _column(ranked, "position", np.int64),
            )
            summary = con.sql("select ranking, ndcg, clips_scored from eval_summary").fetchall()
            self.summary = {ranking: (float(ndcg), int(clips)) for ranking, ndcg, clips in summary}
            self.n_users = int(con.sql("select count(*) from int_users_sampled").fetchone()[0])
            self.n_train_rows = int(
                con.sql(f"select count(*) from int_interactions where week < {self.target_week}").fetchone()[
                    0
                ]
            )
        finally:
            con.close()


def _check_same_world(oracle: EngagementOracle, warehouse: Warehouse) -> None:
    """The regenerated week's positive pairs on the warehouse's clips and users are its labels."""
    keep = np.isin(oracle.observed_item_id, warehouse.target_clips) & np.isin(
        oracle.observed_user_id, warehouse.users
    )
    regenerated = np.unique(_pair_keys(oracle.observed_item_id[keep], oracle.observed_user_id[keep]))
    labels = np.unique(_pair_keys(warehouse.label_item, warehouse.label_user))
    if not np.array_equal(regenerated, labels):
        raise SystemExit(
            f"error: the world options do not reproduce the warehouse's dataset: week {oracle.week} has "
            f"{regenerated.size} positive pairs on the warehouse's target clips when regenerated, the "
            f"warehouse has {labels.size} labels ({np.intersect1d(regenerated, labels).size} in common); "
            "pass the options of `vklsvd generate` the dataset was written with"
        )


def _assigned_ndcg(
    warehouse: Warehouse, item_id: np.ndarray, user_id: np.ndarray, score: np.ndarray, relevant: Mapping
) -> float:
    assignment = assign_with_capacity(
        warehouse.target_clips,
        item_id,
        user_id,
        score,
        warehouse.fill_users,
        list_size=int(warehouse.vars["list_size"]),
        capacity=int(warehouse.vars["user_capacity"]),
        seed=ASSIGNMENT_SEED,
    )
    lists = _lists(assignment.item_id, assignment.user_id, assignment.position)
    return mean_ndcg(lists, relevant, int(warehouse.vars["list_size"]))


def _oracle_rows(oracle: EngagementOracle, warehouse: Warehouse, relevant: Mapping) -> dict[str, float]:
    keep = np.isin(oracle.item_id, warehouse.target_clips) & np.isin(oracle.user_id, warehouse.users)
    item_id, user_id, probability = oracle.item_id[keep], oracle.user_id[keep], oracle.probability[keep]
    in_candidates = np.isin(_pair_keys(item_id, user_id), warehouse.candidate_keys)
    return {
        "oracle, every user": _assigned_ndcg(warehouse, item_id, user_id, probability, relevant),
        "oracle, the warehouse's candidates": _assigned_ndcg(
            warehouse, item_id[in_candidates], user_id[in_candidates], probability[in_candidates], relevant
        ),
    }


def _decomposition(
    config: object, warehouse: Warehouse, relevant: Mapping, signals: list[str], replicates: int
) -> dict[str, dict[str, float]]:
    """The oracle's rows under each belief of BELIEFS (the week redrawn from a world where those
    quantities are what the earlier weeks reveal)."""
    rows = {}
    for name, unknown in BELIEFS.items():
        oracle = engagement_probabilities(
            config, warehouse.target_week, replicates=replicates, positive_signals=signals, unknown=unknown
        )
        rows[name] = _oracle_rows(oracle, warehouse, relevant)
    return rows


def _split(true: Mapping[str, float], realistic: Mapping[str, float], submission: float) -> dict[str, float]:
    """The gap from the true oracle over every user to the submission, by cause: what no model can know
    (the new clips' reception), what the retrieval loses (the realistic ceiling over every user vs its
    candidates) and what the ranker loses (the realistic ceiling on the candidates vs the submission)."""
    every, candidates = "oracle, every user", "oracle, the warehouse's candidates"
    return {
        "no model can know": true[every] - realistic[every],
        "the retrieval loses": realistic[every] - realistic[candidates],
        "the ranker loses": realistic[candidates] - submission,
    }


def _hindsight(warehouse: Warehouse, relevant: Mapping) -> float:
    in_candidates = np.isin(_pair_keys(warehouse.label_item, warehouse.label_user), warehouse.candidate_keys)
    item_id, user_id = warehouse.label_item[in_candidates], warehouse.label_user[in_candidates]
    return _assigned_ndcg(warehouse, item_id, user_id, np.ones(item_id.size), relevant)


def _world_arguments(args: argparse.Namespace) -> list[str]:
    """The command line of the run without the machine's paths (the warehouse and the output)."""
    replicates = f"--replicates {args.replicates} --decomposition-replicates {args.decomposition_replicates}"
    return [replicates, *world_option_words(args)]


def _report(
    args: argparse.Namespace,
    warehouse: Warehouse,
    halves: tuple[dict[str, float], dict[str, float]],
    hindsight: float,
    decomposition: Mapping[str, Mapping[str, float]],
    seconds: float,
) -> str:
    half, full = halves
    half_replicates = args.replicates // 2
    ceiling = full["oracle, every user"]
    clips = warehouse.summary["submission"][1]
    world = {name: getattr(args, name) for name in WORLD_OPTIONS}
    lines = [
        "# NDCG ceiling on synthetic data",
        "",
        f"Command: `python benchmarks/ceiling.py --warehouse WAREHOUSE {' '.join(_world_arguments(args))}`",
        "",
        f"- World: {', '.join(f'{name}={value}' for name, value in world.items() if value is not None)}.",
        f"- Data: {warehouse.n_users:,} users, {warehouse.n_train_rows:,} interactions before week "
        f"{warehouse.target_week}, {warehouse.target_clips.size:,} target clips of which {clips:,} have "
        f"relevant users (scored), {warehouse.label_item.size:,} relevant pairs.",
        f"- Assignment: lists of {warehouse.vars['list_size']}, user capacity "
        f"{warehouse.vars['user_capacity']}, greedy by the row's score.",
        f"- Oracle: {args.replicates} redraws of week {warehouse.target_week} ({half_replicates} for the "
        f"value in brackets); {seconds:.0f} s on {platform.machine()} with {platform.python_version()}.",
        "",
        f"| ranking | NDCG@{warehouse.vars['list_size']} | share of the ceiling |",
        "|---|---|---|",
    ]
    lines.append(
        f"| oracle, every user (the ceiling; {half_replicates} redraws: {half['oracle, every user']:.4f}) "
        f"| {ceiling:.4f} | 100% |"
    )
    name = "oracle, the warehouse's candidates"
    lines.append(
        f"| {name} ({half_replicates} redraws: {half[name]:.4f}) | {full[name]:.4f} | "
        f"{full[name] / ceiling:.0%} |"
    )
    for ranking in WAREHOUSE_RANKINGS:
        if ranking in warehouse.summary:
            ndcg = warehouse.summary[ranking][0]
            lines.append(f"| warehouse: {ranking} | {ndcg:.4f} | {ndcg / ceiling:.0%} |")
    lines.append(
        f"| hindsight: the labels among the warehouse's candidates (not reachable) | {hindsight:.4f} | "
        f"{hindsight / ceiling:.0%} |"
    )
    if decomposition:
        lines += _decomposition_lines(args, warehouse, decomposition, ceiling)
    return "\n".join(lines) + "\n"


def _decomposition_lines(
    args: argparse.Namespace,
    warehouse: Warehouse,
    decomposition: Mapping[str, Mapping[str, float]],
    ceiling: float,
) -> list[str]:
    every, candidates = "oracle, every user", "oracle, the warehouse's candidates"
    # the decomposition's own run of the true world: the beliefs are compared with the same redraws
    paired = decomposition[TRUE_WORLD]
    realistic = decomposition[next(name for name, unknown in BELIEFS.items() if unknown == REALISTIC)]
    submission = warehouse.summary["submission"][0]
    lines = [
        "",
        "## Where the gap is",
        "",
        f"The week redrawn ({args.decomposition_replicates} redraws) from worlds where some latent "
        "quantities are what the earlier weeks' rows reveal (`vklsvd.synthetic.beliefs`), assigned as above. "
        "The first row is the true world again with these redraws (what the others are compared with); the "
        "next hides only what no model can know, the reception of clips nobody has seen: it is "
        "the realistic ceiling. Each further row also estimates one user quantity from the earlier weeks "
        "as a simple feature would: its drop is what knowing that quantity exactly is worth, an upper bound "
        "of what a better estimate of it could still gain.",
        "",
        "| belief | every user | the warehouse's candidates | drop there | share of the ceiling |",
        "|---|---|---|---|---|",
    ]
    for name, row in decomposition.items():
        drop = "" if row is realistic or row is paired else f"{row[candidates] - realistic[candidates]:+.4f}"
        lines.append(
            f"| {name} | {row[every]:.4f} | {row[candidates]:.4f} | {drop} "
            f"| {row[candidates] / ceiling:.0%} |"
        )
    lines += [
        "",
        f"| the gap from the true oracle ({args.decomposition_replicates} redraws) to the submission "
        "| NDCG@100 | share of the gap |",
        "|---|---|---|",
    ]
    split = _split(paired, realistic, submission)
    gap = paired[every] - submission
    for cause, size in split.items():
        lines.append(f"| {cause} | {size:.4f} | {size / gap:.0%} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse", required=True, type=existing_warehouse, help="a warehouse built on the dataset"
    )
    parser.add_argument("--replicates", type=int, default=64, help="redraws of the target week (default 64)")
    parser.add_argument(
        "--decomposition-replicates",
        type=int,
        default=32,
        help="redraws of the target week under each belief of the decomposition (default 32; 0 = none)",
    )
    parser.add_argument("--output", type=Path, help="markdown report to write (default: print only)")
    add_world_arguments(parser)
    args = parser.parse_args(argv)
    if args.replicates < 2 or args.replicates % 2:
        parser.error("--replicates must be an even number of at least 2 (half of them give the convergence)")

    warehouse = Warehouse(args.warehouse)
    if warehouse.label_item.size == 0:
        raise SystemExit(f"error: the warehouse's target week {warehouse.target_week} has no labels to score")
    config = world_config(args)
    signals = list(warehouse.vars["positive_signals"])
    relevant = _relevant(warehouse.label_item, warehouse.label_user)
    submission = mean_ndcg(warehouse.submission, relevant, int(warehouse.vars["list_size"]))
    if abs(submission - warehouse.summary["submission"][0]) > 1e-9:
        raise SystemExit(
            f"error: the reference metric gives the submission {submission:.6f}, the warehouse "
            f"{warehouse.summary['submission'][0]:.6f}: the two NDCG implementations disagree"
        )
    started = time.perf_counter()
    halves = []
    for replicates in (args.replicates // 2, args.replicates):
        oracle = engagement_probabilities(
            config, warehouse.target_week, replicates=replicates, positive_signals=signals
        )
        _check_same_world(oracle, warehouse)
        halves.append(_oracle_rows(oracle, warehouse, relevant))
    decomposition = (
        _decomposition(config, warehouse, relevant, signals, args.decomposition_replicates)
        if args.decomposition_replicates
        else {}
    )
    seconds = time.perf_counter() - started
    report = _report(
        args, warehouse, (halves[0], halves[1]), _hindsight(warehouse, relevant), decomposition, seconds
    )
    publish_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
