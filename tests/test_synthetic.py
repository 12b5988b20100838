"""The synthetic generator writes the hub layout, exact dtypes and a learnable structure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from numpy.typing import NDArray

from vklsvd.errors import InvalidArgumentError, VklsvdError
from vklsvd.synthetic import GenerationSummary, GeneratorConfig, build_world, generate_dataset

SIZES: dict[str, int] = {"n_users": 500, "n_authors": 80, "items_per_week": 60, "seed": 3}
TARGETS = {
    "like": 0.029,
    "dislike": 0.0003,
    "share": 0.0064,
    "bookmark": 0.0010,
    "click_on_author": 0.0021,
    "open_comments": 0.012,
}
POSITIVE = ("like", "share", "bookmark", "click_on_author", "open_comments")

# Written out here, not imported, so that a change in the generator's schemas fails the test.
INTERACTIONS = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("item_id", pa.uint32()),
        ("place", pa.uint8()),
        ("platform", pa.uint8()),
        ("agent", pa.uint8()),
        ("timespent", pa.uint8()),
        ("like", pa.bool_()),
        ("dislike", pa.bool_()),
        ("share", pa.bool_()),
        ("bookmark", pa.bool_()),
        ("click_on_author", pa.bool_()),
        ("open_comments", pa.bool_()),
    ]
)
USERS = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("age", pa.uint8()),
        ("gender", pa.uint8()),
        ("geo", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)
ITEMS = pa.schema(
    [
        ("item_id", pa.uint32()),
        ("author_id", pa.uint32()),
        ("duration", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)


def _split(week: int) -> str:
    return {25: "validation", 26: "test"}.get(week, "train")


class Data:
    """All interactions of a generated dataset as numpy columns, with the week of each row."""

    def __init__(self, root: Path, n_weeks: int = 27) -> None:
        self.root = root
        tables = []
        weeks = []
        for week in range(n_weeks):
            table = pq.read_table(root / "interactions" / _split(week) / f"week_{week:02d}.parquet")
            tables.append(table)
            weeks.append(np.full(table.num_rows, week, dtype=np.int64))
        self.tables = tables
        combined = pa.concat_tables(tables)
        self.col: dict[str, NDArray[np.generic]] = {
            name: combined.column(name).to_numpy() for name in combined.column_names
        }
        self.week = np.concatenate(weeks)
        self.users = pq.read_table(root / "metadata" / "users_metadata.parquet")
        self.items = pq.read_table(root / "metadata" / "items_metadata.parquet")
        self.submission = pq.read_table(root / "metadata" / "submission.parquet")

    def positive(self) -> NDArray[np.bool_]:
        out = np.zeros(self.week.size, dtype=bool)
        for name in POSITIVE:
            out |= self.col[name].astype(bool)
        return out

    def first_week(self) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
        """Distinct item ids and the first week each was shown."""
        order = np.lexsort((self.week, self.col["item_id"]))
        ids, first = np.unique(self.col["item_id"][order], return_index=True)
        return ids.astype(np.uint32), self.week[order][first]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    root = tmp_path_factory.mktemp("synthetic")
    return root, generate_dataset(root, GeneratorConfig(**SIZES))


@pytest.fixture(scope="module")
def data(generated: tuple[Path, GenerationSummary]) -> Data:
    return Data(generated[0])


def test_layout_and_exact_dtypes(generated: tuple[Path, GenerationSummary], data: Data) -> None:
    root, summary = generated
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    expected = sorted(
        [f"interactions/train/week_{w:02d}.parquet" for w in range(25)]
        + ["interactions/validation/week_25.parquet", "interactions/test/week_26.parquet"]
        + [
            f"metadata/{name}"
            for name in (
                "users_metadata.parquet",
                "items_metadata.parquet",
                "item_embeddings.npz",
                "submission.parquet",
            )
        ]
    )
    assert files == expected  # and no temporary file left behind
    for table in data.tables:
        assert table.schema.remove_metadata() == INTERACTIONS
    assert data.users.schema.remove_metadata() == USERS
    assert data.items.schema.remove_metadata() == ITEMS
    assert data.submission.schema.field("item_id").type == pa.uint32()
    assert data.submission.schema.field("user_id").type.value_type == pa.uint32()
    assert pa.types.is_list(data.submission.schema.field("user_id").type)
    assert summary.total_rows == data.week.size == sum(summary.rows_per_week)
    assert len(summary.rows_per_week) == 27
    assert summary.n_users == SIZES["n_users"] == data.users.num_rows
    assert summary.n_items == data.items.num_rows


def test_ids_are_sparse_nonzero_and_consistent(data: Data) -> None:
    user_ids = data.users.column("user_id").to_numpy()
    item_ids = data.items.column("item_id").to_numpy()
    author_ids = data.items.column("author_id").to_numpy()
    for ids, high in ((user_ids, 500_000_000), (item_ids, 600_000_000), (author_ids, 300_000_000)):
        assert ids.min() >= 1
        assert ids.max() < high
        assert ids.max() > 100 * np.unique(ids).size  # sparse, not 0..N-1
    assert np.unique(user_ids).size == user_ids.size
    assert np.unique(item_ids).size == item_ids.size
    assert np.isin(data.col["user_id"], user_ids).all()
    assert np.isin(data.col["item_id"], item_ids).all()
    assert np.unique(author_ids).size > 10


def test_pairs_never_repeat_and_rows_are_shuffled(data: Data) -> None:
    key = data.col["user_id"].astype(np.uint64) << np.uint64(32) | data.col["item_id"].astype(np.uint64)
    assert np.unique(key).size == key.size
    for table in data.tables[:3]:
        users = table.column("user_id").to_numpy()
        assert (np.diff(users.astype(np.int64)) < 0).any()  # not grouped by user


def test_value_ranges(data: Data) -> None:
    assert data.col["place"].max() < 24
    assert data.col["platform"].max() < 11
    assert data.col["agent"].max() < 29
    assert np.unique(data.col["place"]).size > 10
    ages = data.users.column("age").to_numpy()
    assert ages.min() >= 18
    assert ages.max() <= 70
    durations = data.items.column("duration").to_numpy()
    assert durations.min() >= 5
    assert durations.max() <= 180
    timespent = data.col["timespent"].astype(np.float64)
    assert 15.0 <= timespent.mean() <= 25.0
    duration_of_row = durations[np.searchsorted(data.items.column("item_id").to_numpy(), data.col["item_id"])]
    assert 0.01 < (timespent > duration_of_row).mean() < 0.4  # re-watches exist


def test_ranks_follow_train_counts_with_ties_by_id(data: Data) -> None:
    train = data.week <= 24
    for table, id_col in ((data.users, "user_id"), (data.items, "item_id")):
        ids = table.column(id_col).to_numpy()
        ranks = table.column("train_interactions_rank").to_numpy()
        assert np.array_equal(np.sort(ranks), np.arange(1, ids.size + 1))
        counts = np.bincount(np.searchsorted(ids, data.col[id_col][train]), minlength=ids.size)
        order = np.lexsort((ids, -counts))
        assert np.array_equal(ranks[order], np.arange(1, ids.size + 1))


def test_rates_land_near_targets(generated: tuple[Path, GenerationSummary], data: Data) -> None:
    summary = generated[1]
    for name, target in TARGETS.items():
        rate = data.col[name].mean()
        assert rate == pytest.approx(summary.rates[name])
        band = 3.0 if name == "dislike" else 1.5  # dislikes are a few dozen rows here
        assert target / band < rate < target * band, (name, rate)


def test_cold_clips_and_submission_template(generated: tuple[Path, GenerationSummary], data: Data) -> None:
    ids, first = data.first_week()
    world = build_world(GeneratorConfig(**SIZES))
    released_25 = world.item_ids[world.item_release_week == 25]
    shown = np.isin(data.col["item_id"], released_25)
    assert not (shown & (data.week < 25)).any()  # no history before the target week
    new_25 = ids[first == 25]
    assert np.isin(new_25, released_25).mean() > 0.9
    assert new_25.size >= 0.9 * SIZES["items_per_week"]
    assert generated[1].n_validation_target_clips == new_25.size
    template = data.submission.column("item_id").to_numpy()
    assert np.array_equal(np.sort(template), np.sort(ids[first == 26]))
    assert template.size == generated[1].n_template_items > 0
    assert all(len(users) == 0 for users in data.submission.column("user_id").to_pylist())
    # Most validation targets have users with a positive signal, so NDCG is defined for them.
    target_rows = (data.week == 25) & np.isin(data.col["item_id"], new_25) & data.positive()
    with_positive = np.unique(data.col["item_id"][target_rows]).size
    assert with_positive >= 0.75 * new_25.size


def test_embeddings(data: Data) -> None:
    npz = np.load(data.root / "metadata" / "item_embeddings.npz")
    assert sorted(npz.files) == ["embedding", "item_id"]
    item_id, embedding = npz["item_id"], npz["embedding"]
    assert item_id.dtype == np.uint32
    assert embedding.dtype == np.float16
    assert embedding.shape == (data.items.num_rows, 64)
    assert np.array_equal(np.sort(item_id), np.sort(data.items.column("item_id").to_numpy()))
    variance = embedding.astype(np.float64).var(axis=0)
    assert (np.diff(variance) < 0).all()
    # The leading components carry the topic: a nearest-centroid classifier on a prefix works well.
    world = build_world(GeneratorConfig(**SIZES))
    topic = world.item_main_topic[np.argsort(world.item_ids)][
        np.searchsorted(np.sort(world.item_ids), item_id)
    ]

    def accuracy(columns: slice) -> float:
        x = embedding[:, columns].astype(np.float64)
        train = np.arange(x.shape[0]) % 2 == 0
        present = np.unique(topic[train])
        centroids = np.stack([x[train & (topic == t)].mean(axis=0) for t in present])
        dist = ((x[~train, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        return float((present[dist.argmin(axis=1)] == topic[~train]).mean())

    assert accuracy(slice(0, 16)) > 0.6
    assert accuracy(slice(0, 16)) > accuracy(slice(48, 64)) + 0.2


def test_planted_structure(data: Data) -> None:
    world = build_world(GeneratorConfig(**SIZES))
    user_order = np.argsort(world.user_ids)
    item_order = np.argsort(world.item_ids)
    user = user_order[np.searchsorted(world.user_ids[user_order], data.col["user_id"])]
    item = item_order[np.searchsorted(world.item_ids[item_order], data.col["item_id"])]
    on_top_topic = world.user_top_topic[user] == world.item_main_topic[item]
    like = data.col["like"].astype(bool)
    assert like[on_top_topic].mean() > 2.0 * like[~on_top_topic].mean()
    dislike = data.col["dislike"].astype(bool)
    assert dislike[on_top_topic].mean() < dislike[~on_top_topic].mean()
    favourite = (world.user_favourite_authors[user] == world.item_author[item][:, None]).any(axis=1)
    click = data.col["click_on_author"].astype(bool)
    assert click[favourite].mean() > 4.0 * click[~favourite].mean()
    # Exposure is biased toward interests: the top topic is shown more than its prevalence.
    assert on_top_topic.mean() > 2.0 * world.topic_prevalence.mean()
    # Activity is heavy-tailed.
    rows_per_user = np.bincount(user, minlength=world.user_ids.size)
    assert rows_per_user.max() > 5 * np.median(rows_per_user)


def test_same_arguments_give_identical_bytes(
    tmp_path: Path, generated: tuple[Path, GenerationSummary]
) -> None:
    root = generated[0]
    generate_dataset(tmp_path, GeneratorConfig(**SIZES))
    for path in sorted(root.rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(root)).read_bytes() == path.read_bytes(), path


def test_fewer_weeks_and_regeneration_replace_stale_files(tmp_path: Path) -> None:
    small = {"n_users": 60, "n_authors": 10, "items_per_week": 8}
    generate_dataset(tmp_path, GeneratorConfig(**small, n_weeks=27))
    summary = generate_dataset(tmp_path, GeneratorConfig(**small, n_weeks=5, seed=1))
    weeks = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "interactions").rglob("*.parquet"))
    assert weeks == [f"interactions/train/week_{w:02d}.parquet" for w in range(5)]
    data = Data(tmp_path, n_weeks=5)
    ids, first = data.first_week()
    template = data.submission.column("item_id").to_numpy()
    assert np.array_equal(np.sort(template), np.sort(ids[first == 4]))
    assert summary.n_validation_target_clips == 0
    assert not list(tmp_path.rglob("*.tmp"))


def _favourite_author_share(root: Path, config: GeneratorConfig) -> tuple[float, float]:
    """Share of impressions, and of positive impressions, on a clip of one of the user's favourite authors."""
    data = Data(root, n_weeks=config.n_weeks)
    world = build_world(config)
    user_order, item_order = np.argsort(world.user_ids), np.argsort(world.item_ids)
    user = user_order[np.searchsorted(world.user_ids[user_order], data.col["user_id"])]
    item = item_order[np.searchsorted(world.item_ids[item_order], data.col["item_id"])]
    favourite = (world.user_favourite_authors[user] == world.item_author[item][:, None]).any(axis=1)
    return float(favourite.mean()), float(favourite[data.positive()].mean())


