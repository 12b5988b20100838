"""The machine resources a build may use: its thread budget, and DuckDB's cached blocks given back.

dbt runs one model at a time (`threads: 1` in the profile) and every model may use the whole budget:
DuckDB's worker threads (set by the warehouse plugin), BLAS / OpenMP in numpy, scipy and scikit-learn,
hnswlib's query threads and XGBoost's. Nothing else runs beside a model, so the budget is never
oversubscribed: oversubscribed spinning BLAS threads next to DuckDB's workers made builds several times
slower from run to run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from vklsvd.errors import VklsvdError

#: Environment variable that sets the thread budget (default: the cores this process may run on).
THREADS_ENV = "VKLSVD_THREADS"

T = TypeVar("T")


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


#: The memory limit DuckDB is briefly given to make it evict its cached blocks (`release_buffer_pool`).
EVICTION_MEMORY_LIMIT = "32MB"


def release_buffer_pool(connection: Any) -> None:
    """Empty DuckDB's buffer pool: the blocks it keeps cached after a query, up to its `memory_limit`
    (1.4 GB after streaming 2.2 M training pairs of 170 columns), resident beside the Python step that
    read them. Lowering the limit makes DuckDB evict them; the limit is then set back as it was (to the
    0.1 MiB of the text DuckDB reports it in)."""
    limit = connection.execute("select current_setting('memory_limit')").fetchone()[0]
    connection.execute(f"set memory_limit = '{EVICTION_MEMORY_LIMIT}'")
    connection.execute(f"set memory_limit = '{limit}'")


def released_after(batches: Iterable[T], connection: Any) -> Iterator[T]:
    """The `batches` of a stream read from `connection`, then (once the stream is exhausted) its buffer
    pool released (`release_buffer_pool`), so a step that reads a large input whole and then computes
    does not keep DuckDB's copy of it."""
    yield from batches
    release_buffer_pool(connection)
