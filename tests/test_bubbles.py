"""Interest bubbles: Gaussian mixture fit, npz round trip and top components (vklsvd.content.bubbles), and the
artefact files they are stored in (vklsvd.io.artifacts)."""

from pathlib import Path

import duckdb
import numpy as np
import pytest

from vklsvd.content.bubbles import fit_mixture, load_mixture, save_mixture, top_components
from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import artifacts_folder, write_atomically
from vklsvd.sampling import seeded_subsample

FIT_LIMITS = {"max_fit_items": 50_000, "max_iter": 100}


def _blobs(n_per_blob: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.eye(6)[:3]
    labels = np.repeat(np.arange(3), n_per_blob)
    return (centres[labels] + 0.05 * rng.normal(size=(labels.size, 6))).astype(np.float32), labels


@pytest.mark.parametrize("covariance", ["diag", "spherical", "full"])
def test_components_recover_blobs(covariance: str) -> None:
    vectors, labels = _blobs()
    fit = fit_mixture(vectors, n_components=3, covariance_type=covariance, seed=1, **FIT_LIMITS)
    rows, comp, prob, rank = top_components(fit.model, vectors, top=2)
    best = comp[rank == 1]
    assert rows[rank == 1].tolist() == list(range(labels.size))
    # each blob maps to exactly one component and blobs to different components
    assert all(np.unique(best[labels == b]).size == 1 for b in range(3))
    assert np.unique(best).size == 3
    assert ((prob >= 0) & (prob <= 1)).all()
    assert (prob[rank == 1] >= prob[rank == 2]).all()


def test_fit_is_seeded() -> None:
    vectors, _ = _blobs(seed=2)
    a = fit_mixture(vectors, n_components=4, covariance_type="diag", seed=7, **FIT_LIMITS).model
    b = fit_mixture(vectors, n_components=4, covariance_type="diag", seed=7, **FIT_LIMITS).model
    np.testing.assert_array_equal(a.means_, b.means_)


def test_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    vectors, _ = _blobs()
    model = fit_mixture(vectors, n_components=3, covariance_type="diag", seed=0, **FIT_LIMITS).model
    path = tmp_path / "gmm.npz"
    digest = save_mixture(model, path)
    assert save_mixture(model, tmp_path / "again.npz") == digest  # same parameters, same bytes
    loaded = load_mixture(path, digest)
    np.testing.assert_allclose(loaded.predict_proba(vectors.astype(np.float64)), model.predict_proba(vectors))
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(VklsvdError, match="another build overwrote it"):
        load_mixture(path, digest)
    with pytest.raises(VklsvdError, match="missing"):
        load_mixture(tmp_path / "absent.npz", digest)


def test_components_capped_by_distinct_items_and_bad_arguments() -> None:
    two = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    assert (
        fit_mixture(two, n_components=5, covariance_type="diag", seed=0, **FIT_LIMITS).model.n_components == 2
    )
    with pytest.raises(VklsvdError, match=r"bubble_params\.covariance"):
        fit_mixture(two, n_components=2, covariance_type="diagonal", seed=0, **FIT_LIMITS)
    with pytest.raises(VklsvdError, match="distinct"):
        fit_mixture(two[:1], n_components=2, covariance_type="diag", seed=0, **FIT_LIMITS)


def test_seeded_subsample() -> None:
    assert seeded_subsample(5, 10, 0).tolist() == [0, 1, 2, 3, 4]
    rows = seeded_subsample(1000, 50, 3)
    assert rows.size == 50 and np.array_equal(rows, np.sort(rows)) and np.unique(rows).size == 50
    assert np.array_equal(rows, seeded_subsample(1000, 50, 3))


def test_relative_artifacts_folder_sits_beside_the_warehouse(tmp_path: Path) -> None:
    (tmp_path / "wh").mkdir()
    with duckdb.connect(str(tmp_path / "wh" / "w.duckdb")) as connection:
        assert artifacts_folder("artifacts", connection) == (tmp_path / "wh" / "artifacts").resolve()
        assert artifacts_folder(tmp_path / "abs", connection) == tmp_path / "abs"
    with duckdb.connect() as memory:
        assert artifacts_folder("x", memory) == (Path.cwd() / "x").resolve()


def test_failed_artefact_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    write_atomically(path, lambda target: target.write_bytes(b"old"))

    def crash(target: Path) -> None:
        target.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, crash)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]
