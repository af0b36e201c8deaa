"""Send a round's invitations and reminders, resumable and never twice.

For every recipient a MessageSend row is claimed (and committed, together with the new
link the mail will carry) before the mail goes out, then marked sent or failed. A crash or
a second click therefore never mails a school twice for the same message: rows that are
sent or still claimed are skipped; only failed ones are tried again. A round goes out in
batches (mail_claims.BATCH mails claimed in one commit, their outcomes recorded in one):
a worker's death leaves at most one batch claimed, i.e. uncertain.

No attempt is forgotten: a failed row that is tried again keeps its outcome under a key of
its own (`invitation~<row id>`), and resending one invitation from the school's page is
a row of its own (`resend-<n>`), so the school's page lists every mail and its outcome.
The round's overview and the batches only count the messages themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from functools import partial

from flask_babel import gettext
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..formatting import local_datetime
from ..mailer import MailError, can_address, header_text
from ..models import (
    Centre,
    Invitation,
    MessageSend,
    Response,
    Round,
    School,
    utcnow,
)
from . import mail_claims, tally
from .mail_claims import EARLIER, failure_reason  # noqa: F401 - named as mailing.*
from .rounds import link, new_link

INVITATION = "invitation"
REMINDER_KEY = re.compile(r"^reminder-([1-9])$")
RESEND_KEY = re.compile(r"^resend-([1-9][0-9]*)$")


def is_message(key: str) -> bool:
    """Whether the key names a round's message (not a resend or an earlier attempt)."""
    return key == INVITATION or REMINDER_KEY.match(key) is not None


def reminder_key(number: int) -> str:
    return f"reminder-{number}"


def message_name(key: str) -> str:
    """A message key in words, as the console shows it: "uitnodiging", "herinnering 2"
    (the one place that names them; an unknown key is shown as it is)."""
    if key == INVITATION:
        return gettext("uitnodiging")
    match = REMINDER_KEY.match(key)
    if match:
        return gettext("herinnering %(n)s", n=match.group(1))
    return key


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0      # already sent, or claimed by a send that did not finish


@dataclass(frozen=True)
class _Party:
    """What compose() reads of a school or a CLB."""
    name: str
    email: str | None = None


@dataclass(frozen=True)
class _RoundTexts:
    """What compose() reads of a round."""
    name: str
    closes_at: datetime | None
    invitation_subject: str
    invitation_body: str
    reminder_subject: str
    reminder_body: str


@dataclass(frozen=True)
class _Addressee:
    """What compose() reads of an invitation, loaded for a whole batch in one query."""
    id: int
    school: _Party
    centre: _Party


def _still_answering(round_id: int, only_not_started: bool = False):
    """Invitations of the round that are not withdrawn and have not submitted (or, with
    only_not_started, have not even begun)."""
    answered = exists().where(Response.invitation_id == Invitation.id)
    if not only_not_started:
        answered = answered.where(Response.status == "submitted")
    return (select(Invitation.id)
            .where(Invitation.round_id == round_id, Invitation.revoked_at.is_(None),
                   ~answered)
            .order_by(Invitation.id))


def not_submitted(session: Session, rnd: Round) -> list[int]:
    return list(session.scalars(_still_answering(rnd.id)))


def _recipients(rnd: Round, message_key: str, only_not_started: bool = False):
    not_yet = ~exists().where(MessageSend.invitation_id == Invitation.id,
                              MessageSend.message_key == message_key,
                              MessageSend.status != "failed")
    if message_key == INVITATION:
        query = (select(Invitation.id).where(Invitation.round_id == rnd.id,
                                             Invitation.revoked_at.is_(None))
                 .order_by(Invitation.id))
    else:
        query = _still_answering(rnd.id, only_not_started)
    return query.where(not_yet)


def recipients(session: Session, rnd: Round, message_key: str,
               only_not_started: bool = False) -> list[int]:
    """Invitation ids that this message should still go to."""
    return list(session.scalars(_recipients(rnd, message_key, only_not_started)))


def recipients_count(session: Session, rnd: Round, message_key: str,
                     only_not_started: bool = False) -> int:
    query = _recipients(rnd, message_key, only_not_started).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def compose(rnd: Round | _RoundTexts, inv: Invitation | _Addressee, message_key: str,
            url: str, sender: str, deadline: str | None = None) -> EmailMessage:
    """The mail to one school (inv: anything with .school.name, .school.email and
    .centre.name); deadline: the round's close in words, when the caller has it."""
    reminder = message_key != INVITATION
    if deadline is None:
        deadline = local_datetime(rnd.closes_at) if rnd.closes_at else ""
    # Names come from imports, perhaps from before they were cleaned: one line each, so
    # that no name can end a header or add one (mailer.header_text).
    values = {"{school}": header_text(inv.school.name),
              "{clb}": header_text(inv.centre.name), "{link}": url,
              "{deadline}": deadline, "{round}": rnd.name}
    subject = rnd.reminder_subject if reminder else rnd.invitation_subject
    body = rnd.reminder_body if reminder else rnd.invitation_body
    for placeholder, value in values.items():  # plain replacement: braces in text are safe
        subject, body = subject.replace(placeholder, value), body.replace(placeholder, value)
    message = EmailMessage()
    message["Subject"] = header_text(subject)
    message["From"] = sender
    message["To"] = formataddr((header_text(inv.school.name),
                                header_text(inv.school.email)))
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or None)
    message["Date"] = formatdate(usegmt=True)    # RFC 5322 asks for it, spam filters too
    message.set_content(body)
    return message


