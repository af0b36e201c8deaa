"""The job queue (survey/jobs): embedded (huey's SQLite file in the instance folder) and on
the real Redis, run by a consumer as `survey worker` runs it; a worker killed during a
report build and during a mail batch leaves nothing lost and no mail sent twice.

Here the app's queue is real (SURVEY_JOBS_IMMEDIATE False); elsewhere the tests run each
job at once, in the request that starts it (huey's immediate mode, the TESTING default).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import csrf_in, need_service
from smtp_inbox import served
from sqlalchemy import select, update

from survey import create_app
from survey.extensions import db
from survey.jobs import queue, records, run_pending, start
from survey.jobs.queue import tick
from survey.models import Invitation, MessageSend, utcnow
from survey.models.jobs import Job
from survey.services import answers as answer_service
from survey.services import mail_claims, mailing

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "")
LEASE = 2          # seconds: a worker not heard of for this long is counted dead
CENTRES = 20       # CLBs of the builds that a test kills halfway


def _config(database_url: str, **extra) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_BASE_URL": "http://survey.test",
            "SURVEY_JOBS_IMMEDIATE": False, "SURVEY_JOB_LEASE_SECONDS": LEASE, **extra}


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """conftest's app, but with a real queue: the embedded one in its instance folder."""
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(_config(database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        need_service("Redis tests need SURVEY_TEST_REDIS_URL "
                     "(e.g. redis://127.0.0.1:6379/15; .ci/run sets it)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        need_service(f"Redis at {REDIS_URL} is not reachable: {exc}")
    return REDIS_URL


@pytest.fixture
def redis_app(app, redis_url):
    """The same database and instance folder, the queue on Redis (emptied before and
    after: the test database of Redis holds nothing else)."""
    other = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"],
                               SURVEY_REDIS_URL=redis_url))
    queue(other).flush()
    yield other
    queue(other).flush()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


class Consumer:
    """huey's consumer in this process, with worker threads, as `survey worker --type
    thread` runs it (started from the main thread: it sets signal handlers, put back)."""

    def __init__(self, app, workers: int = 2, periodic: bool = False):
        self.consumer = queue(app).create_consumer(
            workers=workers, worker_type="thread", periodic=periodic, initial_delay=0.05,
            max_delay=0.2)

    def __enter__(self):
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM,
                                                  signal.SIGHUP)}
        self.consumer.start()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        return self

    def __exit__(self, *exc):
        self.consumer.stop(graceful=True)


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _wait(app, job_id: int, until, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = _job(app, job_id)
        if until(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stayed {job.state} ({job.done}/{job.total})")


def _post_build(client, round_id: int):
    page = client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    return client.post(f"/beheer/rondes/{round_id}/rapporten/bouwen",
                       data={"csrf_token": csrf_in(page)})


def _only_job(app) -> Job:
    with app.app_context():
        (job,) = db.session.scalars(select(Job)).all()
        db.session.expunge(job)
        return job


EXPECTED_FILES = ["100001.pdf", "100001.xlsx", "100002.pdf", "100002.xlsx", "sector.xlsx",
                  "sectorrapport.pdf", "sectorrapport.xlsx"]


def _files(app, round_id: int) -> list[str]:
    folder = Path(app.instance_path) / "reports" / f"round-{round_id}"
    return sorted(p.name for p in folder.iterdir())


def test_a_build_waits_on_the_embedded_queue_until_a_worker_runs_it(
        app, inspector_client, answered_round):
    round_id, _ = answered_round()
    assert _post_build(inspector_client, round_id).status_code == 302
    job = _only_job(app)
    assert (job.kind, job.round_id, job.state, job.attempts) == ("reports", round_id,
                                                                 "queued", 0)
    # the queue is the SQLite file in the instance folder, and it holds the job
    assert (Path(app.instance_path) / "jobs.sqlite3").is_file()
    assert queue(app).pending_count() == 1
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(
        as_text=True)
    assert "Wacht op een worker." in page and 'http-equiv="refresh"' in page
    # a second click while it waits starts nothing more
    _post_build(inspector_client, round_id)
    assert queue(app).pending_count() == 1
    assert inspector_client.get(
        f"/beheer/rondes/{round_id}/rapporten/alles.zip").status_code == 302

    with Consumer(app):
        done = _wait(app, job.id, lambda j: j.state == "done")
    assert (done.done, done.total, done.attempts) == (2, 2, 1)
    assert done.message == "De rapporten van 2 CLB's zijn opgebouwd."
    assert done.started_at <= done.finished_at
    assert _files(app, round_id) == EXPECTED_FILES
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(
        as_text=True)
    assert "Alle rapporten zijn opgebouwd." in page and "refresh" not in page
    assert inspector_client.get(
        f"/beheer/rondes/{round_id}/rapporten/alles.zip").status_code == 200
    listing = inspector_client.get("/beheer/taken").get_data(as_text=True)
    assert f"#{job.id} Rapporten opbouwen" in listing and "klaar" in listing
    assert "inspector1@example.org" in listing
    one = inspector_client.get(f"/beheer/taken/{job.id}").get_data(as_text=True)
    assert "De rapporten van 2 CLB&#39;s zijn opgebouwd." in one
    assert inspector_client.get("/beheer/taken/999999").status_code == 404
    assert inspector_client.get("/beheer/taken?ronde=99999999999").status_code == 404


def _schools(app, make_round, make_invited, count: int) -> int:
    round_id = make_round()
    invited = [make_invited(round_id) for _ in range(count)]
    with app.app_context():
        for n, inv in enumerate(invited):
            db.session.get(Invitation, inv.invitation_id).school.email = \
                f"directie{n}@school.example.org"
        db.session.commit()
    return round_id


def _confirm_send(client, round_id: int, message: str = "invitation", **extra):
    page = client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_in(page), "message": message, **extra}
    asked = client.post(f"/beheer/rondes/{round_id}/versturen", data=data)
    sent = client.post(f"/beheer/rondes/{round_id}/versturen",
                       data={**data, "confirmed": "1"})
    return asked, sent


def test_a_whole_round_is_mailed_by_one_job_after_confirmation(
        app, inspector_client, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 5)
    asked, sent = _confirm_send(inspector_client, round_id)
    assert "5 scholen krijgen de uitnodiging." in asked.get_data(as_text=True)
    assert "Ja, versturen" in asked.get_data(as_text=True)
    job = _only_job(app)
    assert sent.headers["Location"].endswith(f"/beheer/taken/{job.id}")
    assert (job.kind, job.params, job.total) == (
        "mail", {"message": "invitation", "only_not_started": False}, 5)
    outbox = Path(app.instance_path) / "outbox"
    assert not outbox.exists(), "nothing leaves before a worker runs the job"
    assert run_pending(app) == 1
    job = _job(app, job.id)
    assert (job.state, job.done, job.total) == ("done", 5, 5)
    assert job.message == "5 verstuurd, 0 mislukt, 0 overgeslagen."
    assert len(list(outbox.glob("*.eml"))) == 5
    # everyone has it: a second send starts no job and mails nobody
    again = inspector_client.post(
        f"/beheer/rondes/{round_id}/versturen",
        data={"csrf_token": csrf_in(asked.get_data(as_text=True)), "message": "invitation",
              "confirmed": "1"})
    assert "Er is geen school meer" in inspector_client.get(
        again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Job).count() == 1


def test_a_mail_job_for_a_closed_round_fails_with_a_reason(app, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        job_id = start(app, records.MAIL, round_id, None, {"message": "invitation"})
        from survey.models import Round

        db.session.get(Round, round_id).state = "closed"
        db.session.commit()
    run_pending(app)
    job = _job(app, job_id)
    assert job.state == "failed" and "alleen uit voor een open bevraging" in job.message
    assert not (Path(app.instance_path) / "outbox").exists()


def test_jobs_on_redis_are_shared_by_the_workers_of_another_host(
        app, redis_app, inspector_client, answered_round, make_round, make_invited):
    """The web app enqueues on Redis; a consumer built from another app (another host:
    its own create_app, the same settings) runs the jobs."""
    round_id, _ = answered_round()
    mail_round = _schools(app, make_round, make_invited, 3)
    web = redis_app.test_client()
    from conftest import login

    login(web, "inspector1@example.org")
    _post_build(web, round_id)
    _confirm_send(web, mail_round)
    with redis_app.app_context():
        build, mail = db.session.scalars(select(Job).order_by(Job.id)).all()
        ids = (build.id, mail.id)
    assert queue(redis_app).pending_count() == 2
    assert queue(app).pending_count() == 0, "nothing on the embedded queue"
    host_b = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"],
                                SURVEY_REDIS_URL=redis_app.config["SURVEY_REDIS_URL"]))
    # the mail job has the higher priority: it is taken first
    assert [t.args[0] for t in queue(host_b).pending()] == [ids[1], ids[0]]
    with Consumer(host_b, workers=2):
        for job_id in ids:
            _wait(app, job_id, lambda j: j.state == "done")
    assert _files(app, round_id) == EXPECTED_FILES
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 3
    assert queue(redis_app).pending_count() == 0


