"""A round's planned steps: its opening (with the invitations), its closing and its
reminders, each due at a moment in UTC and carried out by services/schedule.run_due.

A step is claimed (planned -> running, in its own committed transaction) before anything
is done, so two workers never both act on it; it ends done, failed (with the reason),
skipped (nothing left to do) or cancelled by an inspector. Rows are never deleted, so the
console can show what happened and why.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from instrument.domain import ReminderAudience, StepKind, StepState

from ..extensions import db
from .core import UTCDateTime, utcnow

# the enums' values as the check constraints spell them (instrument/domain.py)
STEP_KINDS = tuple(kind.value for kind in StepKind)
STEP_STATES = tuple(state.value for state in StepState)
AUDIENCES = tuple(audience.value for audience in ReminderAudience)


class ScheduledStep(db.Model):
    __tablename__ = "scheduled_step"
    __table_args__ = (
        CheckConstraint(f"kind IN {STEP_KINDS}", name="kind"),
        CheckConstraint(f"state IN {STEP_STATES}", name="state"),
        CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),
        # a reminder says whom it goes to and with which numbered message, nothing else does
        CheckConstraint("(kind = 'reminder') = (audience IS NOT NULL AND message_key IS NOT "
                        "NULL)", name="reminder_fields"),
        # what the workers look for every minute: due steps still planned (or stuck running)
        Index("ix_scheduled_step_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted (draft) round takes its plan with it.
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience: Mapped[str | None] = mapped_column(String(15))
    message_key: Mapped[str | None] = mapped_column(String(20))
    # A default reminder is "n local days before the close" and moves when the close does
    # (services/schedule.follow_round_dates); one added by hand keeps its own time (None).
    days_before_close: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default=StepState.PLANNED.value,
                                       server_default=StepState.PLANNED.value)
    # When a worker took the step; a step left running far longer (its worker died) is
    # taken again, which is safe because every action is resumable.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
