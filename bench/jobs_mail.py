"""A whole round's invitations through the job queue to a local SMTP server (aiosmtpd):
the demo sector (3,500 schools), one mail job, `survey worker` in a process of its own.

    python bench/jobs_mail.py [--schools 3500] [--per-minute 0] [--redis redis://...]

1. Throughput: the invitation to every school as one job, no rate limit (or the one given):
   mails per second, from the click to the job's end, as the SMTP server counted them.
2. A worker's death: reminder 1 to every school, the worker SIGKILLed a third of the way;
   after the lease the tick restarts the job, a new worker finishes it. Printed: what was
   delivered twice (must be 0), the uncertain mails left for the inspector (at most one
   batch, services/mail_claims.BATCH: claimed in one commit, the worker died before
   their "sent" was written; of those, how many the server did get), and the time the
   death cost (lease + waiting for the tick; the tick runs here as soon as the lease is
   over, a real worker's tick comes within the next minute).

A temporary instance folder and SQLite database (or the given Redis for the queue).
Prints figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

LEASE = 5


class Inbox:
    def __init__(self):
        self.deliveries: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.deliveries[rcpt] += 1
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=3500)
    parser.add_argument("--per-minute", type=int, default=0,
                        help="SURVEY_MAIL_PER_MINUTE for the job (0: no limit)")
    parser.add_argument("--redis", default="", help="SURVEY_REDIS_URL for the queue")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="jobs-mail-"))
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {"SURVEY_INSTANCE_PATH": str(folder / "instance"),
           "SURVEY_DATABASE_URL": f"sqlite:///{folder / 'survey.sqlite3'}",
           "SURVEY_SMTP_HOST": "127.0.0.1", "SURVEY_SMTP_PORT": str(port),
           "SURVEY_MAIL_PER_MINUTE": str(args.per_minute),
           "SURVEY_JOB_LEASE_SECONDS": str(LEASE), "SURVEY_REDIS_URL": args.redis,
           "SURVEY_ENV": "development"}
    os.environ.update(env)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from survey import create_app
    from survey.demo import build
    from survey.extensions import db
    from survey.jobs import queue, records, start, tick
    from survey.models import MessageSend, Round
    from survey.models.jobs import Job
    from survey.questionnaire import bundled
    from survey.services import library, mailing

    app = create_app()
    queue(app).flush()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        library.ensure_bundled(db.session)
        summary = build(db.session, bundled("clb-samenwerking-school"), seed=2026,
                        answered=0.6, schools=args.schools, base_url="http://127.0.0.1:5000")
        round_id = summary.round_id
        rnd = db.session.get(Round, round_id)
        invited = mailing.recipients_count(db.session, rnd, mailing.INVITATION)
    print(f"{summary.schools} schools, {invited} to invite; SMTP on 127.0.0.1:{port}; "
          f"queue {'Redis ' + args.redis if args.redis else 'embedded (SQLite)'}; "
          f"rate limit {args.per_minute or 'none'}")

    def worker() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", "from survey.cli import main; main()",
                                 "worker", "--workers", "1", "--type", "thread",
                                 "--no-periodic"], env=dict(os.environ),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def job_state(job_id: int) -> Job:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge(job)
            return job

    def wait_end(job_id: int) -> Job:
        while (job := job_state(job_id)).state in ("queued", "running"):
            time.sleep(0.05)
        return job

    # 1. throughput
    proc = worker()
    time.sleep(2)                       # the worker is up: time the job, not the start
    started = time.perf_counter()
    with app.app_context():
        job_id = start(app, records.MAIL, round_id, None, {"message": mailing.INVITATION},
                       total=invited)
    job = wait_end(job_id)
    took = time.perf_counter() - started
    delivered = sum(inbox.deliveries.values())
    print(f"invitation: {job.state}, {job.message}")
    print(f"  {delivered} mails delivered in {took:.1f} s: {delivered / took:.0f} mails/s "
          f"(click to job end, one worker)")

    # 2. a worker's death during reminder 1
    inbox.deliveries.clear()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        to_remind = mailing.recipients_count(db.session, rnd, "reminder-1")
        job_id = start(app, records.MAIL, round_id, None, {"message": "reminder-1"},
                       total=to_remind)
    started = time.perf_counter()
    while sum(inbox.deliveries.values()) < to_remind // 3:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = time.perf_counter()
    at_kill = sum(inbox.deliveries.values())
    while f"job {job_id} restarted" not in tick(app, queue(app)):
        time.sleep(0.2)                 # the lease runs out, then the tick restarts it
    restarted_at = time.perf_counter()
    proc = worker()
    job = wait_end(job_id)
    ended = time.perf_counter()
    proc.terminate()
    proc.wait(20)
    twice = sum(1 for n in inbox.deliveries.values() if n > 1)
    with app.app_context():
        uncertain = db.session.scalars(select(MessageSend.recipient).where(
            MessageSend.message_key == "reminder-1", MessageSend.status == "claimed")).all()
    arrived = sum(1 for address in uncertain if inbox.deliveries[address])
    print(f"reminder 1: {to_remind} schools; worker killed after {at_kill} mails "
          f"({killed_at - started:.1f} s)")
    print(f"  restarted after {restarted_at - killed_at:.1f} s (lease {LEASE} s), "
          f"job {job.state} after {job.attempts} attempts: {job.message}")
    print(f"  delivered {sum(inbox.deliveries.values())}, twice to {twice} schools, "
          f"{len(uncertain)} uncertain (left for the inspector; {arrived} of them did "
          f"arrive); the death cost "
          f"{(ended - started) - (killed_at - started) * to_remind / max(at_kill, 1):.1f} s "
          f"beyond the same batch without it")
    controller.stop()
    queue(app).flush()


if __name__ == "__main__":
    main()