def test_the_minute_tick_runs_once_a_minute_across_workers(app, redis_app, monkeypatch):
    from survey.services import schedule

    calls = []
    monkeypatch.setattr(schedule, "run_due", lambda session, now, **kw: calls.append(kw)
                        or ["opened round 1"])
    for instance in (app, redis_app):
        minute_tick = queue(instance).survey_tick
        first = minute_tick.call_local()
        second = minute_tick.call_local()       # another worker, the same minute
        assert first == ["opened round 1"] and second is None
    assert len(calls) == 2
    assert calls[0]["base_url"] == "http://survey.test"
    assert calls[0]["sender"] == app.config["SURVEY_MAIL_FROM"]


def _stale(app, job_id: int) -> None:
    """The job's worker went silent longer than the lease ago."""
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(
            heartbeat_at=utcnow() - timedelta(seconds=LEASE + 1)))
        db.session.commit()


def test_a_job_whose_worker_died_is_shown_interrupted_then_restarted_or_failed(
        app, inspector_client, answered_round):
    round_id, _ = answered_round()
    _post_build(inspector_client, round_id)
    job = _only_job(app)
    with app.app_context():      # a worker claimed it, then died without a word
        assert records.claim(db.session, job.id, utcnow()) is not None
    queue(app).flush()
    _stale(app, job.id)
    page = inspector_client.get(f"/beheer/taken/{job.id}").get_data(as_text=True)
    assert "Onderbroken: de worker stopte" in page
    assert "De rapporten worden" not in inspector_client.get(
        f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    with app.app_context():
        assert records.active(db.session, records.REPORTS, round_id, utcnow(),
                              records.lease(app.config)) is None
    assert tick(app, queue(app)) == [f"job {job.id} restarted"]
    assert _job(app, job.id).state == "queued"
    assert queue(app).pending_count() == 1
    assert tick(app, queue(app)) == [], "a restarted job is not restarted twice"
    run_pending(app)
    done = _job(app, job.id)
    assert (done.state, done.attempts) == ("done", 2)
    assert _files(app, round_id) == EXPECTED_FILES

    # a job that keeps dying is failed after SURVEY_JOB_ATTEMPTS starts (3)
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job.id).values(state="running",
                                                                      attempts=3))
        db.session.commit()
    _stale(app, job.id)
    assert tick(app, queue(app)) == [f"job {job.id} failed (its worker stopped)"]
    failed = _job(app, job.id)
    assert failed.state == "failed"
    assert failed.message == "Mislukt: de worker stopte 3 keer tijdens deze taak."
    assert queue(app).pending_count() == 0


