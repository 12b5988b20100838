"""The scale benchmark's own machinery: process-tree memory, sizes of shapes, the report."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import load_benchmark


@pytest.fixture(scope="module")
def scale():
    return load_benchmark("scale")


def test_tree_memory_includes_children(scale) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; block = bytearray(300 << 20); time.sleep(30)"]
    )
    try:
        deadline = time.monotonic() + 20
        while scale.tree_resident_bytes(child.pid) < 300 << 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        alone = scale.tree_resident_bytes(os.getpid()) - scale.tree_resident_bytes(child.pid)
        assert scale.tree_resident_bytes(child.pid) >= 300 << 20
        assert scale.tree_resident_bytes(os.getpid()) >= alone + (300 << 20)
    finally:
        child.kill()
        child.wait()


def test_sampler_peaks_by_time_window(scale) -> None:
    sampler = scale.MemorySampler(os.getpid())
    sampler.samples = [(1.0, 10), (2.0, 50), (3.0, 20)]
    assert sampler.peak() == 50 and sampler.peak(2.5, 3.5) == 20 and sampler.peak(4.0, 5.0) == 0


def test_sizes_scale_the_shapes_and_the_report_lists_every_run(scale, tmp_path: Path) -> None:
    dense = scale.shape_at_size("dense", 47.6, seed=1)
    assert dense.n_users == 10_000 and dense.seed == 1
    assert scale.shape_at_size("sparse", 4.93 * 5, seed=0).n_users == 100_000
    dataset = scale.Dataset("sparse", 5, tmp_path, {"n_users": 1}, seed=0, train_rows=5_000_000, users=20_000)
    build = scale.BuildResult(250.0, 3 << 30, True, [scale.ModelRun("ml_ranker_model", 80.0, 2 << 30)])
    build.ndcg = {"submission": 0.1, "rrf_baseline": 0.08, "random_users": 0.002}
    report = scale.render_markdown([(dataset, scale.ScanResult(0.5, 100), build)], "now", ["dense 1 M (x)"])
    assert "| sparse | 0 | 5,000,000 | 20,000 |" in report and "| 250 | 3.00 | 20,000 |" in report
    assert "`ml_ranker_model` 80 s / 2.00 GiB" in report and "Not built" in report


def test_quick_runs_a_20k_sparse_and_a_10m_dense_build_with_the_given_vars(scale) -> None:
    args = scale.parse_args(["--quick", "--vars", '{"feature_ablation": true}'])
    assert args.quick and scale.QUICK_RUNS == "sparse:5,dense:10"
    assert args.vars == {"feature_ablation": True}
    assert scale.shape_at_size("sparse", 5, seed=0).n_users == pytest.approx(20_000, rel=0.02)
    report = scale.render_markdown([], "now", [], args.vars)
    assert '`{"feature_ablation": true}`' in report
    assert "- vars: the defaults" in scale.render_markdown([], "now", [])
