"""Console routes: every CLB's answer to its results, per CLB and across the sector."""

from . import bp  # noqa: F401