def send(session: Session, rnd: Round, message_key: str, transport, *, base_url: str,
         sender: str, only_not_started: bool = False, limit: int | None = None,
         progress: Callable[[int], None] | None = None,
         batch: int = mail_claims.BATCH) -> SendReport:
    """Send the message to every school it is still for, `batch` mails at a time
    (mail_claims: claimed with their links in one commit, sent, their outcomes recorded
    in one commit); progress(1) after each mail handed to the mail server."""
    if message_key != INVITATION and not REMINDER_KEY.match(message_key):
        raise ValueError(f"unknown message {message_key!r}")
    if rnd.uses_codes:
        raise ValueError(f"round {rnd.id} is answered with codes: it has nobody to mail")
    report = SendReport()
    todo = list(session.scalars(_recipients(rnd, message_key, only_not_started)
                                .limit(limit)))
    # what compose() reads of the round, read once: the sending runs outside any
    # transaction, and an expired round would be read again after every commit
    texts = _RoundTexts(rnd.name, rnd.closes_at, rnd.invitation_subject,
                        rnd.invitation_body, rnd.reminder_subject, rnd.reminder_body)
    deadline = local_datetime(rnd.closes_at) if rnd.closes_at else ""
    step = max(batch, 1)
    with transport:
        for first in range(0, len(todo), step):
            with write_transaction(session):
                claimed = _claim_batch(session, rnd, message_key, only_not_started,
                                       todo[first:first + step], report)
            # composed just before each goes out: the claim's commit stays short
            claims = [mail_claims.Claim(row_id, partial(
                          compose, texts, to, message_key, link(base_url, token), sender,
                          deadline=deadline)) for to, row_id, token in claimed]
            sent, failed = mail_claims.send_batch(session, claims, transport, progress)
            report.sent += sent
            report.failed += failed
    return report


def _claim_batch(session: Session, rnd: Round, key: str, only_not_started: bool,
                 ids: list[int], report: SendReport) -> list[tuple[_Addressee, int, str]]:
    """Claim the message for those of `ids` it is still for, in the caller's write
    transaction: one query for their schools and CLBs, one for their earlier sends, then
    mail_claims.claim_many. (addressee, row id, link token) per claim, by invitation.

    A school without a usable address counts as failed (no row: nothing was tried); one
    no longer to be mailed (it submitted meanwhile, another send has it) as skipped."""
    rows = session.execute(
        _recipients(rnd, key, only_not_started).where(Invitation.id.in_(ids))
        .add_columns(School.name, School.email, Centre.name)
        .join(School, School.id == Invitation.school_id)
        .join(Centre, Centre.id == Invitation.centre_id)).all()
    report.skipped += len(ids) - len(rows)
    failed_before = dict(session.execute(
        select(MessageSend.invitation_id, MessageSend.id).where(
            MessageSend.invitation_id.in_(ids), MessageSend.message_key == key)).all())
    addressees = {}
    for invitation_id, school, email, centre in rows:
        # None, or one no header can carry (composing would raise): failed
        if not can_address(email):
            report.failed += 1
        elif invitation_id in failed_before and not mail_claims.keep_failed(
                session, failed_before[invitation_id], key):
            report.skipped += 1
        else:
            addressees[invitation_id] = _Addressee(invitation_id, _Party(school, email),
                                                   _Party(centre))
    claimed = mail_claims.claim_many(
        session, key, {i: a.school.email for i, a in addressees.items()}, utcnow())
    report.skipped += len(addressees) - len(claimed)
    return [(addressees[i], *claimed[i]) for i in sorted(claimed)]


class ResendError(ValueError):
    """Why one invitation cannot be sent again now (Dutch, shown as it is)."""


@dataclass(frozen=True)
class Resent:
    key: str                  # the row's key: "invitation" or "resend-<n>"
    sent: bool
    error: str | None = None  # the mail server's reason when it refused


