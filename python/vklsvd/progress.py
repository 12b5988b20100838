"""Progress lines for long Python steps, so a build of many minutes is never silent.

dbt prints a line when a model starts and when it ends; in between a Python step reports what it has
done so far (rows, clips, pairs), the share of the total when known and the elapsed time, at most every
`interval` seconds, on stderr through the `vklsvd` logger.
"""

from __future__ import annotations

import logging
import os
import sys
import time

LOGGER_NAME = "vklsvd"
#: Seconds between two progress lines of one step.
DEFAULT_INTERVAL = 15.0


def logger() -> logging.Logger:
    """The package logger, writing `HH:MM:SS  message` lines to stderr (dbt leaves stderr alone)."""
    log = logging.getLogger(LOGGER_NAME)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", datefmt="%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def resident_gib() -> float | None:
    """Resident memory of this process in GiB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30
    except (OSError, ValueError, IndexError):
        return None


class Progress:
    """Counts units of work of one step and logs a line at most every `interval` seconds."""

    def __init__(
        self, step: str, unit: str, total: int | None = None, *, interval: float = DEFAULT_INTERVAL
    ) -> None:
        self.step, self.unit, self.total, self.interval = step, unit, total, interval
        self.done = 0
        self.started = time.perf_counter()
        self._last = self.started
        logger().info("%s: started%s", step, f" ({total:,} {unit})" if total is not None else "")

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _line(self) -> str:
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        of_total = f" / {self.total:,}" if self.total is not None else ""
        memory = resident_gib()
        resident = f", {memory:.1f} GiB resident" if memory is not None else ""
        return f"{self.step}: {self.done:,}{of_total} {self.unit}{share}, {self.elapsed:.0f} s{resident}"

    def advance(self, units: int) -> None:
        self.done += int(units)
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            logger().info("%s", self._line())

    def finish(self, note: str = "") -> None:
        logger().info("%s%s", self._line().replace(": ", ": done, ", 1), f"; {note}" if note else "")
