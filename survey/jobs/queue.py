"""The huey instance of an app, built by create_app from its config, and the two tasks
registered on it: run_job (run one job row, whatever its kind) and the minute's tick.

Embedded by default: SqliteHuey, the file jobs.sqlite3 in the instance folder (no server;
the web app and `survey worker` on this host share it). With SURVEY_REDIS_URL:
PriorityRedisHuey, so that workers on several hosts take jobs from one queue. Nothing is
built at import time; queue(app) is the app's instance (app.extensions["survey_jobs"]).

The queue carries only a job's id. A run claims the row (one conditional UPDATE: of two
deliveries only one runs), writes a heartbeat every few seconds from a thread beside the
job, and ends the row as done or failed. A worker that dies leaves a row "running" with an
old heartbeat: the tick (every minute, on some worker) starts it again or fails it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask_babel import gettext
from huey import PriorityRedisHuey, SqliteHuey, crontab

from instrument.domain import JobState

from ..extensions import db
from ..mailer import MailError
from ..models import utcnow
from . import records

log = logging.getLogger(__name__)

# Mails before builds: a round's invitations should not wait behind a long build.
PRIORITY = {records.MAIL: 10, records.EXPORT: 5, records.REPORTS: 0}


class JobRefused(RuntimeError):
    """A job that cannot do its work (its round has gone, is in the wrong state): it fails
    with this message (Dutch) instead of a stack trace."""


# How often the job's page learns how far a run got: it refreshes every 3 s, so a write
# every 2 s (or sooner after EVERY steps) keeps it current, without a write per mail.
PROGRESS_SECONDS = 2.0
PROGRESS_EVERY = 50


def beat_interval(lease: timedelta) -> float:
    """Seconds between two writes of the heartbeat thread: often enough for the page,
    and well within the lease (a quarter of it), so a live worker is never counted dead."""
    return max(min(lease.total_seconds() / 4, PROGRESS_SECONDS), 0.2)


class Progress:
    """How far a run got, written by a heartbeat thread every `interval` seconds (and at
    the start), or as soon as `every` steps were counted since its last write, so that
    the job's body only counts and never waits for the database."""

    def __init__(self, app: Flask, job_id: int, interval: float, done: int = 0,
                 total: int | None = None, every: int = PROGRESS_EVERY):
        self.app, self.job_id, self.interval, self.every = app, job_id, interval, every
        self.done, self.total = done, total
        self._written = done
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def advance(self, step: int = 1) -> None:
        self.done += step
        if self.done - self._written >= self.every:
            self._wake.set()      # the thread writes it: the body does not wait

    def write(self) -> None:
        # its own app context: its own session, never the body's
        self._written = self.done
        with self.app.app_context():
            try:
                records.beat(db.session, self.job_id, self.done, self.total)
            finally:
                db.session.remove()

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.write()
            except Exception:  # a missed beat is no reason to stop the job
                log.exception("heartbeat of job %s failed", self.job_id)

    def __enter__(self):
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=f"job-{self.job_id}-heartbeat")
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._wake.set()
        self._thread.join()
        return None


def _bodies() -> dict[str, Callable]:
    from . import exports, mail, reports

    return {records.REPORTS: reports.run, records.MAIL: mail.run,
            records.EXPORT: exports.run}


def run(app: Flask, job_id: int) -> str | None:
    """Run one job: claim it, do its body with a heartbeat, record how it ended. Returns
    the state it ended in (None when it was not this run's to do)."""
    with app.app_context():
        try:
            job = records.claim(db.session, job_id, utcnow())
            if job is None:
                return None
            body = _bodies()[job.kind]
            lease = records.lease(app.config)
            progress = Progress(app, job.id, beat_interval(lease), total=job.total)
            try:
                with progress:
                    message = body(app, job, progress)
            except JobRefused as exc:
                state, message = JobState.FAILED, str(exc)
            except MailError as exc:
                state, message = JobState.FAILED, gettext(
                    "De mailserver is niet bereikbaar: %(error)s", error=str(exc))
            except Exception as exc:  # the console must say it failed, whatever the cause
                log.exception("job %s (%s) failed", job.id, job.kind)
                db.session.rollback()
                state, message = JobState.FAILED, gettext(
                    "Mislukt door een fout (%(error)s).", error=type(exc).__name__)
            else:
                state = JobState.DONE
            records.finish(db.session, job.id, state, message, done=progress.done)
            return state.value
        finally:
            db.session.remove()


