"""Background jobs as the console sees them: one row per job of the queue (survey/jobs).

The queue (huey) carries only the job's id; what the job is, how far it got and how it
ended live here, in the application's own database, so that the console can list them and
a job whose worker died is noticed (its heartbeat stops) instead of "running" forever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instrument.domain import JobState

from ..extensions import db
from .core import UTCDateTime, utcnow

JOB_STATES = tuple(state.value for state in JobState)


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(f"state IN {JOB_STATES}", name="state"),
        Index("ix_job_round_id_kind", "round_id", "kind"),
        Index("ix_job_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # what the job does: "reports" (build a round's files) or "mail" (send one message)
    kind: Mapped[str] = mapped_column(String(20))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    # the job's arguments, e.g. {"message": "reminder-1", "only_not_started": false}
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED.value,
                                       server_default=JobState.QUEUED.value)
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    # the outcome in Dutch for the console ("3458 verstuurd, 2 mislukt"), or the error
    message: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))   # None: the schedule, the CLI
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # written every few seconds by the worker running it: an old one means it died
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # where the last attempt runs or ran: "host:pid" (several worker hosts: which one)
    worker: Mapped[str | None] = mapped_column(String(100))

    user = relationship("User", lazy="joined")
