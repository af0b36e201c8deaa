"""`survey worker`: run the job queue's worker (huey's consumer) for this app's config.

Embedded (no SURVEY_REDIS_URL): workers on this host share the queue file in the instance
folder. With SURVEY_REDIS_URL: start `survey worker` on as many hosts as wanted; they take
jobs from the same Redis, and the minute's tick runs once whichever hosts are up.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Jobs run at the same time (default: SURVEY_JOB_WORKERS, 2).")
@click.option("--type", "worker_type", type=click.Choice(["process", "thread"]),
              default=None, help="Each job in a process of its own (default) or a thread.")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also run the minute's tick (the rounds' schedule, recovering jobs "
                   "whose worker died).")
@with_appcontext
def worker_command(workers, worker_type, periodic):
    """Run background jobs (report builds, mail batches, the rounds' schedule) until
    stopped (Ctrl+C: finish the running jobs; a second Ctrl+C or SIGTERM: stop now)."""
    from .jobs import queue

    app: Flask = current_app._get_current_object()
    config = app.config
    workers = workers or int(config["SURVEY_JOB_WORKERS"])
    worker_type = worker_type or config["SURVEY_JOB_WORKER_TYPE"]
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    where = config["SURVEY_REDIS_URL"] or os.path.join(app.instance_path, "jobs.sqlite3")
    click.echo(f"Worker: {workers} {worker_type}(s), queue {_without_password(where)}.")
    consumer = queue(app).create_consumer(workers=workers, worker_type=worker_type,
                                          periodic=periodic, initial_delay=0.1,
                                          max_delay=2.0, check_worker_health=True)
    consumer.run()


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    if "://" not in url:
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url.split("@")[-1]


def start_worker_process(app: Flask, base_url: str) -> subprocess.Popen:
    """`survey worker` as a child of this process, on the same instance folder, database
    and queue (the demo serves and runs jobs with one command)."""
    env = dict(os.environ, SURVEY_INSTANCE_PATH=app.instance_path,
               SURVEY_BASE_URL=base_url,
               SURVEY_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SURVEY_REDIS_URL"]:
        env["SURVEY_REDIS_URL"] = app.config["SURVEY_REDIS_URL"]
    return subprocess.Popen([sys.executable, "-c", "from survey.cli import main; main()",
                             "worker"], env=env)
