"""Named dataset shapes for the synthetic generator: the sizes the warehouse must hold at.

A shape is a set of generator settings; `scale` resizes it while keeping what makes it that shape:

* ``tiny``   the test suite's own (500 users, a few seconds to build)
* ``demo``   `make demo` (4,000 users, ~1.25 M impressions)
* ``sparse`` many users with ~10 impressions a week each, many new clips a week (20,000 users, 2,000
  clips a week, ~5.3 M impressions at scale 1; scale 5 is 100,000 users and ~27 M impressions)
* ``dense``  the real `up0.001_ip0.001` subsample: 10,000 of the most active users, ~190 impressions per
  user-week and every user active every week, ~20,000 clips (~47 M train impressions at scale 1)

Scaling multiplies the users and authors. The clips released per week scale with the users in every
shape but ``dense``: there they stay fixed, because a dense user's ~190 weekly impressions must remain a
small share of the clips on show (a user never sees a clip twice), so a smaller dense dataset has
fewer users, not fewer clips per user.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vklsvd.errors import InvalidArgumentError
from vklsvd.synthetic import GeneratorConfig


@dataclass(frozen=True)
class Shape:
    config: GeneratorConfig
    clips_scale_with_users: bool = True
    description: str = ""


SHAPES: dict[str, Shape] = {
    "tiny": Shape(
        GeneratorConfig(n_users=500, n_authors=60, items_per_week=40, mean_impressions_per_user_week=10.0),
        description="the test suite's own",
    ),
    "demo": Shape(GeneratorConfig(), description="make demo"),
    "sparse": Shape(
        GeneratorConfig(
            n_users=20_000, n_authors=2_400, items_per_week=2_000, mean_impressions_per_user_week=10.0
        ),
        description="many users, ~10 impressions per user-week",
    ),
    "dense": Shape(
        # the generator realises ~91 % of the requested impressions at this density (a clip is never
        # shown twice to a user), so 210 requested give ~190 per user-week
        GeneratorConfig(
            n_users=10_000,
            n_authors=800,
            items_per_week=667,
            mean_impressions_per_user_week=210.0,
            activity_sigma=0.5,
        ),
        clips_scale_with_users=False,
        description="the real subsample: ~190 impressions per user-week, every user active every week",
    ),
}


def shape_config(name: str, scale: float = 1.0, seed: int = 0) -> GeneratorConfig:
    """Generator settings of shape `name` resized by `scale` (see the module docstring), with `seed`."""
    if name not in SHAPES:
        raise InvalidArgumentError(f"unknown dataset shape '{name}'; use one of {sorted(SHAPES)}")
    if not scale > 0:
        raise InvalidArgumentError(f"shape scale must be positive, got {scale}")
    shape = SHAPES[name]
    base = shape.config

    def scaled(value: int) -> int:
        return max(1, round(value * scale))

    return replace(
        base,
        n_users=scaled(base.n_users),
        n_authors=scaled(base.n_authors),
        items_per_week=scaled(base.items_per_week) if shape.clips_scale_with_users else base.items_per_week,
        seed=seed,
    )
