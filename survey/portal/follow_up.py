"""Portal routes: the CLB writes its answer to its results (reaction and actions)."""

from . import bp  # noqa: F401