def test_a_queued_job_the_queue_lost_is_enqueued_again(app, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        job_id = start(app, records.MAIL, round_id, None, {"message": "invitation"})
    queue(app).flush()                 # e.g. Redis restarted without its data
    assert tick(app, queue(app)) == [], "not before the lease: it may be on its way"
    _stale(app, job_id)
    assert tick(app, queue(app)) == [f"job {job_id} enqueued again (lost by the queue)"]
    run_pending(app)
    assert _job(app, job_id).state == "done"
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 2


# --- A worker killed: `survey worker` in a process of its own, SIGKILLed mid-job ------

def _worker(app, *, env: dict | None = None, worker_type: str = "thread") -> subprocess.Popen:
    environment = dict(os.environ, SURVEY_INSTANCE_PATH=app.instance_path,
                       SURVEY_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                       SURVEY_SECRET_KEY="test-secret", SURVEY_BASE_URL="http://survey.test",
                       SURVEY_JOB_LEASE_SECONDS=str(LEASE), SURVEY_ENV="development",
                       **(env or {}))
    environment.pop("SURVEY_REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from survey.cli import main; main()", "worker",
         "--workers", "1", "--type", worker_type, "--no-periodic"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)


@pytest.fixture
def many_centres(app, make_round, make_invited, questionnaire):
    """A round of CENTRES CLBs with 5 submitted schools each: a build of some seconds, long
    enough to be caught halfway (with 6 CLBs a build now ends between two looks)."""
    round_id = make_round()
    numbers = [s.number for s in questionnaire.statements]
    for c in range(CENTRES):
        for k in range(5):
            inv = make_invited(round_id, "bao", f"1000{c + 1:02d}")
            with app.app_context():
                answer_service.save(db.session, inv.invitation_id,
                                    {n: (n + k + c) % 5 for n in numbers}, submit=True)
                db.session.commit()
    return round_id


def test_a_worker_killed_during_a_report_build_loses_nothing(
        app, inspector_client, many_centres):
    round_id = many_centres
    _post_build(inspector_client, round_id)
    job = _only_job(app)
    worker = _worker(app)
    try:
        _wait(app, job.id, lambda j: j.state == "running" and 1 <= j.done < j.total)
    finally:
        _kill(worker)
    killed = _job(app, job.id)
    assert killed.state == "running" and killed.done < CENTRES
    time.sleep(LEASE + 0.5)             # its heartbeat has stopped
    assert tick(app, queue(app)) == [f"job {job.id} restarted"]
    folder = Path(app.instance_path) / "reports" / f"round-{round_id}"
    # only whole files: written beside and renamed (a temporary one may be left)
    assert all(p.stat().st_size > 0 for p in folder.iterdir() if not p.name.startswith("."))
    worker = _worker(app)
    try:
        done = _wait(app, job.id, lambda j: j.state != "queued" and j.state != "running")
    finally:
        worker.terminate()
        worker.wait(20)
    assert (done.state, done.done, done.total, done.attempts) == ("done", CENTRES, CENTRES, 2)
    numbers = [f"1000{c:02d}" for c in range(1, CENTRES + 1)]
    assert _files(app, round_id) == sorted(
        [f"{n}.{ext}" for n in numbers for ext in ("pdf", "xlsx")]
        + ["sector.xlsx", "sectorrapport.pdf", "sectorrapport.xlsx"]), \
        "every file, and no temporary one left behind"
    for n in numbers:
        assert (folder / f"{n}.pdf").read_bytes().startswith(b"%PDF")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_killed_worker_process_is_replaced_and_the_build_finishes(
        app, inspector_client, many_centres):
    """`survey worker` as deployed (worker processes): the process running the build is
    killed; the consumer starts a new one, the tick puts the job back, the new one builds."""
    round_id = many_centres
    _post_build(inspector_client, round_id)
    job = _only_job(app)
    consumer = _worker(app, worker_type="process")
    try:
        _wait(app, job.id, lambda j: j.state == "running" and 1 <= j.done < j.total)
        host, _, pid = _job(app, job.id).worker.rpartition(":")
        child = int(pid)
        assert host == socket.gethostname() and child in _children(consumer.pid)
        os.kill(child, signal.SIGKILL)
        time.sleep(LEASE + 0.5)
        assert _job(app, job.id).state == "running", "nobody ran it meanwhile"
        assert tick(app, queue(app)) == [f"job {job.id} restarted"]
        done = _wait(app, job.id, lambda j: j.state not in ("queued", "running"))
        assert int(_job(app, job.id).worker.rpartition(":")[2]) not in (child, consumer.pid)
    finally:
        consumer.terminate()
        consumer.wait(20)
    assert (done.state, done.done, done.total, done.attempts) == ("done", CENTRES, CENTRES, 2)
    assert not [p for p in _files(app, round_id) if p.endswith(".tmp")]


@pytest.fixture
def inbox():
    """An SMTP server's inbox that counts deliveries per recipient."""
    with served() as box:
        yield box


def test_a_worker_killed_during_a_mail_batch_mails_nobody_twice(
        app, inspector_client, make_round, make_invited, inbox):
    schools = 30
    round_id = _schools(app, make_round, make_invited, schools)
    _confirm_send(inspector_client, round_id)
    job = _only_job(app)
    smtp = {"SURVEY_SMTP_HOST": "127.0.0.1", "SURVEY_SMTP_PORT": str(inbox.port),
            "SURVEY_MAIL_PER_MINUTE": "600"}        # one mail per 0.1 s: 3 s in all
    worker = _worker(app, env=smtp)
    try:
        deadline = time.monotonic() + 60
        while sum(inbox.deliveries.values()) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        _kill(worker)
    first = sum(inbox.deliveries.values())
    assert 5 <= first < schools, "killed in the middle of the batch"
    time.sleep(LEASE + 0.5)
    assert tick(app, queue(app)) == [f"job {job.id} restarted"]
    worker = _worker(app, env=smtp)
    try:
        done = _wait(app, job.id, lambda j: j.state not in ("queued", "running"))
    finally:
        worker.terminate()
        worker.wait(20)
    assert done.state == "done" and done.attempts == 2 and done.total == schools
    assert max(inbox.deliveries.values()) == 1, "no school mailed twice"
    with app.app_context():
        states = Counter(db.session.scalars(select(MessageSend.status)).all())
        from survey.models import Round

        status = mailing.overview(db.session, db.session.get(Round, round_id))[0]
    # the worker died in the first batch (mail_claims.BATCH, 20 claimed in one commit,
    # confirmed in one after they left): exactly those 20 are "uncertain" (some left,
    # the inspector decides), never resent by themselves; the other 10 went out after
    delivered = sum(inbox.deliveries.values())
    assert first < mail_claims.BATCH == 20
    assert (states["claimed"], states["sent"]) == (20, 10)
    with app.app_context():
        uncertain = db.session.scalars(select(MessageSend.invitation_id).where(
            MessageSend.status == "claimed")).all()
        first_batch = sorted(db.session.scalars(select(Invitation.id).where(
            Invitation.round_id == round_id).order_by(Invitation.id).limit(20)))
    assert sorted(uncertain) == first_batch
    assert 10 + first <= delivered <= schools
    assert (status.sent, status.uncertain, status.to_go) == (10, 20, 0)


def test_the_demo_serves_on_its_port_with_a_worker(app, runner, monkeypatch):
    """`survey demo --port 5101`: links point to port 5101, and a worker starts."""
    import werkzeug.serving

    from survey import cli_jobs

    seen = {}
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, served, **kw:
                        seen.update(base=served.config["SURVEY_BASE_URL"], port=port))

    class FakeWorker:
        pid = 4242

        def terminate(self):
            seen["terminated"] = True

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(cli_jobs, "start_worker_process",
                        lambda served, base_url: seen.update(worker_base=base_url)
                        or FakeWorker())
    app.config["SURVEY_BASE_URL"] = "http://127.0.0.1:5000"     # the default: not set
    result = runner.invoke(args=["demo", "--schools", "100", "--port", "5101", "--reset"])
    assert result.exit_code == 0, result.output
    assert seen == {"base": "http://127.0.0.1:5101", "port": 5101,
                    "worker_base": "http://127.0.0.1:5101", "terminated": True}
    assert "http://127.0.0.1:5101/account/aanmelden" in result.output
    assert "with a job worker" in result.output


