"""The local Spark session of a `spark` build, configured from the one place that defines it.

dbt-spark's `session` method calls `SparkSession.builder.getOrCreate()` inside the dbt process. A driver
that needs Spark before dbt runs (to load the embeddings) creates the session first, with the profile's
`server_side_parameters`, and runs dbt in the same process: dbt then gets this session, so both see
one metastore (an embedded Derby database admits one process at a time).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import yaml  # type: ignore[import-untyped]

from vklsvd.errors import VklsvdError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: The profile and output that describe the Spark session.
PROFILE = "vklsvd"
SPARK_TARGET = "spark"


def _env_var(environ: Mapping[str, str]) -> object:
    def env_var(name: str, default: str | None = None) -> str:
        if name in environ:
            return environ[name]
        if default is None:
            raise VklsvdError(f"profiles.yml: env var {name} is not set and has no default")
        return default

    return env_var


def spark_settings(profiles_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The `server_side_parameters` of the profile's spark output, rendered as dbt renders them
    (`env_var`), plus the ANSI setting dbt-spark forces, so the driver's queries behave as dbt's."""
    path = profiles_dir / "profiles.yml"
    outputs = yaml.safe_load(path.read_text())[PROFILE]["outputs"]
    if SPARK_TARGET not in outputs:
        raise VklsvdError(f"{path}: profile {PROFILE} has no output '{SPARK_TARGET}'")
    env_var = _env_var(os.environ if environ is None else environ)
    settings = {
        str(key): jinja2.Template(str(value)).render(env_var=env_var)
        for key, value in (outputs[SPARK_TARGET].get("server_side_parameters") or {}).items()
    }
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def java_available() -> bool:
    """Whether a Java runtime is on PATH or under JAVA_HOME (PySpark starts a JVM)."""
    import shutil

    java_home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (java_home and (Path(java_home) / "bin" / "java").exists()))


def local_session(settings: Mapping[str, str]) -> SparkSession:
    """A Spark session with Hive support (dbt-spark's tables live in a metastore) and `settings`."""
    if not java_available():
        raise VklsvdError(
            "Spark needs a Java runtime (17 or later): `apt-get install openjdk-17-jre-headless`, "
            "or set JAVA_HOME"
        )
    from pyspark.sql import SparkSession

    # The tasks of the partitioned Python steps import this package: unless told otherwise, Spark's
    # Python workers run in this interpreter (an in-process SparkContext reads PYSPARK_PYTHON, not the
    # spark.pyspark.python setting, which only spark-submit reads).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("vklsvd").enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
