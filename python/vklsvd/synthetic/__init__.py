"""Synthetic VK-LSVD: the hub layout and dtypes, with planted structure that models can learn.

The generator writes exactly the files of the ``deepvk/VK-LSVD`` dataset (the real dataset's layout)::

    <out>/interactions/train/week_00.parquet ... week_24.parquet
    <out>/interactions/validation/week_25.parquet
    <out>/interactions/test/week_26.parquet
    <out>/metadata/users_metadata.parquet
    <out>/metadata/items_metadata.parquet
    <out>/metadata/item_embeddings.npz
    <out>/metadata/submission.parquet

The hidden world behind the data (built by :func:`build_world`, deterministic in the seed):

* ``n_topics`` topics with unequal prevalence. Authors have 1-2 favourite topics, a quality level and a
  productivity; items have an author, a dominant topic (usually one of the author's) plus a small
  mixture over all topics, a duration and a hidden quality; users have a sparse interest over topics
  (1-3 main topics), a heavy-tailed activity, an engagement propensity, 1-3 favourite authors, a
  primary and a secondary device (platform + agent), a mix of places, and demographics weakly tied
  to their topics.
* Items are released every week (``items_per_week``, also in weeks 25 and 26; three backlog weeks are
  released "before" week 0 so that week 0 looks like any other). An item is shown from its release week
  on, its popularity decaying over the next three weeks (:data:`POPULARITY_DECAY`), then it is gone.
* Each week every user draws a Poisson number of impressions; each impression comes from one of three
  exposure sources: global popularity (noise), the user's topics (the recommender's targeting,
  probability ∝ popularity * item topic weight) or one of the user's favourite authors. Together
  this is ``p(item | user) ∝ popularity * (1 + β_u · interest)`` plus a subscription term.
* Feedback comes from an affinity = topic match + favourite author + author quality + item quality +
  user propensity + place effect + impression noise. Signal intercepts and the watch-time scale are
  calibrated on a pilot week so the rates land near :data:`TARGET_RATES` and the mean timespent near
  :data:`TARGET_MEAN_TIMESPENT`.
* The content embedding (64 float16 components) is computed from the item's topic mixture, its
  author's style and item-specific style only (no collaborative signal): components are ordered by
  decreasing variance and increasing noise, so every prefix is a valid cheaper embedding.

Everything is vectorised numpy; the simulation runs week by week so memory stays bounded by one week.
Same arguments give byte-identical files (on the same platform and library versions).
"""

from vklsvd.synthetic.config import (
    MAX_WEEKS,
    POPULARITY_DECAY,
    TARGET_MEAN_TIMESPENT,
    TARGET_RATES,
    TEST_WEEK,
    VALIDATION_WEEK,
    GenerationSummary,
    GeneratorConfig,
)
from vklsvd.synthetic.files import generate_dataset, split_of_week, week_path
from vklsvd.synthetic.shapes import SHAPES, Shape, shape_config
from vklsvd.synthetic.world import SyntheticWorld, build_world

__all__ = [
    "MAX_WEEKS",
    "POPULARITY_DECAY",
    "SHAPES",
    "TARGET_MEAN_TIMESPENT",
    "TARGET_RATES",
    "TEST_WEEK",
    "VALIDATION_WEEK",
    "GenerationSummary",
    "GeneratorConfig",
    "Shape",
    "SyntheticWorld",
    "build_world",
    "generate_dataset",
    "shape_config",
    "split_of_week",
    "week_path",
]
