"""instrument/types on their own (no app, no database), one table per type: the faults
parse() reports, what collect() makes of a posted form, what check() refuses, the answer
in words (display), the page's basis token, and the analysts' variables."""

from __future__ import annotations

import copy

import pytest
from werkzeug.datastructures import MultiDict

from instrument.errors import QuestionnaireError
from instrument.loader import from_dict
from instrument.types.base import text_token, whole_number

SCALE = {"agree": [3, 4], "options": [
    {"code": 4, "label": "Helemaal akkoord"}, {"code": 3, "label": "Eerder akkoord"},
    {"code": 2, "label": "Eerder niet akkoord"}, {"code": 1, "label": "Helemaal niet akkoord"},
    {"code": 0, "label": "Geen zicht", "substantive": False}]}
CHOICES = [{"code": 1, "label": "Mail"}, {"code": 2, "label": "Telefoon"},
           {"code": 3, "label": "Bezoek"}]
ITEMS = {
    "likert": {"type": "likert", "key": "bereikbaar", "number": 4,
               "text": "Het CLB is bereikbaar.", "label": "Bereikbaar"},
    "single": {"type": "single", "key": "kanaal", "text": "Hoe?", "label": "Kanaal",
               "choices": CHOICES, "other": True},
    "multi": {"type": "multi", "key": "wegen", "number": 7, "text": "Welke wegen?",
              "label": "Wegen", "choices": CHOICES, "other": True, "max_choices": 2},
    "yesno": {"type": "yesno", "key": "verzoek", "number": 11, "text": "Een vraag?",
              "label": "Vraag"},
    "number": {"type": "number", "key": "overleg", "number": 3, "text": "Hoeveel keer?",
               "label": "Overleg", "min": 0, "max": 60, "unit": "keer"},
    "text": {"type": "text", "key": "opmerking", "text": "Een paar woorden.",
             "label": "Opmerking", "max_length": 10},
}


def _raw(entry: dict) -> dict:
    return {"format": 2, "id": "types", "version": "1", "title": "Types", "scale": SCALE,
            "aspects": [{"id": "a1", "name": "Aspect"}],
            "sections": [{"key": "deel", "title": "Deel", "items": [entry]}]}


def _item(kind: str, **changes):
    entry = {**copy.deepcopy(ITEMS[kind]), **changes}
    return from_dict(_raw(entry)).items[0]


def _faults(entry: dict) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        from_dict(_raw(entry))
    return caught.value.problems


def _collect(item, pairs):
    return item.kind.collect(item, MultiDict(pairs), lambda text: text)


# --- whole numbers as posted ------------------------------------------------------------

@pytest.mark.parametrize(("value", "number"), [
    ("0", 0), ("12", 12), (" 7 ", 7), ("-3", -3), ("+4", 4),
    ("", None), ("1_0", None), ("3.5", None), ("1e3", None), ("١٢", None), ("0x10", None),
    ("9" * 16, None), ("abc", None),
])
def test_whole_number(value, number):
    assert whole_number(value) == number


# --- parse: the faults of each type's own fields ---------------------------------------

@pytest.mark.parametrize(("kind", "changes", "fault"), [
    ("likert", {"scale": "bestaat-niet"}, "veld 'scale': onbekende schaal 'bestaat-niet'"),
    ("likert", {"aspects": ["a9"]}, "veld 'aspects': onbekend aspect 'a9'"),
    ("likert", {"aspects": "a1"}, "veld 'aspects' moet een lijst van aspect-id's zijn"),
    ("single", {"choices": "bestaat-niet"}, "veld 'choices': onbekende keuzelijst "
                                            "'bestaat-niet'"),
    ("single", {"choices": 5}, "veld 'choices' moet de naam van een keuzelijst of een "
                               "lijst van {code, label} zijn"),
    ("single", {"min": 1}, "onbekend veld 'min'"),
    ("multi", {"max_choices": 4}, "veld 'max_choices' is groter dan het aantal keuzes (3)"),
    ("multi", {"min_choices": 3, "max_choices": 2},
     "veld 'min_choices' is groter dan 'max_choices'"),
    ("yesno", {"choices": CHOICES}, "onbekend veld 'choices'"),
    ("number", {"min": 10, "max": 5}, "veld 'min' moet kleiner zijn dan of gelijk aan 'max'"),
    ("number", {"min": 0, "max": 100_001}, "'min' en 'max' liggen hoogstens 100000 uit "
                                           "elkaar"),
    ("number", {"min": None}, "veld 'min' ontbreekt"),
    ("text", {"max_length": 0}, "veld 'max_length' moet een geheel getal van 1 tot 20000 "
                                "zijn"),
    ("text", {"max_length": 20001}, "veld 'max_length' moet een geheel getal van 1 tot "
                                    "20000 zijn"),
    ("text", {"max_length": "veel"}, "veld 'max_length' moet een geheel getal van 1 tot "
                                     "20000 zijn"),
])
def test_parse_reports_each_fault_with_its_place(kind, changes, fault):
    entry = {**copy.deepcopy(ITEMS[kind]), **changes}
    entry = {k: v for k, v in entry.items() if v is not None}
    problems = _faults(entry)
    assert any(fault in problem and "sections[1].items[1]" in problem
               for problem in problems), problems


