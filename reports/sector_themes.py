"""The themes of the remarks in the sector report: per theme the approved remarks tagged
with it, per level and in all, and their share of all approved remarks of that group,
with the small counts hidden. The counts come from services/themes.theme_counts (per CLB
and level); no CLB is ever named here either."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from instrument.domain import LEVEL_CODES

from .suppression import TOTAL, suppressed

LEVELS = LEVEL_CODES
GROUPS = (TOTAL, *LEVELS)


@dataclass(frozen=True)
class Theme:
    """One theme of the remarks: per (CLB number, level) the approved remarks tagged
    with it."""

    name: str
    counts: Mapping[tuple[str, str], int]


@dataclass(frozen=True)
class Themes:
    themes: Sequence[Theme]
    base: Mapping[tuple[str, str], int]   # approved remarks per (CLB number, level)


@dataclass(frozen=True)
class ThemeRow:
    name: str
    counts: Mapping[str, int | None]      # per group; None: hidden (too few)
    shares: Mapping[str, float | None]    # % of the remarks of that group


def theme_rows(themes: Themes, minimum: int) -> tuple[list[ThemeRow],
                                                      dict[str, int | None]]:
    """Per theme its remarks per level and in all, and their share of the remarks of
    that group; and the base (all approved remarks per group). A count below the minimum
    is hidden, and a shown total never lets a hidden level follow from total minus the
    shown ones (suppression.suppressed, the size rule: a count is no distribution)."""
    base = _per_level(themes.base)
    base_hidden = _hide(base, minimum)
    base_shown = {g: None if g in base_hidden else base[g] for g in GROUPS}
    rows = []
    for theme in themes.themes:
        counts = _per_level(theme.counts)
        hidden = _hide(counts, minimum)
        shown = {g: None if g in hidden else counts[g] for g in GROUPS}
        shares = {g: (100 * shown[g] / base_shown[g]
                      if shown[g] is not None and base_shown[g] else None) for g in GROUPS}
        rows.append(ThemeRow(theme.name, shown, shares))
    return rows, base_shown


def _per_level(counts: Mapping[tuple[str, str], int]) -> dict[str, int]:
    out = dict.fromkeys(GROUPS, 0)
    for (_centre, level), n in counts.items():
        if level in out:
            out[level] += n
            out[TOTAL] += n
    return out


def _hide(counts: Mapping[str, int], minimum: int) -> set[str]:
    """The groups to hide. Nothing when there is no remark at all (a 0 hides nothing);
    every group when the total is hidden: each level is then below the minimum too, and a
    "0" beside a hidden total would say where the few remarks are (and read as if the
    total were 0)."""
    if not counts[TOTAL]:
        return set()
    hidden = suppressed(counts[TOTAL], {lv: counts[lv] for lv in LEVELS}, minimum)
    return set(GROUPS) if TOTAL in hidden else hidden
