"""The answer service: read a school's draft, save answers, submit. Used by the school form,
its autosave endpoint, the demo and the tests alike.

Every save is one write transaction. The response row is claimed with INSERT .. ON CONFLICT
DO NOTHING and then locked (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE already serialises
SQLite), so concurrent saves and double submits of one invitation meet on one row: the first
submit wins, later ones change nothing and report "already_submitted".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..database import upsert, write_transaction
from ..models import Answer, Invitation, Remark, Response, utcnow
from ..questionnaire import Questionnaire
from .rounds import questionnaire_of

SAVED, SUBMITTED, ALREADY_SUBMITTED, CLOSED, REVOKED = (
    "saved", "submitted", "already_submitted", "closed", "revoked")


class InvalidAnswers(ValueError):
    """Answers that do not fit the round's questionnaire; .problems are Dutch messages."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Draft:
    status: str | None = None  # None: not started
    answers: dict[int, int] = field(default_factory=dict)
    remarks: dict[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None
    submitted_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"


def load_draft(session: Session, invitation_id: int) -> Draft:
    resp = session.scalar(select(Response).where(Response.invitation_id == invitation_id))
    if resp is None:
        return Draft()
    answers = dict(session.execute(
        select(Answer.item, Answer.value).where(Answer.response_id == resp.id)).all())
    remarks = dict(session.execute(
        select(Remark.key, Remark.text).where(Remark.response_id == resp.id)).all())
    return Draft(resp.status, answers, remarks, resp.updated_at, resp.submitted_at)


def validate(q: Questionnaire, answers: dict[int, int | None],
             remarks: dict[str, str]) -> None:
    problems = []
    codes = q.codes
    for number, value in answers.items():
        if q.statement(number) is None:
            problems.append(f"Stelling {number} bestaat niet in deze vragenlijst.")
        elif value is not None and value not in codes:
            problems.append(f"Stelling {number}: {value!r} is geen antwoord op de schaal.")
    limits = {i.key: i.max_length for i in q.text_items}
    for key, text in remarks.items():
        if key not in limits:
            problems.append(f"Het opmerkingenveld {key!r} bestaat niet in deze vragenlijst.")
        elif len(text) > limits[key]:
            problems.append(f"Een opmerking mag hoogstens {limits[key]} tekens lang zijn "
                            f"(nu {len(text)}).")
    if problems:
        raise InvalidAnswers(problems)


def save(session: Session, invitation_id: int, answers: dict[int, int | None],
         remarks: dict[str, str] | None = None, *, submit: bool = False,
         now: datetime | None = None) -> str:
    """Store answers (None clears one) and remarks ("" clears one); submit if asked.

    Returns SAVED, SUBMITTED, ALREADY_SUBMITTED (nothing changed), CLOSED or REVOKED.
    Raises InvalidAnswers before anything is written."""
    remarks = {k: v.strip() for k, v in (remarks or {}).items()}
    now = now or utcnow()
    with write_transaction(session):
        # write_transaction() ended any earlier transaction, which expired what it loaded:
        # these reads are fresh and made under the write lock.
        inv = session.get(Invitation, invitation_id)
        if inv is None or inv.revoked_at is not None:
            return REVOKED
        rnd = inv.round
        if not rnd.accepts_answers(now):
            return CLOSED
        validate(questionnaire_of(rnd), answers, remarks)

        upsert(session, Response.__table__,
               [{"invitation_id": inv.id, "status": "draft", "started_at": now,
                 "updated_at": now}],
               keys=["invitation_id"], update=[])
        resp_id, status = session.execute(
            select(Response.id, Response.status)
            .where(Response.invitation_id == inv.id).with_for_update()).one()
        if status == "submitted":
            return ALREADY_SUBMITTED

        _store(session, resp_id, answers, remarks)
        values = {"updated_at": now}
        if submit:
            values.update(status="submitted", submitted_at=now)
        done = session.execute(
            update(Response).where(Response.id == resp_id, Response.status == "draft")
            .values(**values).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            session.rollback()
            return ALREADY_SUBMITTED
    return SUBMITTED if submit else SAVED


def _store(session: Session, resp_id: int, answers: dict[int, int | None],
           remarks: dict[str, str]) -> None:
    given = [{"response_id": resp_id, "item": n, "value": v}
             for n, v in sorted(answers.items()) if v is not None]
    upsert(session, Answer.__table__, given, keys=["response_id", "item"], update=["value"])
    cleared = [n for n, v in answers.items() if v is None]
    if cleared:
        session.execute(delete(Answer).where(Answer.response_id == resp_id,
                                             Answer.item.in_(cleared)))
    texts = [{"response_id": resp_id, "key": k, "text": v}
             for k, v in sorted(remarks.items()) if v]
    upsert(session, Remark.__table__, texts, keys=["response_id", "key"], update=["text"])
    empty = [k for k, v in remarks.items() if not v]
    if empty:
        session.execute(delete(Remark).where(Remark.response_id == resp_id,
                                             Remark.key.in_(empty)))


def unanswered(q: Questionnaire, draft: Draft) -> list[int]:
    return [i.number for i in q.statements if i.number not in draft.answers]
