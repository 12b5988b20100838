"""The project's shape as rules that fail: data flows one way through the numbered stage folders, only
staging reads sources, every folder documents its models in one yml, and SQL and Python share one list
of the dataset's facts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness import PROJECT_DIR, Build, failure_text, project_vars
from vklsvd.constants import PROFILE_KINDS, SIGNALS

MODELS_DIR = PROJECT_DIR / "models"
STAGE_FOLDER = re.compile(r"^(\d+)_[a-z]+$")


def stage_of(model_path: str) -> int:
    """The stage number of a model: the leading number of its top folder under models/."""
    folder = Path(model_path).parts[0]
    match = STAGE_FOLDER.match(folder)
    assert match, f"models/{model_path} is not inside a numbered stage folder (e.g. 3_content)"
    return int(match.group(1))


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path) -> dict[str, Any]:
    # `dbt docs generate` compiles every node and renders every description: a broken one fails here
    build = Build(tmp_path_factory.mktemp("docs"))
    result = build.run("docs", {"data_root": str(tiny_dataset)}, "generate", "--empty-catalog")
    assert result.success, failure_text(result)
    return json.loads((build.workdir / "target" / "manifest.json").read_text())


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def test_stage_folders_are_numbered_in_flow_order() -> None:
    folders = sorted(path.name for path in MODELS_DIR.iterdir() if path.is_dir())
    numbers = [int(STAGE_FOLDER.match(name).group(1)) for name in folders if STAGE_FOLDER.match(name)]
    assert len(numbers) == len(folders), f"every folder under models/ is a numbered stage: {folders}"
    assert numbers == list(range(1, len(folders) + 1))


def back_edges(models: dict[str, dict[str, Any]]) -> list[str]:
    """Every dependency of a model on a model of a later stage."""
    return [
        f"{node['path']} (stage {stage_of(node['path'])}) reads {models[parent]['path']}"
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models and stage_of(models[parent]["path"]) > stage_of(node["path"])
    ]


def test_no_model_reads_a_later_stage(manifest: dict[str, Any]) -> None:
    found = back_edges(_models(manifest))
    assert not found, "data must flow one way:\n" + "\n".join(found)


def test_the_rule_sees_a_back_edge() -> None:
    models = {
        "model.a": {"path": "2_intermediate/int_a.sql", "depends_on": {"nodes": ["model.b"]}},
        "model.b": {"path": "3_content/ml_b.py", "depends_on": {"nodes": []}},
    }
    assert back_edges(models) == ["2_intermediate/int_a.sql (stage 2) reads 3_content/ml_b.py"]
    with pytest.raises(AssertionError, match="numbered stage folder"):
        stage_of("ml/ml_user_interests.py")


def test_only_staging_reads_sources(manifest: dict[str, Any]) -> None:
    readers = {
        node["path"]
        for node in _models(manifest).values()
        if any(parent.startswith("source.") for parent in node["depends_on"]["nodes"])
    }
    assert readers and all(stage_of(path) == 1 for path in readers), readers


def test_every_stage_folder_has_one_models_yml_documenting_its_models(manifest: dict[str, Any]) -> None:
    for folder in (path for path in MODELS_DIR.rglob("*") if path.is_dir()):
        if not any(folder.glob("*.sql")) and not any(folder.glob("*.py")):
            continue
        ymls = sorted(path.name for path in folder.glob("_*__models.yml"))
        assert len(ymls) == 1, f"{folder.relative_to(PROJECT_DIR)}: expected one _<folder>__models.yml"
    undocumented = sorted(node["path"] for node in _models(manifest).values() if not node["description"])
    assert not undocumented, f"models without a description: {undocumented}"


def test_every_declared_column_has_a_description(manifest: dict[str, Any]) -> None:
    """A column named in a models yml is read by a test, a later model or the report: the docs site says
    what it holds."""
    bare = sorted(
        f"{node['name']}.{name}"
        for node in _models(manifest).values()
        for name, column in node["columns"].items()
        if not column["description"].strip()
    )
    assert not bare, f"columns without a description: {bare}"


def test_exposures_name_what_the_project_delivers_and_what_the_report_reads(manifest: dict[str, Any]) -> None:
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert set(exposures) == {"submission_file", "warehouse_report"}
    depends = {
        name: {key.split(".")[-1] for key in node["depends_on"]["nodes"]} for name, node in exposures.items()
    }
    assert {"submission", "ml_submission_export"} <= depends["submission_file"]
    report = (PROJECT_DIR / "python" / "vklsvd" / "report.py").read_text()
    read = set(re.findall(r"\"[^\"\n]*\bfrom ([a-z_]+)", report))  # the tables its SQL strings read
    assert read == depends["warehouse_report"], f"report.py reads {sorted(read)}"


def test_python_models_are_thin() -> None:
    """dbt Python models only wire vars and refs to a package function; logic lives in python/vklsvd."""
    for path in MODELS_DIR.rglob("*.py"):
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        assert len(lines) <= 30, f"{path.relative_to(PROJECT_DIR)} has {len(lines)} lines"
        assert "import vklsvd" in path.read_text() or "from vklsvd" in path.read_text(), path


def test_sql_and_python_share_the_dataset_facts() -> None:
    variables = project_vars()
    assert tuple(variables["dataset_signals"]) == SIGNALS
    assert tuple(variables["profile_kinds"]) == PROFILE_KINDS
    assert set(variables["positive_signals"]) <= set(SIGNALS)
    assert set(variables["hnsw_params"]["profile_kinds"]) <= set(PROFILE_KINDS)


def test_every_var_is_read_and_has_one_default() -> None:
    """Each var of dbt_project.yml is read somewhere (SQL, yml config or macros), and nowhere with a
    default of its own: dbt_project.yml is the one place of every default."""
    sources = [
        path.read_text()
        for pattern in ("models/**/*.sql", "models/**/*.yml", "macros/**/*.sql", "data_tests/*.sql")
        for path in PROJECT_DIR.glob(pattern)
    ]
    text = "\n".join(sources)
    unused = [name for name in project_vars() if f"var('{name}')" not in text]
    assert not unused, f"vars defined but never read: {unused}"
    second_defaults = re.findall(r"var\('([a-z_]+)', ", text)
    assert not second_defaults, f"vars given a second default where they are read: {second_defaults}"


def test_readme_documents_every_var_and_stage_folder() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    vars_section = readme.split("## Vars", 1)[1].split("\n## ", 1)[0]
    missing_vars = [name for name in project_vars() if f"`{name}`" not in vars_section]
    assert not missing_vars, f"vars missing from the README's Vars table: {missing_vars}"
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    folders = [path.name for path in MODELS_DIR.iterdir() if path.is_dir()]
    packages = [path.name for path in (PROJECT_DIR / "python" / "vklsvd").iterdir() if path.is_dir()]
    missing = [name for name in folders + packages if f"{name}/" not in layout and name != "__pycache__"]
    assert not missing, f"folders missing from the README's layout tree: {missing}"
