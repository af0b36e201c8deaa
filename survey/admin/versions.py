"""Console pages (reserved for issue 13; filled in by that change)."""

from . import bp  # noqa: F401
