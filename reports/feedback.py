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


@dataclass
class _Cells:
    """One statement's cells of the cube, gathered for one CLB."""

    own: dict[str, dict[int, int]]          # per level: answer code -> count, the CLB's
    sector: dict[str, dict[int, int]]       # the same, every other CLB together
    answering: dict[str, set[str]]          # per level: other CLBs with an answer on the scale


@dataclass
class _Index:
    """A cube's cells per statement and level: every CLB's counts, all CLBs' together, and
    the CLBs with an answer on the statement's scale. Made once for all the CLBs of a round
    (reading the whole cube for each CLB was most of its content time)."""

    snapshot: dict                          # a copy of the cube it was made from
    scored: dict[int, frozenset[int]]       # per statement: the codes on its scale
    by_centre: dict[int, dict[str, dict[str, dict[int, int]]]]   # item, level, centre
    total: dict[int, dict[str, dict[int, int]]]                  # item, level: code -> n
    answering: dict[int, dict[str, set[str]]]                    # item, level: centres


# The last indexes made: a round's cube and its reference round's. One is used again only
# for a cube equal to its copy (a cube changed in place gets a new index).
_indexes: list[_Index] = []


def _index(cube: Cube, scored: dict[int, frozenset[int]]) -> _Index:
    for index in _indexes:
        if index.scored == scored and index.snapshot == cube:
            return index
    by_centre = {item: {lv: defaultdict(dict) for lv in LEVELS} for item in scored}
    total = {item: {lv: defaultdict(int) for lv in LEVELS} for item in scored}
    answering: dict[int, dict[str, set[str]]] = {item: {lv: set() for lv in LEVELS}
                                                 for item in scored}
    for (centre, level, item, code), n in cube.items():
        codes = scored.get(item)
        if codes is None:
            continue
        own = by_centre[item][level][centre]
        own[code] = own.get(code, 0) + n
        total[item][level][code] += n
        if n > 0 and code in codes:
            answering[item][level].add(centre)
    index = _Index(dict(cube), scored, by_centre, total, answering)
    _indexes[:] = [index, *_indexes][:2]
    return index


def _gather(cube: Cube, sector_cube: Cube | None, centre: str,
            scored: dict[int, frozenset[int]]) -> dict[int, _Cells]:
    """Every statement's cells for `centre`: its own from `cube`, the sector (every other
    CLB) from `sector_cube`, or from `cube` when that is None."""
    own_index = _index(cube, scored)
    sector_index = own_index if sector_cube is None else _index(sector_cube, scored)
    cells = {}
    for item in scored:
        own, sector = {}, {}
        for lv in LEVELS:
            own[lv] = defaultdict(int, own_index.by_centre[item][lv].get(centre, {}))
            counts = defaultdict(int, sector_index.total[item][lv])
            for code, n in sector_index.by_centre[item][lv].get(centre, {}).items():
                counts[code] -= n
            sector[lv] = counts
        cells[item] = _Cells(own, sector, {lv: sector_index.answering[item][lv] - {centre}
                                           for lv in LEVELS})
    return cells


def few_centres_text(min_centres: int) -> str:
    """Why a sector figure is left out: it would be one or a few other CLBs' own figure."""
    return _("minder dan %(minimum)s andere CLB's met antwoorden", minimum=min_centres)


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
    few = few_centres_text(min_centres)
    rows = []
    item_scales = {item: (scales or {}).get(item, scale) for item in items}
    gathered = _gather(cube, sector_cube, centre, {item: frozenset(item_scale.scored)
                                                   for item, item_scale in item_scales.items()})
    for item, scale in item_scales.items():
        cells = gathered[item]
        own = {lv: figures(c, scale) for lv, c in cells.own.items()}
        total = figures(_total({lv: f.counts for lv, f in own.items()}), scale)
        sector = {lv: figures(c, scale) for lv, c in cells.sector.items()}
        sector_total = figures(_total(cells.sector), scale)

        hidden = suppressed(total.n, {lv: f.n for lv, f in own.items()}, minimum,
                            {lv: f.n + f.n_no_view > 0 for lv, f in own.items()},
                            _on_scale(own, scale))
        sector_hidden = suppressed(sector_total.n, {lv: f.n for lv, f in sector.items()},
                                   minimum,
                                   {lv: f.n + f.n_no_view > 0 for lv, f in sector.items()},
                                   _on_scale(sector, scale))
        others = cells.answering
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
