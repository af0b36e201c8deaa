"""Rounds and invitations: create a round on a questionnaire, open it, invite schools."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from instrument.domain import RoundAccess

from .. import tokens
from ..models import (
    Invitation,
    InvitationLink,
    QuestionnaireVersion,
    Response,
    Round,
    School,
    round_phase,
    utcnow,
)
from ..questionnaire import Questionnaire, from_dict
from ..translations import lazy_gettext
from . import counts, mail_texts, tally


def create_round(session: Session, *, name: str, school_year: str,
                 questionnaire: Questionnaire | None = None,
                 version: QuestionnaireVersion | None = None,
                 opens_at: datetime | None = None, closes_at: datetime | None = None,
                 min_group_size: int = 5, min_benchmark_centres: int = 3) -> Round:
    """A draft round on a published library version (its definition copied into the round),
    or on a questionnaire read elsewhere (tests, the demo): then the round is linked to the
    published version with the same id, version and definition when the library has one."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("closes_at must be after opens_at")
    if version is not None:
        if version.state != "published":
            raise ValueError("a round is created on a published version only")
        definition = copy.deepcopy(version.definition)
        questionnaire = from_dict(definition, source=f"{version.questionnaire_id} "
                                                     f"{version.version}")
    elif questionnaire is not None:
        definition = questionnaire.to_dict()
        version = session.scalar(select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == questionnaire.id,
            QuestionnaireVersion.version == questionnaire.version,
            QuestionnaireVersion.state == "published"))
        if version is not None and version.definition != definition:
            version = None
    else:
        raise TypeError("create_round needs a version or a questionnaire")
    rnd = Round(name=name, school_year=school_year, questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version, definition=definition,
                questionnaire_version_id=version.id if version is not None else None,
                state="draft", opens_at=opens_at, closes_at=closes_at,
                min_group_size=min_group_size, min_benchmark_centres=min_benchmark_centres,
                **mail_texts.defaults())
    session.add(rnd)
    session.flush()
    return rnd


class RoundStateError(ValueError):
    """A state change that the round's current state does not allow (message in Dutch)."""


STATE_NAMES = {"draft": lazy_gettext("in voorbereiding"), "open": lazy_gettext("open"),
               "closed": lazy_gettext("afgesloten"), "published": lazy_gettext("gepubliceerd")}


def open_round(session: Session, rnd: Round, questionnaire: Questionnaire | None = None) -> None:
    """Open a draft round; the snapshot taken now is what every answer will mean."""
    if rnd.state != "draft":
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: alleen een bevraging in voorbereiding kan worden "
            "geopend.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state])))
    if questionnaire is not None:
        rnd.definition = questionnaire.to_dict()
        rnd.questionnaire_version = questionnaire.version
    rnd.state = "open"


def close_round(session: Session, rnd: Round, now: datetime | None = None) -> None:
    if rnd.state != "open":
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: alleen een open bevraging kan worden afgesloten.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state])))
    rnd.state = "closed"
    now = now or utcnow()
    if rnd.closes_at is None or rnd.closes_at > now:
        rnd.closes_at = now
    if rnd.uses_codes:
        from .access_codes import shuffle_spent  # here: access_codes imports this module

        shuffle_spent(session, rnd.id)


def reopen_round(session: Session, rnd: Round, closes_at: datetime,
                 now: datetime | None = None) -> None:
    if rnd.state != "closed":
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: alleen een afgesloten (niet gepubliceerde) "
            "bevraging kan heropenen.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state])))
    if closes_at <= (now or utcnow()):
        raise RoundStateError(gettext("De nieuwe sluitingsdatum moet in de toekomst liggen."))
    rnd.state, rnd.closes_at = "open", closes_at


def publish_round(session: Session, rnd: Round, user=None) -> None:
    """Publish a closed round; what its CLBs see is frozen as version 1 in the same
    transaction (services/report_versions.py)."""
    if rnd.state != "closed":
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: alleen een afgesloten bevraging kan worden "
            "gepubliceerd.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state])))
    rnd.state = "published"
    from . import report_versions  # here: report_versions' imports lead back to this module

    report_versions.freeze(session, rnd, user)


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str | None


def invite(session: Session, rnd: Round, schools: list[School], *,
           with_links: bool = True) -> list[Issued]:
    """Invite schools not yet invited to the round. With links, each invitation gets one
    now, whose token is returned here once and never stored; without, links are made when
    the invitations are sent."""
    invited = set(session.scalars(
        select(Invitation.school_id).where(Invitation.round_id == rnd.id)))
    issued = []
    for school in schools:
        if school.id in invited:
            continue
        inv = Invitation(round_id=rnd.id, school_id=school.id, centre_id=school.centre_id,
                         level=school.level)
        session.add(inv)
        token = None
        if with_links:
            token = tokens.new_token()
            inv.links.append(InvitationLink(token_hash=tokens.hash_token(token)))
        issued.append(Issued(inv, token))
    session.flush()
    groups: dict[tuple[int, str], int] = {}
    for item in issued:
        key = (item.invitation.centre_id, item.invitation.level)
        groups[key] = groups.get(key, 0) + 1
    tally.invited(session, rnd.id, groups)
    return issued


