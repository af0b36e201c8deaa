"""Sustained complete submissions per second, against a bare Flask endpoint in the same run.

    python bench/submit.py [--schools 6000] [--clients 32] [--seconds 15] [--workers 4]
                           [--questionnaire bench/questionnaires/zestig-vragen-2026.1.toml]

Builds a demo database (SQLite by default, or --database-url for PostgreSQL) in a temporary
instance folder, starts gunicorn on 127.0.0.1 with the real app, opens every school's link
(unmeasured), then measures POSTs that answer all 21 statements and submit, each CSRF-checked
and stored, from --clients concurrent schools. Then the same gunicorn settings serve
bench/bare_app.py and the same clients hit its bare POST endpoint. Prints throughput, p50/p99
latency, the ratio, and checks that every acknowledged submission is in the database.
Bounded: every phase stops after --seconds, and the whole run after a few minutes.
With --questionnaire FILE the schools answer a round on that questionnaire instead, each
with answers simulated along its routing (survey.demo.simulate), posted as a browser
posts them (each item type's form_values()).
BENCH_APP=module:callable serves another WSGI app in the first phase (a profiling wrapper
around create_app(), say; PYTHONPATH must reach it).
"""

from __future__ import annotations

import argparse
import html as html_module
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
STATEMENTS = [4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 26, 27]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, args, env) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", target, "--bind", f"127.0.0.1:{port}",
           "--workers", str(args.workers), "--worker-class", "gthread",
           "--threads", str(args.threads), "--log-level", "warning",
           "--chdir", str(ROOT / "bench") if target.startswith("bare_app") else str(ROOT)]
    return listening(subprocess.Popen(cmd, env=env, start_new_session=True), port, target)


def listening(proc: subprocess.Popen, port: int, what: str) -> subprocess.Popen:
    """The server process once its port accepts connections (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not start for {what}")


def cpu_seconds(proc: subprocess.Popen, fields_at=(11, 12)) -> float:
    """CPU time used so far by gunicorn's master and workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == proc.pid:  # process group (start_new_session): the server
            total += sum(int(fields[i]) for i in fields_at) / tick
    return total


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


class Client:
    """One keep-alive HTTP connection with a cookie jar of one cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                if attempt:
                    raise
        set_cookie = response.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        return response.status, response.getheader("Location"), data


def simulated_fields(questionnaire, seed: int) -> list[tuple[str, str]]:
    """A simulated school's complete answers as the fields its browser posts."""
    import random

    from survey.demo import simulate

    answers, remarks = simulate(random.Random(seed), questionnaire, "bao", 0.0)
    return [field for item in questionnaire.items
            for field in item.kind.form_values(item, answers, remarks)]


def open_school(port: int, link_path: str, questionnaire=None) -> tuple[str, str]:
    """Open the link and read the form: returns (cookie, form body to post)."""
    c = Client(port)
    status, _, _ = c.request("GET", link_path)
    assert status == 303, status
    status, _, html = c.request("GET", "/vragenlijst")
    assert status == 200, status
    text = html.decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    ticket = re.search(r'name="ticket" value="([^"]+)"', text).group(1)
    fields = {"csrf_token": csrf, "ticket": ticket, "action": "submit"}
    # A browser posts the page's draft basis too (the two-tabs guard, services/basis.py).
    basis = re.search(r'name="basis" value="([^"]*)"', text)
    if basis:
        fields["basis"] = html_module.unescape(basis.group(1))
    if questionnaire is None:
        fields.update({f"s{n}": str(4 - n % 4) for n in STATEMENTS})
        body = urlencode(fields)
    else:
        body = urlencode([*fields.items(), *simulated_fields(questionnaire, hash(link_path))])
    c.conn.close()
    return c.cookie, body