# --- storage: slots and remark keys ----------------------------------------------------

@pytest.mark.parametrize(("kind", "field", "slots", "remarks"), [
    ("likert", "s4", (4,), ()),
    ("single", "q_kanaal", (1001,), ("kanaal-anders",)),
    ("multi", "q_wegen", (1001, 1002, 1003), ("wegen-anders",)),
    ("yesno", "q_verzoek", (11,), ()),
    ("number", "q_overleg", (3,), ()),
    ("text", "t_opmerking", (), ("opmerking",)),
])
def test_field_slots_and_remark_keys(kind, field, slots, remarks):
    item = _item(kind)
    assert (item.field_name, item.slots, item.remark_keys) == (field, slots, remarks)


# --- collect: a posted form to stored values -------------------------------------------

@pytest.mark.parametrize(("kind", "pairs", "answers", "remarks", "problems"), [
    ("likert", [("s4", "3")], {4: 3}, {}, 0),
    ("likert", [("s4", "")], {}, {}, 0),           # nothing chosen: not touched
    ("likert", [], {}, {}, 0),
    ("likert", [("s4", "x")], {}, {}, 1),
    ("single", [("q_kanaal", "2"), ("q_kanaal__anders", "brief")], {1001: 2},
     {"kanaal-anders": "brief"}, 0),
    ("single", [("q_kanaal__anders", "")], {}, {"kanaal-anders": ""}, 0),
    ("multi", [("q_wegen", "1"), ("q_wegen", "3"), ("q_wegen__getoond", "1")],
     {1001: 1, 1002: 0, 1003: 1}, {}, 0),
    ("multi", [("q_wegen__getoond", "1")], {1001: None, 1002: None, 1003: None}, {}, 0),
    ("multi", [], {}, {}, 0),                        # not on the page: not touched
    ("multi", [("q_wegen", "1"), ("q_wegen", "1")], {1001: 1, 1002: 0, 1003: 0}, {}, 1),
    ("multi", [("q_wegen", "9")], {1001: 0, 1002: 0, 1003: 0}, {}, 1),
    ("multi", [("q_wegen", "1")] * 4, {}, {}, 1),   # more boxes than options: one message
    ("yesno", [("q_verzoek", "2")], {11: 2}, {}, 0),
    ("number", [("q_overleg", "12")], {3: 12}, {}, 0),
    ("number", [("q_overleg", "")], {3: None}, {}, 0),   # emptied: cleared
    ("number", [("q_overleg", "1_0")], {}, {}, 1),
    ("number", [("q_overleg", "3.5")], {}, {}, 1),
    ("text", [("t_opmerking", "Goed")], {}, {"opmerking": "Goed"}, 0),
    ("text", [("t_opmerking", "")], {}, {"opmerking": ""}, 0),
    ("text", [], {}, {}, 0),
])
def test_collect(kind, pairs, answers, remarks, problems):
    given, texts, faults = _collect(_item(kind), pairs)
    assert (given, texts, len(faults)) == (answers, remarks, problems)


def test_collect_messages_name_the_question():
    assert _collect(_item("multi"), [("q_wegen", "2"), ("q_wegen", "2")])[2] == [
        "Vraag 7: keuze 2 is twee keer aangeduid."]
    assert _collect(_item("multi"), [("q_wegen", "1")] * 4)[2] == [
        "Vraag 7: er werden 4 keuzes doorgestuurd, de vraag heeft er 3."]
    assert _collect(_item("number"), [("q_overleg", "veel")])[2] == [
        "Vraag 3: 'veel' is geen geheel getal."]
    assert _collect(_item("single"), [("q_kanaal", "x")])[2] == [
        "Vraag 'Kanaal': 'x' is geen antwoord."]


