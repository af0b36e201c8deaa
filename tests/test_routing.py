"""instrument/routing.py on its own (no app, no database): which items are shown for given
answers, what a submit hides, what is still open, and the rules the page script gets."""

from __future__ import annotations

import pytest

from instrument import routing
from instrument.loader import loads
from survey.questionnaire import bundled

# A small questionnaire: a yesno steering an item, an item steering another (a chain), a
# multi steering a section, and a required number. Slots (README's rule: the number, else
# from 1001 in file order, a multi one per option): vraag 1, hoe 1001, hoe-goed 1002,
# diensten 1003-1005, aantal 1006, arts-vlot 1007.
SOURCE = """
format = 2
id = "routing-test"
version = "1"
title = "Routing"

[scale]
agree = [3, 4]
options = [{ code = 4, label = "Helemaal akkoord" }, { code = 3, label = "Akkoord" },
           { code = 2, label = "Niet akkoord" }, { code = 1, label = "Helemaal niet" }]

[[sections]]
key = "een"
title = "Een"

[[sections.items]]
type = "yesno"
key = "vraag"
number = 1
text = "Een vraag gesteld?"
label = "Vraag"
required = true

[[sections.items]]
type = "single"
key = "hoe"
text = "Hoe?"
label = "Hoe"
choices = [{ code = 1, label = "Mail" }, { code = 2, label = "Telefoon" }]
other = true
show_if = { item = "vraag", codes = [1] }

[[sections.items]]
type = "likert"
key = "hoe-goed"
text = "Het ging goed via de telefoon."
label = "Telefoon goed"
show_if = { item = "hoe", codes = [2] }

[[sections.items]]
type = "multi"
key = "diensten"
text = "Welke diensten?"
label = "Diensten"
choices = [{ code = 1, label = "Arts" }, { code = 2, label = "Psycholoog" },
           { code = 3, label = "Onthaal" }]
max_choices = 2

[[sections.items]]
type = "number"
key = "aantal"
text = "Hoeveel keer?"
label = "Aantal"
min = 0
max = 9
required = true

[[sections.items]]
type = "text"
key = "waarom"
label = "Waarom niet?"
show_if = { item = "vraag", codes = [2] }

[[sections]]
key = "arts"
title = "Arts"
show_if = { item = "diensten", codes = [1] }

[[sections.items]]
type = "likert"
key = "arts-vlot"
text = "De arts werkt vlot."
label = "Arts vlot"
required = true

[[sections.items]]
type = "text"
key = "arts-opmerking"
label = "Opmerking over de arts"
"""
VRAAG, HOE, HOE_GOED, ARTS, PSYCHOLOOG, ONTHAAL, AANTAL, ARTS_VLOT = (
    1, 1001, 1002, 1003, 1004, 1005, 1006, 1007)
ALWAYS = {"vraag", "diensten", "aantal"}


@pytest.fixture(scope="module")
def q():
    return loads(SOURCE.encode(), "routing.toml")


def test_the_slots_are_the_ones_this_test_assumes(q):
    assert {i.key: i.slots for i in q.items} == {
        "vraag": (1,), "hoe": (1001,), "hoe-goed": (1002,), "diensten": (1003, 1004, 1005),
        "aantal": (1006,), "waarom": (), "arts-vlot": (1007,), "arts-opmerking": ()}


@pytest.mark.parametrize(("answers", "shown"), [
    ({}, ALWAYS),
    ({VRAAG: 1}, ALWAYS | {"hoe"}),
    ({VRAAG: 2}, ALWAYS | {"waarom"}),
    ({VRAAG: 1, HOE: 2}, ALWAYS | {"hoe", "hoe-goed"}),
    ({VRAAG: 1, HOE: 1}, ALWAYS | {"hoe"}),
    # a chain: hoe is hidden, so what depends on it is hidden too, whatever hoe holds
    ({VRAAG: 2, HOE: 2}, ALWAYS | {"waarom"}),
    ({HOE: 2}, ALWAYS),
    # a multi option steers a section: ticked (1) shows it, not ticked (0) does not
    ({ARTS: 1, PSYCHOLOOG: 0, ONTHAAL: 0}, ALWAYS | {"arts-vlot", "arts-opmerking"}),
    ({ARTS: 0, PSYCHOLOOG: 1, ONTHAAL: 0}, ALWAYS),
])
def test_shown(q, answers, shown):
    assert routing.shown(q, answers) == shown


