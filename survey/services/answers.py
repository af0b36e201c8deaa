"""The answer service: read a school's draft, save answers, submit. Used by the school form,
its autosave endpoint, the demo and the tests alike.

Answers are validated against the round's snapshot first; then one short write transaction
claims the response row (one INSERT .. SELECT .. ON CONFLICT DO UPDATE .. WHERE draft
RETURNING, which also checks that the round is open and the invitation not withdrawn) and
upserts the answers. Concurrent saves and double submits of one invitation meet on that row:
the first submit wins, later ones change nothing and report "already_submitted".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import bindparam, delete, exists, func, literal, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from instrument import routing
from instrument.domain import CodeState, RoundAccess

from ..cleantext import free_text
from ..database import dialect_insert, write_transaction
from ..models import (
    Answer,
    Invitation,
    InvitationLink,
    Remark,
    Response,
    Round,
    UTCDateTime,
    utcnow,
)
from ..models.access import AccessCode
from ..models.core import SCHOOL_RESPONSE
from ..questionnaire import Questionnaire
from . import basis, counts, tally
from .access_codes import code_access
from .rounds import access, link_is_valid, questionnaire_for

SAVED, SUBMITTED, ALREADY_SUBMITTED, CLOSED, REVOKED, CONFLICT, INCOMPLETE = (
    "saved", "submitted", "already_submitted", "closed", "revoked", "conflict", "incomplete")


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
    """The school's own draft (or submitted response) in a link round."""
    return load_response(session, session.scalar(select(Response).where(
        Response.invitation_id == invitation_id, SCHOOL_RESPONSE)))


def load_response(session: Session, resp: Response | None) -> Draft:
    if resp is None:
        return Draft()
    answers = dict(session.execute(
        select(Answer.item, Answer.value).where(Answer.response_id == resp.id)).all())
    remarks = dict(session.execute(
        select(Remark.key, Remark.text).where(Remark.response_id == resp.id)).all())
    return Draft(resp.status, answers, remarks, resp.updated_at, resp.submitted_at)


def is_submitted(session: Session, invitation_id: int) -> bool:
    return session.scalar(select(Response.status).where(
        Response.invitation_id == invitation_id, SCHOOL_RESPONSE)) == "submitted"


def validate(q: Questionnaire, answers: dict[int, int | None],
             remarks: dict[str, str]) -> None:
    """Every value fits its item (each item type checks its own), or InvalidAnswers."""
    problems = []
    for slot, value in answers.items():
        item = q.by_slot.get(slot)
        if item is None:
            problems.append(gettext("Vraag of stelling %(slot)s bestaat niet in deze vragenlijst.",
                                    slot=slot))
        elif value is not None and (problem := item.kind.check(item, slot, value)):
            problems.append(problem)
    for key, text in remarks.items():
        item = q.by_remark.get(key)
        if item is None:
            problems.append(gettext("Het opmerkingenveld %(key)s bestaat niet in deze "
                                    "vragenlijst.", key=repr(key)))
        elif problem := item.kind.check_text(item, key, text):
            problems.append(problem)
    if problems:
        raise InvalidAnswers(problems)


