"""Which groups a sheet may show. A group with fewer respondents than the round's minimum
is never shown, nor a group whose answers all fall in one category, however large (its
percentages would tell every school's answer: the form promises schools that a CLB never
sees one school's answers), and no hidden group may be recoverable
from what is shown: when a total is shown, the groups hidden beside it together may only
be as revealing as a group that could itself be shown (complementary suppression).
docs/statistics.md gives the rule, its reason and the demo's figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

TOTAL = "totaal"

# Answer code on the scale -> count, for one group ("geen zicht" left out).
Counts = Mapping[int, int]


def unanimous(counts: Counts, minimum: int) -> bool:
    """Whether a group's answers on the scale all fall in one category: then the
    distribution, its percentages and its mean all say how each of those schools answered,
    whatever their number. `minimum` is not used: a size limit (say twice the minimum)
    would break the promise for a larger group, and in the demo it hid as many cells
    (docs/statistics.md has the figures, and why "all but one" is not hidden)."""
    del minimum
    n = sum(counts.values())
    return n > 0 and max(counts.values()) == n


def combined(counts: Mapping[str, Counts], keys: Iterable[str]) -> dict[int, int]:
    """The counts of several groups together, as a difference of shown figures gives them."""
    out: dict[int, int] = defaultdict(int)
    for key in keys:
        for code, n in counts.get(key, {}).items():
            out[code] += n
    return dict(out)


def suppressed(total_n: int, parts: Mapping[str, int], minimum: int,
               exposed: Mapping[str, bool] | None = None,
               counts: Mapping[str, Counts] | None = None,
               revealing: Callable[[Counts, int], bool] = unanimous) -> set[str]:
    """The keys to hide among a total (key TOTAL) and its parts (e.g. levels), given the
    respondents n of each (answers on the scale). `exposed` says which parts have any
    answer at all, "geen zicht" included; by default those with n > 0. A part without any
    answer has nothing to hide. `counts` gives each part's answers per code on the scale;
    with it, a group whose counts are `revealing` (by default: unanimous) is hidden like a
    small one. Without it only the size rule applies.

    Rules: a part or total with n < minimum, or revealing counts, is hidden (primary).
    While the total is shown, the hidden parts' combined counts follow from total minus the
    shown parts, so that combination must be empty, or have at least `minimum` respondents
    over at least two parts and counts that are not revealing; otherwise the smallest shown
    part is hidden too, and when none is left, the total is hidden."""
    exposed = exposed or {key: n > 0 for key, n in parts.items()}
    counts = counts or {}

    def telling(keys: Iterable[str]) -> bool:
        together = combined(counts, keys)
        return bool(together) and revealing(together, minimum)

    hidden = {key for key, n in parts.items()
              if exposed.get(key) and (n < minimum or telling([key]))}
    if total_n < minimum or telling(parts):
        # a revealing total has revealing parts only (each is a piece of one category)
        return hidden | {TOTAL}
    while True:
        secret = [k for k in hidden if exposed.get(k)]
        together = sum(parts[k] for k in secret)
        if not secret or (len(secret) >= 2 and together >= minimum and not telling(secret)):
            return hidden
        shown = sorted((n, k) for k, n in parts.items() if exposed.get(k) and k not in hidden)
        if not shown:
            return hidden | {TOTAL}
        hidden.add(shown[0][1])


def suppressed_by(parts: Mapping[str, object], small: Callable[[list[str]], bool],
                  size: Callable[[str], object],
                  exposed: Mapping[str, bool] | None = None) -> set[str]:
    """The rule of `suppressed` for groups whose smallness is not one count: the keys to
    hide among a total (TOTAL) and its `parts`, where `small(keys)` says whether those
    parts together (a list of one for a part itself, every part for the total) may not be
    shown, and `size(key)` orders the shown parts, smallest first, for hiding next. Used
    for the response of networks and levels (too few CLBs or too few responses). A part
    that is not `exposed` (by default: every part) has nothing to hide."""
    exposed = exposed or dict.fromkeys(parts, True)
    every = [key for key in parts if exposed.get(key)]
    if not every:
        return set()
    hidden = {key for key in every if small([key])}
    if small(every):
        return hidden | {TOTAL}
    while True:
        secret = sorted(k for k in hidden if exposed.get(k))
        if not secret or (len(secret) >= 2 and not small(secret)):
            return hidden
        shown = sorted((size(k), k) for k in parts if exposed.get(k) and k not in hidden)
        if not shown:
            return hidden | {TOTAL}
        hidden.add(shown[0][1])
