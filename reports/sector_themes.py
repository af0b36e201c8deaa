"""The themes of the remarks in the sector report: per theme the approved remarks tagged
with it, per level and in all, and their share of all approved remarks of that group,
with the small counts hidden. The counts come from services/themes.theme_counts (per CLB
and level); no CLB is named in the report. per_centre() gives the same counts per CLB and
level for the sector workbook (inspectors only), hidden as a CLB's sheet hides them."""

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


# --- Per CLB (the sector workbook, for inspectors) ----------------------------------------


@dataclass(frozen=True)
class CentreThemes:
    """One CLB at one level (or TOTAL): its respondents, and when shown its approved
    remarks and the count per theme (in the codebook's order); None when hidden."""

    number: str
    name: str
    level: str
    respondents: int
    remarks: int | None
    counts: tuple[int, ...] | None


def per_centre(themes: Themes, centres: Sequence[tuple[str, str, Mapping[str, int]]],
               minimum: int) -> list[CentreThemes]:
    """Per CLB (number, name, respondents per level), in the order given: a row per level
    with respondents, then its total. A group is shown as the CLB's sheet shows its
    remarks' themes: with at least `minimum` respondents; and, while the total is shown,
    the hidden levels together must be none, or at least two with `minimum` respondents
    (suppression.suppressed), or total minus the shown levels gives them."""
    out = []
    for number, name, responded in centres:
        levels = [lv for lv in LEVELS if responded.get(lv)]
        total = sum(responded.get(lv, 0) for lv in LEVELS)
        hidden = suppressed(total, {lv: responded.get(lv, 0) for lv in levels}, minimum)
        for group in (*levels, TOTAL):
            keys = [(number, lv) for lv in (LEVELS if group == TOTAL else (group,))]
            n = total if group == TOTAL else responded.get(group, 0)
            if group in hidden:
                out.append(CentreThemes(number, name, group, n, None, None))
            else:
                out.append(CentreThemes(number, name, group, n, _count(themes.base, keys),
                                        tuple(_count(t.counts, keys) for t in themes.themes)))
    return out


def _count(counts: Mapping[tuple[str, str], int], keys: Sequence[tuple[str, str]]) -> int:
    return sum(counts.get(key, 0) for key in keys)
