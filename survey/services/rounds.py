"""Rounds and invitations: create a round on a questionnaire, open it, invite schools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import tokens
from ..models import Invitation, Round, School, utcnow
from ..questionnaire import Questionnaire, from_dict


def create_round(session: Session, *, name: str, school_year: str, questionnaire: Questionnaire,
                 opens_at: datetime | None = None, closes_at: datetime | None = None,
                 min_group_size: int = 5) -> Round:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("closes_at must be after opens_at")
    rnd = Round(name=name, school_year=school_year, questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version, definition=questionnaire.to_dict(),
                state="draft", opens_at=opens_at, closes_at=closes_at,
                min_group_size=min_group_size)
    session.add(rnd)
    session.flush()
    return rnd


def open_round(session: Session, rnd: Round, questionnaire: Questionnaire | None = None) -> None:
    """Open a draft round; the snapshot taken now is what every answer will mean."""
    if rnd.state != "draft":
        raise ValueError(f"round {rnd.id} is {rnd.state}, only a draft round can be opened")
    if questionnaire is not None:
        rnd.definition = questionnaire.to_dict()
        rnd.questionnaire_version = questionnaire.version
    rnd.state = "open"


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str


def invite(session: Session, rnd: Round, schools: list[School]) -> list[Issued]:
    """Invite schools not yet invited to the round; returns the new links' tokens, which are
    shown once and never stored."""
    invited = set(session.scalars(
        select(Invitation.school_id).where(Invitation.round_id == rnd.id)))
    issued = []
    for school in schools:
        if school.id in invited:
            continue
        token = tokens.new_token()
        inv = Invitation(round_id=rnd.id, school_id=school.id, centre_id=school.centre_id,
                         level=school.level, token_hash=tokens.hash_token(token))
        session.add(inv)
        issued.append(Issued(inv, token))
    session.flush()
    return issued


def renew_token(session: Session, invitation: Invitation) -> str:
    """A new link for an invitation (the old one stops working); answers are kept."""
    token = tokens.new_token()
    invitation.token_hash = tokens.hash_token(token)
    session.flush()
    return token


def revoke(session: Session, invitation: Invitation) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
    session.flush()


def find_invitation(session: Session, token: str) -> Invitation | None:
    if not tokens.plausible(token):
        return None
    return session.scalar(
        select(Invitation).where(Invitation.token_hash == tokens.hash_token(token))
    )


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


_SNAPSHOTS: dict[tuple, Questionnaire] = {}


def questionnaire_of(rnd: Round) -> Questionnaire:
    """The round's snapshot as a Questionnaire, parsed once per round that is no longer a
    draft (from then on its snapshot is frozen)."""
    if rnd.state == "draft":
        return from_dict(rnd.definition, source=f"round {rnd.id}")
    key = (rnd.id, rnd.questionnaire_id, rnd.questionnaire_version, rnd.created_at)
    q = _SNAPSHOTS.get(key)
    if q is None:
        if len(_SNAPSHOTS) > 256:
            _SNAPSHOTS.clear()
        q = _SNAPSHOTS[key] = from_dict(rnd.definition, source=f"round {rnd.id}")
    return q
