"""`survey invitations send` (survey/cli_mail.py) with a real queue (not the tests'
immediate one): it starts the console's mail job, prints its id, waits for its end with
progress lines, or only enqueues it (--no-wait); it says so when no worker picks the job
up, runs it itself with --here, refuses a second mail job for the round, and exits
non-zero when the job failed. Mails go to the shared SMTP test server."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from smtp_inbox import served
from sqlalchemy import select
from test_jobs import Consumer, _config, _schools

from survey import cli_mail, create_app
from survey.extensions import db
from survey.jobs import queue, records, run_pending, start
from survey.models import AuditEvent, Round
from survey.models.jobs import Job


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """conftest's app with the embedded queue for real, mails to the SMTP test server."""
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(cli_mail, "POLL_SECONDS", 0.05)
    with served() as inbox:
        app = create_app(_config(database_url, SURVEY_SMTP_HOST="127.0.0.1",
                                 SURVEY_SMTP_PORT=inbox.port))
        app.inbox = inbox
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _jobs(app) -> list[Job]:
    with app.app_context():
        jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
        db.session.expunge_all()
        return jobs


def test_send_starts_the_mail_job_and_follows_it_to_its_end(app, runner, make_round,
                                                            make_invited):
    round_id = _schools(app, make_round, make_invited, 6)    # 600 a minute: 0.5 s
    with Consumer(app, workers=1):
        result = runner.invoke(args=["invitations", "send", str(round_id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Job 1 started: invitation to 6 schools (at most 600 a minute)."
    assert any(line.startswith("Job 1: running, ") and line.endswith("/6 mails")
               for line in lines[1:-1]), result.output
    assert lines[-1] == "Job 1 done: 6 verstuurd, 0 mislukt, 0 overgeslagen."
    assert sorted(app.inbox.deliveries.values()) == [1] * 6
    (job,) = _jobs(app)
    assert (job.kind, job.state, job.done, job.total, job.started_by) == (
        "mail", "done", 6, 6, None)
    assert job.params == {"message": "invitation", "only_not_started": False,
                          "origin": "command line"}
    with app.app_context():
        audit = db.session.execute(select(AuditEvent.action, AuditEvent.user_id)).all()
    assert audit == [("invitation sent (command line)", None)]


def test_no_wait_only_puts_the_job_on_the_queue(app, runner, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    result = runner.invoke(args=["invitations", "send", str(round_id), "--reminder", "1",
                                 "--not-started", "--no-wait"])
    assert result.exit_code == 0, result.output
    assert "Job 1 started: reminder-1 to 2 schools" in result.output
    assert "Not waiting: a worker (`survey worker`) sends it" in result.output
    (job,) = _jobs(app)
    assert (job.state, job.params["message"], job.params["only_not_started"]) == (
        "queued", "reminder-1", True)
    assert queue(app).pending_count() == 1 and not app.inbox.messages
    assert run_pending(app) == 1
    assert len(app.inbox.messages) == 2


def test_without_a_worker_the_wait_says_so_instead_of_hanging(app, runner, make_round,
                                                              make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    result = runner.invoke(args=["invitations", "send", str(round_id),
                                 "--worker-timeout", "1"])
    assert result.exit_code == 1
    assert "Job 1 started" in result.output and "Job 1: queued, 0/2 mails" in result.output
    assert "no worker has picked the job up after 1 s; start `survey worker`" \
        in result.output
    (job,) = _jobs(app)
    assert job.state == "queued" and queue(app).pending_count() == 1, "it stays queued"
    assert not app.inbox.messages


def test_here_runs_the_job_in_this_process_and_no_worker_runs_it_again(
        app, runner, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 3)
    result = runner.invoke(args=["invitations", "send", str(round_id), "--here"])
    assert result.exit_code == 0, result.output
    assert "Job 1 done: 3 verstuurd, 0 mislukt, 0 overgeslagen." in result.output
    (job,) = _jobs(app)
    assert (job.state, job.attempts) == ("done", 1)
    assert job.worker == f"{socket.gethostname()}:{os.getpid()}"
    # its place on the queue is still there: a worker taking it finds it done
    assert run_pending(app) == 1
    assert _jobs(app)[0].attempts == 1 and sorted(app.inbox.deliveries.values()) == [1] * 3


def test_a_second_mail_job_for_the_round_is_refused(app, runner, make_round,
                                                    make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        start(app, records.MAIL, round_id, None, {"message": "invitation"}, total=2)
    result = runner.invoke(args=["invitations", "send", str(round_id), "--reminder", "1"])
    assert result.exit_code == 1
    assert f"Round {round_id} already has a mail job: job 1 (invitation, queued, 0/2)" \
        in result.output
    assert len(_jobs(app)) == 1 and queue(app).pending_count() == 1


def test_a_failed_job_exits_non_zero_with_its_reason(app, runner, make_round,
                                                     make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with socket.socket() as s:        # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        app.config["SURVEY_SMTP_PORT"] = s.getsockname()[1]
    result = runner.invoke(args=["invitations", "send", str(round_id), "--here"])
    assert result.exit_code == 1
    assert "Job 1 failed: De mailserver is niet bereikbaar: mailserver 127.0.0.1:" \
        in result.output
    (job,) = _jobs(app)
    assert job.state == "failed" and not app.inbox.messages


@pytest.mark.parametrize(("args", "message"), [
    (["--here", "--no-wait"], "cannot be combined with --no-wait"),
    ([], "is closed: invitations and reminders go out only for an open round"),
])
def test_send_refuses_before_starting_anything(app, runner, make_round, args, message):
    round_id = make_round()
    if not args:
        with app.app_context():
            db.session.get(Round, round_id).state = "closed"
            db.session.commit()
    result = runner.invoke(args=["invitations", "send", str(round_id), *args])
    assert result.exit_code != 0 and message in result.output
    assert _jobs(app) == [] and not (Path(app.instance_path) / "outbox").exists()


def test_here_takes_over_the_job_that_waited_for_a_worker(app, runner, make_round,
                                                          make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    waited = runner.invoke(args=["invitations", "send", str(round_id),
                                 "--worker-timeout", "1"])
    assert waited.exit_code == 1 and "no worker has picked the job up" in waited.output
    result = runner.invoke(args=["invitations", "send", str(round_id), "--here"])
    assert result.exit_code == 0, result.output
    assert "Job 1 (invitation) was waiting for a worker: sending it here." in result.output
    assert "Job 1 done: 2 verstuurd, 0 mislukt, 0 overgeslagen." in result.output
    assert [(job.id, job.state) for job in _jobs(app)] == [(1, "done")], "no second job"
    assert sorted(app.inbox.deliveries.values()) == [1, 1]
    assert run_pending(app) == 1 and sorted(app.inbox.deliveries.values()) == [1, 1]


def test_a_round_answered_with_codes_is_not_mailed(app, runner, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        db.session.get(Round, round_id).access = "codes"
        db.session.commit()
    result = runner.invoke(args=["invitations", "send", str(round_id), "--here"])
    assert result.exit_code == 1
    assert "is answered with single-use codes: it has nobody to mail" in result.output
    assert _jobs(app) == [] and not app.inbox.messages
    # a job started anyway (an old page, a race) refuses in the worker
    with app.app_context():
        start(app, records.MAIL, round_id, None, {"message": "invitation"}, total=2)
    assert run_pending(app) == 1
    (job,) = _jobs(app)
    assert job.state == "failed" and "met codes ingevuld" in job.message
    assert not app.inbox.messages


def test_every_mail_carries_its_date(app, runner, make_round, make_invited):
    from email.utils import parsedate_to_datetime

    round_id = _schools(app, make_round, make_invited, 1)
    result = runner.invoke(args=["invitations", "send", str(round_id), "--here"])
    assert result.exit_code == 0, result.output
    (mail,) = app.inbox.messages
    assert parsedate_to_datetime(mail["Date"]).utcoffset().total_seconds() == 0
