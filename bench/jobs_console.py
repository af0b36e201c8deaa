"""The console's pages while a report build runs as a job: the demo sector (3,500 schools,
40 CLBs), `survey worker` (worker processes) building every file of the round, and the
console's pages timed before and during the build.

    python bench/jobs_console.py [--schools 3500] [--workers 2]

Per page: the median and the slowest of its requests, with no build running and while
the build runs (the web app only enqueues; the worker builds in its own processes). A
temporary instance folder and SQLite database. Prints figures only; nothing is a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale import signed_in_client  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=3500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jobs-console-"))
    os.environ.update({"SURVEY_INSTANCE_PATH": str(folder / "instance"),
                       "SURVEY_DATABASE_URL": f"sqlite:///{folder / 'survey.sqlite3'}",
                       "SURVEY_ENV": "development", "SURVEY_REDIS_URL": ""})

    from flask_migrate import upgrade

    from survey import create_app
    from survey.demo import build
    from survey.extensions import db
    from survey.jobs import records, start
    from survey.models import Round
    from survey.models.jobs import Job
    from survey.questionnaire import bundled
    from survey.services import library

    app = create_app()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        library.ensure_bundled(db.session)
        summary = build(db.session, bundled("clb-samenwerking-school"), seed=2026,
                        answered=0.6, schools=args.schools, base_url="http://127.0.0.1:5000")
        rnd = db.session.get(Round, summary.round_id)
        rnd.state = "closed"
        db.session.commit()
    client = signed_in_client(app)
    r = summary.round_id
    pages = {"overview": "/beheer/", "round": f"/beheer/rondes/{r}",
             "results": f"/beheer/rondes/{r}/rapporten", "jobs": "/beheer/taken",
             "remarks": f"/beheer/rondes/{r}/opmerkingen"}

    def timed(path: str) -> float:
        started = time.perf_counter()
        answer = client.get(path)
        answer.get_data()
        assert answer.status_code == 200, (path, answer.status_code)
        return time.perf_counter() - started

    for path in pages.values():
        timed(path)                                   # warm-up
    quiet = {name: [timed(path) for _ in range(5)] for name, path in pages.items()}

    worker = subprocess.Popen([sys.executable, "-c", "from survey.cli import main; main()",
                               "worker", "--workers", str(args.workers), "--no-periodic"],
                              env=dict(os.environ), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    with app.app_context():
        job_id = start(app, records.REPORTS, r, None)
    busy: dict[str, list[float]] = {name: [] for name in pages}
    started = time.perf_counter()
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            state, done, total = job.state, job.done, job.total
        if state not in ("queued", "running"):
            break
        if state == "running":
            for name, path in pages.items():
                busy[name].append(timed(path))
        time.sleep(0.2)
    took = time.perf_counter() - started
    worker.terminate()
    worker.wait(30)
    print(f"{summary.schools} schools; build job {state}: {done}/{total} CLBs in "
          f"{took:.0f} s ({args.workers} worker processes, {os.cpu_count()} cores)")
    print(f"{'page':10} {'quiet median':>13} {'max':>7}   {'during build median':>20} "
          f"{'max':>7}  requests")
    for name in pages:
        q, b = quiet[name], busy[name] or [float("nan")]
        print(f"{name:10} {statistics.median(q) * 1000:10.0f} ms {max(q) * 1000:4.0f} ms"
              f"   {statistics.median(b) * 1000:17.0f} ms {max(b) * 1000:4.0f} ms  "
              f"{len(busy[name])}")


if __name__ == "__main__":
    main()
