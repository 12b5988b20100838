"""``python -m vklsvd``: the command line."""

from __future__ import annotations

import sys

from vklsvd.cli import main

if __name__ == "__main__":
    sys.exit(main())
