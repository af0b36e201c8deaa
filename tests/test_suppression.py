"""reports.suppression: small groups hidden, and nothing hidden recoverable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.suppression import TOTAL, suppressed


@pytest.mark.parametrize(("parts", "hidden"), [
    ({"bao": 6, "so": 6}, set()),
    # so is too small; shown beside the total it would follow from 13 - 10: bao goes too
    ({"bao": 10, "so": 3, "bubao": 0, "buso": 0}, {"so", "bao"}),
    ({"bao": 10, "so": 8, "buso": 2}, {"buso", "so"}),
    # two small ones together are still small (1 + 1 < 5): the next smallest joins them
    ({"bao": 12, "bubao": 1, "buso": 1}, {"bubao", "buso", "bao"}),
    ({"bao": 20, "so": 9, "bubao": 3, "buso": 4}, {"bubao", "buso"}),  # 3 + 4 = 7 >= 5
    ({"bao": 3, "so": 1}, {"bao", "so", TOTAL}),
])
def test_suppression_cases(parts, hidden):
    assert suppressed(sum(parts.values()), parts, 5) == hidden


levels = st.dictionaries(st.sampled_from(["bao", "so", "bubao", "buso"]),
                         st.integers(min_value=0, max_value=40), min_size=1)


@given(parts=levels, minimum=st.integers(min_value=1, max_value=10))
def test_no_hidden_group_can_be_derived_from_what_is_shown(parts, minimum):
    total = sum(parts.values())
    hidden = suppressed(total, parts, minimum)
    for key, n in parts.items():
        if key not in hidden:
            assert n == 0 or n >= minimum, "a shown group is never small"
    if TOTAL in hidden:
        assert total < minimum or all(parts[k] == 0 or k in hidden for k in parts)
        return
    assert total >= minimum
    secret = [k for k in hidden if parts[k] > 0]
    # total minus the shown parts gives only the sum of the hidden ones: that sum must
    # cover at least two groups and be no smaller than a group that may be shown
    assert not secret or (len(secret) >= 2 and sum(parts[k] for k in secret) >= minimum)
