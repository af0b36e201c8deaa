"""What is not ready before a round is published: the list the inspector reads (and
confirms) on the publish page.

- remarks still to review (a CLB sees only approved ones, so these are left out);
- invited schools that were never mailed by the platform (some may have had a link from
  the links list for a mail merge: that is said beside the count); in a coded round,
  which mails nobody, the schools instead that have no codes at all;
- schools whose CLB is now outside the round's CLBs (they changed CLB after they were
  invited: their answers count for the CLB they had then);
- CLBs whose report will be wholly suppressed: every statement's figure hidden, decided
  by the reports' own rule (reports.feedback.centre_rows on the round's counts cube), so
  this list can never disagree with the sheets;
- CLBs for which a sector benchmark cannot be shown (fewer than the round's minimum of
  other CLBs with answers, docs/statistics.md), with the number of statements affected.

Everything is read with aggregate queries and the kept counts: the page costs the same
for forty CLBs whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from reports.feedback import centre_rows
from reports.layout import from_snapshot
from reports.suppression import TOTAL

from ..models import Centre, Invitation, InvitationLink, MessageSend, Round, School
from ..models.access import AccessCode
from . import remarks
from .counts import cube as counts_cube
from .monitoring import round_figures

EXAMPLES = 20     # schools named per item; the count says how many there are


@dataclass(frozen=True)
class SchoolNote:
    number: str
    name: str
    centre: str          # the CLB the school belongs to now
    invited_for: str     # the CLB it was invited for (its answers count there)


@dataclass(frozen=True)
class CentreNote:
    number: str
    name: str
    submitted: int        # schools that submitted (not withdrawn)
    statements: int = 0   # statements without a sector benchmark (benchmark item only)


@dataclass
class Readiness:
    statements: int                     # the round's statements (for "x of y")
    min_group_size: int
    min_benchmark_centres: int
    pending_remarks: int = 0
    never_mailed: int = 0
    never_mailed_with_link: int = 0     # of those, with a link made for a mail merge
    never_mailed_examples: list[str] = field(default_factory=list)
    without_codes: int = 0              # a coded round: schools with no codes made
    without_codes_examples: list[str] = field(default_factory=list)
    outside: list[SchoolNote] = field(default_factory=list)
    suppressed: list[CentreNote] = field(default_factory=list)
    no_benchmark: list[CentreNote] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (self.pending_remarks or self.never_mailed or self.without_codes
                    or self.outside or self.suppressed or self.no_benchmark)


def check(session: Session, rnd: Round) -> Readiness:
    layout = from_snapshot(rnd.definition)
    out = Readiness(len(layout.numbers), rnd.min_group_size, rnd.min_benchmark_centres)
    out.pending_remarks = remarks.counts(session, rnd)["pending"]
    if rnd.uses_codes:
        _codes(session, rnd, out)
    else:
        _mails(session, rnd, out)
    out.outside = _outside(session, rnd)
    _reports(session, rnd, layout, out)
    return out


def _mails(session: Session, rnd: Round, out: Readiness) -> None:
    """Invitations not withdrawn without any mail the server accepted (invitation,
    reminder or a resend: any of them carried a link)."""
    mailed = exists().where(MessageSend.invitation_id == Invitation.id,
                            MessageSend.status == "sent")
    linked = exists().where(InvitationLink.invitation_id == Invitation.id)
    never = (Invitation.round_id == rnd.id, Invitation.revoked_at.is_(None), ~mailed)
    count = select(func.count()).select_from(Invitation)
    out.never_mailed = session.scalar(count.where(*never))
    out.never_mailed_with_link = session.scalar(count.where(*never, linked)) \
        if out.never_mailed else 0
    out.never_mailed_examples = list(session.scalars(
        select(School.name).join(Invitation, Invitation.school_id == School.id)
        .where(*never).order_by(School.name).limit(EXAMPLES)))


def _codes(session: Session, rnd: Round, out: Readiness) -> None:
    """Invitations not withdrawn of a coded round for which no code was ever made: nobody
    of that school could answer."""
    coded = exists().where(AccessCode.invitation_id == Invitation.id)
    without = (Invitation.round_id == rnd.id, Invitation.revoked_at.is_(None), ~coded)
    out.without_codes = session.scalar(
        select(func.count()).select_from(Invitation).where(*without))
    out.without_codes_examples = list(session.scalars(
        select(School.name).join(Invitation, Invitation.school_id == School.id)
        .where(*without).order_by(School.name).limit(EXAMPLES)))


def _outside(session: Session, rnd: Round) -> list[SchoolNote]:
    mine = select(Invitation.centre_id).where(Invitation.round_id == rnd.id)
    now_centre, then_centre = Centre.__table__.alias("now_centre"), \
        Centre.__table__.alias("then_centre")
    rows = session.execute(
        select(School.number, School.name, now_centre.c.name, then_centre.c.name)
        .join(Invitation, Invitation.school_id == School.id)
        .join(now_centre, now_centre.c.id == School.centre_id)
        .join(then_centre, then_centre.c.id == Invitation.centre_id)
        .where(Invitation.round_id == rnd.id, Invitation.revoked_at.is_(None),
               School.centre_id.not_in(mine))
        .order_by(School.name)).all()
    return [SchoolNote(*row) for row in rows]


def _reports(session: Session, rnd: Round, layout, out: Readiness) -> None:
    """Per CLB of the round, the reports' own rows: wholly suppressed when no row of any
    statement shows a figure of any answers; a statement lacks a benchmark when its total row has no
    sector figure or says why not (sector_reason: too few other CLBs with answers)."""
    cube = counts_cube(session, rnd.id)
    reference = rnd.reference_round
    sector_cube = counts_cube(session, reference.id) if reference else None
    for row in sorted(round_figures(session, rnd.id).centres, key=lambda r: r.number):
        rows = centre_rows(cube, row.number, layout.numbers, rnd.min_group_size,
                           layout.scale, sector_cube, rnd.min_benchmark_centres,
                           layout.scales)
        submitted = row.total.submitted
        # nothing shown: every group hidden, or without answers (a group with none has
        # nothing to hide, so the reports do not mark it suppressed)
        if layout.numbers and all(r.figures is None or r.figures.n == 0 for r in rows):
            out.suppressed.append(CentreNote(row.number, row.name, submitted))
        # no raw sector figure, or one left out for too few CLBs (a round of one CLB
        # has no other CLB at all, so there is no reason to give either)
        without = sum(1 for r in rows if r.level == TOTAL
                      and (r.sector_reason or r.sector_pct is None))
        if without:
            out.no_benchmark.append(CentreNote(row.number, row.name, submitted, without))
