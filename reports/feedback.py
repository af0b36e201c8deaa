"""The figures of one CLB's feedback, from a round's counts cube: per statement, for the
CLB as a whole and per level, beside the sector, with suppression applied.

Input is plain data: the cube maps (centre number, level, item, answer code) to a count,
one row per group of the one aggregate query; its size does not grow with responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from instrument.domain import LEVEL_CODES, Cube
from instrument.i18n import N_, _

from .statistics import (
    ABOVE,
    BELOW,
    NO_CLEAR_DIFFERENCE,
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

LEVELS = LEVEL_CODES
# A verdict is kept as its Dutch word (instrument.domain.Verdict); shown through
# verdict_text() in the reader's language.
VERDICT_TEXT = {ABOVE: N_("hoger"), BELOW: N_("lager"),
                NO_CLEAR_DIFFERENCE: N_("geen duidelijk verschil")}


def verdict_text(verdict: str | None) -> str | None:
    """A verdict as the reader reads it; None stays None."""
    return None if verdict is None else _(VERDICT_TEXT.get(verdict, verdict))


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
    sector_reason: str | None = None  # why no sector figure is shown (Dutch), if that is why


    @property
    def suppressed(self) -> bool:
        return self.figures is None


Entries = Mapping[int, list[tuple[str, str, int, int]]]   # item -> (centre, level, code, n)


def _by_item(cube: Cube) -> Entries:
    """The cube's cells per item, so that a statement reads its own cells only (reading the
    whole cube for every statement was most of a sheet's content time)."""
    out: dict[int, list[tuple[str, str, int, int]]] = defaultdict(list)
    for (centre, level, item, code), n in cube.items():
        out[item].append((centre, level, code, n))
    return out


def _counts(entries: Entries, centre: str | None, exclude: str | None,
            item: int) -> dict[str, dict[int, int]]:
    """Per level: answer code -> count, for one centre, or for all but one."""
    out: dict[str, dict[int, int]] = {lv: defaultdict(int) for lv in LEVELS}
    for c, level, code, n in entries.get(item, ()):
        if (centre is not None and c != centre) or (exclude and c == exclude):
            continue
        out[level][code] += n
    return out


def few_centres_text(min_centres: int) -> str:
    """Why a sector figure is left out: it would be one or a few other CLBs' own figure."""
    return _("minder dan %(minimum)s andere CLB's met antwoorden", minimum=min_centres)


def _centres_with_answers(entries: Entries, exclude: str, item: int,
                          scale: Scale) -> dict[str, set[str]]:
    """Per level: the other CLBs with at least one answer on the scale to the statement."""
    out: dict[str, set[str]] = {lv: set() for lv in LEVELS}
    scored = set(scale.scored)
    for c, level, code, n in entries.get(item, ()):
        if c != exclude and code in scored and n > 0:
            out[level].add(c)
    return out


