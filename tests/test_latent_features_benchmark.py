"""The latent-feature benchmark: the ranker refitted with one of the generator's latent quantities."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from harness import Build, load_benchmark
from vklsvd.synthetic.shapes import shape_config
from vklsvd.synthetic.world import build_world


@pytest.fixture(scope="module")
def latent_features():
    return load_benchmark("latent_features")


@pytest.fixture(scope="module")
def world():
    return build_world(shape_config("tiny", seed=11))  # the tiny_dataset fixture's world


def test_each_pair_gets_the_worlds_quantities(latent_features, world) -> None:
    user, item = 7, 123
    favourite = int(world.user_favourite_authors[user, 0])
    item_of_favourite = int(np.flatnonzero(world.item_author == favourite)[0])
    values = latent_features.WorldLookup(world).values(
        world.user_ids[[user, user]], world.item_ids[[item, item_of_favourite]]
    )
    assert set(values) == set(latent_features.LATENTS)
    assert values["activity"][0] == np.float32(world.user_activity[user])
    assert values["propensity"][0] == np.float32(world.user_propensity[user])
    assert values["interest_match"][0] == pytest.approx(world.user_interest[user] @ world.item_topics[item])
    assert values["favourite_author"][1] == 1.0
    assert values["clip_quality"][1] == np.float32(world.item_quality[item_of_favourite])


def test_ids_of_another_world_are_refused(latent_features, world) -> None:
    lookup = latent_features.WorldLookup(world)
    unknown = np.array([world.user_ids.max() + 1], dtype=np.uint32)
    with pytest.raises(SystemExit, match="do not reproduce the warehouse's dataset: 1 users and 0 clips"):
        lookup.values(unknown, world.item_ids[:1])


def test_report_refits_the_ranker_with_each_latent(
    latent_features, validation_build: Build, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(latent_features, "LATENTS", ("favourite_author",))  # one refit more, not six
    output = tmp_path / "latent.md"
    arguments = ["--warehouse", str(validation_build.warehouse), "--output", str(output)]
    assert latent_features.main([*arguments, "--shape", "tiny", "--seed", "11"]) == 0
    report = output.read_text()
    assert str(tmp_path) not in report and str(validation_build.warehouse) not in report
    rows = dict(
        re.findall(r"^\| ([a-z_]+|none \(the build's features\)) \|(?:[^|]*\|){3} ([0-9.]+) \|", report, re.M)
    )
    assert set(rows) == {"none (the build's features)", "favourite_author"}
    # the first row is the build's own ranker, refitted: its ranking of the candidates is the build's
    (uncapped,) = validation_build.query("select ndcg_uncapped from eval_ablation where ranking = 'ranker'")[
        0
    ]
    assert float(rows["none (the build's features)"]) == pytest.approx(uncapped, abs=1e-3)
