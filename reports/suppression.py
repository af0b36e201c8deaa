"""Which groups a sheet may show. A group with fewer respondents than the round's minimum
is never shown, and no hidden group may be recoverable from what is shown: when a total
is shown, the groups hidden beside it together may only be as revealing as a group that
could itself be shown (complementary suppression)."""

from __future__ import annotations

from collections.abc import Mapping

TOTAL = "totaal"


def suppressed(total_n: int, parts: Mapping[str, int], minimum: int) -> set[str]:
    """The keys to hide among a total (key TOTAL) and its parts (e.g. levels), given the
    respondents n of each. Parts with n == 0 have nothing to hide.

    Rules: a part or total with n < minimum is hidden (primary). While the total is shown,
    the hidden parts' combined counts follow from total minus the shown parts, so that
    combination must be empty or have at least `minimum` respondents over at least two
    parts; otherwise the smallest shown part is hidden too, and when none is left, the
    total is hidden."""
    hidden = {key for key, n in parts.items() if 0 < n < minimum}
    if total_n < minimum:
        return hidden | {TOTAL}
    while True:
        secret = [k for k in hidden if parts[k] > 0]
        combined = sum(parts[k] for k in secret)
        if not secret or (len(secret) >= 2 and combined >= minimum):
            return hidden
        shown = sorted((n, k) for k, n in parts.items() if n > 0 and k not in hidden)
        if not shown:
            return hidden | {TOTAL}
        hidden.add(shown[0][1])
