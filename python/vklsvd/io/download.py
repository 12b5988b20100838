"""Fetch VK-LSVD files from the Hugging Face hub into the hub's own layout.

``download_dataset(target, subsample="up0.001_ip0.001", weeks=range(26))`` places the files at
``target/<path in the repo>`` (for example ``target/subsamples/up0.001_ip0.001/train/week_00.parquet``
and ``target/metadata/items_metadata.parquet``), so the downloaded tree can be read exactly like the
hub. Files already present are skipped without contacting the hub, so an interrupted download can be
resumed by running the same command again.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from huggingface_hub import hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
)

from vklsvd.errors import DownloadError, InvalidArgumentError

__all__ = [
    "FULL",
    "HUB_REPO_ID",
    "HUB_REPO_TYPE",
    "METADATA_FILES",
    "DownloadError",
    "download_dataset",
    "hub_filenames",
    "interaction_filename",
    "parse_weeks",
    "validate_subsample",
]

HUB_REPO_ID: Final = "deepvk/VK-LSVD"
HUB_REPO_TYPE: Final = "dataset"
#: The value the command line accepts for "no subsample: the full data".
FULL: Final = "full"
FIRST_WEEK: Final = 0
LAST_WEEK: Final = 26
VALIDATION_WEEK: Final = 25
TEST_WEEK: Final = 26
METADATA_FILES: Final = (
    "metadata/users_metadata.parquet",
    "metadata/items_metadata.parquet",
    "metadata/item_embeddings.npz",
    "metadata/submission.parquet",
)

_FRACTION: Final = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
_SUBSAMPLE_PART: Final = re.compile(rf"(ur|up|ir|ip)({_FRACTION})")


def validate_subsample(name: str) -> str:
    """Check a subsample name such as ``up0.001_ip0.001`` or ``ur0.01_ir-0.5`` and return it.

    A name is one or more parts joined by ``_``; a part is ``ur`` (random users), ``up`` (top users),
    ``ir`` (random items) or ``ip`` (top items) followed by a fraction in [-1, 1], not 0 (negative
    takes the bottom of the distribution); each kind appears at most once.
    """
    parts = name.split("_")
    kinds: list[str] = []
    for part in parts:
        match = _SUBSAMPLE_PART.fullmatch(part)
        if match is None or not 0.0 < abs(float(match.group(2))) <= 1.0:
            raise InvalidArgumentError(
                f"invalid subsample name {name!r}: use parts like up0.001, ur0.01, ip0.001, ir-0.5 "
                "(ur/up/ir/ip followed by a fraction in [-1, 1], not 0) joined by '_', "
                "e.g. up0.001_ip0.001, or 'full' for the whole data"
            )
        kinds.append(match.group(1))
    if len(set(kinds)) != len(kinds):
        raise InvalidArgumentError(
            f"invalid subsample name {name!r}: each of ur/up/ir/ip may appear only once"
        )
    return name


def parse_weeks(spec: str) -> list[int]:
    """Parse ``"0-24,25"`` into sorted distinct weeks; ranges are inclusive, weeks within 0..26."""
    weeks: set[int] = set()
    items = [item.strip() for item in spec.split(",")]
    if not spec.strip() or any(not item for item in items):
        raise InvalidArgumentError(
            f"invalid weeks {spec!r}: give weeks or inclusive ranges separated by commas, e.g. '0-24,25'"
        )
    for item in items:
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", item)
        if match is None:
            raise InvalidArgumentError(
                f"invalid weeks {spec!r}: {item!r} is not a week or a range like '0-24'"
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if first > last:
            raise InvalidArgumentError(
                f"invalid weeks {spec!r}: range {item!r} is reversed, write it low-high"
            )
        weeks.update(range(first, last + 1))
    return _checked_weeks(weeks)


def _checked_weeks(weeks: Iterable[int]) -> list[int]:
    checked = sorted(set(weeks))
    bad = [week for week in checked if not FIRST_WEEK <= week <= LAST_WEEK]
    if bad:
        raise InvalidArgumentError(
            f"invalid week {bad[0]}: VK-LSVD has weeks {FIRST_WEEK}..{LAST_WEEK} "
            f"(0-24 train, {VALIDATION_WEEK} validation, {TEST_WEEK} test)"
        )
    return checked


def interaction_filename(week: int, subsample: str | None = None) -> str:
    """Path of a week's interactions in the hub repository."""
    if week == VALIDATION_WEEK:
        split = "validation"
    elif week == TEST_WEEK:
        split = "test"
    else:
        split = "train"
    prefix = "interactions" if subsample is None else f"subsamples/{subsample}"
    return f"{prefix}/{split}/week_{week:02d}.parquet"


