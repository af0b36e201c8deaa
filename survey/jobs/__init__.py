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

from ..database import write_transaction
from ..extensions import db
from .queue import enqueue_id, init_app, queue, run, tick

__all__ = ["enqueue_id", "init_app", "queue", "run", "run_pending", "start", "tick"]


def start(app: Flask, kind: str, round_id: int | None, started_by: int | None,
          params: dict[str, Any] | None = None, total: int | None = None,
          audit=None) -> int:
    """A new job, committed (with the audit row `audit(session)` adds, if given), then
    enqueued: a worker never looks for a row that is not there yet."""
    from . import records

    with write_transaction(db.session):
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
