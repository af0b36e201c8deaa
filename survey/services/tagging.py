"""Remarks tagged with a round's themes: by hand (one remark, or the selected ones in
bulk), or by accepting the console's suggestions, which are never applied unasked; and how
well the suggestions matched what inspectors tagged by hand.

Only remarks that the round's review sees can be tagged (services/remarks.reviewable);
each change is one write transaction with its audit row."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..database import dialect_insert, write_transaction
from ..models import Remark, Round, User, utcnow
from ..models.themes import RemarkTheme, Theme
from . import accounts
from .remarks import ForReview, RemarkRef, existing, reviewable, themes_of
from .suggestions import Quality, Rules, codebook_rules, quality, suggest
from .themes import ThemeError, codebook, theme_of


def _named(refs: Iterable[RemarkRef]) -> list[str]:
    return [f"{response_id}:{key}" for response_id, key in refs]


def _theme(session: Session, round_: Round, theme_id: int | None) -> Theme:
    theme = theme_of(session, round_, theme_id) if theme_id is not None else None
    if theme is None:
        raise ThemeError(gettext("Kies een thema van deze bevraging."))
    return theme


def _insert(session: Session, rows: list[dict]) -> None:
    """Tags added; one another inspector added meanwhile is kept as it is."""
    if rows:
        session.execute(dialect_insert(session, RemarkTheme.__table__)
                        .on_conflict_do_nothing(), rows)


def _row(ref: RemarkRef, theme_id: int, user: User | None, source: str, now) -> dict:
    return {"response_id": ref[0], "key": ref[1], "theme_id": theme_id, "source": source,
            "tagged_at": now, "tagged_by": user.id if user else None}


def tag(session: Session, round_: Round, refs: list[RemarkRef], theme_id: int | None,
        user: User | None) -> int:
    """Tag the remarks with the theme (by hand). Returns how many got it new."""
    with write_transaction(session):
        theme = _theme(session, round_, theme_id)
        found = existing(session, round_, refs)
        current = themes_of(session, list(found))
        new = [ref for ref in found if theme.id not in current.get(ref, ())]
        now = utcnow()
        _insert(session, [_row(ref, theme.id, user, "hand", now) for ref in new])
        if new:
            accounts.audit(session, user, "remarks tagged", round_.name, theme=theme.name,
                           remarks=_named(new))
    return len(new)


def untag(session: Session, round_: Round, refs: list[RemarkRef], theme_id: int | None,
          user: User | None) -> int:
    """Remove the theme from the remarks. Returns how many had it."""
    with write_transaction(session):
        theme = _theme(session, round_, theme_id)
        found = existing(session, round_, refs)
        current = themes_of(session, list(found))
        gone = [ref for ref in found if theme.id in current.get(ref, ())]
        for response_id, key in gone:
            session.execute(delete(RemarkTheme).where(
                RemarkTheme.response_id == response_id, RemarkTheme.key == key,
                RemarkTheme.theme_id == theme.id))
        if gone:
            accounts.audit(session, user, "remarks untagged", round_.name, theme=theme.name,
                           remarks=_named(gone))
    return len(gone)


def set_themes(session: Session, round_: Round, ref: RemarkRef, theme_ids: Iterable[int],
               user: User | None) -> tuple[int, int]:
    """Give one remark exactly these themes (ids of other rounds' themes are refused).
    Returns (added, removed)."""
    with write_transaction(session):
        if ref not in existing(session, round_, [ref]):
            raise ThemeError(gettext("Deze opmerking bestaat niet (meer) in deze bevraging."))
        ours = {theme.id: theme.name for theme in codebook(session, round_)}
        wanted = set(theme_ids)
        if not wanted <= set(ours):
            raise ThemeError(gettext("Kies een thema van deze bevraging."))
        current = set(themes_of(session, [ref]).get(ref, ()))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        now = utcnow()
        _insert(session, [_row(ref, theme_id, user, "hand", now) for theme_id in added])
        if removed:
            session.execute(delete(RemarkTheme).where(
                RemarkTheme.response_id == ref[0], RemarkTheme.key == ref[1],
                RemarkTheme.theme_id.in_(removed)))
        if added or removed:
            accounts.audit(session, user, "remark themes set", round_.name,
                           remark=_named([ref])[0], added=[ours[i] for i in added],
                           removed=[ours[i] for i in removed])
    return len(added), len(removed)


def round_rules(session: Session, round_: Round) -> dict[int, Rules]:
    """theme id -> its compiled rules, in codebook order."""
    return codebook_rules({theme.id: theme.keywords for theme in codebook(session, round_)})


def suggestions(rules: dict[int, Rules], items: Iterable[ForReview]
                ) -> dict[RemarkRef, tuple[int, ...]]:
    """The themes proposed for each untagged remark among the items (those with none
    proposed are absent). Tagged remarks get no proposal: an inspector already coded them."""
    out = {}
    for item in items:
        if item.themes:
            continue
        proposed = suggest(rules, item.remark.text)
        if proposed:
            out[(item.remark.response_id, item.remark.key)] = proposed
    return out


def accept_suggestions(session: Session, round_: Round, refs: list[RemarkRef],
                       user: User | None) -> tuple[int, int]:
    """Tag each of these remarks that has no theme yet with the themes proposed for it now
    (the rules are applied again here: what the page showed is not trusted). Returns
    (remarks tagged, tags added)."""
    with write_transaction(session):
        rules = round_rules(session, round_)
        found = existing(session, round_, refs)
        current = themes_of(session, list(found))
        now = utcnow()
        rows, accepted = [], []
        for ref, remark in found.items():
            if current.get(ref):
                continue
            proposed = suggest(rules, remark.text)
            if proposed:
                accepted.append(ref)
                rows += [_row(ref, theme_id, user, "suggestion", now) for theme_id in proposed]
        _insert(session, rows)
        if accepted:
            accounts.audit(session, user, "suggestions accepted", round_.name,
                           remarks=_named(accepted), tags=len(rows))
    return len(accepted), len(rows)


def suggestion_quality(session: Session, round_: Round) -> Quality:
    """The suggestions of the current rules against the inspectors' own tags: over the
    remarks tagged by hand only (a remark with an accepted suggestion among its tags
    would agree with the rules because of them, so it is left out). Untagged remarks say
    nothing: an inspector may not have read them yet."""
    rows = session.execute(
        reviewable(round_, Remark.response_id, Remark.key, Remark.text, RemarkTheme.theme_id,
                   RemarkTheme.source)
        .join(RemarkTheme, (RemarkTheme.response_id == Remark.response_id)
              & (RemarkTheme.key == Remark.key))
        .join(Theme, Theme.id == RemarkTheme.theme_id)
        .where(Theme.round_id == round_.id))
    texts: dict[RemarkRef, str] = {}
    themes: dict[RemarkRef, set[int]] = {}
    accepted: set[RemarkRef] = set()
    for response_id, key, text, theme_id, source in rows:
        ref = (response_id, key)
        texts[ref] = text
        themes.setdefault(ref, set()).add(theme_id)
        if source == "suggestion":
            accepted.add(ref)
    return quality(round_rules(session, round_),
                   ((texts[ref], frozenset(ids)) for ref, ids in themes.items()
                    if ref not in accepted))