def save(session: Session, invitation_id: int, answers: dict[int, int | None],
         remarks: dict[str, str] | None = None, *, submit: bool = False,
         now: datetime | None = None, questionnaire: Questionnaire | None = None,
         token_prefix: str | None = None, validated: bool = False,
         page_basis: basis.Basis | None = None, only_if_complete: bool = False,
         code_hash: str | None = None) -> str:
    """Store answers (None clears one) and remarks ("" clears one); submit if asked.

    Returns SAVED, SUBMITTED, ALREADY_SUBMITTED (nothing changed), CLOSED, REVOKED,
    INCOMPLETE (a submit while a required question shown is unanswered, or answers that do
    not fit together: what was posted is saved, nothing is submitted), or CONFLICT: with
    `page_basis` (a whole page posted, see services/basis.py) only what
    that page changed is written, and a field also changed elsewhere is left as stored
    (the rest is saved, nothing is submitted).
    Raises InvalidAnswers before anything is written. `questionnaire` is the round's
    snapshot when the caller has it already; `token_prefix`, when given, must still match
    the invitation's link (a renewed link ends what was opened with the old one: REVOKED).
    `validated` says the caller has just run validate() on exactly these values.
    `only_if_complete` (a questionnaire with routing or required questions): submit only
    when no shown question is left open, optional ones included; else save (SAVED) so
    that the school confirms what is open.
    `code_hash`: an anonymous respondent's code (services/access_codes.py): the draft is
    the one the code holds, and a submit spends the code and drops its reference to the
    response in this transaction (then nothing joins them)."""
    # Cleaned here as well as in the form (the autosave posts one raw value): a NUL or a
    # control character is dropped, never a reason to lose the rest of what was posted.
    remarks = {k: free_text(v) for k, v in (remarks or {}).items()}
    now = now or utcnow()
    if questionnaire is None:
        acc = access(session, invitation_id)
        if acc is None:
            return REVOKED
        questionnaire = questionnaire_for(session, acc)
    if not validated:
        validate(questionnaire, answers, remarks)

    with write_transaction(session):
        # Core statements on the transaction's connection: the ORM adds nothing here and
        # costs time on the busiest path of the platform.
        conn = session.connection()
        params = {"p_invitation": invitation_id, "p_now": now,
                  "p_submitted": now if submit else None}
        if token_prefix is not None:
            params["p_prefix"] = token_prefix
        conflicts, stored, held = [], None, None
        if code_hash is not None:
            held = conn.execute(_held_statement(conn), {"p_code": code_hash}).scalar()
            if held is None:
                return _why_not_code(session, code_hash, now)
            params["p_response"] = held
        if page_basis is not None:
            stored = _stored(conn, invitation_id, held)
            answers, remarks, conflicts = basis.merge(
                questionnaire, page_basis, answers, remarks, *stored)
            if conflicts:
                submit, params["p_submitted"] = False, None
        hidden, incomplete = ([], []), False
        if submit and (questionnaire.has_routing or questionnaire.has_required):
            # Routing and required questions depend on every answer, not just this page's;
            # the draft is read once, under the row lock, for the basis and for this.
            stored = stored or _stored(conn, invitation_id, held)
            full_answers = _merged(stored[0], answers)
            full_remarks = _merged(stored[1], remarks, empty="")
            missing = routing.missing(questionnaire, full_answers, full_remarks)
            if missing.blocks_submit:
                submit, params["p_submitted"], incomplete = False, None, True
            elif only_if_complete and missing.optional:
                submit, params["p_submitted"] = False, None     # saved: the school confirms
            else:
                hidden = routing.hidden_storage(questionnaire, full_answers)
        if held is not None:
            claimed = conn.execute(_code_claim_statement(conn, submit), params).first()
            if claimed is None:
                return _why_not_code(session, code_hash, now)
        else:
            claimed = conn.execute(
                _claim_statement(conn, submit, token_prefix is not None), params).first()
            if claimed is None:
                return _why_not(session, invitation_id, now, token_prefix)
        resp_id, saves = claimed
        _store(conn, resp_id, answers, remarks)
        if hidden[0] or hidden[1]:
            _hide(conn, resp_id, *hidden)
        if saves == 1 or submit:    # the response starts here, or is submitted
            tally.add(conn, invitation_id, started=int(saves == 1), submitted=int(submit))
        if submit:
            counts.add_response(conn, resp_id)
            if held is not None:
                conn.execute(_spend_statement(conn), {"p_code": code_hash})
    return CONFLICT if conflicts else INCOMPLETE if incomplete else \
        SUBMITTED if submit else SAVED


def _merged(stored: dict, given: dict, empty=None) -> dict:
    out = dict(stored)
    for key, value in given.items():
        if value is None or value == empty:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _hide(conn: Connection, response_id: int, slots: list[int], keys: list[str]) -> None:
    """Mark what routing hid at submit: kept as typed, never counted, exported or shown."""
    if slots:
        conn.execute(update(Answer).where(Answer.response_id == response_id,
                                          Answer.item.in_(slots)).values(hidden=True))
    if keys:
        conn.execute(update(Remark).where(Remark.response_id == response_id,
                                          Remark.key.in_(keys)).values(hidden=True))