def test_the_queue_settings(tmp_path, monkeypatch):
    """Embedded unless SURVEY_REDIS_URL; immediate only in tests; a wrong worker type is
    refused with the setting's name. SURVEY_WORKERS stays gunicorn's (gunicorn_config)."""
    from huey import PriorityRedisHuey, SqliteHuey

    from survey.config import ConfigError

    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    embedded = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(queue(embedded), SqliteHuey) and not queue(embedded).immediate
    assert queue(embedded).storage.filename == str(tmp_path / "jobs.sqlite3")
    assert embedded.config["SURVEY_JOB_WORKERS"] == 2
    testing = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "TESTING": True})
    assert queue(testing).immediate
    on_redis = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                           "SURVEY_REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert isinstance(queue(on_redis), PriorityRedisHuey)
    with pytest.raises(ConfigError, match="SURVEY_JOB_WORKER_TYPE='greenlet'"):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "SURVEY_JOB_WORKER_TYPE": "greenlet"})


# --- A restarted mail job, its progress, its priority, its page -------------------------

def test_a_restarted_mail_job_reports_the_whole_message_to_the_round(
        app, inspector_client, make_round, make_invited):
    """The first run mailed 3 of 5 schools and had claimed a 4th when its worker died;
    the restart mails the 5th. The outcome counts the round's sends of the message, not
    only the last run's: 4 sent, 1 uncertain (skipped, awaiting the inspector)."""
    from survey.mailer import job_transport
    from survey.models import Round

    round_id = _schools(app, make_round, make_invited, 5)
    _confirm_send(inspector_client, round_id)
    job = _only_job(app)
    with app.app_context():          # the first attempt, as far as it got
        assert records.claim(db.session, job.id, utcnow()) is not None
        rnd = db.session.get(Round, round_id)
        first = mailing.send(db.session, rnd, "invitation",
                             job_transport(app.config, app.instance_path),
                             base_url="http://survey.test", sender="x@example.org", limit=3)
        assert first.sent == 3
        fourth = mailing.recipients(db.session, rnd, "invitation")[0]
        db.session.add(MessageSend(invitation_id=fourth, message_key="invitation",
                                   recipient="directie3@school.example.org"))
        db.session.commit()
    queue(app).flush()
    _stale(app, job.id)
    assert tick(app, queue(app)) == [f"job {job.id} restarted"]
    run_pending(app)
    done = _job(app, job.id)
    assert (done.state, done.attempts, done.done, done.total) == ("done", 2, 5, 5)
    assert done.message.startswith("4 verstuurd, 0 mislukt, 1 overgeslagen. Overgeslagen "
                                   "zijn onzeker")
    page = inspector_client.get(f"/beheer/taken/{job.id}").get_data(as_text=True)
    assert "4 verstuurd, 0 mislukt, 1 overgeslagen." in page
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 4


