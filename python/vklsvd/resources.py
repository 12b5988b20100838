"""The machine resources a build may use: its thread budget.

dbt runs one model at a time (`threads: 1` in the profile) and every model may use the whole budget:
DuckDB's worker threads (set by the warehouse plugin), BLAS / OpenMP in numpy, scipy and scikit-learn,
hnswlib's query threads and XGBoost's. Nothing else runs beside a model, so the budget is never
oversubscribed: oversubscribed spinning BLAS threads next to DuckDB's workers made builds several times
slower from run to run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

from vklsvd.errors import VklsvdError

#: Environment variable that sets the thread budget (default: the cores this process may run on).
THREADS_ENV = "VKLSVD_THREADS"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and `taskset` restrict)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def thread_budget() -> int:
    """Threads a model may use: env VKLSVD_THREADS when set, else every available core."""
    configured = os.environ.get(THREADS_ENV, "").strip()
    if not configured:
        return available_cores()
    try:
        value = int(configured)
    except ValueError:
        value = 0
    if value < 1:
        raise VklsvdError(f"environment variable {THREADS_ENV}={configured!r} must be a whole number >= 1")
    return value


@contextmanager
def budgeted_threads(threads: int | None = None) -> Iterator[int]:
    """Cap BLAS and OpenMP pools at the thread budget (or `threads`) inside the block; yields the cap."""
    limit = thread_budget() if threads is None else threads
    with threadpool_limits(limits=limit):
        yield limit
