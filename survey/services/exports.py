"""Response-level data without school identities, streamed: one pass over a server-side
cursor, a response at a time, so memory stays flat whatever the size of the round.
count() says how many rows a round's exports hold (the export job's progress)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from reports import workbook, xlsxstream
from reports.layout import from_snapshot

from ..models import Answer, Centre, Invitation, Response, Round
from .counts import counted

PRIME = 4294967291                   # the largest prime below 2**32
MULTIPLIER = 2654435761              # Knuth's multiplicative hash


def response_rows(session: Session, rnd: Round) -> Iterator[tuple[str, str, dict[int, int]]]:
    """(CLB number, level, {slot: code}) per submitted response of an invitation not
    withdrawn, ordered by CLB and level and, within those, by a keyed permutation of the
    response ids, so that the order says nothing about who answered when.

    The database turns each response's answer rows into one row (a conditional aggregate
    per statement), so a million responses cross the wire as a million rows, not 21
    million. A response submitted without any answer is a row of blanks: it counts as a
    respondent in the figures, so it is one here too. Every counted slot of every item is a
    column (a statement's slot is its number; a multi has one per option); answers that
    routing hid are left out, as in the figures."""
    numbers = from_snapshot(rnd.definition).slots
    salt = int.from_bytes(hashlib.sha256(
        f"{rnd.id}:{rnd.created_at.isoformat()}".encode()).digest()[:4], "big") % PRIME
    shuffle = (cast(Response.id, BigInteger) * literal(MULTIPLIER, BigInteger)
               + literal(salt, BigInteger)) % literal(PRIME, BigInteger)
    codes = [func.max(case((Answer.item == n, Answer.value))) for n in numbers]
    rows = session.execute(
        select(Centre.number, Invitation.level, *codes)
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Centre, Centre.id == Invitation.centre_id)
        .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.hidden.is_(False)))
        .where(*counted(rnd.id))
        .group_by(Centre.number, Invitation.level, Response.id)
        .order_by(Centre.number, Invitation.level, shuffle, Response.id)
        .execution_options(yield_per=5000, stream_results=True))
    for number, level, *values in rows:
        yield number, level, {n: v for n, v in zip(numbers, values, strict=True)
                              if v is not None}


def count(session: Session, rnd: Round) -> int:
    """How many responses the round's exports have a row for: every one that counts."""
    return session.scalar(select(func.count(Response.id))
                          .join(Invitation, Invitation.id == Response.invitation_id)
                          .where(*counted(rnd.id))) or 0


def csv_chunks(rows: Iterator[tuple[str, str, dict[int, int]]],
               numbers: Sequence[int]) -> Iterator[str]:
    """The rows as CSV text in chunks of a few hundred lines."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["respondent", "centre_number", "level", *(f"item_{n}" for n in numbers)])
    for index, (centre, level, values) in enumerate(rows, start=1):
        out.writerow([index, centre, level, *("" if values.get(n) is None else values[n]
                                              for n in numbers)])
        if index % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def xlsx_chunks(rows: Iterator[tuple[str, str, dict[int, int]]],
                numbers: Sequence[int]) -> Iterator[bytes]:
    """The rows as a streamed .xlsx (sheet Antwoorden, continued past Excel's limit)."""
    return xlsxstream.stream("Antwoorden", workbook.response_header(numbers),
                             workbook.response_cells(numbers, rows))
