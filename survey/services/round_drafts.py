"""A draft round's workflow: change its settings, delete it (only a draft without
answers, with everything that hangs on it), copy any round into a new draft."""

from __future__ import annotations

import copy
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instrument.domain import Audience, RoundAccess

from ..models import Invitation, Response, Round, School
from ..models.access import AccessCode
from . import mail_texts
from .rounds import STATE_NAMES, RoundStateError, invite, round_centres, sector_wide

DRAFT_FIELDS = ("name", "school_year", "opens_at", "closes_at", "min_group_size",
                "min_benchmark_centres", "reference_round_id", "audience", "access",
                "invitation_subject", "invitation_body", "reminder_subject", "reminder_body")


def _draft_only(rnd: Round, what: str) -> None:
    if rnd.state != "draft":
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: %(what)s kan alleen in voorbereiding.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state]), what=what))


def update_draft(session: Session, rnd: Round, **values) -> list[str]:
    """Change a draft round's settings (DRAFT_FIELDS); the names of what changed."""
    _draft_only(rnd, gettext("wijzigen"))
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"not a draft setting: {sorted(unknown)}")
    opens, closes = values.get("opens_at", rnd.opens_at), values.get("closes_at", rnd.closes_at)
    if opens and closes and closes <= opens:
        raise RoundStateError(gettext("De sluitingsdatum moet na de openingsdatum liggen."))
    reference = values.get("reference_round_id", rnd.reference_round_id)
    if reference is not None and _refers_back(session, reference, rnd.id):
        raise RoundStateError(gettext(
            "Een bevraging kan niet haar eigen referentiebevraging zijn."))
    _check_access(session, rnd, values)
    changed = [name for name, value in values.items() if getattr(rnd, name) != value]
    for name in changed:
        setattr(rnd, name, values[name])
    session.flush()
    return changed


def _check_access(session: Session, rnd: Round, values: dict) -> None:
    """Who answers and how: known values only; a draft whose codes were made already
    keeps its codes (a link round would leave them dangling: their slips may be printed)."""
    audience, access = values.get("audience", rnd.audience), values.get("access", rnd.access)
    if audience not in set(Audience) or access not in set(RoundAccess):
        raise TypeError(f"not an audience or access: {audience!r}, {access!r}")
    if access != RoundAccess.CODES and rnd.uses_codes and session.scalar(
            select(func.count()).select_from(AccessCode).where(
                AccessCode.round_id == rnd.id)):
        raise RoundStateError(gettext(
            "Voor deze bevraging zijn al codes gemaakt: ze blijft een bevraging met codes. "
            "Maak een nieuwe bevraging als de directies met een persoonlijke link moeten "
            "antwoorden."))


def _refers_back(session: Session, reference_id: int, round_id: int) -> bool:
    """Whether the chain of reference rounds from reference_id reaches round_id."""
    seen = set()
    current: int | None = reference_id
    while current is not None and current not in seen:
        if current == round_id:
            return True
        seen.add(current)
        current = session.scalar(select(Round.reference_round_id).where(Round.id == current))
    return False


def deletable(session: Session, rnd: Round) -> str | None:
    """Why the round cannot be deleted (Dutch), or None when it can."""
    if rnd.state != "draft":
        return gettext("Alleen een bevraging in voorbereiding kan worden verwijderd.")
    answered = session.scalar(select(func.count()).select_from(Response).join(
        Invitation, Invitation.id == Response.invitation_id).where(
        Invitation.round_id == rnd.id))
    if answered:
        return gettext("Er zijn al antwoorden in deze bevraging; ze kan niet meer weg.")
    referring = session.scalars(select(Round.name).where(
        Round.reference_round_id == rnd.id)).all()
    if referring:
        return gettext("Deze bevraging is de referentiebevraging van %(rounds)s.",
                       rounds=", ".join(referring))
    return None


def delete_draft(session: Session, rnd: Round) -> None:
    """Delete a draft round without answers and everything that hangs on it (its
    invitations, links, mails, tally, plan, codebook, ...). Every table that refers to the
    round, or to a row that does, is found in the metadata, so a table added later is
    deleted too instead of blocking the delete."""
    reason = deletable(session, rnd)
    if reason:
        raise RoundStateError(reason)
    table = Round.__table__
    _delete_rows(session, table, table.c.id == rnd.id)
    session.expunge(rnd)


def _delete_rows(session: Session, table, condition) -> None:
    """Delete the rows of `table` matching `condition`, after every row elsewhere that
    refers to them (depth first)."""
    for child in table.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not table or child is table:
                continue
            referred = select(table.c[fk.column.name]).where(condition)
            _delete_rows(session, child, fk.parent.in_(referred))
    session.execute(table.delete().where(condition))


def copy_round(session: Session, rnd: Round, *, name: str, school_year: str,
               shift_days: int = 364) -> Round:
    """A new draft like `rnd`: the same questionnaire snapshot (so the same version),
    group sizes, reference round, mail texts, audience and access (codes or links; no
    codes are copied: the new draft's are made for it) and CLBs; its dates moved on by shift_days
    (52 weeks: the same weekday next year). The schools invited are those of its CLBs in
    the directory now (every school, for a sector-wide round), not the old round's list:
    schools that closed or changed CLB since are the import's business."""
    wide = sector_wide(session, rnd.id)
    centres = round_centres(session, rnd.id)
    shift = timedelta(days=shift_days)
    copy_ = Round(name=name, school_year=school_year, questionnaire_id=rnd.questionnaire_id,
                  questionnaire_version=rnd.questionnaire_version,
                  definition=copy.deepcopy(rnd.definition),
                  questionnaire_version_id=rnd.questionnaire_version_id, state="draft",
                  opens_at=rnd.opens_at + shift if rnd.opens_at else None,
                  closes_at=rnd.closes_at + shift if rnd.closes_at else None,
                  min_group_size=rnd.min_group_size,
                  min_benchmark_centres=rnd.min_benchmark_centres,
                  reference_round_id=rnd.reference_round_id,
                  audience=rnd.audience, access=rnd.access,
                  **{f: getattr(rnd, f) for f in mail_texts.defaults()})
    session.add(copy_)
    session.flush()
    query = select(School).order_by(School.id)
    if not wide:
        query = query.where(School.centre_id.in_(centres))
    invite(session, copy_, list(session.scalars(query)), with_links=False)
    return copy_