def test_progress_is_written_every_few_mails_and_every_two_seconds(
        app, make_round, make_invited):
    from survey.jobs.queue import Progress, beat_interval

    assert beat_interval(timedelta(seconds=120)) == 2.0      # not lease/4 = 30 s
    assert beat_interval(timedelta(seconds=4)) == 1.0        # within a short lease
    round_id = _schools(app, make_round, make_invited, 1)
    with app.app_context():
        job_id = start(app, records.MAIL, round_id, None, {"message": "invitation"},
                       total=10)
        assert records.claim(db.session, job_id, utcnow()) is not None
    # a minute between beats: only the count of mails makes it write
    with Progress(app, job_id, interval=60, total=10, every=3) as progress:
        progress.advance()
        progress.advance()
        time.sleep(0.3)
        assert _job(app, job_id).done == 0, "no write for every mail"
        progress.advance()
        seen = _wait(app, job_id, lambda j: j.done == 3, seconds=5)
        assert seen.done == 3


def test_a_restarted_job_keeps_its_priority(app, inspector_client, answered_round,
                                            make_round, make_invited):
    """A build and a mail job whose worker died: restarted, the mail comes first."""
    round_id, _ = answered_round()
    _post_build(inspector_client, round_id)
    mail_round = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        build_id = db.session.scalar(select(Job.id))
        mail_id = start(app, records.MAIL, mail_round, None, {"message": "invitation"})
        for job_id in (build_id, mail_id):
            assert records.claim(db.session, job_id, utcnow()) is not None
    queue(app).flush()
    _stale(app, build_id)
    _stale(app, mail_id)
    assert sorted(tick(app, queue(app))) == sorted(
        [f"job {build_id} restarted", f"job {mail_id} restarted"])
    assert [t.args[0] for t in queue(app).pending()] == [mail_id, build_id]


