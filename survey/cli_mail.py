"""`survey invitations send|status`: a round's mails from the command line.

`send` starts the same background job as the console's "Versturen" (jobs.start, kind
MAIL, jobs/mail.py): the worker sends it within SURVEY_MAIL_PER_MINUTE, through the
claim-then-send rule, and a worker's death is recovered like any job's. The command
prints the job's id and, unless --no-wait, follows its row until it ends (exit code 1 when
it failed). A job no worker picks up is not waited for in silence: after --worker-timeout
seconds the command says so and stops waiting (the job stays queued). --here runs the job
in this process instead, for a host without a worker: still the job row, its claim and its
rate limit, only the process differs. It is a flag of its own so that a missing worker is
noticed, never papered over by a terminal that happens to stay open.
"""

from __future__ import annotations

import threading
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from instrument.domain import JobState

from .database import write_transaction
from .extensions import db

# How often the wait reads the job's row, and how often at most it prints a line while
# the job runs (a line also whenever the state changes).
POLL_SECONDS = 1.0
REPORT_SECONDS = 10.0
ORIGIN = "command line"     # the job's params["origin"]: its audit row says so

invitations_cli = click.Group("invitations", help="Mails to the schools of a round.")


def _round(round_id: int):
    from .cli import _round as round_or_fail  # cli.py imports this module first

    return round_or_fail(round_id)


def _message_key(reminder: int | None) -> str:
    from .services import mailing

    return mailing.reminder_key(reminder) if reminder else mailing.INVITATION


@invitations_cli.command("send")
@click.argument("round_id", type=int)
@click.option("--reminder", type=click.IntRange(1, 9),
              help="Send reminder N (to schools that have not submitted) instead.")
@click.option("--not-started", is_flag=True, help="Reminder only to schools that never began.")
@click.option("--retry-uncertain", is_flag=True,
              help="First count mails left uncertain by a crash as failed, to send them again.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Follow the job until it ends, or only put it on the queue.")
@click.option("--here", is_flag=True,
              help="Run the job in this process instead of a worker (no `survey worker` "
                   "on this host); it stops when this process does.")
@click.option("--worker-timeout", type=click.IntRange(1), default=60, show_default=True,
              help="Seconds to wait for a worker to pick the job up before giving up.")
@with_appcontext
def invitations_send(round_id, reminder, not_started, retry_uncertain, wait, here,
                     worker_timeout):
    """Send a round's invitations or a reminder as a background job: resumable, never
    twice to one school, within SURVEY_MAIL_PER_MINUTE."""
    from . import jobs
    from .jobs import records
    from .models import utcnow
    from .services import accounts, mailing

    if here and not wait:
        raise click.UsageError("--here sends from this process: it cannot be combined "
                               "with --no-wait.")
    app: Flask = current_app._get_current_object()
    rnd = _round(round_id)
    if rnd.state != "open":
        raise click.ClickException(f"Round {round_id} is {rnd.state}: invitations and "
                                   "reminders go out only for an open round.")
    if rnd.uses_codes:
        raise click.ClickException(f"Round {round_id} is answered with single-use codes: "
                                   "it has nobody to mail (make codes on its codes page).")
    key = _message_key(reminder)
    only_not_started = not_started and key != mailing.INVITATION
    running = records.active(db.session, records.MAIL, rnd.id, utcnow(),
                             records.lease(app.config))
    if (running is not None and here and running.state == JobState.QUEUED
            and running.params.get("message") == key):
        # the job nobody picked up (no worker on this host): this process takes it over;
        # a worker that dequeues it later finds it claimed or done
        click.echo(f"Job {running.id} ({key}) was waiting for a worker: sending it here.")
        _start_here(app, running.id)
        _follow_to_end(app, running.id, worker_timeout)
        return
    if running is not None:
        raise click.ClickException(
            f"Round {round_id} already has a mail job: job {running.id} "
            f"({running.params.get('message')}, {running.state}, {_done(running)}). "
            "Wait until it ends (`survey invitations status "
            f"{round_id}`, or the console's job page) before starting another.")
    if retry_uncertain:
        released = mailing.release_uncertain(db.session, rnd, key)
        with write_transaction(db.session):
            accounts.audit(db.session, None, f"uncertain mails released ({ORIGIN})",
                           rnd.name, message=key, count=released)
        click.echo(f"{released} uncertain mails will be sent again.")
    count = mailing.recipients_count(db.session, rnd, key, only_not_started)
    if count == 0:
        click.echo(f"No school still needs the {key}: nothing to send.")
        return
    try:
        job_id = jobs.start(app, records.MAIL, rnd.id, None,
                            {"message": key, "only_not_started": only_not_started,
                             "origin": ORIGIN}, total=count, unless_active={})
    except jobs.AlreadyActive as running:    # started meanwhile, by the console or a peer
        raise click.ClickException(f"Round {round_id} already has a mail job: job "
                                   f"{running.job_id}; wait until it ends.") from None
    per_minute = int(app.config["SURVEY_MAIL_PER_MINUTE"] or 0)
    pace = f"at most {per_minute} a minute" if per_minute else "no rate limit"
    click.echo(f"Job {job_id} started: {key} to {count} schools ({pace}).")
    if not wait:
        click.echo(f"Not waiting: a worker (`survey worker`) sends it; follow it with "
                   f"`survey invitations status {round_id}` or on the console's page "
                   f"/beheer/taken/{job_id}.")
        return
    if here:
        _start_here(app, job_id)
    _follow_to_end(app, job_id, worker_timeout)


