"""Slow clients against the shipped gunicorn configuration: what N connections that send
their request a byte at a time do to everybody else's requests.

Starts gunicorn on 127.0.0.1 with `-c python:survey.gunicorn_config` on a small demo
database (SQLite in a temporary folder), then for each N opens N slow connections (each
sends "GET / HTTP/1.1" and then one byte of a header every --drip seconds, never finishing)
and meanwhile times normal GETs of the sign-in page, one after the other, each on a new
connection. Prints p50/p99 and the slowest per N. Loopback only, bounded in time
(--seconds per N). Worker and thread counts follow the config's SURVEY_WORKERS and
SURVEY_THREADS, so the same script shows an older layout too:

    python bench/slow_clients.py
    SURVEY_WORKERS=4 SURVEY_THREADS=4 python bench/slow_clients.py
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from submit import ROOT, demo_sector, free_port, listening, stop  # noqa: E402


def start(port: int, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:survey.gunicorn_config",
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "survey:create_app()"]
    return listening(subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True), port,
                     "the shipped configuration")


def slow_client(port: int, drip: float, stop_at: float, opened: list) -> None:
    """A request that never ends: a byte of a header every `drip` seconds until stop_at."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /account/aanmelden HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(sock)
        while time.monotonic() < stop_at:
            sock.sendall(b"X")
            time.sleep(drip)
    except OSError:
        pass


def normal_get(port: int, timeout: float) -> float:
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"GET /account/aanmelden HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200"):
        raise OSError(answer[:40])
    return time.perf_counter() - began


def measure(port: int, slow: int, seconds: float, drip: float, timeout: float) -> dict:
    stop_at = time.monotonic() + seconds + 2
    opened: list = []
    threads = [threading.Thread(target=slow_client, args=(port, drip, stop_at, opened),
                                daemon=True) for _ in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # every slow connection is in and holding whatever it holds
    latencies, failures = [], 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            latencies.append(normal_get(port, timeout))
        except OSError:
            failures += 1
    for thread in threads:
        thread.join(seconds + 10)
    for sock in opened:
        sock.close()
    time.sleep(0.5)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"slow": slow, "requests": len(latencies), "failed": failures,
            "p50": q[49] * 1000, "p99": q[98] * 1000,
            "max": max(latencies, default=float("nan")) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slow", default="0,2,8,16,32",
                        help="numbers of slow connections, comma separated")
    parser.add_argument("--seconds", type=float, default=6, help="measuring time per number")
    parser.add_argument("--drip", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=20, help="a normal GET gives up")
    parser.add_argument("--schools", type=int, default=200)
    args = parser.parse_args()

    tmp, env, _, _ = demo_sector(args.schools, "", "bench-slow-")
    port = free_port()
    server = start(port, env)
    try:
        for _ in range(20):  # warm every worker
            normal_get(port, args.timeout)
        import survey.gunicorn_config as config

        print(f"gunicorn -c python:survey.gunicorn_config: {config.workers} workers x "
              f"{config.threads} threads (gthread), keepalive {config.keepalive} s, "
              f"{os.cpu_count()} CPUs; slow clients send a byte every {args.drip} s")
        print(f"{'slow':>5} {'GETs':>6} {'failed':>6} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8}")
        for slow in (int(n) for n in args.slow.split(",")):
            row = measure(port, slow, args.seconds, args.drip, args.timeout)
            print(f"{row['slow']:5d} {row['requests']:6d} {row['failed']:6d} "
                  f"{row['p50']:8.1f} {row['p99']:8.1f} {row['max']:8.1f}", flush=True)
    finally:
        stop(server)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
