"""The inspectors' review of schools' remarks: nothing reaches a CLB before it is approved
(as written, or with a redacted text shown instead; the original is kept) or hidden."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reports.layout import from_snapshot

from ..cleantext import free_text
from ..models import Centre, Invitation, Remark, Response, Round, utcnow
from ..translations import lazy_gettext
from .counts import counted

REVIEWS = ("pending", "approved", "hidden")
REVIEW_NAMES = {"pending": lazy_gettext("nog te beoordelen"),
                "approved": lazy_gettext("goedgekeurd"), "hidden": lazy_gettext("verborgen")}


class ReviewError(ValueError):
    """A review that cannot be done; the message is for the user (Dutch)."""


@dataclass(frozen=True)
class ForReview:
    remark: Remark
    centre_number: str
    centre_name: str
    level: str
    section: str


def _submitted(rnd: Round):
    return (select(Remark, Centre.number, Centre.name, Invitation.level)
            .join(Response, Response.id == Remark.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .join(Centre, Centre.id == Invitation.centre_id)
            .where(*counted(rnd.id), Remark.hidden.is_(False)))


def for_review(session: Session, rnd: Round, review: str | None = None,
               centre_number: str | None = None) -> list[ForReview]:
    """Remarks of submitted responses, by CLB and section; no school names."""
    layout = from_snapshot(rnd.definition)
    titles = {key: s.title for s in layout.sections for key in s.remark_keys}
    query = _submitted(rnd).order_by(Centre.number, Remark.key, Remark.response_id)
    if review:
        query = query.where(Remark.review == review)
    if centre_number:
        query = query.where(Centre.number == centre_number)
    return [ForReview(remark, number, name, level, titles.get(remark.key, remark.key))
            for remark, number, name, level in session.execute(query)]


def counts(session: Session, rnd: Round) -> dict[str, int]:
    rows = session.execute(
        select(Remark.review, func.count())
        .join(Response, Response.id == Remark.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(*counted(rnd.id), Remark.hidden.is_(False))
        .group_by(Remark.review)).all()
    out = dict.fromkeys(REVIEWS, 0)
    out.update(dict(rows))
    return out


def review(session: Session, rnd: Round, response_id: int, key: str, action: str,
           user_id: int | None, redacted: str | None = None) -> Remark:
    """action: approve, hide, redact (approve with `redacted` shown instead) or reset."""
    found = session.execute(_submitted(rnd).where(Remark.response_id == response_id,
                                                  Remark.key == key)).first()
    if found is None:
        raise ReviewError(gettext("Deze opmerking bestaat niet (meer) in deze bevraging."))
    remark: Remark = found[0]
    if action == "approve":
        remark.review, remark.redacted_text = "approved", None
    elif action == "hide":
        remark.review = "hidden"
    elif action == "redact":
        text = free_text(redacted or "")     # the rule for all free text (cleantext)
        if not text:
            raise ReviewError(gettext("Geef de ingekorte tekst, of verberg de opmerking."))
        remark.review, remark.redacted_text = "approved", text
    elif action == "reset":
        remark.review, remark.redacted_text = "pending", None
    else:
        raise ReviewError(gettext("Onbekende actie."))
    remark.reviewed_at, remark.reviewed_by = utcnow(), user_id
    return remark