def new_link(session: Session, invitation: Invitation) -> str:
    """One more valid link to the invitation; the token is returned once."""
    token = tokens.new_token()
    session.add(InvitationLink(invitation_id=invitation.id, token_hash=tokens.hash_token(token)))
    session.flush()
    return token


def renew_link(session: Session, invitation: Invitation, now: datetime | None = None) -> str:
    """Revoke every link of the invitation (sessions opened with them end too) and make a
    new one; the answers are kept."""
    session.execute(update(InvitationLink)
                    .where(InvitationLink.invitation_id == invitation.id,
                           InvitationLink.revoked_at.is_(None))
                    .values(revoked_at=now or utcnow()))
    return new_link(session, invitation)


def link_is_valid(session: Session | Connection, invitation_id: int, prefix: str) -> bool:
    """Whether a link whose hash starts with `prefix` still opens this invitation."""
    return session.execute(select(InvitationLink.id).where(
        InvitationLink.invitation_id == invitation_id, InvitationLink.revoked_at.is_(None),
        func.substr(InvitationLink.token_hash, 1, len(prefix)) == prefix)).first() is not None


def revoke(session: Session, invitation: Invitation) -> None:
    """Withdraw an invitation: its link stops working; answers already given are kept,
    and leave the counts the reports read.

    The UPDATE .. WHERE revoked_at IS NULL both decides and locks: a second withdraw finds
    nothing to do, and a school's save that holds the invitation row (the claim in
    answers.save) finishes first, so the status read after it is the committed one."""
    if _set_revoked(session, invitation, utcnow()):
        _responses_changed(session, invitation, -1)
    session.flush()


def _responses_changed(session: Session, invitation: Invitation, sign: int) -> None:
    """An invitation leaves (-1) or rejoins (1) the tally and the counts with every response
    it has: the school's one, or a coded round's many anonymous ones."""
    if not invitation.round.uses_codes:
        tally.invitation_changed(session, invitation.id, sign)
        submitted = counts.submitted_response(session, invitation.id)
        if submitted is not None:
            counts.add_response(session.connection(), submitted, sign)
        return
    states = session.execute(select(Response.id, Response.status).where(
        Response.invitation_id == invitation.id)).all()
    submitted = [rid for rid, status in states if status == "submitted"]
    tally.add(session.connection(), invitation.id, invited=sign, started=sign * len(states),
              submitted=sign * len(submitted))
    for response_id in submitted:
        counts.add_response(session.connection(), response_id, sign)


def _set_revoked(session: Session, invitation: Invitation, value: datetime | None) -> bool:
    """Set or clear revoked_at if it is not so already; whether this call changed it."""
    was = Invitation.revoked_at.is_(None) if value is not None else \
        Invitation.revoked_at.is_not(None)
    changed = session.execute(
        update(Invitation).where(Invitation.id == invitation.id, was)
        .values(revoked_at=value).returning(Invitation.id)).first()
    session.refresh(invitation, ["revoked_at"])
    return changed is not None


def _changeable(rnd: Round) -> None:
    if rnd.state not in ("draft", "open"):
        raise RoundStateError(gettext(
            "Bevraging %(round)s is %(state)s: scholen toevoegen of intrekken kan alleen in "
            "voorbereiding of open.",
            round=rnd.id, state=str(STATE_NAMES[rnd.state])))


def withdraw(session: Session, invitation: Invitation) -> None:
    _changeable(invitation.round)
    revoke(session, invitation)


def reinstate(session: Session, invitation: Invitation) -> None:
    _changeable(invitation.round)
    if _set_revoked(session, invitation, None):
        _responses_changed(session, invitation, 1)
    session.flush()


def add_school(session: Session, rnd: Round, school: School) -> Invitation:
    """Invite one more school, or bring back one that was withdrawn."""
    _changeable(rnd)
    existing = session.scalar(select(Invitation).where(
        Invitation.round_id == rnd.id, Invitation.school_id == school.id))
    if existing is not None:
        if existing.revoked_at is None:
            raise RoundStateError(gettext("%(name)s is al uitgenodigd.", name=school.name))
        reinstate(session, existing)
        return existing
    return invite(session, rnd, [school], with_links=False)[0].invitation


