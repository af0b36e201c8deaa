"""Which groups a sheet may show. A group with fewer respondents than the round's minimum
is never shown, and no hidden group may be recoverable from what is shown: when a total
is shown, the groups hidden beside it together may only be as revealing as a group that
could itself be shown (complementary suppression)."""

from __future__ import annotations

from collections.abc import Mapping

TOTAL = "totaal"


def suppressed(total_n: int, parts: Mapping[str, int], minimum: int,
               exposed: Mapping[str, bool] | None = None) -> set[str]:
    """The keys to hide among a total (key TOTAL) and its parts (e.g. levels), given the
    respondents n of each (answers on the scale). `exposed` says which parts have any
    answer at all, "geen zicht" included; by default those with n > 0. A part without any
    answer has nothing to hide.

    Rules: a part or total with n < minimum is hidden (primary). While the total is shown,
    the hidden parts' combined counts follow from total minus the shown parts, so that
    combination must be empty or have at least `minimum` respondents over at least two
    parts; otherwise the smallest shown part is hidden too, and when none is left, the
    total is hidden."""
    exposed = exposed or {key: n > 0 for key, n in parts.items()}
    hidden = {key for key, n in parts.items() if exposed.get(key) and n < minimum}
    if total_n < minimum:
        return hidden | {TOTAL}
    while True:
        secret = [k for k in hidden if exposed.get(k)]
        combined = sum(parts[k] for k in secret)
        if not secret or (len(secret) >= 2 and combined >= minimum):
            return hidden
        shown = sorted((n, k) for k, n in parts.items() if exposed.get(k) and k not in hidden)
        if not shown:
            return hidden | {TOTAL}
        hidden.add(shown[0][1])