# --- check: a value that cannot be stored ----------------------------------------------

@pytest.mark.parametrize(("kind", "slot", "value", "problem"), [
    ("likert", 4, 0, None), ("likert", 4, 4, None),
    ("likert", 4, 5, "Stelling 4: 5 is geen antwoord op de schaal."),
    ("single", 1001, 3, None),
    ("single", 1001, 4, "Vraag 'Kanaal': 4 is geen van de antwoorden."),
    ("multi", 1001, 1, None), ("multi", 1002, 0, None),
    ("multi", 1001, 2, "Vraag 7: 2 is geen geldige keuze."),
    ("yesno", 11, 1, None), ("yesno", 11, 2, None),
    ("yesno", 11, 0, "Vraag 11: 0 is geen van de antwoorden."),
    ("number", 3, 0, None), ("number", 3, 60, None),
    ("number", 3, 61, "Vraag 3: geef een geheel getal van 0 tot en met 60."),
    ("number", 3, -1, "Vraag 3: geef een geheel getal van 0 tot en met 60."),
])
def test_check(kind, slot, value, problem):
    item = _item(kind)
    assert item.kind.check(item, slot, value) == problem


@pytest.mark.parametrize(("kind", "key", "length", "refused"), [
    ("text", "opmerking", 10, False), ("text", "opmerking", 11, True),
    ("single", "kanaal-anders", 500, False), ("single", "kanaal-anders", 501, True),
    ("multi", "wegen-anders", 501, True),
])
def test_check_text_limits(kind, key, length, refused):
    item = _item(kind)
    assert (item.kind.check_text(item, key, "x" * length) is not None) == refused


def test_a_multi_checks_its_number_of_choices_at_submit():
    item = _item("multi", min_choices=2)
    assert item.kind.check_complete(item, {1001: 1, 1002: 1, 1003: 0}) is None
    assert item.kind.check_complete(item, {1001: 1, 1002: 0, 1003: 0}) == \
        "Vraag 7: kies minstens 2 antwoorden."
    assert item.kind.check_complete(item, {1001: 1, 1002: 1, 1003: 1}) == \
        "Vraag 7: kies hoogstens 2 antwoorden."
    assert item.kind.check_complete(item, {}) is None      # unanswered: required's business


# --- answered, display, token ------------------------------------------------------------

@pytest.mark.parametrize(("kind", "answers", "remarks", "answered", "words"), [
    ("likert", {4: 3}, {}, True, "Eerder akkoord"),
    ("likert", {4: 0}, {}, True, "Geen zicht"),
    ("likert", {}, {}, False, None),
    ("single", {1001: 2}, {}, True, "Telefoon"),
    ("single", {1001: 2}, {"kanaal-anders": "brief"}, True, "Telefoon: brief"),
    ("multi", {1001: 1, 1002: 0, 1003: 1}, {}, True, "Mail; Bezoek"),
    ("multi", {1001: 1, 1002: 0, 1003: 0}, {"wegen-anders": "fax"}, True,
     "Mail (anders: fax)"),
    ("multi", {1001: 0, 1002: 0, 1003: 0}, {}, False, None),
    ("yesno", {11: 1}, {}, True, "Ja"),
    ("yesno", {11: 2}, {}, True, "Nee"),
    ("number", {3: 0}, {}, True, "0 keer"),
    ("number", {3: 12}, {}, True, "12 keer"),
    ("number", {}, {}, False, None),
    ("text", {}, {"opmerking": "Goed"}, True, "Goed"),
    ("text", {}, {"opmerking": ""}, False, None),
])
def test_answered_and_display(kind, answers, remarks, answered, words):
    item = _item(kind)
    assert item.kind.answered(item, answers, remarks) is answered
    assert item.kind.display(item, answers, remarks) == words


