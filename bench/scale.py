"""Scale beyond the school survey: a synthetic round of N submitted responses (21
statements each) bulk-loaded into PostgreSQL, and what it costs at that size: the counts
cube (kept and recounted), the inspector's response dashboard (kept figures and recounted;
the live page and the round page over HTTP), the raw response export streamed as CSV and
as .xlsx, and the full report build, each with the peak memory it took.

    python bench/scale.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
                          [--sizes 4000,1000000] [--jobs 2] [--skip-build]

Each size gets a scratch database beside the one named (dropped afterwards). Besides its
N submitted responses the round has 10 % more invitations that never answered, 5 % drafts
and the invitation mail plus a reminder, as a real round would. Memory is the peak
resident size of this process during the step (the kernel's high-water mark, reset before
each step), and for the build also that of the largest worker process. Prints figures
only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402
from synthetic import make_app, scratch_database  # noqa: E402

from survey.extensions import db  # noqa: E402

PASSWORD = "een lang genoeg wachtwoord voor de bench"


def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process's resident memory."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


class Step:
    """Time and peak memory of one step: `with Step(results, "label") as s: ...`."""

    def __init__(self, results: list, label: str):
        self.results, self.label, self.note = results, label, ""
        self.took = None           # set to report a median instead of the step's time

    def __enter__(self):
        reset_peak()
        self.before = rss_mb()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        took = self.took if self.took is not None else time.perf_counter() - self.started
        self.results.append((self.label, took, peak_mb() - self.before, self.note))
        print(f"  {self.label}: {took:.4f} s, peak +{peak_mb() - self.before:.0f} MB"
              f"{' (' + self.note + ')' if self.note else ''}", flush=True)


def timed(work, repeat: int) -> tuple[float, float, object]:
    work()                          # warm up: statements compiled, pages cached
    db.session.rollback()
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
        db.session.rollback()
    return statistics.median(times), min(times), result


def signed_in_client(app):
    from survey.services import accounts

    with app.app_context():
        user = accounts.create_user(db.session, "bench@example.org", "inspector")
        accounts.set_password(user, PASSWORD)
        db.session.commit()
    client = app.test_client()
    page = client.get("/account/aanmelden").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    token = re.search(r'value="([^"]+)"', tag).group(1)
    answer = client.post("/account/aanmelden", data={
        "csrf_token": token, "email": "bench@example.org", "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return client


def run_size(url: str, size: int, jobs: int, skip_build: bool, tmp: Path) -> list:
    from reports.layout import from_snapshot
    from survey.models import Round
    from survey.services import counts, exports, monitoring, reports, tally

    results: list = []
    print(f"\n== {size:,} submitted responses", flush=True)
    app = make_app(url, tmp / f"instance-{size}")
    with app.app_context():
        loaded = synthetic.load(db.session, size, extra=True)
        rid = loaded.round_id
        print(f"  loaded: {loaded.invitations:,} invitations, {loaded.answers:,} answers, "
              f"in {loaded.load_seconds:.1f} s", flush=True)
        with Step(results, "recount answer counts into answer_count (counts.rebuild)"):
            counts.rebuild(db.session, rid)
            db.session.commit()
        with Step(results, "recount response figures into invitation_tally (tally.rebuild)"):
            tally.rebuild(db.session, rid)
            db.session.commit()

        for label, work, repeat in (
                ("counts cube, kept (counts.cube)", lambda: counts.cube(db.session, rid), 5),
                ("counts cube, recounted from every answer (counts.recomputed)",
                 lambda: counts.recomputed(db.session, rid), 2),
                ("response figures, kept (monitoring.round_figures)",
                 lambda: monitoring.round_figures(db.session, rid), 5),
                ("response figures, recounted from every invitation",
                 lambda: monitoring.round_figures(db.session, rid, recount=True), 3)):
            with Step(results, label) as step:
                step.took, best, _ = timed(work, repeat)
                step.note = f"median of {repeat}, best {best:.4f} s"
        same = counts.cube(db.session, rid) == counts.recomputed(db.session, rid)
        figures_same = tally.kept(db.session, rid) == tally.recomputed(db.session, rid)
        print(f"  check: kept counts equal the recount: {'OK' if same else 'DIFFERENT'}; "
              f"kept figures equal the recount: {'OK' if figures_same else 'DIFFERENT'}")
        total = monitoring.round_figures(db.session, rid).total
        print(f"  figures: {total.invited:,} invited, {total.started:,} started, "
              f"{total.submitted:,} submitted")
        rnd = db.session.get(Round, rid)
        rnd.state = "closed"
        db.session.commit()
        numbers = from_snapshot(rnd.definition).numbers

    client = signed_in_client(app)
    for label, path in (("dashboard page over HTTP (live figures)", f"/beheer/rondes/{rid}/live"),
                        ("round page over HTTP (figures and mail status)",
                         f"/beheer/rondes/{rid}")):
        client.get(path).get_data()                  # warm up
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = client.get(path)
            assert answer.status_code == 200, answer.status_code
            answer.get_data()
            times.append(time.perf_counter() - started)
        results.append((label, statistics.median(times), None,
                        f"median of 5, best {min(times):.4f} s"))
        print(f"  {label}: median {statistics.median(times):.4f} s, "
              f"best {min(times):.4f} s", flush=True)

    with app.app_context():
        rnd = db.session.get(Round, rid)
        with Step(results, "all answers as CSV, streamed") as step:
            out = tmp / "answers.csv"
            with out.open("w", encoding="utf-8") as f:
                for chunk in exports.csv_chunks(exports.response_rows(db.session, rnd),
                                                numbers):
                    f.write(chunk)
            step.note = f"{out.stat().st_size / 1e6:.0f} MB"
        with Step(results, "all answers as .xlsx, streamed") as step:
            out = tmp / "answers.xlsx"
            with out.open("wb") as f:
                for chunk in exports.xlsx_chunks(exports.response_rows(db.session, rnd),
                                                 numbers):
                    f.write(chunk)
            step.note = f"{out.stat().st_size / 1e6:.0f} MB"
        db.session.rollback()
        if not skip_build:
            with Step(results, f"full report build, --jobs {jobs}") as step:
                data = reports.round_data(db.session, rnd)
                files = reports.build_round(db.session, rnd, tmp / f"out-{size}", jobs=jobs,
                                            data=data)
                worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                sector = (tmp / f"out-{size}" / "sector.xlsx").stat().st_size / 1e6
                step.note = (f"{len(files)} files, sector.xlsx {sector:.0f} MB; "
                             f"largest worker {worker:.0f} MB resident")
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default=os.environ.get("SURVEY_TEST_POSTGRES_URL",
                                               "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--sizes", default="4000,1000000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    table = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, \
                scratch_database(args.database_url) as url:
            table[size] = run_size(url, size, args.jobs, args.skip_build, Path(tmp))
    print("\n| step | " + " | ".join(f"{s:,} responses" for s in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    for i, (label, *_rest) in enumerate(table[sizes[0]]):
        cells = []
        for size in sizes:
            _, took, peak, _note = table[size][i]
            cells.append(f"{took:.3f} s" + ("" if peak is None else f", +{peak:.0f} MB"))
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
