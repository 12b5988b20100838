"""Which user vector matches a clip's author best: the ALS factor, a fold-in of recent weeks, or a mean of
author factors?

Usage (from the repository root, after ``make demo``)::

    .venv/bin/python benchmarks/fold_in.py --warehouse warehouse/vklsvd.duckdb \\
        --output benchmarks/results/fold_in/demo.md

For every target clip with labels (the validation week), the clip's candidates (`candidates` of the
target week) are ordered by one score alone and scored by NDCG@100 against all of the clip's positive
users (no capacity: a ranking of the candidates, not a submission). Each score is the dot product of a
user vector with the ALS factor of the clip's author, as of the target week
(`ml_user_author_factors`):

- **ALS factor**: the user's own factor (whole history);
- **recent fold-in**: the user's engagement of the last `cf_params.recent_weeks` weeks folded into the factor
  space by one least-squares step (side `user_recent`);
- **mean of author factors, recent / all weeks**: the confidence-weighted mean of the factors of the
  authors the user engaged with (recent weeks / the whole history), the usual cheap alternative to
  fold-in.

The ranker's own score and a seeded random order of the same candidates bound the table. Pairs without
a score (user or author without a factor) go after the scored ones, in the random order.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import sys
from pathlib import Path

import duckdb
import numpy as np

from vklsvd.cli import existing_warehouse
from vklsvd.collaborative.adapters import confidence
from vklsvd.io.artifacts import write_atomically
from vklsvd.ranking.metrics import ndcg_at_k

SEED = 0
ALS_SETTINGS = ("factors", "regularization", "alpha", "iterations", "recent_weeks")  # of var cf_params


def _rows_in(sorted_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each wanted id in `sorted_ids` and whether it is there at all."""
    if sorted_ids.size == 0:
        return np.zeros(wanted.size, np.int64), np.zeros(wanted.size, bool)
    rows = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    return rows, sorted_ids[rows] == wanted


def _author_factors(con: duckdb.DuckDBPyConnection, week: int) -> tuple[np.ndarray, np.ndarray]:
    rows = con.execute(
        "select entity_id, factors from ml_user_author_factors where as_of_week = ? and side = 'author' "
        "order by entity_id",
        [week],
    ).fetchall()
    return np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.float64)


def _user_vectors(con: duckdb.DuckDBPyConnection, week: int, side: str) -> dict[int, np.ndarray]:
    rows = con.execute(
        "select entity_id, factors from ml_user_author_factors where as_of_week = ? and side = ?",
        [week, side],
    ).fetchall()
    return {int(user): np.asarray(vector, np.float64) for user, vector in rows}


def _mean_of_author_factors(
    con: duckdb.DuckDBPyConnection, week: int, first_week: int, authors: np.ndarray, factors: np.ndarray
) -> dict[int, np.ndarray]:
    """Confidence-weighted mean of the author factors of each user's engagement in [first_week, week)."""
    rows = con.execute(
        """select user_id, author_id, sum(engagement) from int_user_author_engagement
           where week < ? and week >= ? group by all order by all""",
        [week, first_week],
    ).fetchall()
    if not rows:
        return {}
    users = np.array([r[0] for r in rows], np.int64)
    columns = np.searchsorted(authors, np.array([r[1] for r in rows], np.int64))
    weights = confidence(np.array([r[2] for r in rows], np.float64))
    user_ids, user_rows = np.unique(users, return_inverse=True)
    sums = np.zeros((user_ids.size, factors.shape[1]))
    np.add.at(sums, user_rows, weights[:, None] * factors[columns])
    sums /= np.bincount(user_rows, weights=weights)[:, None]
    return dict(zip(user_ids.tolist(), sums, strict=True))