def tick(app: Flask, huey) -> list[str]:
    """Every minute: restart or fail the jobs whose worker died, requeue lost ones, delete
    export files past their keeping time, then carry out the rounds' planned steps whose
    time has come (services/schedule.py)."""
    from ..mailer import job_transport
    from ..services import export_files, schedule

    with app.app_context():
        try:
            config = app.config
            pending = pending_job_ids(huey)
            found = records.recover(db.session, utcnow(), records.lease(config),
                                    int(config["SURVEY_JOB_ATTEMPTS"]), pending)
            again = found.requeued + found.lost
            kind_of = records.kinds(db.session, again)
            for job_id in again:
                # a restart keeps its kind's priority (mails before builds), at the back
                enqueue_id(app, job_id, kind_of.get(job_id))
            done = [f"job {i} restarted" for i in found.requeued] + \
                [f"job {i} failed (its worker stopped)" for i in found.failed] + \
                [f"job {i} enqueued again (lost by the queue)" for i in found.lost]
            # an export nobody renews is not kept past its days
            done += [f"export {path.name} deleted (older than the keeping time)"
                     for path in export_files.remove_expired(
                         app.instance_path, float(config["SURVEY_EXPORT_KEEP_DAYS"]))]
            done += schedule.run_due(
                db.session, utcnow(),
                transport=job_transport(config, app.instance_path),
                base_url=config["SURVEY_BASE_URL"], sender=config["SURVEY_MAIL_FROM"])
            for line in done:
                log.info("tick: %s", line)
            return done
        finally:
            db.session.remove()


def pending_job_ids(huey) -> set[int]:
    """The job ids the queue holds (waiting or scheduled)."""
    tasks = list(huey.pending()) + list(huey.scheduled())
    return {t.args[0] for t in tasks if t.name.endswith("run_job") and t.args}


def build(app: Flask):
    """The app's huey instance with its tasks (create_app calls this once)."""
    config = app.config
    immediate = bool(config.get("SURVEY_JOBS_IMMEDIATE"))
    if config.get("SURVEY_REDIS_URL"):
        huey = PriorityRedisHuey("survey", url=config["SURVEY_REDIS_URL"],
                                 immediate=immediate, results=False)
    else:
        from pathlib import Path

        huey = SqliteHuey("survey", filename=str(Path(app.instance_path) / "jobs.sqlite3"),
                          immediate=immediate, results=False)

    @huey.task(name="survey.run_job")
    def run_job(job_id: int):
        return run(app, job_id)

    @huey.periodic_task(crontab(minute="*"), name="survey.tick")
    def minute_tick():
        # Each worker's scheduler enqueues the tick; the first to claim the minute runs it
        # (several worker processes or hosts: still once a minute).
        minute = utcnow().strftime("%Y%m%d%H%M")
        if not huey.put_if_empty(f"tick:{minute}", "1"):
            return None
        earlier = (utcnow() - timedelta(minutes=1)).strftime("%Y%m%d%H%M")
        huey.delete(f"tick:{earlier}")   # the embedded store keeps keys until deleted
        return tick(app, huey)

    @huey.on_startup()
    def fresh_connections():
        # a forked worker process must not share the parent's database connections
        with app.app_context():
            db.engine.dispose(close=False)

    huey.survey_run_job, huey.survey_tick = run_job, minute_tick
    return huey


def queue(app: Flask):
    return app.extensions["survey_jobs"]


def enqueue_id(app: Flask, job_id: int, kind: str | None = None) -> None:
    """Put a job (its row committed) on the queue; in immediate mode it runs now."""
    queue(app).survey_run_job(job_id, priority=PRIORITY.get(kind, 0))


def init_app(app: Flask) -> None:
    app.extensions["survey_jobs"] = build(app)
