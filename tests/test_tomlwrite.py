"""The TOML writer: what it writes reads back (tomllib) to the same dict, for the bundled
file, for a format-2 questionnaire of every type and for hostile strings; the layout is
the one people read; and the format-1 upgrade."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from instrument.tomlwrite import dumps
from instrument.upgrade import upgrade_v1

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"
SCHOOL = QUESTIONNAIRES / "clb-samenwerking-school-2026.1.toml"


def every_type() -> dict:
    """A format-2 questionnaire with every type, field, routing and a second language.
    Its texts start with the characters a spreadsheet would read as a formula."""
    return {
        "format": 2,
        "id": "alle-velden",
        "version": "2026.1",
        "title": {"nl": "Alle velden", "fr": "Tous les champs"},
        "intro": {"nl": "Eerste alinea.\n\nTweede \"alinea\".", "fr": "Premier."},
        "languages": ["nl", "fr"],
        "scale": {"agree": [3, 4], "options": [
            {"code": 4, "label": "Helemaal akkoord"},
            {"code": 3, "label": "Eerder akkoord"},
            {"code": 2, "label": "Eerder niet akkoord"},
            {"code": 1, "label": {"nl": "Helemaal niet akkoord", "fr": "Pas du tout"}},
            {"code": 0, "label": "Geen zicht", "substantive": False},
        ]},
        "scales": {"frequentie": {"agree": [2], "options": [
            {"code": 2, "label": "Vaak"}, {"code": 1, "label": "Zelden"}]}},
        "choices": {"medewerkers": {"options": [
            {"code": 1, "label": "Psycholoog"}, {"code": 2, "label": "=Arts"}]}},
        "aspects": [
            {"id": "A1", "code": "A1", "code_inferred": True, "name": "Leerplicht"},
            {"id": "hgd", "name": {"nl": "Diagnostiek", "fr": "Diagnostic"}},
            {"id": "V1", "code": "V1", "code_inferred": False, "name": "Beeldvorming"},
        ],
        "sections": [
            {"key": "werking", "title": "Werking", "intro": "Over de werking.",
             "items": [
                 {"type": "multi", "key": "medewerkers", "number": 1,
                  "text": "+Met wie werkt u samen?", "label": "-Medewerkers",
                  "choices": "medewerkers", "other": True, "required": True,
                  "min_choices": 1, "max_choices": 2},
                 {"type": "single", "key": "thema", "number": 2, "text": "@Welk thema?",
                  "label": "Thema", "required": False,
                  "choices": [{"code": 1, "label": "Leren"}, {"code": 2, "label": "Welzijn"}]},
                 {"type": "yesno", "key": "verzoek", "number": 3, "text": "Een vraag?",
                  "label": "Vraag", "show_if": {"item": "medewerkers", "codes": [1, 2]}},
                 {"type": "number", "key": "overleg", "text": "Hoe vaak?", "label": "Overleg",
                  "min": -5, "max": 60, "unit": {"nl": "keer", "fr": "fois"}},
                 {"type": "likert", "key": "bereikbaar", "number": 4,
                  "text": {"nl": "=1+1 bereikbaar", "fr": "joignable"},
                  "label": "Bereikbaar", "aspects": ["A1", "V1"]},
             ]},
            {"key": "vraag", "title": "Na een vraag", "scale": "frequentie",
             "show_if": {"item": "verzoek", "codes": [1]},
             "items": [
                 {"type": "likert", "key": "snel", "text": "Snel?", "label": "Snel",
                  "scale": "frequentie", "show_if": {"item": "thema", "codes": [2]}},
                 {"type": "text", "key": "waarom", "label": "Waarom?",
                  "text": "Een paar\nwoorden.", "max_length": 2000},
             ]},
        ],
    }


HOSTILE = [
    'quote " inside', "two \"\" quotes", 'three """ quotes', 'ends with quote "',
    'ends with two ""', "back\\slash \\n not a newline", "trailing backslash\\",
    "line\nbreak", "line\nbreak with \"\"\" and end \"", "\n", "\nleading newline",
    "tab\there", "carriage\r\nreturn", "lone\rcr", "nul \x00 and bell \x07 and esc \x1b",
    "del \x7f", "unicode é ü ş 漢字 😀 \u2028 \ufeff", "", "'single' quotes ''' too",
    "# not a comment", "key = \"value\"", "[not a table]",
]