def measure(warehouse: Path) -> tuple[dict[str, float], dict[str, float], dict[str, int], str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    settings = dict(con.execute("select name, value from run_vars").fetchall())
    week, k = int(settings["target_week"]), int(settings["list_size"])
    collaborative = json.loads(settings["cf_params"])
    recent = int(collaborative["recent_weeks"])
    pairs = con.execute(
        """select distinct c.item_id, c.user_id, k.author_id, s.score
           from candidates as c
           inner join ranker_clips as k on c.as_of_week = k.as_of_week and c.item_id = k.item_id
           left join ml_ranker_scores as s on c.item_id = s.item_id and c.user_id = s.user_id
           where c.as_of_week = ? order by c.item_id, c.user_id""",
        [week],
    ).fetchall()
    relevant: dict[int, set[int]] = {}
    for item, user in con.execute("select item_id, user_id from int_target_labels").fetchall():
        relevant.setdefault(int(item), set()).add(int(user))
    authors, author_factors = _author_factors(con, week)
    vectors = {
        "ALS factor": _user_vectors(con, week, "user"),
        f"recent fold-in ({recent} weeks)": _user_vectors(con, week, "user_recent"),
        f"mean of author factors, recent ({recent} weeks)": _mean_of_author_factors(
            con, week, week - recent, authors, author_factors
        ),
        "mean of author factors, all weeks": _mean_of_author_factors(
            con, week, -(2**31), authors, author_factors
        ),
    }
    n_clips = len({item for item, *_ in pairs})
    (n_users,) = con.execute("select count(distinct user_id) from int_user_history").fetchone()
    con.close()

    items = np.array([p[0] for p in pairs], np.int64)
    users = np.array([p[1] for p in pairs], np.int64)
    clip_authors = np.array([-1 if p[2] is None else p[2] for p in pairs], np.int64)
    tiebreak = np.random.default_rng(SEED).random(items.size)
    scores: dict[str, np.ndarray] = {
        "ranker score (reference)": np.array([np.nan if p[3] is None else p[3] for p in pairs]),
        "random order (reference)": np.full(items.size, np.nan),
    }
    author_rows, has_author = _rows_in(authors, clip_authors)
    for name, by_user in vectors.items():
        user_ids = np.array(sorted(by_user), np.int64)
        user_rows, has_user = _rows_in(user_ids, users)
        values = np.full(items.size, np.nan)
        if user_ids.size:
            user_vectors = np.array([by_user[user] for user in user_ids.tolist()])
            scored = has_user & has_author
            values[scored] = np.einsum(
                "ij,ij->i", user_vectors[user_rows[scored]], author_factors[author_rows[scored]]
            )
        scores[name] = values

    ndcg, coverage = {}, {}
    boundaries = np.flatnonzero(np.r_[True, items[1:] != items[:-1], True])
    for name, values in scores.items():
        per_clip = []
        for start, end in itertools.pairwise(boundaries):
            item = int(items[start])
            if not relevant.get(item):
                continue
            clip_scores = values[start:end]
            missing = np.isnan(clip_scores)
            order = np.lexsort((tiebreak[start:end], -np.where(missing, -np.inf, clip_scores), missing))
            per_clip.append(ndcg_at_k(users[start:end][order].tolist(), relevant[item], k))
        ndcg[name] = float(np.mean(per_clip))
        coverage[name] = float(np.mean(~np.isnan(values))) if "random" not in name else 1.0
    settings_line = ", ".join(f"cf_params.{name}={collaborative[name]}" for name in ALS_SETTINGS)
    sizes = {"pairs": int(items.size), "clips": n_clips, "scored_clips": len(per_clip), "users": int(n_users)}
    return ndcg, coverage, sizes, settings_line


def report(
    warehouse: Path, ndcg: dict[str, float], coverage: dict[str, float], sizes: dict[str, int], settings: str
) -> str:
    lines = [
        "# Fold-in against the ALS factor (user x author)",
        "",
        f"Command: `python benchmarks/fold_in.py --warehouse {warehouse.name} ...`",
        "",
        f"- Data: {sizes['users']:,} users with history, {sizes['clips']:,} target clips "
        f"({sizes['scored_clips']:,} with positive users), {sizes['pairs']:,} candidate pairs of the "
        "target week.",
        f"- ALS (the warehouse's vars): {settings}.",
        f"- Machine: {platform.machine()}, Python {platform.python_version()}.",
        "- NDCG@100 of each clip's candidates ordered by the score alone (no capacity); coverage = share of",
        "  candidate pairs with a score (user and clip author both have a vector).",
        "",
        "| user vector · author factor | NDCG@100 | coverage |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {ndcg[name]:.4f} | {coverage[name]:.0%} |" for name in ndcg]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=existing_warehouse, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    text = report(args.warehouse, *measure(args.warehouse))
    write_atomically(args.output, lambda path: path.write_text(text))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
