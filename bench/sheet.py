"""CPU per feedback sheet: 20 different CLBs' sheets rendered in one process (the
renderer's caches warm, the data different each time), CPU time of all threads.

    python bench/sheet.py

Runs on this tree's reports package (the Typst template, reports.sheet_data) or, copied
into a worktree of an older commit, on that commit's reports.pdf. Prints figures only."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from helpers import INFO, LAYOUT, centre_input, cube_of, uniform  # noqa: E402
from reports import content  # noqa: E402

try:
    from reports import sheet_data as renderer
except ImportError:                     # before the Typst template
    from reports import pdf as renderer  # type: ignore[no-redef]


def main() -> None:
    feedbacks = [content.build(INFO, LAYOUT, cube_of(uniform(a % 10, (a * 3) % 10)),
                               centre_input(f"C{a}")) for a in range(1, 21)]
    renderer.render(feedbacks[0])
    cpu, wall = time.process_time(), time.perf_counter()
    for feedback in feedbacks:
        renderer.render(feedback)
    count = len(feedbacks)
    print(f"{renderer.__name__}: {(time.process_time() - cpu) / count * 1000:.1f} ms CPU, "
          f"{(time.perf_counter() - wall) / count * 1000:.1f} ms wall per sheet "
          f"({count} CLBs)")


if __name__ == "__main__":
    main()
