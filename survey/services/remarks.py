"""The inspectors' review of schools' remarks: nothing reaches a CLB before it is approved
(as written, or with a redacted text shown instead; the original is kept) or hidden.

The console reads the remarks a page at a time (review_page: LIMIT/OFFSET on an ordered
query, one count, the page's tags in one query), filtered by CLB, level, section, theme
and review state, so a round of ten thousand remarks pages as fast as one of ten."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from instrument.loader import from_dict

from ..cleantext import free_text
from ..database import write_transaction
from ..models import Centre, Invitation, Remark, Response, Round, User, utcnow
from ..models.themes import RemarkTheme
from ..routing import DATABASE_INT_MAX
from ..translations import lazy_gettext
from . import accounts
from .counts import counted
from .rounds import questionnaire_by_stamp, snapshot_stamp

REVIEWS = ("pending", "approved", "hidden")
REVIEW_NAMES = {"pending": lazy_gettext("nog te beoordelen"),
                "approved": lazy_gettext("goedgekeurd"), "hidden": lazy_gettext("verborgen")}
PER_PAGE = 50
MAX_SELECTED = 500       # remarks one bulk action may name (a page holds PER_PAGE)

RemarkRef = tuple[int, str]      # a remark's primary key: (response id, key)


class ReviewError(ValueError):
    """A review that cannot be done; the message is for the user (Dutch)."""


@dataclass(frozen=True)
class RemarkSection:
    """A questionnaire section and the keys of the remarks asked in it (its text items and
    the "other, namely" texts of its choice items)."""

    key: str
    title: str
    remark_keys: tuple[str, ...]


@dataclass(frozen=True)
class ForReview:
    remark: Remark
    centre_number: str
    centre_name: str
    level: str
    section: str
    section_key: str = ""
    themes: tuple[int, ...] = ()         # ids of the themes it is tagged with


@dataclass(frozen=True)
class Filters:
    """What the review page lists. review None: every state; theme: a theme's id;
    untagged: only remarks without any theme."""

    review: str | None = "pending"
    centre_number: str | None = None
    level: str | None = None
    section: str | None = None
    theme: int | None = None
    untagged: bool = False


@dataclass(frozen=True)
class ReviewPage:
    items: list[ForReview]
    total: int                  # remarks matching the filters, on every page
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def remark_sections(session: Session, round_: Round) -> tuple[RemarkSection, ...]:
    """The round's sections with their remark keys, from its snapshot (parsed once per
    process for a round that is no longer a draft)."""
    stamp = snapshot_stamp(round_.questionnaire_id, round_.questionnaire_version,
                           round_.created_at)
    questionnaire = questionnaire_by_stamp(session, round_.id, stamp) \
        or from_dict(round_.definition)
    return tuple(RemarkSection(section.key, str(section.title),
                               tuple(key for item in section.items
                                     for key in item.remark_keys))
                 for section in questionnaire.sections)


def reviewable(round_: Round, *columns):
    """The remarks a round's review sees: of counted responses, not hidden by routing."""
    return (select(*(columns or (Remark, Centre.number, Centre.name, Invitation.level)))
            .select_from(Remark)
            .join(Response, Response.id == Remark.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .join(Centre, Centre.id == Invitation.centre_id)
            .where(*counted(round_.id), Remark.hidden.is_(False)))


def tagged_with(theme_id: int):
    """The condition: the remark carries this theme."""
    return exists().where(RemarkTheme.response_id == Remark.response_id,
                          RemarkTheme.key == Remark.key, RemarkTheme.theme_id == theme_id)


def _any_theme():
    return exists().where(RemarkTheme.response_id == Remark.response_id,
                          RemarkTheme.key == Remark.key)


def _conditions(filters: Filters, sections: Iterable[RemarkSection],
                with_review: bool = True) -> list:
    where = []
    if with_review and filters.review:
        where.append(Remark.review == filters.review)
    if filters.centre_number:
        where.append(Centre.number == filters.centre_number)
    if filters.level:
        where.append(Invitation.level == filters.level)
    if filters.section:
        keys = next((s.remark_keys for s in sections if s.key == filters.section), ())
        where.append(Remark.key.in_(keys))
    if filters.theme is not None:
        where.append(tagged_with(filters.theme))
    if filters.untagged:
        where.append(~_any_theme())
    return where


def _items(session: Session, rows, sections: Iterable[RemarkSection]) -> list[ForReview]:
    by_key = {key: s for s in sections for key in s.remark_keys}
    rows = list(rows)
    tags = themes_of(session, [(remark.response_id, remark.key) for remark, *_ in rows])
    items = []
    for remark, number, name, level in rows:
        section = by_key.get(remark.key)
        items.append(ForReview(remark, number, name, level,
                               section.title if section else remark.key,
                               section.key if section else "",
                               tags.get((remark.response_id, remark.key), ())))
    return items


def themes_of(session: Session, refs: list[RemarkRef]) -> dict[RemarkRef, tuple[int, ...]]:
    """The theme ids of each of these remarks (one query)."""
    if not refs:
        return {}
    wanted = set(refs)
    out: dict[RemarkRef, list[int]] = {}
    rows = session.execute(
        select(RemarkTheme.response_id, RemarkTheme.key, RemarkTheme.theme_id)
        .where(RemarkTheme.response_id.in_({response_id for response_id, _ in refs}))
        .order_by(RemarkTheme.theme_id))
    for response_id, key, theme_id in rows:
        if (response_id, key) in wanted:
            out.setdefault((response_id, key), []).append(theme_id)
    return {ref: tuple(ids) for ref, ids in out.items()}


ORDER = (Centre.number, Remark.key, Remark.response_id)


def review_page(session: Session, round_: Round, filters: Filters, page: int = 1,
                per_page: int = PER_PAGE) -> ReviewPage:
    """One page of the remarks the filters select, by CLB, section key and response; no
    school names. A page past the last is the last one (its `page` says which): after
    the last page's remarks are approved, or a number typed by hand."""
    sections = remark_sections(session, round_)
    where = _conditions(filters, sections)
    total = session.scalar(reviewable(round_, func.count()).where(*where))
    page = min(page, max(1, math.ceil(total / per_page)))
    rows = session.execute(reviewable(round_).where(*where).order_by(*ORDER)
                           .limit(per_page).offset((page - 1) * per_page))
    return ReviewPage(_items(session, rows, sections), total, page, per_page)


def for_review(session: Session, round_: Round, review: str | None = None,
               centre_number: str | None = None) -> list[ForReview]:
    """Every remark of submitted responses (with the filters given), by CLB and section;
    no school names."""
    sections = remark_sections(session, round_)
    where = _conditions(Filters(review, centre_number), sections)
    rows = session.execute(reviewable(round_).where(*where).order_by(*ORDER))
    return _items(session, rows, sections)


def counts(session: Session, round_: Round, filters: Filters | None = None) -> dict[str, int]:
    """Remarks per review state (under the other filters, when given): one GROUP BY."""
    where = _conditions(filters, remark_sections(session, round_), with_review=False) \
        if filters else []
    rows = session.execute(reviewable(round_, Remark.review, func.count()).where(*where)
                           .group_by(Remark.review)).all()
    out = dict.fromkeys(REVIEWS, 0)
    out.update(dict(rows))
    return out


def centres(session: Session, round_: Round) -> list[tuple[str, str, int]]:
    """(number, name, remarks) of every CLB with remarks in the round, by number."""
    return [tuple(row) for row in session.execute(
        reviewable(round_, Centre.number, Centre.name, func.count())
        .group_by(Centre.number, Centre.name).order_by(Centre.number))]


def parse_refs(values: Iterable[str]) -> list[RemarkRef]:
    """Remarks named in a form as "<response id>:<key>"; what is not one is left out.
    ReviewError when more than MAX_SELECTED are named."""
    refs = []
    for value in values:
        response_id, colon, key = str(value).partition(":")
        if (colon and response_id.isascii() and response_id.isdigit()
                and len(response_id) <= 10 and int(response_id) <= DATABASE_INT_MAX
                and key and len(key) <= 40):
            refs.append((int(response_id), key))
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_SELECTED:
        raise ReviewError(gettext("Kies hoogstens %(maximum)s opmerkingen tegelijk.",
                                  maximum=MAX_SELECTED))
    return refs


def existing(session: Session, round_: Round, refs: list[RemarkRef]) -> dict[RemarkRef, Remark]:
    """Those of the remarks that the round's review sees, by key."""
    if not refs:
        return {}
    wanted = set(refs)
    rows = session.scalars(reviewable(round_, Remark).where(
        Remark.response_id.in_({response_id for response_id, _ in refs})))
    return {(r.response_id, r.key): r for r in rows if (r.response_id, r.key) in wanted}


def review(session: Session, round_: Round, response_id: int, key: str, action: str,
           user_id: int | None, redacted: str | None = None) -> Remark:
    """action: approve, hide, redact (approve with `redacted` shown instead) or reset."""
    remark = existing(session, round_, [(response_id, key)]).get((response_id, key))
    if remark is None:
        raise ReviewError(gettext("Deze opmerking bestaat niet (meer) in deze bevraging."))
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


def approve_pending(session: Session, round_: Round, refs: list[RemarkRef],
                    user: User | None) -> tuple[int, int]:
    """Approve, as written, those of the remarks still to be reviewed; a remark already
    approved (perhaps redacted) or hidden is left as it is, so a bulk approval never
    shows a text an inspector shortened or hid. Returns (approved, left as they were);
    audited as one event."""
    with write_transaction(session):
        found = existing(session, round_, refs)
        pending = [remark for remark in found.values() if remark.review == "pending"]
        now = utcnow()
        for remark in pending:
            remark.review, remark.redacted_text = "approved", None
            remark.reviewed_at, remark.reviewed_by = now, user.id if user else None
        if pending:
            accounts.audit(session, user, "remarks approved", round_.name,
                           remarks=[f"{r.response_id}:{r.key}" for r in pending])
    return len(pending), len(refs) - len(pending)