def _stored(conn: Connection, invitation_id: int, response: int | None = None
            ) -> tuple[dict[int, int], dict[str, str]]:
    """The draft as stored, its response row locked (PostgreSQL) until the save commits;
    `response`: a code's draft (its row is locked through the code's already)."""
    if response is not None:
        conn.execute(_prepared(conn, "stored-held", lambda: select(Response.id).where(
            Response.id == bindparam("p_response")).with_for_update()),
            {"p_response": response})
    else:
        response = conn.execute(_prepared(conn, "stored-response", lambda: select(
            Response.id).where(Response.invitation_id == bindparam("p_invitation"),
                               SCHOOL_RESPONSE).with_for_update()),
            {"p_invitation": invitation_id}).scalar()
    if response is None:
        return {}, {}
    given = {"p_response": response}
    return (dict(conn.execute(_prepared(conn, "stored-answers", lambda: select(
                Answer.item, Answer.value).where(Answer.response_id == bindparam(
                    "p_response"))), given).all()),
            dict(conn.execute(_prepared(conn, "stored-remarks", lambda: select(
                Remark.key, Remark.text).where(Remark.response_id == bindparam(
                    "p_response"))), given).all()))


def conflicts(q: Questionnaire, page_basis: basis.Basis, answers: dict[int, int | None],
              remarks: dict[str, str], draft: Draft) -> list[basis.Conflict]:
    """The fields of a whole-page save that were changed elsewhere too, against the
    draft as it is now (for the page that shows them)."""
    remarks = {k: free_text(v) for k, v in remarks.items()}
    return basis.merge(q, page_basis, answers, remarks, draft.answers, draft.remarks)[2]


# Statements are built once per dialect: building SQLAlchemy constructs costs more than
# executing them, and a submit runs on the hot path.
_STATEMENTS: dict[tuple, object] = {}


