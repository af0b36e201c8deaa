"""Dutch formatting of dates and numbers for templates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(BRUSSELS)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} om {local:%H:%M}"


def local_time(value: datetime | None) -> str:
    return "" if value is None else f"{value.astimezone(BRUSSELS):%H:%M}"


def register(app) -> None:
    from reports.content import fmt_diff, fmt_pct

    app.add_template_filter(local_datetime)
    app.add_template_filter(local_time)
    app.add_template_filter(fmt_pct, "pct")
    app.add_template_filter(fmt_diff, "diff")
