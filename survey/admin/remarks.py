"""Console routes: the remarks of a round, their review and their themes."""

from . import bp  # noqa: F401
