"""reports.statistics against cases computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from reports.statistics import (
    ABOVE,
    BELOW,
    NO_CLEAR_DIFFERENCE,
    Benchmark,
    adjusted_benchmark,
    compare,
    figures,
    raw_benchmark,
    wilson,
)


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # centre = (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.99208 / 1.38415 = 0.71674
    # half = 1.96 / 1.38415 * sqrt(0.016 + 1.96²/400) = 1.41603 * 0.16001 = 0.22658
    (8, 10, 0.49016, 0.94332),
    (0, 10, 0.0, 0.27753),    # 1.96²/10 / 1.38415 = 0.27753
    (10, 10, 0.72247, 1.0),
    (1, 1, 0.20654, 1.0),
])
def test_wilson_interval(k, n, low, high):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)


def test_figures_leave_no_view_out_of_every_percentage_and_mean():
    f = figures({4: 3, 3: 2, 2: 1, 1: 0, 0: 2})
    assert (f.n, f.n_no_view, f.agree) == (6, 2, 5)
    assert f.pct_agree == pytest.approx(500 / 6)          # 5 of 6, not 5 of 8
    assert f.mean == pytest.approx((4 * 3 + 3 * 2 + 2 * 1) / 6)   # 20 / 6
    assert f.ci_low < f.pct_agree < f.ci_high


def test_only_no_view_answers_give_no_figures():
    f = figures({0: 7})
    assert (f.n, f.n_no_view, f.pct_agree, f.mean, f.ci_low) == (0, 7, None, None, None)


def test_adjusted_benchmark_weights_the_sector_levels_by_the_centres_mix():
    sector = {"bao": figures({4: 50, 3: 40, 2: 10}), "so": figures({4: 20, 3: 40, 1: 40}),
              "buso": figures({2: 9})}
    adjusted = adjusted_benchmark({"bao": 8, "so": 2, "buso": 0}, sector)
    assert adjusted.pct == pytest.approx(0.8 * 90 + 0.2 * 60)          # 84
    # var = 0.8² (92/104)(12/104)/104 + 0.2² (62/104)(42/104)/104 = 0.00072073
    assert adjusted.se == pytest.approx(100 * 0.00072073 ** 0.5, rel=1e-3)
    raw = raw_benchmark(figures({4: 70, 3: 80, 2: 19, 1: 40}))
    assert raw.pct == pytest.approx(100 * 150 / 209)


def test_adjustment_is_impossible_when_the_sector_lacks_a_level_the_centre_has():
    assert adjusted_benchmark({"bubao": 3}, {"bao": figures({4: 5})}).pct is None


@pytest.mark.parametrize(("counts", "expected"), [
    # 10/10 agree: se = sqrt(10⁴ (12/14)(2/14)/14 + 2.6846²) = 9.73; 16 < 1.96 * 9.73
    ({4: 10}, NO_CLEAR_DIFFERENCE),
    # 40/40 agree: se = sqrt(9.8615 + 7.2071) = 4.131; 16 > 1.96 * 4.131 = 8.10
    ({4: 40}, ABOVE),
    # 20/40 agree: 50 - 84 = -34, se = sqrt(10⁴ (22/44)(22/44)/44 + 7.2071) = 7.99
    ({3: 20, 2: 20}, BELOW),
    ({0: 5}, None),
])
def test_a_difference_is_called_only_when_it_is_clear(counts, expected):
    benchmark = Benchmark(84.0, 2.6846)
    assert compare(figures(counts), benchmark) == expected


def test_no_benchmark_no_verdict():
    assert compare(figures({4: 10}), Benchmark(None, None)) is None


@pytest.mark.parametrize(("counts", "p", "expected"), [
    # 1, 2, 3, 4, 5, 10 (n 6): h = 5p + 1
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 10: 1}, 0.5, 3.5),    # h 3.5: 3 + 0.5 * 1
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 10: 1}, 0.25, 2.25),  # h 2.25: 2 + 0.25 * 1
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 10: 1}, 0.75, 4.75),  # h 4.75: 4 + 0.75 * 1
    # 0, 2, 2, 5, 10 (n 5): h = 4p + 1, whole ranks
    ({0: 1, 2: 2, 5: 1, 10: 1}, 0.5, 2), ({0: 1, 2: 2, 5: 1, 10: 1}, 0.75, 5),
    # 7, 7, 9, 9 (n 4): median h 2.5: 7 + 0.5 * 2 = 8; Q3 h 3.25: 9
    ({7: 2, 9: 2}, 0.5, 8), ({7: 2, 9: 2}, 0.75, 9), ({7: 2, 9: 2, 8: 0}, 0.25, 7),
    ({4: 1}, 0.25, 4), ({}, 0.5, None),
])
def test_quantile_type_7_from_counts(counts, p, expected):
    from reports.statistics import quantile
    assert quantile(counts, p) == (None if expected is None else pytest.approx(expected))


def test_adjusted_share_weights_the_sector_by_the_centre_mix():
    from reports.statistics import adjusted_share
    # 8 bao and 2 so: 0.8 * 90 + 0.2 * 60 = 84
    assert adjusted_share({"bao": 8, "so": 2, "buso": 0}, {"bao": 90, "so": 60,
                                                           "buso": None}) == pytest.approx(84)
    assert adjusted_share({"bao": 8, "so": 2}, {"bao": 90, "so": None}) is None
    assert adjusted_share({"bao": 0}, {}) is None
