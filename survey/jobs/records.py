"""The job rows (models/jobs.py): create one, claim it for a run, write its heartbeat and
progress, end it, and find the jobs whose worker died.

Every change is one conditional UPDATE, so that two workers (on one host or several)
never both run a job: the first claim wins, a second finds it no longer queued.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from instrument.domain import JobState

from ..database import write_transaction
from ..models import utcnow
from ..models.jobs import Job

REPORTS = "reports"      # build every file of a round
MAIL = "mail"            # send one message of a round to every school it is for
EXPORT = "export"        # write one large export of a round to a file to download
KINDS = (REPORTS, MAIL, EXPORT)

ACTIVE = (JobState.QUEUED.value, JobState.RUNNING.value)


@dataclass(frozen=True)
class Claimed:
    """What a run needs of its job, read when it was claimed (plain data: the body may end
    the session's transactions as it likes)."""

    id: int
    kind: str
    round_id: int | None
    params: dict[str, Any]
    started_by: int | None
    attempts: int
    total: int | None


def create(session: Session, kind: str, round_id: int | None, started_by: int | None,
           params: dict[str, Any] | None = None, total: int | None = None) -> Job:
    """A new queued job, inside the caller's write transaction (enqueue it after commit)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, round_id=round_id, started_by=started_by, params=params or {},
              total=total, state=JobState.QUEUED.value, heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    return job


def lease(config) -> timedelta:
    return timedelta(seconds=int(config["SURVEY_JOB_LEASE_SECONDS"]))


def stopped(job: Job, now: datetime, lease_time: timedelta) -> bool:
    """A running job whose worker has not been heard of within the lease: it died (the
    console shows it as interrupted before the next recovery has even looked)."""
    return job.state == JobState.RUNNING.value and (
        job.heartbeat_at is None or job.heartbeat_at < now - lease_time)


def active(session: Session, kind: str, round_id: int, now: datetime,
           lease_time: timedelta, params: dict[str, Any] | None = None) -> Job | None:
    """The round's queued or running job of this kind (with these params), if any, not
    counting one whose worker died."""
    jobs = session.scalars(select(Job).where(Job.kind == kind, Job.round_id == round_id,
                                             Job.state.in_(ACTIVE))
                           .order_by(Job.id.desc())).all()
    for job in jobs:
        if stopped(job, now, lease_time):
            continue
        if params is None or all(job.params.get(k) == v for k, v in params.items()):
            return job
    return None


def latest(session: Session, kind: str, round_id: int) -> Job | None:
    return session.scalar(select(Job).where(Job.kind == kind, Job.round_id == round_id)
                          .order_by(Job.id.desc()).limit(1))


def recent(session: Session, limit: int = 50, offset: int = 0,
           round_id: int | None = None) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit).offset(offset)
    if round_id is not None:
        query = query.where(Job.round_id == round_id)
    return list(session.scalars(query))


def kinds(session: Session, job_ids: list[int]) -> dict[int, str]:
    """Each job's kind: what its place on the queue (its priority) depends on."""
    if not job_ids:
        return {}
    return dict(session.execute(select(Job.id, Job.kind).where(Job.id.in_(job_ids))).all())


def claim(session: Session, job_id: int, now: datetime) -> Claimed | None:
    """Take a queued job for this run; None when another run has it or it has ended."""
    with write_transaction(session):
        taken = session.execute(
            update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED.value)
            .values(state=JobState.RUNNING.value, attempts=Job.attempts + 1,
                    heartbeat_at=now, started_at=now, finished_at=None,
                    worker=f"{socket.gethostname()}:{os.getpid()}"[:100])
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return None
        job = session.get(Job, job_id, populate_existing=True)
        return Claimed(job.id, job.kind, job.round_id, dict(job.params), job.started_by,
                       job.attempts, job.total)


def beat(session: Session, job_id: int, done: int | None = None,
         total: int | None = None) -> None:
    """The worker is alive; how far it got."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    with write_transaction(session):
        session.execute(update(Job).where(Job.id == job_id,
                                          Job.state == JobState.RUNNING.value)
                        .values(**values).execution_options(synchronize_session=False))


def finish(session: Session, job_id: int, state: JobState, message: str,
           done: int | None = None) -> None:
    values: dict[str, Any] = {"state": state.value, "message": message[:2000],
                              "finished_at": utcnow(), "heartbeat_at": utcnow()}
    if done is not None:
        values["done"] = done
    with write_transaction(session):
        session.execute(update(Job).where(Job.id == job_id,
                                          Job.state == JobState.RUNNING.value)
                        .values(**values).execution_options(synchronize_session=False))


@dataclass
class Recovery:
    requeued: list[int]      # started again: their worker died
    failed: list[int]        # died too often: shown as failed
    lost: list[int]          # queued, but the queue no longer held them: enqueued again


def recover(session: Session, now: datetime, lease_time: timedelta, attempts: int,
            pending: set[int] | None = None) -> Recovery:
    """Jobs whose worker died (running, heartbeat older than the lease) go back to the
    queue, or to failed once they have been started `attempts` times. Each is one
    conditional UPDATE: of two workers recovering at once, only one acts on a job.

    pending: the job ids the queue holds; a job queued (or requeued) longer than the
    lease ago that it does not hold was lost with the queue (an emptied Redis, a
    removed queue file) and is returned in `lost`, to be enqueued again."""
    cutoff = now - lease_time
    result = Recovery([], [], [])
    with write_transaction(session):
        dead = session.execute(select(Job.id, Job.attempts).where(
            Job.state == JobState.RUNNING.value, Job.heartbeat_at < cutoff)).all()
        for job_id, tries in dead:
            again = tries < attempts
            values = ({"state": JobState.QUEUED.value, "heartbeat_at": now,
                       "message": gettext("Opnieuw gestart: de worker stopte tijdens "
                                          "poging %(n)d.", n=tries)}
                      if again else
                      {"state": JobState.FAILED.value, "finished_at": now,
                       "message": gettext("Mislukt: de worker stopte %(n)d keer tijdens "
                                          "deze taak.", n=tries)})
            moved = session.execute(
                update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING.value,
                                  Job.heartbeat_at < cutoff)
                .values(**values).execution_options(synchronize_session=False))
            if moved.rowcount == 1:
                (result.requeued if again else result.failed).append(job_id)
        if pending is not None:
            waiting = session.scalars(select(Job.id).where(
                Job.state == JobState.QUEUED.value, Job.heartbeat_at < cutoff)).all()
            for job_id in waiting:
                if job_id not in pending and job_id not in result.requeued:
                    session.execute(update(Job).where(Job.id == job_id)
                                    .values(heartbeat_at=now)
                                    .execution_options(synchronize_session=False))
                    result.lost.append(job_id)
    return result
