"""Response figures of a round: invited, started, submitted, per CLB and per level, read
from the kept tally (services/tally.py), so the dashboard costs the same whatever the
number of schools; and the per-school status of one CLB."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import LEVELS, Centre, Invitation, Response, School
from . import tally


@dataclass
class Counts:
    invited: int = 0
    started: int = 0
    submitted: int = 0

    @property
    def rate(self) -> float | None:
        return self.submitted / self.invited if self.invited else None

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


def centre_schools(session: Session, round_id: int, centre_id: int) -> list[SchoolStatus]:
    """The schools of one CLB in a round and how far each is; never their answers."""
    rows = session.execute(
        select(Invitation.id, School.number, School.name, Invitation.level,
               Invitation.revoked_at, Response.status)
        .join(School, School.id == Invitation.school_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_id, Invitation.centre_id == centre_id)
        .order_by(School.name)).all()
    labels = {None: gettext("niet begonnen"), "draft": gettext("begonnen"),
              "submitted": gettext("ingediend")}
    return [SchoolStatus(inv_id, number, name, level, labels[status], revoked is not None,
                         status)
            for inv_id, number, name, level, revoked, status in rows]


def export_sheets(figures: RoundFigures) -> list[tuple[str, list[str], list[list]]]:
    """The round's figures as plain tables for a workbook (rates as numbers 0-100)."""

    def pct(c: Counts):
        return None if c.rate is None else round(100 * c.rate, 1)

    per_centre = [[r.number, r.name, r.total.invited, r.total.started, r.total.submitted,
                   pct(r.total), *[r.levels[lv].submitted for lv in LEVELS],
                   *[r.levels[lv].invited for lv in LEVELS]] for r in figures.centres]
    per_centre.append(["", gettext("Sector"), figures.total.invited, figures.total.started,
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