def _prepared(conn: Connection, name: str, build):
    key = (conn.dialect.name, name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def _claim_statement(conn: Connection, submit: bool, check_prefix: bool):
    """One statement that checks the invitation and its round take answers now, and then
    inserts the response row or, while it is still a draft, updates it; it returns the row's
    id and its count of saves (1: this save created it), or nothing. The conflict path
    locks the row (PostgreSQL), so concurrent submits of one invitation queue here and all
    but the first find it submitted; the invitation row is share-locked, which orders the
    claim against a withdraw (rounds.revoke) of the same invitation."""

    def build():
        table = Response.__table__
        now = bindparam("p_now", type_=UTCDateTime())
        source = (
            select(Invitation.id, literal("submitted" if submit else "draft"), now, now,
                   bindparam("p_submitted", type_=UTCDateTime()))
            .join(Round, Invitation.round_id == Round.id)
            # a coded round's answers come only with codes (a director's link
            # mailed by mistake must not add a named response to an anonymous round)
            .where(Invitation.id == bindparam("p_invitation"),
                   Round.access == RoundAccess.LINK.value,
                   Invitation.revoked_at.is_(None), Round.state == "open",
                   or_(Round.opens_at.is_(None), Round.opens_at <= now),
                   or_(Round.closes_at.is_(None), Round.closes_at > now))
            # PostgreSQL: hold the invitation row (shared) until commit, so that a
            # withdraw of this school waits for this save or this save for the withdraw,
            # and the one that waits sees what the other committed. SQLite's BEGIN
            # IMMEDIATE already runs writers one at a time.
            .with_for_update(read=True, of=Invitation)
        )
        if check_prefix:
            source = source.where(exists().where(
                InvitationLink.invitation_id == Invitation.id,
                InvitationLink.revoked_at.is_(None),
                func.substr(InvitationLink.token_hash, 1, 16) == bindparam("p_prefix")))
        changes = {"updated_at": now, "saves": table.c.saves + 1}
        if submit:
            changes.update(status="submitted", submitted_at=now)
        stmt = dialect_insert(conn, table).from_select(
            ["invitation_id", "status", "started_at", "updated_at", "submitted_at"], source)
        return stmt.on_conflict_do_update(
            index_elements=["invitation_id"], index_where=SCHOOL_RESPONSE, set_=changes,
            where=table.c.status == "draft",
        ).returning(table.c.id, table.c.saves)

    return _prepared(conn, f"claim-{submit}-{check_prefix}", build)


def _held_statement(conn: Connection):
    """The draft a code in use holds; the school's invitation row share-locked, which
    orders this save against a withdraw of that school (as the school's claim does)."""
    return _prepared(conn, "code-held", lambda: select(AccessCode.response_id)
                     .join(Invitation, Invitation.id == AccessCode.invitation_id)
                     .where(AccessCode.code_hash == bindparam("p_code"),
                            AccessCode.state == CodeState.IN_USE.value)
                     .with_for_update(read=True, of=Invitation))


def _code_claim_statement(conn: Connection, submit: bool):
    """A code's draft updated while it is a draft and its school's round takes answers
    now; returns its id and count of saves, or nothing (the school's claim's twin)."""

    def build():
        table = Response.__table__
        now = bindparam("p_now", type_=UTCDateTime())
        takes = select(Invitation.id).join(Round, Round.id == Invitation.round_id).where(
            Invitation.id == table.c.invitation_id, Invitation.revoked_at.is_(None),
            Round.state == "open", or_(Round.opens_at.is_(None), Round.opens_at <= now),
            or_(Round.closes_at.is_(None), Round.closes_at > now)).exists()
        changes = {"updated_at": now, "saves": table.c.saves + 1}
        if submit:
            changes.update(status="submitted", submitted_at=now)
        return (update(table).where(table.c.id == bindparam("p_response"),
                                    table.c.status == "draft", takes)
                .values(**changes).returning(table.c.id, table.c.saves))

    return _prepared(conn, f"code-claim-{submit}", build)


def _spend_statement(conn: Connection):
    """The code is spent and forgets its draft: from now on nothing joins them."""
    table = AccessCode.__table__
    return _prepared(conn, "code-spend", lambda: update(table).where(
        table.c.code_hash == bindparam("p_code")).values(
            state=CodeState.SPENT.value, response_id=None))


def _why_not_code(session: Session, code_hash: str, now: datetime) -> str:
    acc = code_access(session, code_hash)
    if acc is None or acc.revoked:
        return REVOKED
    if acc.state == CodeState.SPENT:
        return ALREADY_SUBMITTED
    if acc.phase(now) != "open":
        return CLOSED
    return ALREADY_SUBMITTED


def _why_not(session: Session, invitation_id: int, now: datetime,
             token_prefix: str | None) -> str:
    acc = access(session, invitation_id)
    if acc is None or acc.revoked:
        return REVOKED
    if token_prefix is not None and not link_is_valid(session, invitation_id, token_prefix):
        return REVOKED
    if session.scalar(select(Round.access).where(Round.id == acc.round_id)) != "link":
        return REVOKED      # a coded round's school has no response of its own
    if acc.phase(now) != "open":
        return CLOSED
    return ALREADY_SUBMITTED


def _upsert_statement(conn: Connection, table, keys: list[str], column: str):
    def build():
        stmt = dialect_insert(conn, table)
        return stmt.on_conflict_do_update(index_elements=keys,
                                          set_={column: stmt.excluded[column]})

    return _prepared(conn, f"upsert-{table.name}", build)


def _store(conn: Connection, resp_id: int, answers: dict[int, int | None],
           remarks: dict[str, str]) -> None:
    given = [{"response_id": resp_id, "item": n, "value": v}
             for n, v in sorted(answers.items()) if v is not None]
    if given:
        conn.execute(_upsert_statement(conn, Answer.__table__,
                                          ["response_id", "item"], "value"), given)
    cleared = [n for n, v in answers.items() if v is None]
    if cleared:
        conn.execute(delete(Answer).where(Answer.response_id == resp_id,
                                             Answer.item.in_(cleared)))
    texts = [{"response_id": resp_id, "key": k, "text": v}
             for k, v in sorted(remarks.items()) if v]
    if texts:
        conn.execute(_upsert_statement(conn, Remark.__table__,
                                          ["response_id", "key"], "text"), texts)
    empty = [k for k, v in remarks.items() if not v]
    if empty:
        conn.execute(delete(Remark).where(Remark.response_id == resp_id,
                                             Remark.key.in_(empty)))


def unanswered(q: Questionnaire, draft: Draft) -> list[int]:
    """The slots of the shown likert items not answered yet (format-1 callers)."""
    return [i.slot for i in routing.missing(q, draft.answers, draft.remarks).optional
            if i.type == "likert"]


def missing(q: Questionnaire, draft: Draft) -> routing.Missing:
    """What is still open among the questions shown for the draft."""
    return routing.missing(q, draft.answers, draft.remarks)
