"""Send a round's invitations and reminders, resumable and never twice.

For every recipient a MessageSend row is claimed (and committed, together with the new
link the mail will carry) before the mail goes out, then marked sent or failed. A crash or
a second click therefore never mails a school twice for the same message: rows that are
sent or still claimed are skipped; only failed ones are tried again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from flask_babel import gettext
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..formatting import local_datetime
from ..mailer import MailError, can_address, header_text
from ..models import Invitation, MessageSend, Response, Round, School, utcnow
from . import tally
from .rounds import link, new_link

INVITATION = "invitation"
REMINDER_KEY = re.compile(r"^reminder-([1-9])$")


def reminder_key(number: int) -> str:
    return f"reminder-{number}"


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0      # already sent, or claimed by a send that did not finish


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


def compose(rnd: Round, inv: Invitation, message_key: str, url: str,
            sender: str) -> EmailMessage:
    reminder = message_key != INVITATION
    # Names come from imports, perhaps from before they were cleaned: one line each, so
    # that no name can end a header or add one (mailer.header_text).
    values = {"{school}": header_text(inv.school.name),
              "{clb}": header_text(inv.centre.name), "{link}": url,
              "{deadline}": local_datetime(rnd.closes_at) if rnd.closes_at else "",
              "{round}": rnd.name}
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
    message.set_content(body)
    return message


def send(session: Session, rnd: Round, message_key: str, transport, *, base_url: str,
         sender: str, only_not_started: bool = False, limit: int | None = None,
         progress: Callable[[int], None] | None = None) -> SendReport:
    if message_key != INVITATION and not REMINDER_KEY.match(message_key):
        raise ValueError(f"unknown message {message_key!r}")
    report = SendReport()
    todo = list(session.scalars(_recipients(rnd, message_key, only_not_started)
                                .limit(limit)))
    with transport:
        for invitation_id in todo:
            # The claim and the link are committed before the mail leaves.
            with write_transaction(session):
                inv = session.get(Invitation, invitation_id)
                school: School = inv.school
                # None, or one no header can carry (composing would raise): failed
                email = school.email if can_address(school.email) else None
                claim = _claim(session, inv, message_key, email) if email else None
                if claim is not None:
                    message = compose(rnd, inv, message_key,
                                      link(base_url, new_link(session, inv)), sender)
            if not email:
                report.failed += 1
                continue
            if claim is None:
                report.skipped += 1
                continue
            try:
                transport.send(message)
            except MailError as exc:
                _finish(session, claim, "failed", str(exc)[:500])
                report.failed += 1
            else:
                _finish(session, claim, "sent")
                report.sent += 1
            if progress:
                progress(1)
    return report


def _claim(session: Session, inv: Invitation, key: str, recipient: str) -> int | None:
    """Claim the row for this mail; None when it is sent or claimed already."""
    row = session.scalar(select(MessageSend).where(MessageSend.invitation_id == inv.id,
                                                   MessageSend.message_key == key))
    if row is None:
        row = MessageSend(invitation_id=inv.id, message_key=key, recipient=recipient)
        session.add(row)
        session.flush()
        return row.id
    taken = session.execute(update(MessageSend).where(
        MessageSend.id == row.id, MessageSend.status == "failed")
        .values(status="claimed", claimed_at=utcnow(), error=None, recipient=recipient))
    return row.id if taken.rowcount == 1 else None


def _finish(session: Session, claim_id: int, status: str, error: str | None = None) -> None:
    with write_transaction(session):
        session.execute(update(MessageSend).where(MessageSend.id == claim_id).values(
            status=status, sent_at=utcnow() if status == "sent" else None, error=error))


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
                          Response.status))]
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
