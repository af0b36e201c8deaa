"""Whole school journeys under load: N schools each open their link, read the form, save
twice and submit, against gunicorn with several workers on 127.0.0.1.

    python bench/load.py [--schools 4000] [--clients 32] [--seconds 300] [--workers 4]
                         [--database-url postgresql://...]

Builds the demo sector with no answers (SQLite in a temporary folder, or the database
named, which it empties), starts gunicorn with the real app, and runs every journey
(measured): GET /s/<token> (303), GET /vragenlijst (200), POST the first half of the
statements with "Bewaren" (303), POST the second half (303), POST all of them with
"Indienen" (303 to the confirmation). Prints journeys per second, p50/p99 latency per kind
of request and errors, then checks the database: every school whose saves or submit were
acknowledged has exactly those answers, and every acknowledged submit is submitted.
Bounded: the measured phase stops after --seconds.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

# The project first: bench/reports.py must not stand in for the reports package.
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from submit import (  # noqa: E402  (the shared client, server and phase helpers)
    STATEMENTS,
    Client,
    cpu_seconds,
    demo_sector,
    free_port,
    run_phase,
    start_gunicorn,
    stop,
)

FIRST, SECOND = STATEMENTS[:10], STATEMENTS[10:]


def journey(port: int, path: str, timings: dict[str, list[float]]):
    """One school from link to submit; returns (acknowledged answers, submitted?)."""
    c = Client(port)
    acknowledged: dict[int, int] = {}

    def timed(kind, method, url, body=None):
        t0 = time.perf_counter()
        result = c.request(method, url, body)
        timings.setdefault(kind, []).append(time.perf_counter() - t0)
        return result

    status, _, _ = timed("open link", "GET", path)
    if status != 303:
        return acknowledged, False, f"link {status}"
    status, _, html = timed("read form", "GET", "/vragenlijst")
    if status != 200:
        return acknowledged, False, f"form {status}"
    text = html.decode()
    base = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', text).group(1),
            "ticket": re.search(r'name="ticket" value="([^"]+)"', text).group(1)}
    value = {n: (n * 7 + len(path)) % 5 for n in STATEMENTS}
    for kind, items in (("save 1", FIRST), ("save 2", SECOND)):
        body = urlencode({**base, "action": "save", **{f"s{n}": str(value[n]) for n in items}})
        status, _, _ = timed(kind, "POST", "/vragenlijst", body)
        if status != 303:
            return acknowledged, False, f"{kind} {status}"
        acknowledged.update({n: value[n] for n in items})
    body = urlencode({**base, "action": "submit", **{f"s{n}": str(value[n])
                                                      for n in STATEMENTS}})
    status, location, _ = timed("submit", "POST", "/vragenlijst", body)
    if status != 303 or not location.endswith("/bevestiging"):
        return acknowledged, False, f"submit {status}"
    return acknowledged, True, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()

    tmp, env, paths, lines = demo_sector(args.schools, args.database_url, "bench-load-")
    paths = paths[:args.schools]
    port = free_port()
    server = start_gunicorn("survey:create_app()", port, args, env)
    timings: dict[str, list[float]] = {}
    results: dict[str, tuple[dict, bool]] = {}
    try:
        todo: queue.Queue = queue.Queue()
        for p in paths:
            todo.put(p)

        def one(_c, path):
            acknowledged, submitted, error = journey(port, path, timings)
            results[path] = (acknowledged, submitted)
            return error is None, error or path

        cpu0 = cpu_seconds(server)
        lat, errors, done, elapsed = run_phase(port, todo, args.clients, args.seconds, one)
        server_cpu = cpu_seconds(server) - cpu0
    finally:
        stop(server)
    print(f"{len(done)} journeys in {elapsed:.1f} s: {len(done) / elapsed:.1f} schools/s "
          f"({5 * len(done) / elapsed:.0f} requests/s), {len(errors)} errors; "
          f"server CPU {server_cpu / max(len(done), 1) * 1000:.1f} ms per journey")
    for kind, values in timings.items():
        q = statistics.quantiles(values, n=100) if len(values) > 1 else [0] * 99
        print(f"  {kind:10} {len(values):6d}  p50 {q[49] * 1000:6.1f} ms  "
              f"p99 {q[98] * 1000:6.1f} ms")
    if errors:
        print("  errors, first few:", errors[:5])
    print(f"settings: gunicorn gthread, {args.workers} workers x {args.threads} threads, "
          f"{args.clients} concurrent schools, {os.cpu_count()} cores, "
          f"{'PostgreSQL' if args.database_url else 'SQLite (WAL)'}")
    missing = check(args.database_url, tmp, paths, lines, results)
    print(f"check: {sum(len(a) for a, _ in results.values())} acknowledged answers, "
          f"{sum(s for _, s in results.values())} acknowledged submits: "
          f"{'OK' if not missing else f'{missing} MISSING'}")
    shutil.rmtree(tmp, ignore_errors=True)
    if missing or errors:
        raise SystemExit(1)


def check(database_url: str, tmp: Path, paths, lines, results) -> int:
    """Every acknowledged answer stored with its value; every acknowledged submit done;
    the kept figures and counts equal a recount. Returns how many things are wrong."""
    from sqlalchemy import create_engine, text

    url = database_url or f"sqlite:///{tmp / 'survey.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    number_of = {p: line.split(",")[0] for p, line in zip(paths, lines, strict=False)}
    with engine.connect() as conn:
        stored: dict[str, dict[int, int]] = {}
        status: dict[str, str] = {}
        for school, item, value, state in conn.execute(text(
                "SELECT s.number, a.item, a.value, r.status FROM answer a "
                "JOIN response r ON r.id = a.response_id "
                "JOIN invitation i ON i.id = r.invitation_id "
                "JOIN school s ON s.id = i.school_id")):
            stored.setdefault(school, {})[item] = value
            status[school] = state
    engine.dispose()
    missing = kept_tables_agree(url, tmp)
    for path, (acknowledged, submitted) in results.items():
        school = number_of[path]
        for item, value in acknowledged.items():
            missing += stored.get(school, {}).get(item) != value
        missing += submitted and status.get(school) != "submitted"
    return missing


def kept_tables_agree(url: str, tmp: Path) -> int:
    """The kept figures and answer counts, changed by concurrent saves, against the
    services' own recounts; returns how many of the two differ."""
    from synthetic import make_app

    from survey.extensions import db
    from survey.models import Round
    from survey.services import counts, tally

    app = make_app(url, tmp)
    wrong = 0
    with app.app_context():
        for round_id in db.session.scalars(db.select(Round.id)):
            figures = tally.kept(db.session, round_id) == tally.recomputed(db.session, round_id)
            cube = counts.cube(db.session, round_id) == counts.recomputed(db.session, round_id)
            print(f"check: round {round_id}: kept response figures equal a recount: "
                  f"{'OK' if figures else 'DIFFERENT'}; kept answer counts equal a recount: "
                  f"{'OK' if cube else 'DIFFERENT'}")
            wrong += (not figures) + (not cube)
        db.session.remove()
        db.engine.dispose()
    return wrong


if __name__ == "__main__":
    main()
