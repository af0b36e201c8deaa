"""Single-use codes for an anonymous round: make them per school (and per group label),
read a typed code, open the draft it holds, and the per-school figures for the console.

A code is 14 random symbols and a check symbol from a 29-symbol alphabet without the
look-alikes 0/O, 1/I/L, 2/Z (and U), printed in three groups of five ("K7QMX-4XPA9-93TDR")
and read case- and dash-insensitively. The check symbol (values weighted 1..14, modulo 29,
a prime equal to the alphabet's size) catches every single mistyped symbol and every swap
of neighbours before the database is asked: a typo gets "check the code" at once and does
not count against the address's guessing limit. Only an
HMAC-SHA256 of the code is stored, keyed by a key derived from SECRET_KEY, so a copy of
the database alone cannot be searched for valid codes. The plain codes are returned once,
by make_codes, for the slips. The arithmetic of the code space is in docs (h4-codes).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from instrument.domain import CodeState

from ..cleantext import single_line
from ..models import Invitation, Response, Round, School, utcnow
from ..models.access import AccessCode
from . import tally
from .rounds import Access, snapshot_stamp

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"    # 29 symbols: no 0 O 1 I L U Z
RANDOM_SYMBOLS = 14
CHECK_MODULUS = 29                          # prime, the alphabet's size: every single
                                            # change and neighbour swap shows
GROUP = 5
LENGTH = RANDOM_SYMBOLS + 1
# codes made for one school in one request: their slips are drawn in that request (1,000
# in about 16 s on an idle core, docs/benchmarks.md), well inside gunicorn's 60 s
MAX_PER_REQUEST = 1000
GROUP_LABEL_LENGTH = 40
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")
KEY_SALT = b"survey.access-codes"


class CodeError(ValueError):
    """A request to make codes that cannot be done (message in Dutch)."""


def _check_symbol(body: str) -> str:
    total = sum((position + 1) * _VALUES[symbol] for position, symbol in enumerate(body))
    return ALPHABET[total % CHECK_MODULUS]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return body + _check_symbol(body)


def grouped(code: str) -> str:
    """A normalised code as printed: K7QMX-4XPA9-93TDR."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalised(typed: str) -> str | None:
    """The code as stored (upper case, no dashes or spaces), or None when what was typed
    cannot be a code (wrong length, a symbol codes do not use, a wrong check symbol)."""
    code = _SEPARATORS.sub("", typed or "").upper()
    if len(code) != LENGTH or any(symbol not in _VALUES for symbol in code):
        return None
    return code if _check_symbol(code[:-1]) == code[-1] else None


def code_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), KEY_SALT, hashlib.sha256).digest()


def hash_code(code: str, key: bytes | None = None) -> str:
    """The stored form of a normalised code."""
    key = key or code_key(current_app.config["SECRET_KEY"])
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


# --- Making codes (the console) ---

def parse_groups(text: str, total: int | None = None) -> list[tuple[str | None, int]]:
    """The groups asked for: "3A: 25, 3B: 22" (or one per line), or, with no text, one
    group without a label of `total` codes. Raises CodeError with the Dutch reason."""
    groups: list[tuple[str | None, int]] = []
    if (text or "").strip() and total:
        raise CodeError(gettext("Geef een aantal codes of groepen met hun aantal, niet "
                                "allebei."))
    if not (text or "").strip() and not total:
        raise CodeError(gettext("Geef een aantal codes, of groepen met hun aantal "
                                "(bijvoorbeeld '3A: 25, 3B: 22')."))
    for part in re.split(r"[,;\n]+", text or ""):
        if not part.strip():
            continue
        label, colon, number = part.rpartition(":")
        label = single_line(label)
        if not colon or not label or not number.strip().isdigit():
            raise CodeError(gettext(
                "Schrijf elke groep als 'naam: aantal', bijvoorbeeld '3A: 25, 3B: 22' "
                "(niet: %(part)s).", part=single_line(part)[:60]))
        if len(label) > GROUP_LABEL_LENGTH:
            raise CodeError(gettext("Een groepsnaam is hoogstens %(n)s tekens lang.",
                                    n=GROUP_LABEL_LENGTH))
        groups.append((label, int(number)))
    if not groups:
        groups = [(None, total or 0)]
    if len({label for label, _ in groups}) != len(groups):
        raise CodeError(gettext("Elke groep komt maar één keer voor."))
    if any(n < 1 for _, n in groups):
        raise CodeError(gettext("Elke groep krijgt minstens één code."))
    if sum(n for _, n in groups) > MAX_PER_REQUEST:
        raise CodeError(gettext("Hoogstens %(n)s codes per keer voor één school.",
                                n=MAX_PER_REQUEST))
    return groups


@dataclass(frozen=True)
class PlainCode:
    code: str               # grouped, as printed
    group: str | None


def make_codes(session: Session, rnd: Round, invitation: Invitation,
               groups: list[tuple[str | None, int]]) -> list[PlainCode]:
    """Make codes for one school of a coded round (inside the caller's write transaction):
    the plain codes are returned this once, in groups' order; only their hashes stay."""
    if not rnd.uses_codes:
        raise CodeError(gettext("Deze bevraging werkt met persoonlijke links, niet met codes."))
    if rnd.state not in ("draft", "open"):
        raise CodeError(gettext("Codes maken kan alleen voor een bevraging in voorbereiding "
                                "of open."))
    if invitation.round_id != rnd.id or invitation.revoked_at is not None:
        raise CodeError(gettext("Deze school neemt niet (meer) deel aan de bevraging."))
    key = code_key(current_app.config["SECRET_KEY"])
    made, rows = [], []
    for label, n in groups:
        for _ in range(n):
            code = new_code()
            made.append(PlainCode(grouped(code), label))
            rows.append({"code_hash": hash_code(code, key), "round_id": rnd.id,
                         "invitation_id": invitation.id, "group_label": label,
                         "state": CodeState.UNUSED.value})
    # Sorted by hash: the rows' physical order says nothing about the slips' order.
    rows.sort(key=lambda row: row["code_hash"])
    if rows:
        session.execute(insert(AccessCode), rows)
    return made


