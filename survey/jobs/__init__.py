"""Background jobs: the queue (embedded or on Redis), its tasks and their records.

queue.py     the app's huey instance (SqliteHuey in the instance folder, or PriorityRedisHuey
             with SURVEY_REDIS_URL), the task that runs a job row, the minute's tick
records.py   the job rows: create, claim, heartbeat, finish, recover those whose worker died
reports.py   a job's body: build every file of a round
mail.py      a job's body: send one message of a round to every school it is for
exports.py   a job's body: write one large export of a round to a file to download
start() is what the console calls: a job row and its place on the queue.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from .queue import enqueue_id, init_app, queue, run, tick

__all__ = ["AlreadyActive", "enqueue_id", "init_app", "queue", "run", "run_pending",
           "start", "tick"]


class AlreadyActive(RuntimeError):
    """start(unless_active=...) found such a job of the round queued or running."""

    def __init__(self, job_id: int):
        super().__init__(f"job {job_id} is already active")
        self.job_id = job_id


def start(app: Flask, kind: str, round_id: int | None, started_by: int | None,
          params: dict[str, Any] | None = None, total: int | None = None,
          audit=None, *, unless_active: dict[str, Any] | None = None) -> int:
    """A new job, committed (with the audit row `audit(session)` adds, if given), then
    enqueued: a worker never looks for a row that is not there yet.

    unless_active: params (a subset; {} for any) of the round's jobs of this kind that
    rule a new one out: AlreadyActive(job id) when one is queued or running. The check
    and the insert are one transaction under the round's row lock, so two clicks at the
    same moment make one job, not two."""
    from ..models import Round, utcnow
    from . import records

    with write_transaction(db.session):
        if unless_active is not None:
            # SQLite: the write transaction already holds the database's one write lock
            db.session.execute(select(Round.id).where(Round.id == round_id)
                               .with_for_update())
            running = records.active(db.session, kind, round_id, utcnow(),
                                     records.lease(app.config), unless_active)
            if running is not None:
                raise AlreadyActive(running.id)
        job = records.create(db.session, kind, round_id, started_by, params, total)
        if audit is not None:
            audit(db.session)
        job_id = job.id
    enqueue_id(app, job_id, kind)
    return job_id


def run_pending(app: Flask) -> int:
    """Run every job waiting on the queue, here and now, one after the other (tests, and a
    host without a worker in an emergency); how many tasks ran."""
    huey = queue(app)
    count = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    return count