def test_an_author_driven_world_has_most_engagement_on_followed_authors(tmp_path: Path) -> None:
    small = {"n_users": 400, "n_authors": 60, "items_per_week": 40, "n_weeks": 6}
    shares = {}
    for name, settings in {
        "default": {},
        "authors": {"author_exposure": 0.45, "favourite_author_weight": 3.0},
    }.items():
        config = GeneratorConfig(**small, **settings)
        generate_dataset(tmp_path / name, config)
        shares[name] = _favourite_author_share(tmp_path / name, config)
    # more of the feed comes from followed authors (a favourite without a fresh clip falls back to
    # popularity, so less than the configured share), and most engagement does
    assert shares["authors"][0] > 1.5 * shares["default"][0]
    assert shares["authors"][1] > 0.6 and shares["default"][1] < 0.35


@pytest.mark.parametrize(
    "bad",
    [
        {"n_users": 0},
        {"n_weeks": 28},
        {"n_weeks": 0},
        {"items_per_week": 0},
        {"n_topics": 0},
        {"seed": -1},
        {"author_exposure": 0.6},
        {"favourite_author_weight": -1.0},
    ],
)
def test_invalid_settings_raise_user_errors(tmp_path: Path, bad: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        generate_dataset(tmp_path, GeneratorConfig(**bad))
    assert isinstance(info.value, VklsvdError)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "metadata").exists()