def test_without_routing_everything_is_shown():
    school = bundled("clb-samenwerking-school")
    assert routing.shown(school, {}) == {i.key for i in school.items}
    assert routing.hidden_storage(school, {4: 1}) == ([], [])
    assert routing.client_rules(school) == []


def test_hidden_storage_gives_the_slots_and_remarks_of_what_is_hidden(q):
    slots, keys = routing.hidden_storage(q, {VRAAG: 2, HOE: 2, ARTS: 0})
    # hoe (with its other text) and hoe-goed are hidden by vraag = nee; the arts
    # section by no arts ticked
    assert sorted(slots) == [HOE, HOE_GOED, ARTS_VLOT]
    assert sorted(keys) == ["arts-opmerking", "hoe-anders"]


def test_missing_lists_required_and_optional_among_the_shown(q):
    open_now = routing.missing(q, {}, {})
    assert [i.key for i in open_now.required] == ["vraag", "aantal"]
    assert [i.key for i in open_now.optional] == ["diensten"]      # texts are not listed
    assert open_now.problems == () and open_now.blocks_submit

    # the arts section shows: its required statement is open; vraag = ja shows hoe
    shown_more = routing.missing(q, {VRAAG: 1, ARTS: 1, PSYCHOLOOG: 0, ONTHAAL: 0}, {})
    assert [i.key for i in shown_more.required] == ["aantal", "arts-vlot"]
    assert [i.key for i in shown_more.optional] == ["hoe"]


def test_a_hidden_required_question_does_not_block(q):
    answers = {VRAAG: 2, AANTAL: 0, ARTS: 0, PSYCHOLOOG: 1, ONTHAAL: 0}
    result = routing.missing(q, answers, {})
    assert result.required == () and result.optional == () and not result.blocks_submit


def test_a_number_zero_is_an_answer(q):
    assert "aantal" not in [i.key for i in routing.missing(q, {AANTAL: 0}, {}).required]


def test_too_many_choices_is_a_problem_that_blocks(q):
    answers = {VRAAG: 2, AANTAL: 3, ARTS: 1, PSYCHOLOOG: 1, ONTHAAL: 1, ARTS_VLOT: 4}
    result = routing.missing(q, answers, {})
    assert result.required == ()
    assert result.problems == ("Vraag 'Diensten': kies hoogstens 2 antwoorden.",)
    assert result.blocks_submit


def test_client_rules_mirror_every_show_if(q):
    assert routing.client_rules(q) == [
        {"target": "vraag-hoe", "field": "q_vraag", "values": ["1"], "after": "vraag"},
        {"target": "vraag-hoe-goed", "field": "q_hoe", "values": ["2"], "after": "hoe"},
        {"target": "vraag-waarom", "field": "q_vraag", "values": ["2"], "after": "vraag"},
        {"target": "deel-arts", "field": "q_diensten", "values": ["1"], "after": "diensten"},
    ]


def test_the_example_questionnaire_routes_on_verzoek_and_the_arts():
    example = bundled("voorbeeld-alle-vraagtypes")
    base = {"medewerkers", "hoofdthema", "overleg", "bereikbaar", "verzoek"}
    assert routing.shown(example, {}) == base
    assert routing.shown(example, {11: 1}) == base | {"kanaal", "snel-antwoord",
                                                      "tevredenheid-cijfer"}
    assert routing.shown(example, {11: 2, 1003: 1}) == base | {
        "waarom-geen-vraag", "arts-afspraken", "opmerking"}
