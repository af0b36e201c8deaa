"""Response figures of a round: invited, started, submitted, per CLB and per level, read
from the kept tally (services/tally.py), so the dashboard costs the same whatever the
number of schools; the per-school status of one CLB; and the submissions per day
(overall and per level) with the line chart drawn from them (timeline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..formatting import BRUSSELS
from ..models import LEVELS, Centre, Invitation, Response, Round, School
from . import tally


@dataclass
class Counts:
    invited: int = 0
    started: int = 0
    submitted: int = 0

    @property
    def rate(self) -> float | None:
        return self.submitted / self.invited if self.invited else None

    # The three states an invitation is in, which add up to `invited`: the sentence and
    # the table both count "begonnen" as started but not yet submitted.
    @property
    def in_progress(self) -> int:
        return self.started - self.submitted

    @property
    def not_started(self) -> int:
        return self.invited - self.started

    def add(self, other: Counts) -> None:
        self.invited += other.invited
        self.started += other.started
        self.submitted += other.submitted


@dataclass
class CentreRow:
    centre_id: int
    number: str
    name: str
    total: Counts = field(default_factory=Counts)
    levels: dict[str, Counts] = field(default_factory=lambda: {lv: Counts() for lv in LEVELS})


@dataclass
class RoundFigures:
    centres: list[CentreRow]
    total: Counts
    levels: dict[str, Counts]


SORT_KEYS = {
    "clb": lambda r: r.name.lower(),
    "uitgenodigd": lambda r: -r.total.invited,
    "ingediend": lambda r: -r.total.submitted,
    "respons": lambda r: (r.total.rate is None, r.total.rate or 0),
}


def round_figures(session: Session, round_id: int, sort: str = "clb", *,
                  recount: bool = False) -> RoundFigures:
    """The kept figures (a few hundred rows); with recount, counted from every invitation
    instead (the check of the kept ones)."""
    counted = (tally.recomputed if recount else tally.kept)(session, round_id)
    names = dict((cid, (num, name)) for cid, num, name in session.execute(
        select(Centre.id, Centre.number, Centre.name).where(
            Centre.id.in_({centre_id for centre_id, _ in counted}))))
    by_centre: dict[int, CentreRow] = {}
    total, levels = Counts(), {lv: Counts() for lv in LEVELS}
    for (centre_id, level), (n_invited, n_started, n_submitted) in counted.items():
        counts = Counts(n_invited, n_started, n_submitted)
        number, name = names[centre_id]
        row = by_centre.setdefault(centre_id, CentreRow(centre_id, number, name))
        row.levels[level].add(counts)
        row.total.add(counts)
        levels[level].add(counts)
        total.add(counts)
    centres = sorted(by_centre.values(), key=SORT_KEYS.get(sort, SORT_KEYS["clb"]))
    return RoundFigures(centres, total, levels)


@dataclass(frozen=True)
class SchoolStatus:
    invitation_id: int
    number: str
    name: str
    level: str
    status: str  # shown: "niet begonnen", "begonnen", "ingediend" (in the current language)
    withdrawn: bool  # withdrawn invitations keep what was answered
    response_status: str | None = None   # None (not begun), "draft" or "submitted"
    school_id: int | None = None         # its page in the school directory


def centre_schools(session: Session, round_id: int, centre_id: int) -> list[SchoolStatus]:
    """The schools of one CLB in a round and how far each is; never their answers. One row
    per school also in a coded round, whose school has one anonymous response per code
    opened: its status then counts them."""
    submitted = func.count(case((Response.status == "submitted", 1)))
    rows = session.execute(
        select(Invitation.id, School.number, School.name, Invitation.level,
               Invitation.revoked_at, func.count(Response.id), submitted, School.id)
        .join(School, School.id == Invitation.school_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_id, Invitation.centre_id == centre_id)
        .group_by(Invitation.id, School.number, School.name, Invitation.level,
                  Invitation.revoked_at, School.id)
        .order_by(School.name)).all()
    coded = session.scalar(select(Round.access).where(Round.id == round_id)) == "codes"
    labels = {None: gettext("niet begonnen"), "draft": gettext("begonnen"),
              "submitted": gettext("ingediend")}
    out = []
    for inv_id, number, name, level, revoked, started, done, school_id in rows:
        status = "submitted" if done else ("draft" if started else None)
        label = ngettext("%(num)d code geopend, %(submitted)d ingediend",
                         "%(num)d codes geopend, %(submitted)d ingediend", started,
                         submitted=done) if coded else labels[status]
        out.append(SchoolStatus(inv_id, number, name, level, label, revoked is not None,
                                status, school_id))
    return out


def export_sheets(figures: RoundFigures, wide: bool = True
                  ) -> list[tuple[str, list[str], list[list]]]:
    """The round's figures as plain tables for a workbook (rates as numbers 0-100); the
    total row is "Sector" only for a sector-wide round."""

    def pct(c: Counts):
        return None if c.rate is None else round(100 * c.rate, 1)

    per_centre = [[r.number, r.name, r.total.invited, r.total.started, r.total.submitted,
                   pct(r.total), *[r.levels[lv].submitted for lv in LEVELS],
                   *[r.levels[lv].invited for lv in LEVELS]] for r in figures.centres]
    total = gettext("Sector") if wide else gettext("Totaal")
    per_centre.append(["", total, figures.total.invited, figures.total.started,
                       figures.total.submitted, pct(figures.total),
                       *[figures.levels[lv].submitted for lv in LEVELS],
                       *[figures.levels[lv].invited for lv in LEVELS]])
    per_level = [[lv, c.invited, c.started, c.submitted, pct(c)]
                 for lv, c in figures.levels.items()]
    invited, started, submitted = gettext("uitgenodigd"), gettext("begonnen"), gettext(
        "ingediend")
    rate = gettext("respons %")
    return [
        (gettext("Per CLB"), [gettext("CLB-nummer"), gettext("CLB"), invited, started,
                              submitted, rate,
                              *[gettext("ingediend %(level)s", level=lv) for lv in LEVELS],
                              *[gettext("uitgenodigd %(level)s", level=lv) for lv in LEVELS]],
         per_centre),
        (gettext("Per niveau"), [gettext("niveau"), invited, started, submitted, rate],
         per_level),
    ]


# --- Submissions over time ---------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 600, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 10, 28
# Overall in black; the levels in the scale's purples and oranges (reports/charts.py's
# family), distinguishable in grey print by their dashes too.
SERIES_STYLE = {"total": ("#000000", "", 2.5), "bao": ("#5e3c99", "", 1.8),
                "so": ("#e66101", "6 3", 1.8), "bubao": ("#b2abd2", "2 2", 1.8),
                "buso": ("#fdb863", "8 3 2 3", 1.8)}


@dataclass(frozen=True)
class Day:
    day: date
    submitted: dict[str, int]     # per level, submitted that day (Brussels time)
    total: int
    cumulative: dict[str, int]    # per level and "total", submitted up to that day


@dataclass(frozen=True)
class Series:
    key: str                      # "total" or a level
    points: str                   # the SVG polyline's points
    colour: str
    dash: str
    width: float
    last_pct: float | None


@dataclass(frozen=True)
class Timeline:
    days: list[Day]
    invited: dict[str, int]       # per level and "total"
    series: list[Series]
    ticks: list[tuple[float, str]]        # x position, day label (a few)
    grid: list[tuple[float, int]]         # y position, percentage

    def pct(self, day: Day, key: str) -> float | None:
        n = self.invited.get(key, 0)
        return 100 * day.cumulative.get(key, 0) / n if n else None


def _hour(session: Session):
    """Submission time truncated to the hour, as text, in either database: Brussels is a
    whole number of hours from UTC, so hours fall wholly in one local day."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", Response.submitted_at)
    return func.to_char(func.date_trunc("hour", Response.submitted_at), "YYYY-MM-DD HH24")


