"""How long reports take: the whole demo sector built with --jobs 1 and --jobs 2, and the
counts-cube query over a synthetic round of many responses.

    python bench/reports.py [--responses 100000] [--database-url URL] [--skip-build]
    python bench/reports.py --compare DIR [--runs 4] [--jobs 2]

Builds the demo sector (40 CLBs, about 3,500 schools, 60 % answered) in a temporary SQLite
database, closes and publishes its round, approves its remarks, then times
`reports.build_round` (every CLB's PDF and XLSX, the sector workbook and the sector report)
per --jobs, then one sheet's render and the sector report alone. Then
it bulk-loads a round of --responses submitted responses (21 answers each) into the
--database-url database (default: a temporary SQLite file; for PostgreSQL a scratch
database is created beside the one named and dropped afterwards) and times the kept counts
cube against the aggregate of every answer. Prints figures only; nothing here is a test.

With --compare, DIR is another checkout (`git worktree add /tmp/main-before 10f8ce9`, the
main before issue 12): only the demo round's full build with --jobs, in a fresh process per
run (its workers fork from it, as in `survey reports build`), the two trees alternately
`--runs` times so that a busy shared machine slows both alike; prints each run's wall and
CPU time (the process and its workers) and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
if "--tree" in sys.argv:            # a --compare run of another checkout: its packages
    TREE = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    sys.path[:0] = [str(TREE), str(TREE / "bench")]
else:
    sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402
from synthetic import make_app, scratch_database  # noqa: E402

from survey.extensions import db  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (pool workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def bench_build(tmp: Path) -> None:
    from survey.models import Round
    from survey.services import reports

    started = time.perf_counter()
    app, summary = demo_round(tmp)
    with app.app_context():
        rnd = db.session.get(Round, summary.round_id)
        print(f"demo sector: {summary.centres} CLBs, {summary.schools} schools, "
              f"{summary.submitted} submitted ({time.perf_counter() - started:.1f} s to build)")
        started = time.perf_counter()
        data = reports.round_data(db.session, rnd)
        print(f"round inputs (cube, turnout, remarks): {time.perf_counter() - started:.3f} s")
        # --jobs 2 first, as `survey reports build` runs in a fresh process (its workers
        # fork from it); again after --jobs 1 has rendered here (workers then start from a
        # fork server: services/reports._workers_context)
        for run, jobs in enumerate((2, 1, 2)):
            out = tmp / f"out-{run}-{jobs}"
            started, cpu = time.perf_counter(), _cpu()
            files = reports.build_round(db.session, rnd, out, jobs=jobs)
            took, cpu = time.perf_counter() - started, _cpu() - cpu
            size = sum(f.stat().st_size for f in files) / 1e6
            # a fork server's workers are its children, not this process's: not counted
            counted = ("CPU of workers from a fork server not counted" if run == 2
                       else f"{cpu:.2f} s CPU with its workers")
            print(f"--jobs {jobs}{' (again)' if run == 2 else ''}: {len(files)} files "
                  f"({size:.1f} MB) in {took:.2f} s ({counted}); "
                  f"{took / len(data.inputs):.3f} s per CLB")
        started = time.perf_counter()
        reports.sector_workbook(db.session, rnd, data)
        print(f"  sector workbook alone: {time.perf_counter() - started:.2f} s")
        from reports import content, sheet_data, workbook
        from survey.services import sector_report

        given = next(iter(data.inputs.values()))
        fb = content.build(data.info, data.layout, data.cube, given, data.sector_cube)
        sheet_data.render(fb)            # the first compile reads the template and fonts
        for label, work in (("one CLB: content", lambda: content.build(
                data.info, data.layout, data.cube, given, data.sector_cube)),
                            ("one CLB: pdf (Typst template)", lambda: sheet_data.render(fb)),
                            ("one CLB: xlsx", lambda: workbook.centre_workbook(fb)),
                            ("sector report (pdf + xlsx, round inputs given)",
                             lambda: sector_report.build_files(db.session, rnd, data=data))):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                work()
                times.append(time.perf_counter() - started)
            print(f"  {label}: best {min(times):.4f} s, median "
                  f"{statistics.median(times):.4f} s (of 5)")


def demo_round(tmp: Path):
    """The demo sector in a temporary SQLite database, its round published with every remark
    approved: (app, the demo's summary). Calls that every compared tree has."""
    from survey.demo import build
    from survey.models import Remark, Round
    from survey.questionnaire import bundled

    app = make_app(f"sqlite:///{tmp / 'demo.sqlite3'}", tmp / "instance")
    with app.app_context():
        summary = build(db.session, bundled("clb-samenwerking-school"), seed=2026,
                        base_url="http://127.0.0.1:5000")
        rnd = db.session.get(Round, summary.round_id)
        rnd.state = "published"
        db.session.execute(db.update(Remark).values(review="approved"))
        db.session.commit()
        return app, summary


def build_once(tmp: Path, jobs: int) -> dict:
    """One full build of the demo round in this (fresh) process: wall and CPU seconds."""
    from survey.models import Round
    from survey.services import reports

    app, summary = demo_round(tmp)
    with app.app_context():
        rnd = db.session.get(Round, summary.round_id)
        data = reports.round_data(db.session, rnd)
        started, cpu = time.perf_counter(), _cpu()
        files = reports.build_round(db.session, rnd, tmp / "out", jobs=jobs, data=data)
        return {"wall": time.perf_counter() - started, "cpu": _cpu() - cpu,
                "files": len(files)}


def compare(other: Path, runs: int, jobs: int) -> None:
    trees = {"this tree": ROOT, "compared": other.resolve()}
    figures: dict[str, list[dict]] = {name: [] for name in trees}
    for index in range(runs):
        for name, tree in (trees.items() if index % 2 == 0 else reversed(trees.items())):
            out = subprocess.run([sys.executable, str(HERE), "--tree", str(tree), "--jobs",
                                  str(jobs), "--json"], capture_output=True, text=True,
                                 check=True, cwd=str(tree))
            result = json.loads(out.stdout.strip().splitlines()[-1])
            figures[name].append(result)
            print(f"run {index + 1} {name}: --jobs {jobs}, {result['files']} files in "
                  f"{result['wall']:.2f} s, {result['cpu']:.2f} s CPU with its workers",
                  flush=True)
    for name, results in figures.items():
        cpu = [r["cpu"] for r in results]
        wall = [r["wall"] for r in results]
        print(f"{name} ({trees[name]}): median {statistics.median(cpu):.2f} s CPU "
              f"(best {min(cpu):.2f}, worst {max(cpu):.2f}), median "
              f"{statistics.median(wall):.2f} s wall, of {len(cpu)} runs")


def load_synthetic(url: str, responses: int, tmp: Path):
    """A round with `responses` submitted responses over 40 CLBs: (its id, the app)."""
    from survey.services import counts

    app = make_app(url, tmp / "instance-synthetic")
    with app.app_context():
        loaded = synthetic.load(db.session, responses)
        print(f"loaded {responses} responses ({loaded.answers} answers) into "
              f"{db.engine.dialect.name} in {loaded.load_seconds:.1f} s")
        started = time.perf_counter()
        counts.rebuild(db.session, loaded.round_id)    # the load went around the submit path
        db.session.commit()
        print(f"counts.rebuild (full recomputation into answer_count): "
              f"{time.perf_counter() - started:.3f} s")
    return loaded.round_id, app


def bench_cube(url: str, responses: int, tmp: Path) -> None:
    from survey.services import counts

    rid, app = load_synthetic(url, responses, tmp)
    with app.app_context():
        results = {}
        for label, query in (("kept counts (counts.cube)", counts.cube),
                             ("aggregate of every answer (counts.recomputed)",
                              counts.recomputed)):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                cube = query(db.session, rid)
                times.append(time.perf_counter() - started)
                db.session.rollback()
            results[label] = cube
            print(f"{label} over {responses} responses on {db.engine.dialect.name}: "
                  f"median {statistics.median(times):.4f} s, best {min(times):.4f} s "
                  f"({len(cube)} cells, {sum(cube.values())} answers)")
        same = len({tuple(sorted(c.items())) for c in results.values()}) == 1
        print(f"check: kept counts equal the recomputation: {'OK' if same else 'DIFFERENT'}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database-url", default="",
                        help="for the synthetic round (default: SQLite in a temp folder)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--compare", type=Path, help="another checkout: full builds only")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.runs, args.jobs)
        return
    if args.json:
        with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
            print(json.dumps(build_once(Path(tmp), args.jobs)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp = Path(tmp)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        if not args.skip_build:
            bench_build(tmp)
        url = args.database_url or f"sqlite:///{tmp / 'synthetic.sqlite3'}"
        with scratch_database(url) as scratch:
            bench_cube(scratch, args.responses, tmp)


if __name__ == "__main__":
    main()