def _total(per_level: Mapping[str, Mapping[int, int]]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for counts in per_level.values():
        for code, n in counts.items():
            total[code] += n
    return total


def _on_scale(groups: Mapping[str, Figures], scale: Scale) -> dict[str, dict[int, int]]:
    """Each group's counts of the answers on the scale, for the homogeneity rule: the
    percentages and the mean are of these, whatever the "geen zicht" count beside them."""
    return {key: {c: f.counts[c] for c in scale.scored if f.counts.get(c)}
            for key, f in groups.items()}


def centre_rows(cube: Cube, centre: str, items: Iterable[int], minimum: int,
                scale: Scale = SCHOOL_SCALE, sector_cube: Cube | None = None,
                min_centres: int = 1, scales: Mapping[int, Scale] | None = None) -> list[Row]:
    """Rows for every statement: the CLB total, then each level. The sector is every other
    CLB in `sector_cube` (the reference round's cube, or the round's own). Each statement
    is read on its own scale in `scales` (by item), else on `scale`.

    A sector figure at a level needs answers from at least `min_centres` other CLBs at
    that level; the raw overall figure needs them over all levels, and, since it is the
    sum of the levels, the levels left out for this reason together must come from at
    least `min_centres` CLBs too (or be none). The adjusted figure combines the levels at
    which the CLB has answers, so each of those levels must have its own sector figure.

    The CLB's groups and the sector's follow the same suppression (reports/suppression.py):
    small groups, and groups whose answers all fall in one category, are hidden, and
    neither may follow from total minus the shown levels."""
    own_cells = _by_item(cube)
    sector_cells = own_cells if sector_cube is None else _by_item(sector_cube)
    few = few_centres_text(min_centres)
    rows = []
    default = scale
    for item in items:
        scale = (scales or {}).get(item, default)
        own = {lv: figures(c, scale) for lv, c in _counts(own_cells, centre, None, item).items()}
        total = figures(_total({lv: f.counts for lv, f in own.items()}), scale)
        sector_levels_counts = _counts(sector_cells, None, centre, item)
        sector = {lv: figures(c, scale) for lv, c in sector_levels_counts.items()}
        sector_total = figures(_total(sector_levels_counts), scale)

        hidden = suppressed(total.n, {lv: f.n for lv, f in own.items()}, minimum,
                            {lv: f.n + f.n_no_view > 0 for lv, f in own.items()},
                            _on_scale(own, scale))
        sector_hidden = suppressed(sector_total.n, {lv: f.n for lv, f in sector.items()},
                                   minimum,
                                   {lv: f.n + f.n_no_view > 0 for lv, f in sector.items()},
                                   _on_scale(sector, scale))
        others = _centres_with_answers(sector_cells, centre, item, scale)
        too_few = {lv for lv in LEVELS if 0 < len(others[lv]) < min_centres}
        left_out = set().union(*(others[lv] for lv in too_few))
        total_too_few = (len(set().union(*others.values())) < min_centres
                         or 0 < len(left_out) < min_centres)
        if total_too_few and sector_total.n > 0:
            sector_hidden.add(TOTAL)
        needed = {lv for lv, f in own.items() if f.n > 0}
        adjusted = adjusted_benchmark({lv: f.n for lv, f in own.items()},
                                      {lv: f for lv, f in sector.items()
                                       if lv not in sector_hidden and lv not in too_few})
        raw = raw_benchmark(sector_total) if TOTAL not in sector_hidden else None
        shown = TOTAL not in hidden
        total_reason = few if (total_too_few and sector_total.n > 0) or needed & too_few \
            else None
        rows.append(Row(item, TOTAL, total if shown else None,
                        raw.pct if raw else None, adjusted.pct,
                        compare(total, adjusted) if shown else None,
                        sector_total if raw else None,
                        z_score(total, adjusted) if shown else None, total_reason))
        for lv in LEVELS:
            shown = lv not in hidden
            bench = (raw_benchmark(sector[lv])
                     if lv not in sector_hidden and lv not in too_few else None)
            rows.append(Row(item, lv, own[lv] if shown else None,
                            bench.pct if bench else None, bench.pct if bench else None,
                            compare(own[lv], bench) if shown and bench else None,
                            sector[lv] if bench else None,
                            z_score(own[lv], bench) if shown and bench else None,
                            few if lv in too_few else None))
    return rows


DATA_COLUMNS = ["round", "centre_number", "centre_name", "level", "item", "n",
                "n_helemaal_akkoord", "n_eerder_akkoord", "n_eerder_niet_akkoord",
                "n_helemaal_niet_akkoord", "n_geen_zicht", "pct_agree", "mean", "ci_low",
                "ci_high", "sector_pct_agree", "sector_pct_agree_adjusted", "sector_note",
                "suppressed"]


def data_rows(round_name: str, centre_number: str, centre_name: str,
              rows: Iterable[Row]) -> list[list]:
    """The tidy "Data" sheet: one row per level and statement; a suppressed row keeps its
    keys and leaves every figure empty. `sector_note` says why the sector figures are left
    out when too few other CLBs answered (empty otherwise)."""
    out = []
    for row in rows:
        keys = [round_name, centre_number, centre_name, row.level, row.item]
        f = row.figures
        if f is None:
            out.append(keys + [None] * 13 + [True])
            continue
        out.append(keys + [f.n, f.counts.get(4, 0), f.counts.get(3, 0), f.counts.get(2, 0),
                           f.counts.get(1, 0), f.n_no_view, _r(f.pct_agree), _r(f.mean, 3),
                           _r(f.ci_low), _r(f.ci_high), _r(row.sector_pct),
                           _r(row.sector_adjusted_pct), row.sector_reason, False])
    return out


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