def submissions_per_day(session: Session, round_id: int) -> dict[date, dict[str, int]]:
    """Submitted responses of invitations not withdrawn, per local day and level (one
    GROUP BY by hour: at most 24 rows per day and level, whatever the number of schools)."""
    hour = _hour(session)
    rows = session.execute(
        select(hour, Invitation.level, func.count())
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.round_id == round_id, Invitation.revoked_at.is_(None),
               Response.status == "submitted", Response.submitted_at.is_not(None))
        .group_by(hour, Invitation.level)).all()
    out: dict[date, dict[str, int]] = {}
    for stamp, level, n in rows:
        moment = datetime.strptime(stamp, "%Y-%m-%d %H").replace(tzinfo=UTC)
        day = moment.astimezone(BRUSSELS).date()
        levels = out.setdefault(day, dict.fromkeys(LEVELS, 0))
        levels[level] += n
    return out


def timeline(session: Session, round_id: int, figures: RoundFigures,
             until: date | None = None) -> Timeline:
    """Every day from the first submission to the last (or to `until`, today for an
    open round), with the cumulative share of invited schools that submitted, overall
    and per level with invitations, as lines of a chart (y: 0-100 %)."""
    per_day = submissions_per_day(session, round_id)
    invited = {lv: c.invited for lv, c in figures.levels.items()}
    invited["total"] = figures.total.invited
    if not per_day:
        return Timeline([], invited, [], [], [])
    first, last = min(per_day), max(per_day)
    if until is not None and until > last:
        last = min(until, first + timedelta(days=365))
    days, running = [], dict.fromkeys((*LEVELS, "total"), 0)
    for i in range((last - first).days + 1):
        day = first + timedelta(days=i)
        submitted = per_day.get(day, dict.fromkeys(LEVELS, 0))
        for lv, n in submitted.items():
            running[lv] += n
            running["total"] += n
        days.append(Day(day, submitted, sum(submitted.values()), dict(running)))
    inner_w = CHART_WIDTH - _LEFT - _RIGHT
    inner_h = CHART_HEIGHT - _TOP - _BOTTOM

    def x(i: int) -> float:
        return _LEFT + (inner_w * i / (len(days) - 1) if len(days) > 1 else inner_w / 2)

    def y(pct: float) -> float:
        return _TOP + inner_h * (1 - pct / 100)

    series = []
    for key in ("total", *LEVELS):
        if not invited.get(key):
            continue
        pcts = [100 * d.cumulative[key] / invited[key] for d in days]
        colour, dash, width = SERIES_STYLE[key]
        points = " ".join(f"{x(i):.1f},{y(p):.1f}" for i, p in enumerate(pcts))
        if len(days) == 1:   # one day: a short level line, not an invisible point
            points = f"{_LEFT:.1f},{y(pcts[0]):.1f} {_LEFT + inner_w:.1f},{y(pcts[0]):.1f}"
        series.append(Series(key, points, colour, dash, width, pcts[-1]))
    step = max(1, len(days) // 6)
    ticks = [(x(i), f"{days[i].day.day}/{days[i].day.month}")
             for i in range(0, len(days), step)]
    grid = [(y(p), p) for p in (0, 25, 50, 75, 100)]
    return Timeline(days, invited, series, ticks, grid)
