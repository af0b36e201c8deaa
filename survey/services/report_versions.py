"""Published versions of a round's reports: what CLBs see stays as it was published.

Publishing a round freezes its report inputs as version 1 (freeze(), called inside
rounds.publish_round's transaction). A change afterwards (a remark approved, an answer
withdrawn) only changes the live data; pending() says how it differs from the newest
published version, per CLB, and publish_version() makes it version N+1 when an inspector
confirms. The portal builds a CLB's feedback from the version asked for (the newest by
default): centre_feedback(). A round published before versions existed has none and is
shown live until an inspector freezes its version 1 (publish_version with expected=1).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instrument.domain import RoundState
from reports import content, frozen, version_diff
from reports.version_diff import CentreChange, RoundChanges

from ..database import write_transaction
from ..models import Round, User, utcnow
from ..models.versions import ReportVersion
from . import accounts
from .reports import RoundData, dutch_date, feedback, round_data


class VersionError(Exception):
    """A version that cannot be published now (message in Dutch)."""


# --- Reading and writing the frozen data ------------------------------------------------


def encode(data: RoundData) -> bytes:
    return frozen.dumps(data, extra=(RoundData,))


def decode(blob: bytes) -> RoundData:
    data = frozen.loads(blob, extra=(RoundData,))
    if not isinstance(data, RoundData):
        raise frozen.FrozenError("not a round's report inputs")
    return data


@functools.lru_cache(maxsize=4)
def _decoded(blob: bytes) -> RoundData:
    """Keyed by the bytes themselves: a version never changes, and a row id may be
    reused by another database (the tests') without reusing its contents."""
    return decode(blob)


def data_of(version: ReportVersion) -> RoundData:
    """The round's report inputs as the version froze them."""
    return _decoded(bytes(version.data))


# --- Which versions there are -----------------------------------------------------------


def versions(session: Session, rnd: Round) -> list[ReportVersion]:
    """Every version of the round, oldest first (without their data)."""
    return list(session.scalars(select(ReportVersion).where(ReportVersion.round_id == rnd.id)
                                .order_by(ReportVersion.number)))


def published(session: Session, rnd: Round) -> list[ReportVersion]:
    """The published versions, oldest first: what a CLB can open."""
    return [v for v in versions(session, rnd) if v.published]


def newest_numbers(session: Session, round_ids: list[int]) -> dict[int, ReportVersion]:
    """Per round: its newest published version (for the portal's list of rounds)."""
    if not round_ids:
        return {}
    newest = (select(ReportVersion.round_id, func.max(ReportVersion.number).label("n"))
              .where(ReportVersion.round_id.in_(round_ids),
                     ReportVersion.published_at.is_not(None))
              .group_by(ReportVersion.round_id).subquery())
    rows = session.scalars(select(ReportVersion).join(
        newest, (newest.c.round_id == ReportVersion.round_id)
        & (newest.c.n == ReportVersion.number)))
    return {v.round_id: v for v in rows}


def label(version: ReportVersion) -> str:
    """"Versie 2 van 3 december 2026": its number and the day it was published."""
    return gettext("Versie %(number)s van %(date)s", number=version.number,
                   date=dutch_date(version.published_at or version.created_at))


@dataclass(frozen=True)
class Shown:
    """The version a CLB is shown (None: the round has none, shown live) among the
    published ones, and what changed for that CLB against the version before it."""

    version: ReportVersion | None
    published: tuple[ReportVersion, ...]
    previous: ReportVersion | None = None    # the published version before it
    changes: CentreChange | None = None      # against `previous`

    @property
    def newest(self) -> ReportVersion | None:
        return self.published[-1] if self.published else None


def shown(session: Session, rnd: Round, centre_number: str,
          asked: str | None = None) -> Shown | None:
    """The version a CLB asked for (a number as typed in ?versie=, or None: the newest
    published) and its changes against the one before; None when the asked version is
    not a published one of the round (the portal answers 404)."""
    out = tuple(published(session, rnd))
    if asked is None:
        chosen = out[-1] if out else None
    else:
        asked = asked.strip()
        chosen = next((v for v in out if asked.isascii() and asked.isdigit()
                       and len(asked) < 10 and v.number == int(asked)), None)
        if chosen is None:
            return None
    previous = changes = None
    if chosen is not None:
        before = [v for v in out if v.number < chosen.number]
        if before:
            previous = before[-1]
            changes = version_diff.centre_changes(data_of(previous), data_of(chosen),
                                                  centre_number)
    return Shown(chosen, out, previous, changes)


def centre_feedback(session: Session, rnd: Round, centre_number: str,
                    version: ReportVersion | None) -> content.Feedback | None:
    """A CLB's feedback from a version's frozen data, its sheet's date naming the version
    ("3 december 2026 (versie 2)"), or the live feedback when `version` is None; None
    when the CLB had no invitation in the round."""
    if version is None:
        return feedback(session, rnd, centre_number)
    return feedback(session, rnd, centre_number, data=_named(version))


def build_data(session: Session, rnd: Round) -> RoundData:
    """What a build of the round's files reads (`survey reports build`, the console's
    build job): for a published round with a version, the newest published version's
    frozen data, its date naming the version, so that the .zip holds what the CLBs see;
    the live data otherwise (a closed round checked before publishing)."""
    newest = published(session, rnd)[-1:] if rnd.state == RoundState.PUBLISHED else []
    return _named(newest[0]) if newest else round_data(session, rnd)


def _named(version: ReportVersion) -> RoundData:
    """A version's frozen data with its sheets' date naming it: "3 december 2026
    (versie 2)"."""
    data = data_of(version)
    info = dataclasses.replace(data.info, date=gettext(
        "%(date)s (versie %(number)s)", date=data.info.date, number=version.number))
    return dataclasses.replace(data, info=info)


# --- Freezing and publishing ------------------------------------------------------------


def _lock(session: Session, rnd: Round) -> None:
    """Hold the round's row, so two publications do not both take number N+1 (PostgreSQL;
    SQLite's writers queue already: BEGIN IMMEDIATE)."""
    session.execute(select(Round.id).where(Round.id == rnd.id).with_for_update())


def _next_number(session: Session, rnd: Round) -> int:
    return (session.scalar(select(func.max(ReportVersion.number))
                           .where(ReportVersion.round_id == rnd.id)) or 0) + 1


def freeze(session: Session, rnd: Round, user: User | None = None, *,
           summary: str = "") -> ReportVersion:
    """Freeze the round's report inputs, as they are now, as its next version, published
    now. Writes without a transaction of its own: publish_round calls it inside its own."""
    _lock(session, rnd)
    now = utcnow()
    data = round_data(session, rnd, today=now)
    blob = encode(data)
    version = ReportVersion(round_id=rnd.id, number=_next_number(session, rnd),
                            created_at=now, created_by=user.id if user else None,
                            published_at=now, data=blob, size=len(blob),
                            summary=summary[:500])
    session.add(version)
    session.flush()
    return version


@dataclass(frozen=True)
class Pending:
    """The live data against the newest published version (None: the round has none)."""

    newest: ReportVersion | None
    changes: RoundChanges | None      # None when there is no version to compare with

    @property
    def next_number(self) -> int:
        return self.newest.number + 1 if self.newest else 1

    @property
    def changed(self) -> bool:
        return self.changes is not None and self.changes.changed


def pending(session: Session, rnd: Round) -> Pending:
    """How the live data differs from the newest published version, per CLB."""
    out = published(session, rnd)
    if not out:
        return Pending(None, None)
    newest = out[-1]
    return Pending(newest, version_diff.round_changes(data_of(newest),
                                                      round_data(session, rnd)))


def summary_text(changes: RoundChanges) -> str:
    """What changed, in a sentence (kept with the version)."""
    centres = len(changes.centres)
    added = sum(len(c.remarks_added) for c in changes.centres)
    removed = sum(len(c.remarks_removed) for c in changes.centres)
    responses = sum(1 for c in changes.centres if c.levels)
    parts = [ngettext("%(num)d CLB gewijzigd", "%(num)d CLB's gewijzigd", centres)]
    if responses:
        parts.append(ngettext("respons anders bij %(num)d CLB", "respons anders bij %(num)d "
                              "CLB's", responses))
    if added:
        parts.append(ngettext("%(num)d opmerking erbij", "%(num)d opmerkingen erbij", added))
    if removed:
        parts.append(ngettext("%(num)d opmerking weg", "%(num)d opmerkingen weg", removed))
    return ", ".join(parts)


def publish_version(session: Session, rnd: Round, user: User | None,
                    expected: int) -> ReportVersion:
    """Publish the live data as version `expected` (the number the confirmation page
    showed: a second post, or a colleague's publication in between, is refused), in one
    write transaction, audited. Version 1 of a round published before versions existed
    is frozen the same way."""
    with write_transaction(session):
        _lock(session, rnd)
        if rnd.state != "published":
            raise VersionError(gettext("Alleen een gepubliceerde bevraging heeft versies."))
        state = pending(session, rnd)
        if state.next_number != expected:
            raise VersionError(gettext(
                "Intussen is versie %(number)s al gepubliceerd: bekijk de verschillen "
                "opnieuw.", number=state.next_number - 1))
        if state.newest is not None and not state.changed:
            raise VersionError(gettext(
                "Er is niets veranderd sinds versie %(number)s.", number=state.newest.number))
        summary = (summary_text(state.changes) if state.changes is not None
                   else gettext("Eerste versie, vastgelegd na de publicatie"))
        version = freeze(session, rnd, user, summary=summary)
        accounts.audit(session, user, "report version published", rnd.name,
                       round=rnd.id, version=version.number, summary=summary)
    return version