def test_bundled_format_1_file_round_trips():
    raw = tomllib.loads(SCHOOL.read_text(encoding="utf-8"))
    assert tomllib.loads(dumps(raw)) == raw


def test_every_type_round_trips():
    raw = every_type()
    assert tomllib.loads(dumps(raw)) == raw


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_round_trip(text):
    raw = {"title": text, "intro": {"nl": text, "fr": "x"},
           "sections": [{"key": text, "items": [{"text": text, "aspects": [text]}]}],
           "scale": {"options": [{"code": 1, "label": text}]}}
    assert tomllib.loads(dumps(raw)) == raw


def test_hostile_keys_round_trip():
    raw = {"a b": 1, "é": 2, 'q"uote': 3, "": 4, "x.y": {"nl": "z"}}
    assert tomllib.loads(dumps(raw)) == raw


def test_layout_is_the_bundled_files_layout():
    text = dumps(every_type())
    assert text.startswith('format = 2\nid = "alle-velden"\nversion = "2026.1"\n'
                           'title = { nl = "Alle velden", fr = "Tous les champs" }\n'
                           'intro.nl = """\nEerste alinea.\n\nTweede "alinea"."""\n'
                           'intro.fr = "Premier."\nlanguages = ["nl", "fr"]\n\n[scale]\n')
    assert ('\n[scale]\nagree = [3, 4]\noptions = [\n'
            '    { code = 4, label = "Helemaal akkoord" },\n') in text
    assert '    { code = 0, label = "Geen zicht", substantive = false },\n]\n' in text
    assert "\n[scales.frequentie]\n" in text and "\n[scales]\n" not in text
    assert "\n[choices.medewerkers]\n" in text
    assert 'show_if = { item = "medewerkers", codes = [1, 2] }\n' in text
    assert 'text = """\nEen paar\nwoorden."""\n' in text
    # the tables come in the file's order: scales and lists, aspects, sections and items
    order = [text.index(h) for h in ("[scale]", "[scales.frequentie]",
                                     "[choices.medewerkers]", "[[aspects]]", "[[sections]]",
                                     "[[sections.items]]")]
    assert order == sorted(order)
    assert text.index('type = "multi"\nkey = "medewerkers"\nnumber = 1\n') > 0


def test_upgrade_of_the_bundled_file():
    raw = tomllib.loads(SCHOOL.read_text(encoding="utf-8"))
    upgraded = upgrade_v1(raw)
    assert raw["format"] == 1                    # the input is not changed
    assert upgraded["format"] == 2
    assert upgraded["scale"] == raw["scale"] and upgraded["aspects"] == raw["aspects"]
    first = upgraded["sections"][0]["items"]
    assert first[0] == {"type": "likert", "key": "s4", "number": 4,
                        "text": "In onze samenwerking ervaren we dat de CLB-medewerkers "
                                "zich onafhankelijk opstellen t.a.v. onze school",
                        "label": "Stellen zich onafhankelijk op",
                        "aspects": ["belang-leerling"]}
    assert first[3] == {"type": "likert", "key": "s7", "number": 7,
                        "text": "We zijn tevreden over de arbeidsorganisatie waarmee het "
                                "CLB zijn medewerkers voor onze leerlingen en het schoolteam "
                                "beschikbaar maakt",
                        "label": "Tevreden over de arbeidsorganisatie"}
    assert first[7] == {"type": "text", "key": "opmerking-algemeen",
                        "label": "Wilt u iets toelichten bij dit deel? (niet verplicht)"}
    keys = [i["key"] for s in upgraded["sections"] for i in s["items"] if i["type"] == "likert"]
    assert keys == [f"s{n}" for n in (4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19,
                                      21, 22, 23, 24, 26, 27)]


def test_upgrade_drops_empty_aspects_and_keeps_unknown_fields():
    raw = {"format": 1, "sections": [{"key": "a", "items": [
        {"type": "statement", "number": 3, "text": "T", "label": "L", "aspects": [],
         "lable": "typo"},
        {"type": "text", "key": "r", "label": "R", "text": "hint", "max_length": 100}]}]}
    assert upgrade_v1(raw) == {"format": 2, "sections": [{"key": "a", "items": [
        {"type": "likert", "key": "s3", "number": 3, "text": "T", "label": "L",
         "lable": "typo"},
        {"type": "text", "key": "r", "label": "R", "text": "hint", "max_length": 100}]}]}
    assert upgrade_v1({"format": 2, "id": "x"}) == {"format": 2, "id": "x"}
