"""CPU per CLB workbook (reports.workbook.centre_workbook): 20 different CLBs' feedback
built once, then each CLB's .xlsx written, CPU time of the process per workbook.

    python bench/workbook.py                         # this tree
    python bench/workbook.py --compare DIR [--runs 6]

With --compare, DIR is another checkout (e.g. `git archive 10f8ce9 | tar -x -C DIR`, the
main before a change): the two trees run alternately, each in a fresh process, `--runs`
times, so that a busy shared machine slows both alike; prints each run and the median of
both. The workbook's content (reports.content.build) is not timed. Prints figures only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
CENTRES = 20


def measure(tree: Path, rounds: int) -> dict:
    """In this process: CPU and wall per workbook over `rounds` passes of 20 CLBs."""
    sys.path[:0] = [str(tree / "tests"), str(tree)]
    from helpers import INFO, LAYOUT, centre_input, cube_of, uniform  # noqa: PLC0415
    from reports import content, workbook  # noqa: PLC0415

    feedbacks = [content.build(INFO, LAYOUT, cube_of(uniform(a % 10, (a * 3) % 10)),
                               centre_input(f"C{a}")) for a in range(1, CENTRES + 1)]
    workbook.centre_workbook(feedbacks[0])          # imports and caches warm
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for feedback in feedbacks:
            workbook.centre_workbook(feedback)
    count = rounds * len(feedbacks)
    return {"cpu": (time.process_time() - cpu) / count,
            "wall": (time.perf_counter() - wall) / count, "count": count}


def run(tree: Path, rounds: int) -> dict:
    out = subprocess.run([sys.executable, str(HERE), "--tree", str(tree), "--rounds",
                          str(rounds), "--json"], capture_output=True, text=True, check=True,
                         cwd=str(tree))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--compare", type=Path, help="another checkout, run alternately")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the 20 CLBs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.tree.resolve(), args.rounds)))
        return
    trees = {"this tree": ROOT} | ({"compared": args.compare.resolve()}
                                   if args.compare else {})
    figures: dict[str, list[dict]] = {name: [] for name in trees}
    for index in range(args.runs):
        for name, tree in (trees.items() if index % 2 == 0 else reversed(trees.items())):
            result = run(tree, args.rounds)
            figures[name].append(result)
            print(f"run {index + 1} {name}: {result['cpu'] * 1000:.1f} ms CPU, "
                  f"{result['wall'] * 1000:.1f} ms wall per workbook "
                  f"({result['count']} workbooks)", flush=True)
    for name, results in figures.items():
        cpu = [r["cpu"] * 1000 for r in results]
        print(f"{name} ({trees[name]}): median {statistics.median(cpu):.1f} ms CPU per "
              f"workbook, best {min(cpu):.1f}, worst {max(cpu):.1f} (of {len(cpu)} runs)")


if __name__ == "__main__":
    main()
