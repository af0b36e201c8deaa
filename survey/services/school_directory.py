"""The console's school directory: find a school among thousands, and everything the
inspectorate knows about its invitations (never its answers): per round the response
state, every mail and its outcome, its links; fix its e-mail address; new links.

Every change writes an audit event in the same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from instrument.domain import RoundAccess

from ..database import write_transaction
from ..email_address import is_address
from ..mailer import can_address
from ..models import (
    Centre,
    Invitation,
    InvitationLink,
    MessageSend,
    Response,
    Round,
    School,
    User,
)
from ..models.core import SCHOOL_RESPONSE
from . import accounts, mailing
from . import rounds as round_service

PER_PAGE = 50


@dataclass(frozen=True)
class Found:
    id: int
    number: str
    name: str
    level: str
    email: str | None
    municipality: str | None
    centre_name: str


@dataclass(frozen=True)
class SearchPage:
    query: str
    schools: list[Found]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _like(text: str) -> str:
    """A LIKE pattern that finds the text anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, query: str, page: int = 1) -> SearchPage:
    """Schools whose name, number, e-mail address or municipality contains the query
    (case-insensitive), by name; all schools for an empty query. One page of PER_PAGE."""
    query = " ".join(query.split())[:200]
    statement = select(School.id, School.number, School.name, School.level, School.email,
                       School.municipality, Centre.name).join(
        Centre, Centre.id == School.centre_id)
    if query:
        pattern = _like(query.lower())
        statement = statement.where(or_(
            *(func.lower(column).like(pattern, escape="\\") for column in
              (School.name, School.number, School.email, School.municipality))))
    total = session.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery()))
    rows = session.execute(statement.order_by(School.name, School.number)
                           .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return SearchPage(query, [Found(*row) for row in rows], total, page)


@dataclass(frozen=True)
class Mail:
    key: str
    label: str           # "Uitnodiging", "Herinnering 1", "Opnieuw verstuurd (2)", ...
    status: str          # claimed, sent, failed
    recipient: str
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class RoundInvitation:
    id: int
    round_id: int
    round_name: str
    round_state: str
    level: str
    centre_name: str
    withdrawn: bool
    response_status: str | None      # None (not begun), "draft" or "submitted"
    started_at: datetime | None
    submitted_at: datetime | None
    valid_links: int
    mails: list[Mail]
    coded: bool = False     # answered anonymously with codes: no links, no mails

    @property
    def can_resend(self) -> bool:
        return self.round_state == "open" and not self.withdrawn and not self.coded \
            and self.response_status != "submitted"

    @property
    def can_link(self) -> bool:
        return self.round_state in ("draft", "open") and not self.withdrawn \
            and not self.coded


@dataclass(frozen=True)
class SchoolDetail:
    school: School
    centre: Centre
    invitations: list[RoundInvitation]
    addressable: bool               # whether a mail header can carry its address


def message_label(key: str) -> str:
    """A MessageSend key in words."""
    key, earlier, _ = key.partition(mailing.EARLIER)
    if key == mailing.INVITATION:
        label = gettext("Uitnodiging")
    elif match := mailing.REMINDER_KEY.match(key):
        label = gettext("Herinnering %(number)s", number=match.group(1))
    elif match := mailing.RESEND_KEY.match(key):
        label = gettext("Uitnodiging opnieuw verstuurd (%(number)s)", number=match.group(1))
    else:
        label = key
    return gettext("%(label)s, eerdere poging", label=label) if earlier else label


def detail(session: Session, school_id: int) -> SchoolDetail | None:
    school = session.get(School, school_id)
    if school is None:
        return None
    rows = session.execute(
        select(Invitation, Round.name, Round.state, Round.access, Centre.name,
               Response.status, Response.started_at, Response.submitted_at)
        .join(Round, Round.id == Invitation.round_id)
        .join(Centre, Centre.id == Invitation.centre_id)
        # the school's own response: a coded round's anonymous ones are not the school's
        .outerjoin(Response, and_(Response.invitation_id == Invitation.id,
                                  SCHOOL_RESPONSE))
        .where(Invitation.school_id == school.id)
        .order_by(Round.created_at.desc(), Round.id.desc())).all()
    ids = [row[0].id for row in rows]
    mails: dict[int, list[Mail]] = {i: [] for i in ids}
    links: dict[int, int] = {}
    if ids:
        for send in session.scalars(select(MessageSend).where(
                MessageSend.invitation_id.in_(ids))
                .order_by(MessageSend.claimed_at, MessageSend.id)):
            mails[send.invitation_id].append(Mail(
                send.message_key, message_label(send.message_key), send.status,
                send.recipient, send.claimed_at, send.sent_at, send.error))
        links = dict(session.execute(
            select(InvitationLink.invitation_id, func.count())
            .where(InvitationLink.invitation_id.in_(ids),
                   InvitationLink.revoked_at.is_(None))
            .group_by(InvitationLink.invitation_id)).all())
    invitations = [
        RoundInvitation(inv.id, inv.round_id, round_name, state, inv.level, centre_name,
                        inv.revoked_at is not None, status, started, submitted,
                        links.get(inv.id, 0), mails[inv.id],
                        coded=access == RoundAccess.CODES)
        for inv, round_name, state, access, centre_name, status, started, submitted
        in rows]
    return SchoolDetail(school, school.centre, invitations, can_address(school.email))


class DirectoryError(ValueError):
    """A change the directory refuses (Dutch, shown as it is)."""


def check_email(text: str) -> str:
    """The address as it will be stored (lower case), or DirectoryError saying why not.
    The import's rule (email_address.is_address), taken as typed: spaces around it go,
    but a control character inside is refused, never silently dropped."""
    address = text.strip(" ").lower()
    if not address:
        raise DirectoryError(gettext("Geef een e-mailadres."))
    if len(address) > 254:
        raise DirectoryError(gettext("Dit e-mailadres is te lang (hoogstens 254 tekens)."))
    if not is_address(address) or not can_address(address):
        raise DirectoryError(gettext(
            "Dit is geen bruikbaar e-mailadres: één @, geen spaties, alleen letters zonder "
            "accent, cijfers en leestekens (bijvoorbeeld directie@school.be)."))
    return address


def change_email(session: Session, actor: User | None, school_id: int, text: str) -> str:
    """Store a school's new address; returns it. Mails already sent keep the address
    they went to (MessageSend.recipient)."""
    address = check_email(text)
    with write_transaction(session):
        school = session.get(School, school_id)
        if school is None:
            raise DirectoryError(gettext("Deze school bestaat niet."))
        old = school.email
        if old != address:
            school.email = address
            accounts.audit(session, actor, "school e-mail changed", school.name,
                           number=school.number, old=old or "", new=address)
    return address


def _invitation(session: Session, school_id: int, invitation_id: int) -> Invitation:
    inv = session.get(Invitation, invitation_id)
    if inv is None or inv.school_id != school_id:
        raise DirectoryError(gettext("Deze uitnodiging hoort niet bij deze school."))
    if inv.revoked_at is not None:
        raise DirectoryError(gettext("Deze uitnodiging is ingetrokken: nodig de school "
                                     "eerst opnieuw uit."))
    if inv.round.uses_codes:
        raise DirectoryError(CODED())
    if inv.round.state not in ("draft", "open"):
        raise DirectoryError(CLOSED())
    return inv


def CLOSED() -> str:  # noqa: N802 - a message, translated when it is shown
    return gettext("Deze bevraging is afgesloten: een link werkt niet meer, een nieuwe "
                   "dus ook niet.")


def SUBMITTED() -> str:  # noqa: N802 - a message, translated when it is shown
    return gettext("Deze school heeft al ingediend.")


def CODED() -> str:  # noqa: N802 - a message, translated when it is shown
    return gettext("Deze bevraging wordt anoniem met codes ingevuld: er zijn geen "
                   "persoonlijke links of uitnodigingen voor de school.")


def refusal(invitation: RoundInvitation, action: str) -> str | None:
    """Why the directory page offers no `action` ("resend", "renew", "extra") for this
    invitation, or None when it does; the confirmation step asks this first."""
    if invitation.coded:
        return CODED()
    if action == "resend" and invitation.response_status == "submitted":
        return SUBMITTED()
    if invitation.round_state not in ("draft", "open"):
        return CLOSED()
    return None


def make_link(session: Session, actor: User | None, school_id: int, invitation_id: int,
              *, renew: bool) -> str:
    """A new link (its token, shown once). renew: every earlier link stops working (and
    sessions opened with one end); otherwise one more link beside the others, for
    example to pass on by phone. The answers are kept either way."""
    with write_transaction(session):
        inv = _invitation(session, school_id, invitation_id)
        if renew:
            token = round_service.renew_link(session, inv)
        else:
            token = round_service.new_link(session, inv)
        accounts.audit(session, actor, "link renewed" if renew else "link made",
                       inv.school.name, round=inv.round_id)
    return token


def resend(session: Session, actor: User | None, school_id: int, invitation_id: int,
           transport, *, base_url: str, sender: str) -> mailing.Resent:
    """Send the invitation again (mailing.resend_invitation), then write the audit event.
    MailError when the server cannot be reached (nothing claimed); DirectoryError or
    mailing.ResendError when the invitation cannot go out."""
    inv = session.get(Invitation, invitation_id)
    if inv is None or inv.school_id != school_id:
        raise DirectoryError(gettext("Deze uitnodiging hoort niet bij deze school."))
    if inv.round.uses_codes:
        raise DirectoryError(CODED())
    if session.scalar(select(Response.status).where(
            Response.invitation_id == inv.id, SCHOOL_RESPONSE)) == "submitted":
        # a new invitation mail would ask a school to answer what it already submitted
        raise DirectoryError(SUBMITTED())
    name, round_id = inv.school.name, inv.round_id
    outcome = mailing.resend_invitation(session, invitation_id, transport,
                                        base_url=base_url, sender=sender)
    with write_transaction(session):
        accounts.audit(session, actor, "invitation resent", name, round=round_id,
                       sent=outcome.sent, message=outcome.key)
    return outcome