@pytest.mark.parametrize(("kind", "answers", "remarks", "token"), [
    ("likert", {4: 3}, {}, "3"),
    ("likert", {}, {}, ""),
    ("single", {1001: 2}, {"kanaal-anders": "brief"}, "2|" + text_token("brief")),
    ("single", {}, {}, "|"),
    ("multi", {1001: 1, 1002: 0, 1003: 1}, {}, "1|0|1|"),
    ("yesno", {11: 1}, {}, "1"),
    ("number", {3: 12}, {}, "12"),
    ("text", {}, {"opmerking": "Goed"}, text_token("Goed")),
    ("text", {}, {}, ""),
])
def test_token(kind, answers, remarks, token):
    item = _item(kind)
    assert item.kind.token(item, answers, remarks) == token


def test_a_text_token_is_a_short_hash_and_empty_for_no_text():
    assert text_token("") == ""
    token = text_token("Goed")
    assert token.startswith("#") and len(token) == 17 and token != text_token("goed")


# --- the analysts' variables -------------------------------------------------------------

@pytest.mark.parametrize(("kind", "variables"), [
    ("likert", [("bereikbaar", "numeric", "ordinal", (0,))]),
    ("single", [("kanaal", "numeric", "nominal", ()),
                ("kanaal_anders", "string", "nominal", ())]),
    ("multi", [("wegen_1", "numeric", "nominal", ()), ("wegen_2", "numeric", "nominal", ()),
               ("wegen_3", "numeric", "nominal", ()),
               ("wegen_anders", "string", "nominal", ())]),
    ("yesno", [("verzoek", "numeric", "nominal", ())]),
    ("number", [("overleg", "numeric", "scale", ())]),
    ("text", [("opmerking", "string", "nominal", ())]),
])
def test_variables(kind, variables):
    item = _item(kind)
    found = item.kind.variables(item)
    assert [(v.name, v.kind, v.measure, v.missing) for v in found] == variables
    assert all(v.question_type == kind and v.question_key == item.key for v in found)


def test_variable_value_labels():
    likert, multi, yesno = _item("likert"), _item("multi"), _item("yesno")
    assert likert.kind.variables(likert)[0].value_labels == {
        4: "Helemaal akkoord", 3: "Eerder akkoord", 2: "Eerder niet akkoord",
        1: "Helemaal niet akkoord", 0: "Geen zicht"}
    assert multi.kind.variables(multi)[0].value_labels == {1: "gekozen", 0: "niet gekozen"}
    assert multi.kind.variables(multi)[2].label == "7. Welke wegen?: Bezoek"
    assert yesno.kind.variables(yesno)[0].value_labels == {1: "Ja", 2: "Nee"}


@pytest.mark.parametrize(("kind", "answers", "remarks", "values"), [
    ("likert", {4: 2}, {}, [2]),
    ("single", {1001: 1}, {}, [1, None]),
    ("multi", {1001: 1, 1002: 0, 1003: 1}, {"wegen-anders": "fax"}, [1, 0, 1, "fax"]),
    ("number", {}, {}, [None]),
    ("text", {}, {"opmerking": ""}, [None]),
])
def test_values(kind, answers, remarks, values):
    item = _item(kind)
    assert item.kind.values(item, answers, remarks) == values


# --- the round trip of each type's fields ------------------------------------------------

@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_every_type_reads_back_from_its_snapshot(kind):
    q = from_dict(_raw(copy.deepcopy(ITEMS[kind])))
    again = from_dict(q.to_dict(storage=True))
    assert again.items[0] == q.items[0]


def test_form_values_post_back_to_the_same_stored_answers():
    """form_values() is collect()'s inverse for every type: what the benchmarks' and the
    tests' simulated browsers post is read back as exactly what was simulated."""
    import random

    from werkzeug.datastructures import MultiDict

    from instrument.loader import load
    from survey.demo import simulate
    from survey.questionnaire import bundled_dir
    from survey.respond.forms import collect

    q = load(bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml")
    rng = random.Random(11)
    seen = set()
    for _ in range(200):
        answers, remarks = simulate(rng, q, "bao", rng.gauss(0, 0.5))
        posted = [field for item in q.items for field in item.kind.form_values(
            item, answers, remarks)]
        got_answers, got_remarks = collect(q, MultiDict(posted))
        assert {k: v for k, v in got_answers.items() if v is not None} == answers
        assert got_remarks == remarks
        seen |= {q.by_slot[slot].type for slot in answers} | {
            q.by_remark[key].type for key in remarks}
    assert seen == {"likert", "single", "multi", "yesno", "number", "text"}
