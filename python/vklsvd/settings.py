"""A stage's settings: one dbt var per Python stage, a mapping (`hnsw_params`, `cf_params`, ...), which the
stage's dbt model passes whole to `stage_settings` with the stage's frozen dataclass. The dataclasses have
no defaults: dbt_project.yml is the one place for them. Value ranges are checked before any model runs
(macro check_vars); here the keys and the types, so that a dataclass never holds a float where a count
belongs whoever builds it."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from vklsvd.errors import VklsvdError

Settings = TypeVar("Settings")


def stage_settings(cls: type[Settings], var: str, settings: object, **given: object) -> Settings:
    """`cls` built from the mapping `settings` of var `var`; `given` are fields that come from other vars
    (a seed, the list size). The mapping must name every other field, and nothing else."""
    names = [field.name for field in dataclasses.fields(cls) if field.name not in given]  # type: ignore[arg-type]
    if not isinstance(settings, Mapping):
        raise VklsvdError(f"var {var} must be a mapping with the keys {names}, got {settings!r}")
    unknown = sorted(set(settings) - set(names))
    missing = [name for name in names if name not in settings]
    if unknown or missing:
        raise VklsvdError(
            f"var {var}: unknown key(s) {unknown}, missing key(s) {missing}; the keys are {names} "
            "(a --vars mapping replaces the whole default: copy it from dbt_project.yml and change "
            "what you need)"
        )
    hints = typing.get_type_hints(cls)
    values = {name: _typed(f"{var}.{name}", settings[name], hints[name]) for name in names}
    return cls(**values, **given)


def _typed(name: str, value: object, wanted: Any) -> object:
    if wanted is bool:
        if isinstance(value, bool):
            return value
    elif wanted is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif wanted is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif wanted is str:
        if isinstance(value, str):
            return value
    elif typing.get_origin(wanted) is tuple:
        element = typing.get_args(wanted)[0]
        if isinstance(value, list | tuple) and value:
            return tuple(_typed(f"{name}[{i}]", item, element) for i, item in enumerate(value))
        raise VklsvdError(f"var {name} must be a non-empty list, got {value!r}")
    else:
        raise TypeError(f"stage_settings: unsupported field type {wanted!r} of {name}")
    kind = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}[wanted]
    raise VklsvdError(f"var {name} must be {kind}, got {value!r}")