def resend_invitation(session: Session, invitation_id: int, transport, *, base_url: str,
                      sender: str) -> Resent:
    """Send one invitation's mail again, to the school's current address, with a new
    link (earlier links keep working). Claim-then-send, as a batch does.

    When the invitation was never mailed, or its mail failed, this is that mail (the
    batch then skips the school). When it went out (or is uncertain), the resend is a row
    of its own, `resend-<n>`: the first mail's row and outcome stay as they were."""
    with transport:  # an unreachable server raises here, before anything is claimed
        with write_transaction(session):
            # FOR UPDATE: two resends of one school take turns (numbering, claim)
            inv = session.scalar(select(Invitation).where(Invitation.id == invitation_id)
                                 .with_for_update())
            if inv is None:
                raise ResendError(gettext("Deze uitnodiging bestaat niet."))
            if inv.revoked_at is not None:
                raise ResendError(gettext("Deze uitnodiging is ingetrokken: nodig de school "
                                          "eerst opnieuw uit."))
            rnd = inv.round
            if rnd.state != "open":
                raise ResendError(gettext("Een uitnodiging gaat alleen uit voor een open "
                                          "bevraging."))
            address = inv.school.email
            if not can_address(address):
                raise ResendError(gettext("De school heeft geen bruikbaar e-mailadres: "
                                          "verbeter het eerst."))
            key = _resend_key(session, inv)
            claim = mail_claims.claim_one(session, inv.id, key, address)
            if claim is None:
                raise ResendError(gettext("Deze uitnodiging wordt op dit moment al "
                                          "verstuurd."))
            message = compose(rnd, inv, INVITATION, link(base_url, new_link(session, inv)),
                              sender)
        try:
            transport.send(message)
        except MailError as exc:
            reason = failure_reason(exc)
            mail_claims.finish_one(session, claim, "failed", reason)
            return Resent(key, False, reason)
        mail_claims.finish_one(session, claim, "sent")
    return Resent(key, True)


def _resend_key(session: Session, inv: Invitation) -> str:
    first = session.scalar(select(MessageSend.status).where(
        MessageSend.invitation_id == inv.id, MessageSend.message_key == INVITATION))
    if first is None or first == "failed":
        return INVITATION
    earlier = session.scalar(select(func.count()).where(
        MessageSend.invitation_id == inv.id, MessageSend.message_key.like("resend-%")))
    return f"resend-{earlier + 1}"


def release_uncertain(session: Session, rnd: Round, message_key: str) -> int:
    """The inspector's decision after a crash: mails claimed but never confirmed count as
    failed, so that the next send tries them again (at the risk of a second mail to a
    school whose mail did leave just before the crash)."""
    with write_transaction(session):
        released = session.execute(
            update(MessageSend).where(
                MessageSend.message_key == message_key, MessageSend.status == "claimed",
                MessageSend.invitation_id.in_(select(Invitation.id).where(
                    Invitation.round_id == rnd.id)))
            .values(status="failed", error=gettext("onzeker na een onderbreking"))
            .execution_options(synchronize_session=False))
    return released.rowcount


@dataclass(frozen=True)
class MessageStatus:
    key: str
    sent: int
    failed: int
    uncertain: int    # claimed but never confirmed: a crash during sending
    to_go: int


def overview(session: Session, rnd: Round) -> list[MessageStatus]:
    """Per message of the round: how many went out, failed, are uncertain, are still to go.

    One GROUP BY over the round's sends and the kept response figures, not a recipient
    list per message: a round can have a million invitations. What is still to go is
    whom the message is for (invitations not withdrawn; for a reminder, not submitted
    either) less those of them that have a send that did not fail: the same set as
    recipients(), counted."""
    active = Invitation.revoked_at.is_(None)
    rows = [(key, status, active, answered == "submitted", n) for key, status, active,
            answered, n in session.execute(
                select(MessageSend.message_key, MessageSend.status, active, Response.status,
                       func.count())
                .join(Invitation, Invitation.id == MessageSend.invitation_id)
                .outerjoin(Response, Response.invitation_id == Invitation.id)
                .where(Invitation.round_id == rnd.id)
                .group_by(MessageSend.message_key, MessageSend.status, active,
                          Response.status)) if is_message(key)]
    figures = tally.kept(session, rnd.id).values()
    invited = sum(i for i, _, _ in figures)
    still_answering = invited - sum(d for _, _, d in figures)
    keys = sorted({r[0] for r in rows} | {INVITATION}, key=lambda k: (k != INVITATION, k))
    result = []
    for key in keys:
        mine = [(status, active, done, n) for k, status, active, done, n in rows if k == key]
        by_status = {st: sum(n for s2, _, _, n in mine if s2 == st)
                     for st in ("sent", "failed", "claimed")}
        covered = sum(n for status, active, done, n in mine
                      if status != "failed" and active and (key == INVITATION or not done))
        base = invited if key == INVITATION else still_answering
        result.append(MessageStatus(key, by_status["sent"], by_status["failed"],
                                    by_status["claimed"], base - covered))
    return result
