"""Keyword rules (services/suggestions.py): what a rule matches, what it refuses, and
precision and recall against inspectors' tags, computed by hand."""

from __future__ import annotations

import pytest

from survey.services.suggestions import (
    Agreement,
    RuleError,
    compile_rules,
    fold,
    quality,
    suggest,
)


@pytest.mark.parametrize(("text", "folded"), [
    ("Discontinuïteit, CLB-medewerkers!", "discontinuiteit clb medewerkers"),
    ("  Één   café\n\tßtraße ", "een cafe sstrasse"),
    ("___", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(("rules", "text", "matches"), [
    ("wachttijd", "De wachttijd is lang.", True),
    ("wachttijd", "De wachttijden zijn lang.", False),         # a word is the whole word
    ("wacht*", "De wachttijden zijn lang.", True),
    ("wacht*", "We verwachten veel.", False),                   # a prefix, not anywhere
    ("*wissel*", "Door personeelswissels ...", True),
    ("*wissels", "Door personeelswissels ...", True),
    ("kort op de bal", "Ze spelen kort op de bal.", True),
    ("kort op de bal", "Ze spelen op de bal kort.", False),      # a phrase keeps its order
    ("CLB-medewerker*", "Onze clb medewerkers", True),          # hyphens separate words
    ("discontinuïteit", "DISCONTINUITEIT van personeel", True),
    ("Één", "een", True),
    ("wacht*\n-niet wachten", "We moeten niet wachten.", False),  # an exclusion wins
    ("wacht*\n-niet wachten", "We wachten.", True),
    ("# commentaar\n\nwacht*", "wachten", True),
    ("", "wachten", False),
    ("-wachten", "iets anders", False),                          # only exclusions: nothing
    ("hangt * af", "het hangt sterk af van", True),              # a lone * is one word
    ("a.b", "a b", True),
])
def test_what_a_rule_matches(rules, text, matches):
    assert compile_rules(rules).matches(fold(text)) is matches


@pytest.mark.parametrize(("rules", "message"), [
    ("goed\n!!!", "Regel 2 bevat geen woord."),
    ("goed\n\n# uitleg\n*", "Regel 4 bevat geen woord."),
    ("-", "Regel 1 bevat geen woord."),
    ("\n".join(f"woord{n}" for n in range(201)), "Hoogstens 200 regels per thema."),
])
def test_an_unreadable_rule_names_its_line(rules, message):
    with pytest.raises(RuleError) as caught:
        compile_rules(rules)
    assert str(caught.value) == message


def test_a_rule_with_regex_characters_is_text():
    assert compile_rules("(a|b)+").find.pattern.count("|") == 0
    assert not compile_rules("(a|b)+").matches(fold("aaa"))


def test_suggest_names_the_matching_themes_in_codebook_order():
    rules = {3: compile_rules("wacht*"), 1: compile_rules("*wissel*"),
             2: compile_rules("persoon")}
    assert suggest(rules, "Personeelswissels en wachttijden") == (3, 1)
    assert suggest(rules, "Niets hiervan") == ()


def test_precision_and_recall_by_hand():
    rules = {1: compile_rules("wacht*"), 2: compile_rules("*wissel*")}
    tagged = [
        ("We wachten lang", frozenset({1})),            # 1 proposed, tagged: TP for 1
        ("Wissels en wachten", frozenset({2})),         # 1 proposed, not tagged: FP for 1
                                                        # 2 proposed, tagged: TP for 2
        ("Niets", frozenset({1, 2})),                   # tagged, not proposed: FN, FN
    ]
    result = quality(rules, tagged)
    assert result.remarks == 3
    assert result.per_theme == {1: Agreement(1, 1, 1), 2: Agreement(1, 0, 1)}
    assert result.overall == Agreement(2, 1, 2)
    assert (result.overall.precision, result.overall.recall) == (2 / 3, 2 / 4)
    assert (result.per_theme[2].precision, result.per_theme[2].recall) == (1.0, 0.5)


def test_no_proposals_or_no_tags_have_no_share():
    assert (Agreement().precision, Agreement().recall) == (None, None)
    assert quality({}, []).overall == Agreement(0, 0, 0)
