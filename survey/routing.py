"""URL parts and query arguments that are numbers, bounded to what the database holds.

Ids are INTEGER columns (at most 2**31 - 1 on PostgreSQL; SQLite refuses a Python int past
2**63). An unbounded number from a URL would reach the query and fail there with a 500;
bounded here, it is a 404 before any view runs. The `int` converter is replaced app-wide,
so every route is covered without a view doing anything.
"""

from __future__ import annotations

import builtins

from flask import Flask, abort
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1          # PostgreSQL's INTEGER, the smaller of the two
MAX_PAGE = 100_000                    # far past any list the console pages through


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` as Werkzeug has it, but ASCII digits only (Werkzeug's \\d also takes
    other scripts' digits) and at most DATABASE_INT_MAX: anything else does not match.
    Past ten digits the URL does not even reach a rule: Werkzeug answers 405 rather than
    404 when a value fails one rule's converter while another rule has the same path for
    another method (a questionnaire's preview: GET and POST)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        bound = DATABASE_INT_MAX if max is None else builtins.min(max, DATABASE_INT_MAX)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def register(app: Flask) -> None:
    """Before any blueprint: rules take their converter when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def page_number(args, name: str = "pagina") -> int:
    """The page a list is asked for: 1 when missing or not a plain number (or below 1),
    404 past MAX_PAGE."""
    text = args.get(name, "")
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE)) or int(text) > MAX_PAGE:
        abort(404)
    return max(int(text), 1)