def _start_here(app: Flask, job_id: int) -> None:
    """The job in a thread of this process; the main thread follows its row and prints,
    as it does for a worker's."""
    from . import jobs

    threading.Thread(target=jobs.run, args=(app, job_id), daemon=True,
                     name=f"job-{job_id}").start()


def _follow_to_end(app: Flask, job_id: int, worker_timeout: int) -> None:
    state, message = _follow(app, job_id, worker_timeout)
    if state == "failed":
        raise click.ClickException(f"Job {job_id} failed: {message}")
    click.echo(f"Job {job_id} done: {message}")


def _done(job) -> str:
    return f"{job.done}/{job.total}" if job.total is not None else f"{job.done}"


def _follow(app: Flask, job_id: int, worker_timeout: int) -> tuple[str, str | None]:
    """Read the job's row until it ends; a line when its state changes and every
    REPORT_SECONDS while it runs. Gives up (ClickException) when for worker_timeout
    seconds no worker has it: queued, or running with a heartbeat older than the lease
    (its worker died and nobody has started it again). (state, message) at its end."""
    from .jobs import records
    from .models import utcnow
    from .models.jobs import Job

    lease = records.lease(app.config)
    unattended_since = time.monotonic()
    printed, printed_state, printed_at = None, None, 0.0
    while True:
        job = db.session.get(Job, job_id, populate_existing=True)
        state, done, message = job.state, _done(job), job.message
        orphaned = records.stopped(job, utcnow(), lease)
        db.session.rollback()       # end the read: the next one sees the worker's writes
        if state in ("done", "failed"):
            return state, message
        now = time.monotonic()
        if state == "queued" or orphaned:
            if now - unattended_since >= worker_timeout:
                raise click.ClickException(
                    f"no worker has picked the job up after {worker_timeout} s; start "
                    f"`survey worker` (job {job_id} stays queued and goes out once one "
                    "runs), or send it from this process: `survey invitations send ... "
                    "--here`.")
        else:
            unattended_since = now
        line = f"Job {job_id}: {state}, {done} mails"
        if orphaned:
            line += " (its worker stopped: it is started again within a minute by a " \
                    "running worker's tick)"
        if state != printed_state or (line != printed and now - printed_at >= REPORT_SECONDS):
            click.echo(line)
            printed, printed_state, printed_at = line, state, now
        time.sleep(POLL_SECONDS)


@invitations_cli.command("status")
@click.argument("round_id", type=int)
@with_appcontext
def invitations_status(round_id):
    """Per message of the round: sent, failed, uncertain, still to go."""
    from .services import mailing

    rnd = _round(round_id)
    for row in mailing.overview(db.session, rnd):
        click.echo(f"{row.key:12} sent {row.sent:5}  failed {row.failed:4}  "
                   f"uncertain {row.uncertain:3}  to go {row.to_go:5}")
