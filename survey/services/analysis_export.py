"""A round's answers as the analysts' Table (reports/analysis.py): one row per response
that counts (submitted, its invitation not withdrawn), the CLB's number and the school's
level first, then every item's variables as its type defines them (instrument/types:
variables() and values()). No school identity: the rows are ordered by CLB, level and a
keyed permutation of the response ids, as the other exports are (services/exports.py).

Answers and remarks that routing hid at submit (hidden) are left out, so the export shows
what the reports count. A remark's text is the one the inspectors' review leaves: the
redacted text where there is one, nothing where the review hid the remark, the text as
written while it awaits review.

The rows come from one query (an aggregate per slot and per remark key, each in a subquery
per response), streamed: write the Table's files inside the session that built it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlalchemy import BigInteger, case, cast, func, literal, select
from sqlalchemy.orm import Session

from instrument.domain import LEVELS
from instrument.loader import from_dict
from instrument.model import Questionnaire
from reports.analysis import Table, Variable, safe_name

from ..models import Answer, Centre, Invitation, Remark, Response, Round
from .counts import counted
from .exports import MULTIPLIER, PRIME

LEVEL_CODES = {level.value: code for code, level in enumerate(LEVELS, start=1)}
CONTEXT = (
    Variable("clb", "CLB-nummer", "string", "nominal", {}, (), "context", "clb"),
    Variable("niveau", "Onderwijsniveau van de school", "numeric", "nominal",
             {code: level.label for code, level in enumerate(LEVELS, start=1)}, (),
             "context", "niveau"),
)
STREAM_ROWS = 2000


def file_label(rnd: Round) -> str:
    """The .sav's file label: the round, in Dutch (SPSS keeps 64 bytes of it)."""
    return f"{rnd.name} ({rnd.school_year})"


def variables_of(q: Questionnaire) -> tuple[Variable, ...]:
    """The context variables, then every item's, in questionnaire order, each under a
    valid and unique SPSS name made from the name its type gives it."""
    taken = {variable.name for variable in CONTEXT}
    out = list(CONTEXT)
    for item in q.items:
        for variable in item.kind.variables(item):
            out.append(Variable(
                safe_name(variable.name, taken), variable.label, variable.kind,
                variable.measure, dict(variable.value_labels), tuple(variable.missing),
                variable.question_type, variable.question_key))
    return tuple(out)


def analysis_table(session: Session, rnd: Round) -> Table:
    """The round's Table: its variables now, its rows streamed from the database when
    they are read."""
    q = from_dict(rnd.definition, source=f"ronde {rnd.id}")
    return Table(variables_of(q), _rows(session, rnd, q))


def _rows(session: Session, rnd: Round, q: Questionnaire) -> Iterator[tuple]:
    slots = [slot for item in q.items for slot in item.slots]
    keys = [key for item in q.items for key in item.remark_keys]
    answer_columns, remark_columns = [], []
    query = (select(Centre.number, Invitation.level)
             .select_from(Response)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .join(Centre, Centre.id == Invitation.centre_id))
    if slots:
        # One row per response in the subquery, so joining it multiplies nothing; it is
        # limited to the round's counted responses so the database aggregates no more.
        answers = (select(Answer.response_id,
                          *(func.max(case((Answer.item == slot, Answer.value)))
                            .label(f"slot_{slot}") for slot in slots))
                   .join(Response, Response.id == Answer.response_id)
                   .join(Invitation, Invitation.id == Response.invitation_id)
                   .where(*counted(rnd.id), Answer.hidden.is_(False))
                   .group_by(Answer.response_id).subquery("answer_values"))
        answer_columns = [answers.c[f"slot_{slot}"] for slot in slots]
        query = query.outerjoin(answers, answers.c.response_id == Response.id)
    if keys:
        shown_text = func.coalesce(Remark.redacted_text, Remark.text)
        remarks = (select(Remark.response_id,
                          *(func.max(case((Remark.key == key, shown_text)))
                            .label(f"remark_{index}") for index, key in enumerate(keys)))
                   .join(Response, Response.id == Remark.response_id)
                   .join(Invitation, Invitation.id == Response.invitation_id)
                   .where(*counted(rnd.id), Remark.hidden.is_(False),
                          Remark.review != "hidden")
                   .group_by(Remark.response_id).subquery("remark_texts"))
        remark_columns = [remarks.c[f"remark_{index}"] for index in range(len(keys))]
        query = query.outerjoin(remarks, remarks.c.response_id == Response.id)
    salt = int.from_bytes(hashlib.sha256(
        f"{rnd.id}:{rnd.created_at.isoformat()}".encode()).digest()[:4], "big") % PRIME
    shuffle = (cast(Response.id, BigInteger) * literal(MULTIPLIER, BigInteger)
               + literal(salt, BigInteger)) % literal(PRIME, BigInteger)
    query = (query.add_columns(*answer_columns, *remark_columns)
             .where(*counted(rnd.id))
             .order_by(Centre.number, Invitation.level, shuffle, Response.id)
             .execution_options(yield_per=STREAM_ROWS, stream_results=True))
    items = [(item, item.kind) for item in q.items]
    width = len(slots)
    for number, level, *values in session.execute(query):
        answers_of = {slot: value for slot, value in zip(slots, values[:width], strict=True)
                      if value is not None}
        remarks_of = {key: text for key, text in zip(keys, values[width:], strict=True)
                      if text is not None}
        row = [number, LEVEL_CODES.get(level)]
        for item, kind in items:
            row.extend(kind.values(item, answers_of, remarks_of))
        yield tuple(row)
