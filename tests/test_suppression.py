"""reports.suppression: small groups hidden, and nothing hidden recoverable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.suppression import TOTAL, suppressed, suppressed_by


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


# --- Homogeneity: a small group's unanimous answer is as revealing as a small group -----

ALL_THREE = {3: 1}  # per school: "eerder akkoord"


def _scaled(per_part: dict[str, dict[int, int]]) -> tuple[int, dict[str, int]]:
    parts = {key: sum(c.values()) for key, c in per_part.items()}
    return sum(parts.values()), parts


def test_one_bubao_and_four_buso_schools_all_agreeing_are_not_derivable():
    """The case seen: bubao 1 and buso 4, all 'eerder akkoord', minimum 5. Today the two
    hidden levels together (5) may follow from total minus bao and so: 5 of 5 'eerder
    akkoord' tells the CLB every one of those schools' answers."""
    per_part = {"bao": {4: 6, 3: 8, 2: 4, 1: 2}, "so": {4: 5, 3: 6, 2: 3, 1: 1},
                "bubao": {3: 1}, "buso": {3: 4}}
    total, parts = _scaled(per_part)
    hidden = suppressed(total, parts, 5, counts=per_part)
    assert {"bubao", "buso"} <= hidden and TOTAL not in hidden
    assert hidden & {"bao", "so"}, "one more level hides so that the rest is not unanimous"
    derived = {code: sum(per_part[k].get(code, 0) for k in hidden) for code in (1, 2, 3, 4)}
    assert sum(1 for v in derived.values() if v) > 1


@pytest.mark.parametrize(("per_part", "hidden"), [
    # one level, 7 of 7 agreeing: hidden with the total it equals
    ({"so": {3: 7}}, {"so", TOTAL}),
    # 30 of 30 agreeing tells every school's answer just as well: hidden
    ({"so": {3: 30}}, {"so", TOTAL}),
    # all but one in one category is shown: nobody can tell which school differs
    ({"so": {3: 29, 2: 1}}, set()),
    # a unanimous level beside a mixed one: the mixed one goes too (else total - it)
    ({"bao": {4: 10, 2: 5}, "buso": {4: 6}}, {"buso", "bao"}),
    # two mixed levels and a unanimous one of 9: the smallest other goes too
    ({"bao": {4: 20, 1: 10}, "so": {3: 8, 2: 4}, "buso": {1: 9}}, {"buso", "so"}),
    # unanimous levels in different categories: together they are not unanimous
    ({"bao": {4: 20, 1: 10}, "bubao": {3: 6}, "buso": {1: 6}}, {"bubao", "buso"}),
    # the total itself unanimous and small: nothing shown at all
    ({"bao": {4: 5}, "so": {4: 3}}, {"bao", "so", TOTAL}),
])
def test_unanimous_groups_are_hidden_whatever_their_size(per_part, hidden):
    total, parts = _scaled(per_part)
    assert suppressed(total, parts, 5, counts=per_part) == hidden


def test_without_counts_the_rule_is_the_small_group_rule_alone():
    assert suppressed(15, {"bao": 10, "buso": 5}, 5) == set()


codes = st.dictionaries(st.sampled_from([1, 2, 3, 4]), st.integers(min_value=0, max_value=12),
                        max_size=4)
level_counts = st.dictionaries(st.sampled_from(["bao", "so", "bubao", "buso"]),
                               st.one_of(codes, st.builds(lambda code, n: {code: n},
                                                          st.sampled_from([1, 2, 3, 4]),
                                                          st.integers(0, 12))),
                               min_size=1)


def _revealing(counts: dict[int, int], minimum: int) -> bool:
    """Every answer in one category (written out again)."""
    return sum(1 for v in counts.values() if v > 0) == 1


@given(per_part=level_counts, minimum=st.integers(min_value=1, max_value=8))
def test_no_unanimous_group_is_shown_or_derivable(per_part, minimum):
    total, parts = _scaled(per_part)
    hidden = suppressed(total, parts, minimum, counts=per_part)
    for key in parts:
        if key not in hidden:
            assert parts[key] == 0 or parts[key] >= minimum
            assert not _revealing(per_part[key], minimum), "a shown group is not unanimous"
    combined_total = {c: sum(p.get(c, 0) for p in per_part.values()) for c in (1, 2, 3, 4)}
    if TOTAL in hidden:
        assert all(parts[k] == 0 or k in hidden for k in parts)
        return
    assert total >= minimum and not _revealing(combined_total, minimum)
    secret = [k for k in hidden if parts[k] > 0]
    derived = {c: sum(per_part[k].get(c, 0) for k in secret) for c in (1, 2, 3, 4)}
    assert not secret or (len(secret) >= 2 and sum(derived.values()) >= minimum
                          and not _revealing(derived, minimum)), \
        "total minus the shown parts is neither small nor unanimous"


def test_suppressed_by_a_rule_of_several_sizes():
    """Groups of (CLBs, responses), small when fewer than 3 CLBs or 5 responses: C (one
    CLB) is hidden, and B, the smallest shown, with it (total minus A and B would be C);
    B and C together are 4 CLBs and 28 responses. An empty group has nothing to hide."""
    groups = {"A": (3, 30), "B": (3, 20), "C": (1, 8), "D": (0, 0)}

    def small(keys):
        return (sum(groups[k][0] for k in keys) < 3
                or sum(groups[k][1] for k in keys) < 5)

    exposed = {k: groups[k][0] > 0 for k in groups}
    assert suppressed_by(groups, small, lambda k: groups[k][1], exposed) == {"B", "C"}
    # two groups of two CLBs: each small, together 4 CLBs: both hidden, the total shown
    pair = {"A": (2, 10), "B": (2, 10)}
    assert suppressed_by(pair, lambda ks: sum(pair[k][0] for k in ks) < 3,
                         lambda k: pair[k][1]) == {"A", "B"}
    # one group of two CLBs in all: the total is small too
    one = {"A": (2, 10)}
    assert suppressed_by(one, lambda ks: sum(one[k][0] for k in ks) < 3,
                         lambda k: one[k][1]) == {"A", TOTAL}