def run_phase(port, jobs: queue.Queue, clients: int, seconds: float, make_request):
    latencies, errors, done = [], [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        c = Client(port)
        while time.monotonic() < deadline:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return
            t0 = time.perf_counter()
            try:
                ok, ref = make_request(c, job)
            except Exception as exc:  # noqa: BLE001 - counted as an error
                ok, ref = False, repr(exc)
            dt = time.perf_counter() - t0
            with lock:
                (latencies.append(dt), done.append(ref)) if ok else errors.append(ref)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return latencies, errors, done, elapsed


def summary(name, latencies, errors, elapsed) -> float:
    rate = len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(f"{name:28} {len(latencies):6d} ok {len(errors):4d} errors  {rate:8.1f}/s  "
          f"p50 {q[49] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms")
    return rate


def demo_sector(schools: int, database_url: str, prefix: str):
    """The demo sector without answers in a temporary instance folder (and in
    database_url when given, which it empties): (folder, environment for gunicorn, each
    school's link path, the rows of the links CSV)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "SURVEY_INSTANCE_PATH": str(tmp), "SURVEY_SECRET_KEY": "bench-" * 8,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if database_url:
        env["SURVEY_DATABASE_URL"] = database_url
    links_csv = tmp / "links.csv"
    subprocess.run([sys.executable, "-m", "survey.cli", "demo", "--no-serve", "--reset",
                    "--answered", "0", "--schools", str(schools), "--links-csv",
                    str(links_csv)], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    lines = links_csv.read_text().splitlines()[1:]
    paths = ["/s/" + line.rsplit("/s/", 1)[1].strip() for line in lines]
    return tmp, env, paths, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=4500)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--questionnaire", default="",
                        help="a questionnaire file: answer a round on it instead")
    args = parser.parse_args()

    tmp, env, paths, _ = demo_sector(args.schools, args.database_url, "bench-submit-")
    questionnaire = None
    if args.questionnaire:
        from instrument.loader import load

        questionnaire = load(args.questionnaire)
        links = tmp / "questionnaire-links.csv"
        # -P: bench/ first on the path would make bench/reports.py the reports package
        subprocess.run([sys.executable, "-P", str(ROOT / "bench" / "questionnaire_round.py"),
                        args.questionnaire, str(links)], env=env, check=True, cwd=ROOT)
        paths = ["/s/" + line.rsplit("/s/", 1)[1].strip()
                 for line in links.read_text().splitlines()[1:]]

    port = free_port()
    server = start_gunicorn(os.environ.get("BENCH_APP", "survey:create_app()"), port, args, env)
    try:
        opened: queue.Queue = queue.Queue()
        todo: queue.Queue = queue.Queue()
        for p in paths:
            todo.put(p)

        def prepare(c, path):
            opened.put(open_school(port, path, questionnaire))
            return True, path

        t0 = time.perf_counter()
        run_phase(port, todo, args.clients, 600, prepare)
        print(f"opened {opened.qsize()} school sessions in {time.perf_counter() - t0:.1f} s "
              f"(not measured)")

        def submit(c, job):
            c.cookie, body = job
            status, location, _ = c.request("POST", "/vragenlijst", body)
            return status == 303 and location.endswith("/bevestiging"), c.cookie

        cpu0, sys0 = cpu_seconds(server), cpu_seconds(server, (12,))
        lat, err, done, elapsed = run_phase(port, opened, args.clients, args.seconds, submit)
        server_cpu = cpu_seconds(server) - cpu0
        server_sys = cpu_seconds(server, (12,)) - sys0
    finally:
        stop(server)
    rate = summary("complete submissions", lat, err, elapsed)
    print(f"{'':28} server CPU {server_cpu / max(len(lat), 1) * 1000:.2f} ms per submission "
          f"({server_sys / max(len(lat), 1) * 1000:.2f} ms in the kernel), "
          f"{server_cpu / elapsed:.2f} cores busy")
    p99_submit = statistics.quantiles(lat, n=100)[98] if len(lat) > 1 else 0

    bare_port = free_port()
    bare = start_gunicorn("bare_app:create_app()", bare_port, args, env)
    try:
        jobs: queue.Queue = queue.Queue()
        for i in range(len(lat) * 20 + 10000):
            jobs.put(i)

        def hit(c, _job):
            status, _, _ = c.request("POST", "/bare", "x=1")
            return status == 200, None

        cpu0 = cpu_seconds(bare)
        blat, berr, _, belapsed = run_phase(bare_port, jobs, args.clients, args.seconds, hit)
        bare_cpu = cpu_seconds(bare) - cpu0
    finally:
        stop(bare)
    bare_rate = summary("bare Flask endpoint", blat, berr, belapsed)
    print(f"{'':28} server CPU {bare_cpu / max(len(blat), 1) * 1000:.2f} ms per request, "
          f"{bare_cpu / belapsed:.2f} cores busy")
    print(f"ratio submissions / bare requests: {rate / bare_rate:.1%}  "
          f"(target >= 30 %, p99 target < 100 ms: {p99_submit * 1000:.1f} ms)")
    if questionnaire is not None:
        print(f"questionnaire: {questionnaire.id} {questionnaire.version}, "
              f"{len(questionnaire.items)} items")
    print(f"settings: gunicorn gthread, {args.workers} workers x {args.threads} threads, "
          f"{args.clients} concurrent clients, {os.cpu_count()} cores, "
          f"{'PostgreSQL' if args.database_url else 'SQLite (WAL)'}")

    stored = count_submitted(args.database_url, tmp)
    print(f"check: {len(done)} acknowledged submissions, {stored} submitted responses stored: "
          f"{'OK' if stored == len(done) else 'MISMATCH'}")
    shutil.rmtree(tmp, ignore_errors=True)
    if stored != len(done) or err:
        raise SystemExit(1)


def count_submitted(database_url: str, tmp: Path) -> int:
    query = "SELECT count(*) FROM response WHERE status = 'submitted'"
    if not database_url:
        with sqlite3.connect(tmp / "survey.sqlite3") as conn:
            return conn.execute(query).fetchone()[0]
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchone()[0]


if __name__ == "__main__":
    main()
