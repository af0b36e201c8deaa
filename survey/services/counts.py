"""The counts cube kept up to date (table answer_count), so that a report reads a few
hundred rows instead of aggregating every answer. Every categorical item type is counted
by code per slot (a multi has one slot per option; a number counts per value); answers that
routing hid are never counted. A submit adds its answers in the same
transaction; withdrawing a submitted invitation takes them off, reinstating puts them
back. recomputed() aggregates the answers themselves: the check of the kept counts, and
rebuild() the repair after a bulk load that bypassed the services."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, cast, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from instrument.domain import Cube

from ..database import dialect_insert
from ..models import Answer, AnswerCount, Centre, Invitation, Response

__all__ = ["Cube", "add_response", "counted", "cube", "rebuild", "recomputed"]


def counted(round_id: int) -> tuple:
    """The conditions under which a response counts in a round's reports: submitted, and
    its invitation not withdrawn (queries join Response and Invitation)."""
    return (Invitation.round_id == round_id, Response.status == "submitted",
            Invitation.revoked_at.is_(None))


def _answers_counted(round_id: int, *columns):
    return (select(*columns).select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(*counted(round_id), Answer.hidden.is_(False)))
_statements: dict[str, object] = {}


def _add_statement(conn: Connection):
    """INSERT .. SELECT one response's answers, adding p_sign to each count; built once
    per dialect (this runs in every submit). Rows come in key order, so concurrent submits
    lock shared count rows in the same order and cannot deadlock."""
    key = conn.dialect.name
    if key not in _statements:
        table = AnswerCount.__table__
        source = (select(Invitation.round_id, Invitation.centre_id, Invitation.level,
                         Answer.item, Answer.value, cast(bindparam("p_sign"), Integer))
                  .join(Response, Response.id == Answer.response_id)
                  .join(Invitation, Invitation.id == Response.invitation_id)
                  .where(Answer.response_id == bindparam("p_response"),
                         Answer.hidden.is_(False))
                  .order_by(Answer.item, Answer.value))
        stmt = dialect_insert(conn, table).from_select(
            ["round_id", "centre_id", "level", "item", "value", "n"], source)
        _statements[key] = stmt.on_conflict_do_update(
            index_elements=["round_id", "centre_id", "level", "item", "value"],
            set_={"n": table.c.n + stmt.excluded.n})
    return _statements[key]


def add_response(conn: Connection, response_id: int, sign: int = 1) -> None:
    """Add (sign 1) or take off (sign -1) one submitted response's answers."""
    conn.execute(_add_statement(conn), {"p_response": response_id, "p_sign": sign})


def submitted_response(session: Session, invitation_id: int) -> int | None:
    return session.scalar(select(Response.id).where(
        Response.invitation_id == invitation_id, Response.status == "submitted"))


def cube(session: Session, round_id: int) -> Cube:
    """The kept counts: (CLB number, level, statement, code) -> count."""
    rows = session.execute(
        select(Centre.number, AnswerCount.level, AnswerCount.item, AnswerCount.value,
               AnswerCount.n)
        .join(Centre, Centre.id == AnswerCount.centre_id)
        .where(AnswerCount.round_id == round_id, AnswerCount.n > 0))
    return {(number, level, item, value): n for number, level, item, value, n in rows}


def recomputed(session: Session, round_id: int) -> Cube:
    """The same cube aggregated from every answer (one GROUP BY over the answers)."""
    rows = session.execute(
        _answers_counted(round_id, Centre.number, Invitation.level, Answer.item,
                         Answer.value, func.count())
        .join(Centre, Centre.id == Invitation.centre_id)
        .group_by(Centre.number, Invitation.level, Answer.item, Answer.value))
    return {(number, level, item, value): n for number, level, item, value, n in rows}


def rebuild(session: Session, round_id: int) -> None:
    """Recompute a round's kept counts from its answers (after a bulk load)."""
    session.execute(delete(AnswerCount).where(AnswerCount.round_id == round_id))
    session.execute(AnswerCount.__table__.insert().from_select(
        ["round_id", "centre_id", "level", "item", "value", "n"],
        _answers_counted(round_id, Invitation.round_id, Invitation.centre_id,
                         Invitation.level, Answer.item, Answer.value, func.count())
        .group_by(Invitation.round_id, Invitation.centre_id, Invitation.level,
                  Answer.item, Answer.value)))
