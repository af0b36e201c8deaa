"""The rows of the claim-then-send rule (models/messages.MessageSend): claim a mail before
it goes out, record how it went after. services/mailing.py decides whom and what to mail;
this module only writes the rows.

A batch (send_batch) claims up to BATCH mails in one commit, together with the new links
they carry, sends them, and records every outcome in one commit: two commits per batch
instead of two per mail (each an fsync on SQLite). The price is the window: a worker
that dies in the middle of a batch leaves the whole batch claimed, never confirmed
("uncertain": some of it may have left), so BATCH is kept small. A run that is stopped
(an exception, a signal the process survives) still records what it knows: the outcomes
so far, and the claims of mails never handed to the server released; only the mail on its
way stays uncertain. One mail (a resend from the school's page) is claim_one/finish_one.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from flask_babel import gettext
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from .. import tokens
from ..database import dialect_insert, write_transaction
from ..mailer import MailError
from ..models import InvitationLink, MessageSend, utcnow

# Mails claimed at once: at most this many are uncertain after a worker's death.
BATCH = 20
EARLIER = "~"    # "<key>~<row id>": an earlier, failed attempt of that key, kept


@dataclass(frozen=True)
class Claim:
    row_id: int
    compose: Callable[[], EmailMessage]    # the mail, made just before it goes out


def keep_failed(session: Session, row_id: int, key: str) -> bool:
    """Make room for a new attempt where the earlier one failed: that row keeps its
    outcome under the key `<key>~<id>`. False when the row is sent or claimed, or was
    moved meanwhile: the UPDATE names the key and the state, so of two sends racing for
    one failed row only one moves it (the other skips)."""
    kept = session.execute(update(MessageSend).where(
        MessageSend.id == row_id, MessageSend.message_key == key,
        MessageSend.status == "failed")
        .values(message_key=f"{key}{EARLIER}{row_id}")
        .execution_options(synchronize_session=False))
    return kept.rowcount == 1


def claim_many(session: Session, key: str, addresses: dict[int, str],
               now: datetime) -> dict[int, tuple[int, str]]:
    """Claim the message for each invitation id -> address, inside the caller's write
    transaction: one INSERT of the claims (a claim made meanwhile by another send wins:
    ON CONFLICT DO NOTHING, this one skips), one of a new link for each claimed.
    Returns invitation id -> (row id, link token) for those claimed."""
    if not addresses:
        return {}
    table = MessageSend.__table__
    claimed = dict(session.execute(
        dialect_insert(session, table)
        .values([{"invitation_id": invitation_id, "message_key": key, "recipient": address,
                  "status": "claimed", "claimed_at": now}
                 for invitation_id, address in addresses.items()])
        .on_conflict_do_nothing(index_elements=["invitation_id", "message_key"])
        .returning(table.c.invitation_id, table.c.id)).all())
    links = {invitation_id: tokens.new_token() for invitation_id in claimed}
    if links:
        session.execute(insert(InvitationLink.__table__), [
            {"invitation_id": invitation_id, "token_hash": tokens.hash_token(token),
             "created_at": now} for invitation_id, token in links.items()])
    return {invitation_id: (row_id, links[invitation_id])
            for invitation_id, row_id in claimed.items()}


def send_batch(session: Session, claims: list[Claim], transport,
               progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Send the claimed mails (progress(1) after each), then record every outcome in
    one commit; (sent, failed). Stopped half-way, it records what is known first."""
    outcomes: list[dict] = []
    on_its_way = None
    try:
        for claim in claims:
            message = claim.compose()   # if this raises, the mail is released: never sent
            on_its_way = claim.row_id
            try:
                transport.send(message)
            except MailError as exc:
                outcomes.append(_outcome(claim.row_id, "failed", failure_reason(exc)))
            else:
                outcomes.append(_outcome(claim.row_id, "sent"))
            on_its_way = None
            if progress:
                progress(1)
    except BaseException:
        never_sent = [c.row_id for c in claims[len(outcomes):] if c.row_id != on_its_way]
        with suppress(Exception):   # else they stay claimed: uncertain, the safe side
            session.rollback()
            _record(session, outcomes, never_sent)
        raise
    _record(session, outcomes, [])
    failed = sum(1 for o in outcomes if o["new_status"] == "failed")
    return len(outcomes) - failed, failed


def _outcome(row_id: int, status: str, error: str | None = None) -> dict:
    return {"row": row_id, "new_status": status, "why": error,
            "at": utcnow() if status == "sent" else None}


def _record(session: Session, outcomes: list[dict], never_sent: list[int]) -> None:
    """Each mail's outcome (sent and when, or failed and why), and the claims of mails
    never handed to the server removed, in one commit."""
    if not outcomes and not never_sent:
        return
    table = MessageSend.__table__
    with write_transaction(session):
        if outcomes:
            session.execute(update(table).where(table.c.id == bindparam("row")).values(
                status=bindparam("new_status"), sent_at=bindparam("at"),
                error=bindparam("why")), outcomes)
        if never_sent:
            session.execute(delete(table).where(table.c.id.in_(never_sent),
                                                table.c.status == "claimed"))


def claim_one(session: Session, invitation_id: int, key: str, recipient: str) -> int | None:
    """Claim the row for one mail, inside the caller's write transaction; None when it
    is sent or claimed already. A failed row is not overwritten (keep_failed): the new
    attempt is a new row."""
    earlier = session.scalar(select(MessageSend.id).where(
        MessageSend.invitation_id == invitation_id, MessageSend.message_key == key))
    if earlier is not None and not keep_failed(session, earlier, key):
        return None
    row = MessageSend(invitation_id=invitation_id, message_key=key, recipient=recipient)
    session.add(row)
    session.flush()
    return row.id


def finish_one(session: Session, claim_id: int, status: str,
               error: str | None = None) -> None:
    with write_transaction(session):
        session.execute(update(MessageSend).where(MessageSend.id == claim_id).values(
            status=status, sent_at=utcnow() if status == "sent" else None, error=error))


def failure_reason(exc: MailError) -> str:
    """Why the mail server refused, as the school's page shows it (at most 500 chars)."""
    cause = exc.__cause__
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        reason = "; ".join(f"{code} {_text(text)}" for code, text in cause.recipients.values())
        return gettext("adres geweigerd door de mailserver: %(reason)s", reason=reason)[:500]
    if isinstance(cause, smtplib.SMTPResponseException):
        return gettext("geweigerd door de mailserver: %(reason)s",
                       reason=f"{cause.smtp_code} {_text(cause.smtp_error)}")[:500]
    return str(exc)[:500]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