def test_the_job_page_names_the_message_in_dutch(app, inspector_client, make_round,
                                                 make_invited):
    round_id = _schools(app, make_round, make_invited, 1)
    with app.app_context():
        invitation = start(app, records.MAIL, round_id, None, {"message": "invitation"})
        reminder = start(app, records.MAIL, round_id, None, {"message": "reminder-1"})
    page = inspector_client.get(f"/beheer/taken/{invitation}").get_data(as_text=True)
    assert "<dt>Bericht</dt><dd>uitnodiging</dd>" in page
    page = inspector_client.get(f"/beheer/taken/{reminder}").get_data(as_text=True)
    assert "<dt>Bericht</dt><dd>herinnering 1</dd>" in page
    listing = inspector_client.get("/beheer/taken").get_data(as_text=True)
    assert "Mails versturen</a> (herinnering 1)" in listing
    assert "reminder-1" not in listing and "reminder-1" not in page


def test_starts_at_the_same_moment_make_one_job(app, make_round):
    """Four clicks (or a click and the command) at once: one job, the others told which
    runs (the check and the insert are one transaction under the round's lock)."""
    import threading

    from survey.jobs import AlreadyActive

    round_id = make_round()
    together = threading.Barrier(4)
    started, refused, errors = [], [], []

    def click():
        try:
            with app.app_context():
                together.wait()
                try:
                    started.append(start(app, records.EXPORT, round_id, None,
                                         {"export": "antwoorden-csv"},
                                         unless_active={"export": "antwoorden-csv"}))
                except AlreadyActive as running:
                    refused.append(running.job_id)
                finally:
                    db.session.remove()
        except Exception as exc:      # noqa: BLE001 (reported below, not swallowed)
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(started) == 1 and refused == started * 3
    with app.app_context():
        assert [job.id for job in db.session.scalars(select(Job))] == started
        # another export of the round, or the same one once this is done, may start
        other = start(app, records.EXPORT, round_id, None, {"export": "antwoorden-sav"},
                      unless_active={"export": "antwoorden-sav"})
        assert other != started[0]