@dataclass(frozen=True)
class SchoolCodes:
    invitation_id: int
    school_number: str
    school_name: str
    made: int
    in_use: int
    spent: int
    withdrawn: bool


def figures(session: Session, round_id: int) -> list[SchoolCodes]:
    """Per school of the round: how many codes were made, are in use, are spent."""
    state = AccessCode.state
    rows = session.execute(
        select(Invitation.id, School.number, School.name, Invitation.revoked_at,
               func.count(AccessCode.code_hash),
               func.count(case((state == CodeState.IN_USE.value, 1))),
               func.count(case((state == CodeState.SPENT.value, 1))))
        .join(School, School.id == Invitation.school_id)
        .outerjoin(AccessCode, AccessCode.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.id, School.number, School.name, Invitation.revoked_at)
        .order_by(School.name, School.number))
    return [SchoolCodes(inv, number, name, made, in_use, spent, revoked is not None)
            for inv, number, name, revoked, made, in_use, spent in rows]


def shuffle_spent(session: Session, round_id: int) -> int:
    """Write the round's spent codes again, in hash order, in this transaction (the round's
    close). A submit writes its response and its code in one transaction, and PostgreSQL
    keeps that transaction's id on both row versions (the system column xmin) and puts the
    new code row versions in the order they were spent; deleted and inserted again, the
    code rows carry this transaction's id and the hash order instead. Returns how many."""
    table = AccessCode.__table__
    spent = (table.c.round_id == round_id, table.c.state == CodeState.SPENT.value)
    rows = [dict(row) for row in session.execute(
        select(table).where(*spent).order_by(table.c.code_hash)).mappings()]
    if rows:
        session.execute(table.delete().where(*spent))
        session.execute(insert(AccessCode), rows)
    return len(rows)


# --- The respondent ---

OPENED, SPENT, CLOSED, NOT_YET, UNKNOWN = "opened", "spent", "closed", "not_yet", "unknown"


@dataclass(frozen=True)
class CodeAccess(Access):
    """What a coded respondent's request needs, read in one query by the code's hash: a
    school's Access (the code's invitation and round) and the code's own state."""

    code_hash: str = ""
    state: str = ""
    response_id: int | None = None


def code_access(session: Session, code_hash: str) -> CodeAccess | None:
    row = session.execute(
        select(AccessCode.code_hash, AccessCode.state, AccessCode.response_id,
               Invitation.id, Invitation.revoked_at, Round.id, Round.state, Round.opens_at,
               Round.closes_at, Round.questionnaire_id, Round.questionnaire_version,
               Round.created_at)
        .join(Invitation, Invitation.id == AccessCode.invitation_id)
        .join(Round, Round.id == AccessCode.round_id)
        .where(AccessCode.code_hash == code_hash)).first()
    if row is None:
        return None
    (hashed, state, response_id, invitation_id, revoked_at, round_id, round_state, opens,
     closes, qid, version, created) = row
    return CodeAccess(invitation_id, revoked_at is not None, round_id, round_state, opens,
                      closes, snapshot_stamp(qid, version, created), code_hash=hashed,
                      state=state, response_id=response_id)


def open_code(session: Session, code_hash: str, now: datetime | None = None
              ) -> tuple[str, CodeAccess | None]:
    """(outcome, access) for a code typed or scanned: OPENED (an unused code now holds a
    new draft; an in-use one its own), SPENT, CLOSED / NOT_YET (its round takes no answers
    now: nothing is written), UNKNOWN. Inside the caller's write transaction, so that two
    devices opening one unused code at once make one draft."""
    now = now or utcnow()
    # The code's row locked first (PostgreSQL): a second device opening the same unused
    # code waits here and then finds it in use, with this draft.
    if session.execute(select(AccessCode.state).where(
            AccessCode.code_hash == code_hash).with_for_update()).first() is None:
        return UNKNOWN, None
    acc = code_access(session, code_hash)
    if acc.state == CodeState.SPENT:
        return SPENT, acc
    if acc.revoked:
        return CLOSED, acc
    phase = acc.phase(now)
    if phase != "open":
        return (NOT_YET if phase == "not_yet" else CLOSED), acc
    if acc.state == CodeState.UNUSED:
        # The response starts here (saves=1, as a school's first save makes it): the tally
        # counts it started now, and the answer service's first save is then its second.
        response_id = session.execute(insert(Response).values(
            invitation_id=acc.invitation_id, anonymous=True, status="draft", saves=1,
            started_at=now, updated_at=now).returning(Response.id)).scalar_one()
        tally.add(session.connection(), acc.invitation_id, started=1)
        claimed = session.execute(
            AccessCode.__table__.update()
            .where(AccessCode.code_hash == code_hash,
                   AccessCode.state == CodeState.UNUSED.value)
            .values(state=CodeState.IN_USE.value, response_id=response_id)).rowcount
        if claimed != 1:     # cannot happen under the write lock; refuse rather than guess
            raise RuntimeError("code claimed twice")
        acc = code_access(session, code_hash)
    return OPENED, acc
