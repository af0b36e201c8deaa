"""Dutch formatting of dates and numbers for templates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale, gettext

BRUSSELS = ZoneInfo("Europe/Brussels")
# Dutch month names for the reports' Dutch dates (services/reports.py).
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def _locale():
    """The request's language; Dutch outside an app context (a script, a job)."""
    return get_locale() or "nl"


def local_datetime(value: datetime | None) -> str:
    """"3 maart 2027 om 09:05" in Brussels time. The pattern (Unicode date fields) is in the
    catalogue, because another language orders day, month and time its own way."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(BRUSSELS), gettext("d MMMM y 'om' HH:mm"),
                           locale=_locale())


def local_time(value: datetime | None) -> str:
    return "" if value is None else f"{value.astimezone(BRUSSELS):%H:%M}"


def register(app) -> None:
    from reports.content import fmt_diff, fmt_pct

    app.add_template_filter(local_datetime)
    app.add_template_filter(local_time)
    app.add_template_filter(fmt_pct, "pct")
    app.add_template_filter(fmt_diff, "diff")