def test_while_a_mail_job_runs_its_claims_are_on_their_way_not_uncertain(
        app, inspector_client, make_round, make_invited):
    round_id = _schools(app, make_round, make_invited, 2)
    with app.app_context():
        first = db.session.scalars(select(Invitation.id).where(
            Invitation.round_id == round_id).order_by(Invitation.id)).first()
        db.session.add(MessageSend(invitation_id=first, message_key="invitation",
                                   recipient="directie0@school.example.org"))
        db.session.commit()
    # claimed, no job: a crash left it; the inspector may release it
    page = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert "Onzekere opnieuw versturen" in page and "onderweg" not in page
    with app.app_context():
        job_id = start(app, records.MAIL, round_id, None, {"message": "invitation"},
                       total=2)
    page = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert "Onzekere opnieuw versturen" not in page
    assert f"Er wordt nu verstuurd (<a href=\"/beheer/taken/{job_id}\">taak {job_id}</a>)" \
        in page and ">onderweg</td>" in page
    refused = inspector_client.post(f"/beheer/rondes/{round_id}/onzeker",
                                    data={"csrf_token": csrf_in(page),
                                          "message": "invitation"})
    assert refused.headers["Location"].endswith(f"/beheer/taken/{job_id}")
    with app.app_context():
        assert db.session.scalar(select(MessageSend.status)) == "claimed"
