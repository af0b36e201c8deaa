"""Figures of one group of answers, and the benchmarks a CLB is compared with.

Plain data in, plain data out: no Flask, no database. The formulas are written out in
docs/statistics.md; tests check them against hand-computed cases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from instrument.domain import Verdict

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Scale:
    """The answer codes of a questionnaire: scored codes 1..N, those counting as agreeing,
    and the non-substantive ones ("geen zicht / niet van toepassing")."""

    scored: tuple[int, ...] = (1, 2, 3, 4)
    agree: tuple[int, ...] = (3, 4)
    no_view: tuple[int, ...] = (0,)


SCHOOL_SCALE = Scale()


@dataclass(frozen=True)
class Figures:
    counts: dict[int, int]       # per answer code, "geen zicht" included
    n: int                       # answers on the scale; "geen zicht" never counts
    n_no_view: int
    agree: int
    pct_agree: float | None      # 0-100
    mean: float | None           # 1 (helemaal niet akkoord) .. 4 (helemaal akkoord)
    ci_low: float | None         # 95 % Wilson interval on pct_agree, 0-100
    ci_high: float | None


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for k successes out of n, as proportions."""
    if n <= 0:
        raise ValueError("no observations")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def figures(counts: Mapping[int, int], scale: Scale = SCHOOL_SCALE) -> Figures:
    counts = {code: int(counts.get(code, 0)) for code in (*scale.scored, *scale.no_view)}
    n = sum(counts[c] for c in scale.scored)
    agree = sum(counts[c] for c in scale.agree)
    no_view = sum(counts[c] for c in scale.no_view)
    if n == 0:
        return Figures(counts, 0, no_view, 0, None, None, None, None)
    low, high = wilson(agree, n)
    mean = sum(c * counts[c] for c in scale.scored) / n
    return Figures(counts, n, no_view, agree, 100 * agree / n, mean, 100 * low, 100 * high)


@dataclass(frozen=True)
class Benchmark:
    pct: float | None            # the sector's % agree, 0-100
    se: float | None             # its standard error, in percentage points


def raw_benchmark(sector: Figures) -> Benchmark:
    if sector.n == 0:
        return Benchmark(None, None)
    p = _smoothed(sector.agree, sector.n)
    return Benchmark(sector.pct_agree, 100 * math.sqrt(p * (1 - p) / (sector.n + 4)))


def adjusted_benchmark(centre_n: Mapping[str, int],
                       sector: Mapping[str, Figures]) -> Benchmark:
    """The sector's % agree per level, weighted by the CLB's own respondents per level
    (direct standardisation). None when the sector has no answers at a level where the
    CLB has some: there is then nothing to compare that part with."""
    total = sum(centre_n.values())
    if total == 0:
        return Benchmark(None, None)
    pct, var = 0.0, 0.0
    for level, n in centre_n.items():
        if n == 0:
            continue
        other = sector.get(level)
        if other is None or other.n == 0:
            return Benchmark(None, None)
        w = n / total
        pct += w * other.pct_agree
        p = _smoothed(other.agree, other.n)
        var += w * w * p * (1 - p) / (other.n + 4)
    return Benchmark(pct, 100 * math.sqrt(var))


ABOVE, BELOW, NO_CLEAR_DIFFERENCE = (Verdict.ABOVE.value, Verdict.BELOW.value,
                                     Verdict.NO_CLEAR_DIFFERENCE.value)


def z_score(centre: Figures, benchmark: Benchmark) -> float | None:
    """The CLB's difference from the benchmark in standard errors of the difference
    (Agresti-Caffo: one success and one failure added to each side for the variance, so
    that 0 % and 100 % still have one)."""
    if centre.n == 0 or benchmark.pct is None:
        return None
    p = _smoothed(centre.agree, centre.n)
    se = math.sqrt((100 * 100) * p * (1 - p) / (centre.n + 4) + benchmark.se ** 2)
    return (centre.pct_agree - benchmark.pct) / se


def compare(centre: Figures, benchmark: Benchmark, z: float = Z95) -> str | None:
    """Whether the CLB's % agree is clearly above or below the benchmark: the difference
    must exceed z standard errors of the difference (see z_score)."""
    score = z_score(centre, benchmark)
    if score is None:
        return None
    if abs(score) <= z:
        return NO_CLEAR_DIFFERENCE
    return ABOVE if score > 0 else BELOW


def _smoothed(k: int, n: int) -> float:
    return (k + 2) / (n + 4)


def quantile(counts: Mapping[int, int], p: float) -> float | None:
    """The p-quantile (0 <= p <= 1) of whole numbers given as value -> count, by the
    "type 7" definition (R's default, numpy's default, Excel's QUARTILE.INC): with the n
    values sorted x_1 <= ... <= x_n, h = (n - 1) p + 1 and the quantile is
    x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)). None without values. Works from
    the counts, so its cost is the number of distinct values, not of answers."""
    values = sorted((v, n) for v, n in counts.items() if n > 0)
    total = sum(n for _, n in values)
    if total == 0:
        return None
    h = (total - 1) * p + 1
    low = math.floor(h)
    below, above = _order_statistic(values, low), _order_statistic(values, min(low + 1,
                                                                              total))
    return below + (h - low) * (above - below)


def _order_statistic(values: list[tuple[int, int]], rank: int) -> int:
    """The rank-th smallest value (1-based) of (value, count) pairs sorted by value."""
    seen = 0
    for value, n in values:
        seen += n
        if seen >= rank:
            return value
    return values[-1][0]


def adjusted_share(centre_n: Mapping[str, int],
                   sector_pct: Mapping[str, float | None]) -> float | None:
    """The sector's percentage per level weighted by the CLB's own respondents per level
    (direct standardisation, as adjusted_benchmark does for % agree); None when the sector
    has no (shown) figure at a level where the CLB has respondents."""
    total = sum(centre_n.values())
    if total == 0:
        return None
    out = 0.0
    for level, n in centre_n.items():
        if n == 0:
            continue
        other = sector_pct.get(level)
        if other is None:
            return None
        out += n / total * other
    return out
