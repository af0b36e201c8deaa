"""Response figures kept up to date (table invitation_tally): per round, CLB and level, the
invitations not withdrawn and how many of them were started and submitted, so that the
inspector's dashboard reads a few hundred rows whatever the size of the round. Inviting,
withdrawing, reinstating, a school's first save and its submit change them in their own
transaction; recomputed() counts the invitations themselves: the check, and rebuild() the
repair after a bulk load that went around the services."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, case, cast, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..database import dialect_insert
from ..models import Invitation, InvitationTally, Response

# (centre id, level) -> (invited, started, submitted)
Tally = dict[tuple[int, str], tuple[int, int, int]]

_statements: dict[str, object] = {}


def _upsert(conn: Connection, source):
    table = InvitationTally.__table__
    stmt = dialect_insert(conn, table).from_select(
        ["round_id", "centre_id", "level", "invited", "started", "submitted"], source)
    return stmt.on_conflict_do_update(
        index_elements=["round_id", "centre_id", "level"],
        set_={name: table.c[name] + stmt.excluded[name]
              for name in ("invited", "started", "submitted")})


def _deltas():
    return [cast(bindparam(name), Integer) for name in ("p_invited", "p_started",
                                                        "p_submitted")]


def _by_invitation(conn: Connection):
    """Add the given deltas to the row of one invitation's round, CLB and level; built
    once per dialect, as this runs in a school's first save and in its submit."""
    key = conn.dialect.name
    if key not in _statements:
        _statements[key] = _upsert(conn, select(
            Invitation.round_id, Invitation.centre_id, Invitation.level, *_deltas())
            .where(Invitation.id == bindparam("p_invitation")))
    return _statements[key]


def add(conn: Connection, invitation_id: int, *, invited: int = 0, started: int = 0,
        submitted: int = 0) -> None:
    conn.execute(_by_invitation(conn), {"p_invitation": invitation_id, "p_invited": invited,
                                        "p_started": started, "p_submitted": submitted})


def invitation_changed(session: Session, invitation_id: int, sign: int) -> None:
    """An invitation leaves (sign -1, withdrawn) or rejoins (sign 1) the figures, with
    whatever its school had started or submitted."""
    status = session.scalar(select(Response.status).where(
        Response.invitation_id == invitation_id))
    add(session.connection(), invitation_id, invited=sign,
        started=sign if status is not None else 0,
        submitted=sign if status == "submitted" else 0)


def invited(session: Session, round_id: int, groups: dict[tuple[int, str], int]) -> None:
    """New invitations: groups is (centre id, level) -> how many; rows are changed in key
    order, so concurrent transactions lock shared rows in the same order."""
    table = InvitationTally.__table__
    for (centre_id, level), n in sorted(groups.items()):
        stmt = dialect_insert(session, table).values(
            round_id=round_id, centre_id=centre_id, level=level, invited=n, started=0,
            submitted=0)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["round_id", "centre_id", "level"],
            set_={"invited": table.c.invited + stmt.excluded.invited}))


def kept(session: Session, round_id: int) -> Tally:
    rows = session.execute(
        select(InvitationTally.centre_id, InvitationTally.level, InvitationTally.invited,
               InvitationTally.started, InvitationTally.submitted)
        .where(InvitationTally.round_id == round_id))
    return {(c, lv): (i, s, d) for c, lv, i, s, d in rows if (i, s, d) != (0, 0, 0)}


def _recount(round_id: int, *keys):
    # A coded round's school has many responses: the join repeats its invitation once per
    # response, so the invitations are counted distinct.
    return (select(*keys, func.count(func.distinct(Invitation.id)), func.count(Response.id),
                   func.count(case((Response.status == "submitted", 1))))
            .outerjoin(Response, Response.invitation_id == Invitation.id)
            .where(Invitation.round_id == round_id, Invitation.revoked_at.is_(None))
            .group_by(*keys))


def recomputed(session: Session, round_id: int) -> Tally:
    """The same figures counted from every invitation (one GROUP BY over a join)."""
    rows = session.execute(_recount(round_id, Invitation.centre_id, Invitation.level))
    return {(c, lv): (i, s, d) for c, lv, i, s, d in rows}


def rebuild(session: Session, round_id: int) -> None:
    session.execute(delete(InvitationTally).where(InvitationTally.round_id == round_id))
    session.execute(InvitationTally.__table__.insert().from_select(
        ["round_id", "centre_id", "level", "invited", "started", "submitted"],
        _recount(round_id, Invitation.round_id, Invitation.centre_id, Invitation.level)))
