"""How many cells of the demo's feedback sheets each homogeneity option hides.

    python bench/homogeneity.py [--seed 2026] [--minimum 5 --minimum 3 ...]

Builds the demo sector (40 CLBs, about 3,500 schools, 60 % answered; `survey demo`'s data)
in a temporary SQLite database, reads its round through services/reports.round_data, and
counts, per option, the cells (a CLB's total or level, for one statement; only groups
with any answer) that the CLB's sheet shows: today (small groups and complementary
suppression only), and with each candidate rule for groups whose answers are too alike.
The same is counted for the sector as each CLB sees it (every other CLB; the "enough
other CLBs" rule left aside). Option "unanimous, any size" is the rule
reports/suppression.py applies; the script checks its count against the rows
reports.content.build() hides.
Prints a table; nothing here is a test.

Columns: cells = groups with answers; shown = shown today; revealing = shown today but
revealing under the option (hidden first); derived = groups today's sheet lets one derive
as total minus the shown levels that are revealing under the option; extra = cells the
complementary suppression then hides as well; after = shown under the option; lost = the
share of today's shown cells the option hides.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import make_app  # noqa: E402

from reports import content  # noqa: E402
from reports.feedback import LEVELS, _counts  # noqa: E402
from reports.suppression import TOTAL, combined, suppressed, unanimous  # noqa: E402
from survey.extensions import db  # noqa: E402

Predicate = Callable[[Mapping[int, int], int], bool]


def never(counts: Mapping[int, int], minimum: int) -> bool:
    return False


def all_but_one(counts: Mapping[int, int], minimum: int) -> bool:
    """At most one answer outside the most frequent category, below twice the minimum."""
    n = sum(counts.values())
    return 0 < n < 2 * minimum and max(counts.values()) >= n - 1


def one_side(counts: Mapping[int, int], minimum: int) -> bool:
    """All agreeing or all disagreeing (0 % or 100 % akkoord), below twice the minimum."""
    n = sum(counts.values())
    agree = counts.get(3, 0) + counts.get(4, 0)
    return 0 < n < 2 * minimum and agree in (0, n)


def unanimous_below_twice(counts: Mapping[int, int], minimum: int) -> bool:
    """All answers in one category, below twice the minimum (the issue's proposal)."""
    n = sum(counts.values())
    return 0 < n < 2 * minimum and max(counts.values()) == n


OPTIONS: list[tuple[str, Predicate]] = [
    ("unanimous < 2x min", unanimous_below_twice),
    ("all but one < 2x min", all_but_one),
    ("0/100 % akkoord < 2x min", one_side),
    ("unanimous, any size (rule)", unanimous),
]


def groups(per_level: Mapping[str, Mapping[int, int]]):
    """n, exposed and counts on the scale of each level, as centre_rows gives them."""
    parts = {lv: sum(per_level[lv].get(c, 0) for c in (1, 2, 3, 4)) for lv in LEVELS}
    exposed = {lv: sum(per_level[lv].values()) > 0 for lv in LEVELS}
    counts = {lv: {c: per_level[lv][c] for c in (1, 2, 3, 4) if per_level[lv].get(c)}
              for lv in LEVELS}
    return parts, exposed, counts


def tally(cells: list, minimum: int, predicate: Predicate) -> dict[str, int]:
    """The columns for one option over a list of (parts, exposed, counts) cells."""
    out = dict.fromkeys(("cells", "shown", "revealing", "derived", "extra", "after"), 0)
    for parts, exposed, counts in cells:
        total_n = sum(parts.values())
        keys = [TOTAL] + [lv for lv in LEVELS if exposed[lv]]
        if not any(exposed.values()):
            continue
        today = suppressed(total_n, parts, minimum, exposed)
        option = suppressed(total_n, parts, minimum, exposed, counts, predicate)
        shown_today = [k for k in keys if k not in today]
        whole = combined(counts, LEVELS)
        revealing = {k for k in shown_today
                     if predicate(whole if k == TOTAL else counts[k], minimum)
                     and (whole if k == TOTAL else counts[k])}
        secret = [k for k in today if k != TOTAL and exposed[k]]
        together = combined(counts, secret)
        if TOTAL not in today and secret and together and predicate(together, minimum):
            out["derived"] += 1
        out["cells"] += len(keys)
        out["shown"] += len(shown_today)
        out["revealing"] += len(revealing)
        out["extra"] += len([k for k in shown_today if k in option and k not in revealing])
        out["after"] += len([k for k in keys if k not in option])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--minimum", type=int, action="append",
                        help="minimum group size (repeatable; default the round's)")
    args = parser.parse_args()

    from survey.demo import build
    from survey.models import Round
    from survey.questionnaire import bundled
    from survey.services import reports

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}", Path(tmp) / "instance")
        with app.app_context():
            summary = build(db.session, bundled("clb-samenwerking-school"), seed=args.seed,
                            base_url="http://127.0.0.1:5000")
            data = reports.round_data(db.session, db.session.get(Round, summary.round_id))
    print(f"demo (seed {args.seed}): {summary.centres} CLBs, {summary.schools} schools, "
          f"{summary.submitted} submitted; {len(data.layout.numbers)} statements; "
          f"the round's minimum {data.info.minimum}")
    sector_cube = data.sector_cube or data.cube
    own, sector = [], []
    for number in data.inputs:
        for item in data.layout.numbers:
            own.append(groups(_counts(data.cube, number, None, item)))
            sector.append(groups(_counts(sector_cube, None, number, item)))

    # the rule as the sheets apply it: the same count from reports.content.build
    minimum = data.info.minimum
    answered = {(centre, item) for (centre, _, item, _), n in data.cube.items() if n > 0}
    hidden_rows = 0
    for number, given in data.inputs.items():
        fb = content.build(data.info, data.layout, data.cube, given, data.sector_cube)
        hidden_rows += sum(1 for r in fb.rows.values()
                           if r.suppressed and (number, r.item) in answered)
    rule = tally(own, minimum, unanimous)
    assert rule["cells"] - rule["after"] == hidden_rows, (rule, hidden_rows)
    print(f"derived today as total minus the shown levels, unanimous (minimum {minimum}):")
    for number in data.inputs:
        for item in data.layout.numbers:
            parts, exposed, counts = groups(_counts(data.cube, number, None, item))
            today = suppressed(sum(parts.values()), parts, minimum, exposed)
            secret = [k for k in LEVELS if k in today and exposed[k]]
            together = combined(counts, secret)
            if TOTAL not in today and together and unanimous(together, minimum):
                print(f"  CLB {number}, statement {item}: "
                      + ", ".join(f"{k} {dict(counts[k])}" for k in secret))

    header = (f"{'min':>3}  {'side':<6} {'option':<26} {'cells':>6} {'shown':>6} "
              f"{'reveal':>6} {'derived':>7} {'extra':>6} {'after':>6} {'lost':>6}")
    print(header)
    print("-" * len(header))
    for minimum in args.minimum or [data.info.minimum]:
        for side, cells in (("CLB", own), ("sector", sector)):
            base = tally(cells, minimum, never)
            print(f"{minimum:>3}  {side:<6} {'today':<26} {base['cells']:>6} "
                  f"{base['shown']:>6} {'':>6} {'':>7} {'':>6} {base['shown']:>6} {'':>6}")
            for name, predicate in OPTIONS:
                t = tally(cells, minimum, predicate)
                lost = 100 * (t["shown"] - t["after"]) / t["shown"] if t["shown"] else 0
                print(f"{minimum:>3}  {side:<6} {name:<26} {t['cells']:>6} {t['shown']:>6} "
                      f"{t['revealing']:>6} {t['derived']:>7} {t['extra']:>6} "
                      f"{t['after']:>6} {lost:>5.1f}%")


if __name__ == "__main__":
    main()
