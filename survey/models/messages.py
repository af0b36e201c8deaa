"""Mails sent to schools: one row per invitation and message, claimed before the mail goes
out, so that a resumed or repeated send never mails a school twice for the same message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow

SEND_STATES = ("claimed", "sent", "failed")


class MessageSend(db.Model):
    __tablename__ = "message_send"
    __table_args__ = (
        UniqueConstraint("invitation_id", "message_key"),
        CheckConstraint(f"status IN {SEND_STATES}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    # "invitation" or "reminder-<n>": one key is sent at most once to an invitation.
    message_key: Mapped[str] = mapped_column(String(40))
    # claimed: about to be sent (a claimed row left by a crash is never resent by itself:
    # the mail may have gone out); sent: the mail server accepted it; failed: it refused.
    status: Mapped[str] = mapped_column(String(10), default="claimed")
    recipient: Mapped[str] = mapped_column(String(254))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