def find_link(session: Session, token: str) -> InvitationLink | None:
    """The valid link with this token, or None."""
    if not tokens.plausible(token):
        return None
    # A coded round is answered with codes only: a link to one of its schools opens nothing.
    return session.scalar(select(InvitationLink).join(
        Invitation, Invitation.id == InvitationLink.invitation_id).join(
        Round, Round.id == Invitation.round_id).where(
        InvitationLink.token_hash == tokens.hash_token(token),
        InvitationLink.revoked_at.is_(None), Round.access == RoundAccess.LINK.value))


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def snapshot_stamp(questionnaire_id: str, version: str, created_at: datetime) -> str:
    """Names one round's snapshot; carried in sessions and tickets so that a request can
    find the questionnaire in the process cache without reading the database."""
    return f"{questionnaire_id}|{version}|{created_at.isoformat()}"


@dataclass(frozen=True)
class Access:
    """What a school's request needs to know about its invitation, read in one query."""

    invitation_id: int
    revoked: bool
    round_id: int
    round_state: str
    opens_at: datetime | None
    closes_at: datetime | None
    stamp: str

    def phase(self, now: datetime | None = None) -> str:
        return round_phase(self.round_state, self.opens_at, self.closes_at, now)


_ACCESS = (
    select(Invitation.id, Invitation.revoked_at, Round.id, Round.state,
           Round.opens_at, Round.closes_at, Round.questionnaire_id,
           Round.questionnaire_version, Round.created_at)
    .join(Round, Invitation.round_id == Round.id)
)


def access(session: Session, invitation_id: int) -> Access | None:
    row = session.execute(_ACCESS.where(Invitation.id == invitation_id)).first()
    if row is None:
        return None
    inv_id, revoked_at, round_id, state, opens, closes, qid, version, created = row
    return Access(inv_id, revoked_at is not None, round_id, state, opens, closes,
                  snapshot_stamp(qid, version, created))


_SNAPSHOTS: dict[tuple, Questionnaire] = {}


def questionnaire_by_stamp(session: Session, round_id: int, stamp: str) -> Questionnaire | None:
    """The round's questionnaire snapshot, or None when the round no longer matches the
    stamp. A snapshot is frozen once its round is no longer a draft, so it is parsed once
    per process and then served from memory."""
    key = (str(session.get_bind().url), round_id, stamp)
    q = _SNAPSHOTS.get(key)
    if q is not None:
        return q
    row = session.execute(
        select(Round.state, Round.definition, Round.questionnaire_id,
               Round.questionnaire_version, Round.created_at).where(Round.id == round_id)
    ).first()
    if row is None or snapshot_stamp(*row[2:]) != stamp:
        return None
    q = from_dict(row.definition, source=f"round {round_id}")
    if row.state != "draft":
        if len(_SNAPSHOTS) > 256:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = q
    return q


def questionnaire_for(session: Session, acc: Access) -> Questionnaire:
    """The snapshot of an invitation's round."""
    q = questionnaire_by_stamp(session, acc.round_id, acc.stamp)
    if q is None:  # the round changed under us: read it afresh
        raise LookupError(f"round {acc.round_id} changed")
    return q


# --- The round's CLBs (a draft's edit, delete and copy: services/round_drafts.py) ---
#
# A round's CLBs are those with an invitation in it (withdrawn ones included): a round is
# made for chosen CLBs by inviting their schools, so the invitations are the one record
# of the choice, and no second list can disagree with them. A round is sector-wide when
# every CLB with schools in the directory is among them.


class OutsideRound(RoundStateError):
    """A school whose CLB is not one of the round's: added only when the inspector
    confirms that its CLB joins the round."""

    def __init__(self, message: str, centre_id: int):
        super().__init__(message)
        self.centre_id = centre_id


def round_centres(session: Session, round_id: int) -> set[int]:
    """The ids of the round's CLBs."""
    return set(session.scalars(select(Invitation.centre_id).where(
        Invitation.round_id == round_id).distinct()))


def sector_wide(session: Session, round_id: int) -> bool:
    """Whether every CLB with schools takes part (then its total is 'the sector')."""
    mine = select(Invitation.centre_id).where(Invitation.round_id == round_id)
    missing = session.scalar(select(func.count(func.distinct(School.centre_id))).where(
        School.centre_id.not_in(mine)))
    return missing == 0 and bool(round_centres(session, round_id))


def add_school_checked(session: Session, rnd: Round, school: School, *,
                       with_centre: bool = False) -> Invitation:
    """add_school, refusing (OutsideRound) a school whose CLB is not one of the round's
    unless with_centre: a round of a few CLBs must not grow by an unseen CLB."""
    _changeable(rnd)
    if not with_centre and school.centre_id not in round_centres(session, rnd.id):
        raise OutsideRound(gettext(
            "%(school)s hoort bij %(centre)s, dat niet aan deze bevraging meedoet.",
            school=school.name, centre=school.centre.name), school.centre_id)
    return add_school(session, rnd, school)