def hub_filenames(*, subsample: str | None, weeks: Sequence[int], include_metadata: bool = True) -> list[str]:
    """Repository paths to fetch, in download order (interactions by week, then metadata)."""
    if subsample is not None:
        validate_subsample(subsample)
    names = [interaction_filename(week, subsample) for week in _checked_weeks(weeks)]
    if include_metadata:
        names.extend(METADATA_FILES)
    return names


def _failure(filename: str, target: Path, exc: BaseException) -> DownloadError:
    reason = textwrap.shorten(" ".join(str(exc).split()), 140, placeholder="...") or type(exc).__name__
    if isinstance(exc, GatedRepoError):
        hint = "accept the dataset's terms on the hub and log in (hf auth login, or set HF_TOKEN)"
    elif isinstance(exc, LocalEntryNotFoundError):
        hint = (
            "the hub is unreachable: check the network (or HF_HUB_OFFLINE), set HF_ENDPOINT to a "
            f"reachable mirror, or download the file elsewhere and copy it to {target}"
        )
    elif isinstance(exc, RepositoryNotFoundError | EntryNotFoundError):
        hint = "the file is not on the hub: check the subsample name and the weeks"
    elif isinstance(exc, PermissionError):
        hint = f"cannot write there: choose a writable --target or fix the permissions of {target.parent}"
    else:
        hint = (
            "check the network, set HF_ENDPOINT to a reachable mirror, or download the file elsewhere "
            f"and copy it to {target}"
        )
    return DownloadError(
        f"cannot download {filename} from {HUB_REPO_ID} ({type(exc).__name__}: {reason}): {hint}"
    )


def _network_errors() -> tuple[type[BaseException], ...]:
    """Exception types that mean "the transfer failed" (transport errors of the HTTP clients too)."""
    errors: list[type[BaseException]] = [OSError, HfHubHTTPError, EntryNotFoundError, TimeoutError]
    for module_name in ("httpx2", "httpx", "requests"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for attr in ("HTTPError", "TransportError", "RequestException"):
            candidate = getattr(module, attr, None)
            if isinstance(candidate, type) and issubclass(candidate, BaseException):
                errors.append(candidate)
    return tuple(errors)


def download_dataset(
    target_dir: Path,
    *,
    subsample: str | None,
    weeks: Sequence[int],
    include_metadata: bool = True,
) -> list[Path]:
    """Download interactions of ``weeks`` (of ``subsample``, or the full data if None) and metadata.

    Returns the local paths of all requested files, present before or downloaded now. Raises
    :class:`DownloadError` (one line naming the file and the fix) when the hub cannot deliver a file,
    and :class:`~vklsvd.errors.InvalidArgumentError` for a bad subsample name or week.
    """
    target_dir = Path(target_dir)
    names = hub_filenames(subsample=subsample, weeks=weeks, include_metadata=include_metadata)
    network_errors = _network_errors()
    paths: list[Path] = []
    for name in names:
        local = target_dir / name
        if not local.is_file():
            try:
                fetched = hf_hub_download(
                    repo_id=HUB_REPO_ID, repo_type=HUB_REPO_TYPE, filename=name, local_dir=target_dir
                )
            except network_errors as exc:
                raise _failure(name, local, exc) from exc
            local = Path(str(fetched))
        paths.append(local)
    return paths
