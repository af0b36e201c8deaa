"""The console's pages for an anonymous round's codes: make them per school (and class),
download them as printable slips and as .xlsx, follow how many are spent."""

from . import bp  # noqa: F401
