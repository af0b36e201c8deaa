"""The figures of one CLB's feedback, from a round's counts cube: per statement, for the
CLB as a whole and per level, beside the sector, with suppression applied.

Input is plain data: the cube maps (centre number, level, item, answer code) to a count,
one row per group of the one aggregate query; its size does not grow with responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .statistics import (
    SCHOOL_SCALE,
    Figures,
    Scale,
    adjusted_benchmark,
    compare,
    figures,
    raw_benchmark,
    z_score,
)
from .suppression import TOTAL, suppressed

LEVELS = ("bao", "so", "bubao", "buso")
Cube = Mapping[tuple[str, str, int, int], int]


@dataclass(frozen=True)
class Row:
    """One statement for one group of the CLB (a level, or TOTAL)."""

    item: int
    level: str
    figures: Figures | None          # None when suppressed
    sector_pct: float | None         # the sector (other CLBs) at the same level, or overall
    sector_adjusted_pct: float | None
    verdict: str | None              # hoger / lager / geen duidelijk verschil
    sector: Figures | None = None    # the sector's figures behind sector_pct (for charts)
    z: float | None = None           # the difference in standard errors (for ranking)

    @property
    def suppressed(self) -> bool:
        return self.figures is None


def _counts(cube: Cube, centre: str | None, exclude: str | None,
            item: int) -> dict[str, dict[int, int]]:
    """Per level: answer code -> count, for one centre, or for all but one."""
    out: dict[str, dict[int, int]] = {lv: defaultdict(int) for lv in LEVELS}
    for (c, level, it, code), n in cube.items():
        if it != item or (centre is not None and c != centre) or (exclude and c == exclude):
            continue
        out[level][code] += n
    return out


def _total(per_level: Mapping[str, Mapping[int, int]]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for counts in per_level.values():
        for code, n in counts.items():
            total[code] += n
    return total


def centre_rows(cube: Cube, centre: str, items: Iterable[int], minimum: int,
                scale: Scale = SCHOOL_SCALE, sector_cube: Cube | None = None) -> list[Row]:
    """Rows for every statement: the CLB total, then each level. The sector is every other
    CLB in `sector_cube` (the reference round's cube, or the round's own)."""
    sector_cube = cube if sector_cube is None else sector_cube
    rows = []
    for item in items:
        own = {lv: figures(c, scale) for lv, c in _counts(cube, centre, None, item).items()}
        total = figures(_total({lv: f.counts for lv, f in own.items()}), scale)
        sector_levels_counts = _counts(sector_cube, None, centre, item)
        sector = {lv: figures(c, scale) for lv, c in sector_levels_counts.items()}
        sector_total = figures(_total(sector_levels_counts), scale)

        hidden = suppressed(total.n, {lv: f.n for lv, f in own.items()}, minimum,
                            {lv: f.n + f.n_no_view > 0 for lv, f in own.items()})
        sector_hidden = suppressed(sector_total.n, {lv: f.n for lv, f in sector.items()},
                                   minimum,
                                   {lv: f.n + f.n_no_view > 0 for lv, f in sector.items()})
        adjusted = adjusted_benchmark({lv: f.n for lv, f in own.items()},
                                      {lv: f for lv, f in sector.items()
                                       if lv not in sector_hidden})
        raw = raw_benchmark(sector_total) if TOTAL not in sector_hidden else None
        shown = TOTAL not in hidden
        rows.append(Row(item, TOTAL, total if shown else None,
                        raw.pct if raw else None, adjusted.pct,
                        compare(total, adjusted) if shown else None,
                        sector_total if raw else None,
                        z_score(total, adjusted) if shown else None))
        for lv in LEVELS:
            shown = lv not in hidden
            bench = raw_benchmark(sector[lv]) if lv not in sector_hidden else None
            rows.append(Row(item, lv, own[lv] if shown else None,
                            bench.pct if bench else None, bench.pct if bench else None,
                            compare(own[lv], bench) if shown and bench else None,
                            sector[lv] if bench else None,
                            z_score(own[lv], bench) if shown and bench else None))
    return rows


DATA_COLUMNS = ["round", "centre_number", "centre_name", "level", "item", "n",
                "n_helemaal_akkoord", "n_eerder_akkoord", "n_eerder_niet_akkoord",
                "n_helemaal_niet_akkoord", "n_geen_zicht", "pct_agree", "mean", "ci_low",
                "ci_high", "sector_pct_agree", "sector_pct_agree_adjusted", "suppressed"]


def data_rows(round_name: str, centre_number: str, centre_name: str,
              rows: Iterable[Row]) -> list[list]:
    """The tidy "Data" sheet: one row per level and statement; a suppressed row keeps its
    keys and leaves every figure empty."""
    out = []
    for row in rows:
        keys = [round_name, centre_number, centre_name, row.level, row.item]
        f = row.figures
        if f is None:
            out.append(keys + [None] * 12 + [True])
            continue
        out.append(keys + [f.n, f.counts.get(4, 0), f.counts.get(3, 0), f.counts.get(2, 0),
                           f.counts.get(1, 0), f.n_no_view, _r(f.pct_agree), _r(f.mean, 3),
                           _r(f.ci_low), _r(f.ci_high), _r(row.sector_pct),
                           _r(row.sector_adjusted_pct), False])
    return out


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
