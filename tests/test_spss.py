"""The analysts' .sav and data CSV (reports/spss.py) and the names and types they are built
from (reports/analysis.py): every question type written and read back with pyreadstat,
each label, code, missing declaration and value compared with values worked out by hand."""

from __future__ import annotations

import io
import math

import pyreadstat
import pytest

from reports.analysis import Table, Variable, safe_name
from reports.spss import missing_declaration, write_csv, write_sav

LIKERT = {4: "Helemaal akkoord", 3: "Eerder akkoord", 2: "Eerder niet akkoord",
          1: "Helemaal niet akkoord", 0: "Geen zicht / niet van toepassing"}
TICKED = {0: "Niet aangeduid", 1: "Aangeduid"}
LONG_TEXT = "ë" * 4999 + "!"          # 5,000 characters, 9,999 bytes of UTF-8
UNICODE_TEXT = "Zeer goed — merci ‘CLB’ 😀\nTweede regel: één, twee"

VARIABLES = (
    Variable("clb", "CLB-nummer", "string", "nominal", {}, (), "context", "clb"),
    Variable("onafhankelijk", "Stellen zich onafhankelijk op", "numeric", "ordinal",
             LIKERT, (0,), "likert", "onafhankelijk"),
    Variable("contact", "Hoe vaak hebt u contact?", "numeric", "nominal",
             {1: "Wekelijks", 2: "Maandelijks", 3: "Zelden"}, (), "single", "contact"),
    Variable("medewerkers_1", "Met welke medewerkers werkt u samen?: Psycholoog of pedagoog",
             "numeric", "nominal", TICKED, (), "multi", "medewerkers"),
    Variable("medewerkers_2", "Met welke medewerkers werkt u samen?: Maatschappelijk werker",
             "numeric", "nominal", TICKED, (), "multi", "medewerkers"),
    Variable("verzoek", "Deed u dit jaar een verzoek?", "numeric", "nominal",
             {1: "Ja", 2: "Nee"}, (), "yesno", "verzoek"),
    Variable("leerlingen", "Hoeveel leerlingen telt de school?", "numeric", "scale",
             {}, (), "number", "leerlingen"),
    Variable("opmerking", "Opmerkingen", "string", "nominal", {}, (), "text", "opmerking"),
)
ROWS = [
    ("123", 4, 1, 1, 0, 1, 250, UNICODE_TEXT),
    ("123", 0, 2, None, None, 2, None, None),
    ("456", None, 3, 0, 1, 1, 0, LONG_TEXT),
    ("456", 2, None, 1, 1, None, 12000, "=SOM(A1)"),
]


def written(tmp_path, variables=VARIABLES, rows=ROWS, **options):
    path = tmp_path / "ronde.sav"
    write_sav(Table(variables, iter(rows)), path, **options)
    return path


def read(path, **options):
    data, meta = pyreadstat.read_sav(str(path), output_format="dict", **options)
    return {name: [None if isinstance(v, float) and math.isnan(v) else v for v in values]
            for name, values in data.items()}, meta


def test_every_question_type_reads_back_with_its_metadata(tmp_path):
    data, meta = read(written(tmp_path), user_missing=True)
    assert meta.column_names == ["clb", "onafhankelijk", "contact", "medewerkers_1",
                                 "medewerkers_2", "verzoek", "leerlingen", "opmerking"]
    assert meta.column_labels == [
        "CLB-nummer", "Stellen zich onafhankelijk op", "Hoe vaak hebt u contact?",
        "Met welke medewerkers werkt u samen?: Psycholoog of pedagoog",
        "Met welke medewerkers werkt u samen?: Maatschappelijk werker",
        "Deed u dit jaar een verzoek?", "Hoeveel leerlingen telt de school?", "Opmerkingen"]
    assert meta.file_label == "Antwoorden van de scholen op de bevraging over hun CLB"
    assert meta.file_encoding == "UTF-8"
    assert meta.variable_value_labels == {
        "onafhankelijk": LIKERT,
        "contact": {1: "Wekelijks", 2: "Maandelijks", 3: "Zelden"},
        "medewerkers_1": TICKED, "medewerkers_2": TICKED,
        "verzoek": {1: "Ja", 2: "Nee"}}
    assert meta.missing_ranges == {"onafhankelijk": [{"lo": 0, "hi": 0}]}
    assert meta.variable_measure == {
        "clb": "nominal", "onafhankelijk": "ordinal", "contact": "nominal",
        "medewerkers_1": "nominal", "medewerkers_2": "nominal", "verzoek": "nominal",
        "leerlingen": "scale", "opmerking": "nominal"}
    # Whole numbers without decimals, as wide as the widest code; texts as wide as their
    # longest value in bytes (the 5,000 characters: 4,999 two-byte ë and one !).
    assert meta.original_variable_types == {
        "clb": "A3", "onafhankelijk": "F1.0", "contact": "F1.0", "medewerkers_1": "F1.0",
        "medewerkers_2": "F1.0", "verzoek": "F1.0", "leerlingen": "F5.0",
        "opmerking": "A9999"}
    assert meta.number_rows == 4
    assert data == {
        "clb": ["123", "123", "456", "456"],
        "onafhankelijk": [4, 0, None, 2],
        "contact": [1, 2, 3, None],
        "medewerkers_1": [1, None, 0, 1],
        "medewerkers_2": [0, None, 1, 1],
        "verzoek": [1, 2, 1, None],
        "leerlingen": [250, None, 0, 12000],
        # SPSS has no missing text: no answer reads as an empty one. In SPSS a text
        # starting with = is just a text, so it stays as it is.
        "opmerking": [UNICODE_TEXT, "", LONG_TEXT, "=SOM(A1)"],
    }


def test_a_reader_that_ignores_user_missing_sees_geen_zicht_as_missing(tmp_path):
    data, _ = read(written(tmp_path))
    assert data["onafhankelijk"] == [4, None, None, 2]
    assert data["medewerkers_2"] == [0, None, 1, 1]   # 0 is a real answer there


def test_labels_past_spss_limits_are_cut_between_characters(tmp_path):
    # 1 + 2 * 200 bytes: the 256-byte limit falls inside an é, which is dropped whole.
    label = "a" + "é" * 200
    variables = (Variable("vraag", label, "numeric", "ordinal",
                          {1: "b" + "ü" * 100}, (), "likert", "vraag"),
                 Variable("tekst", "Tekst", "string", "nominal", {}, (), "text", "tekst"))
    path = written(tmp_path, variables, [(1, "€" * 11_000)], file_label="Ronde " + "é" * 40)
    data, meta = read(path)
    assert meta.column_labels[0] == "a" + "é" * 127
    assert meta.variable_value_labels["vraag"] == {1: "b" + "ü" * 59}
    assert meta.file_label == "Ronde " + "é" * 29
    # 11,000 three-byte characters; SPSS holds 32,767 bytes: 10,922 characters.
    assert data["tekst"] == ["€" * 10_922]
    assert meta.original_variable_types["tekst"] == "A32766"


def test_control_characters_of_old_data_are_dropped_from_texts_and_labels(tmp_path):
    variables = (Variable("tekst", "Vraag\x00 met\x1b tekens", "string", "nominal", {}, (),
                          "text", "tekst"),)
    data, meta = read(written(tmp_path, variables, [("a\x00b\x07c\td",)]))
    assert meta.column_labels == ["Vraag met tekens"]
    assert data["tekst"] == ["abc\td"]


def test_an_empty_round_is_a_file_with_variables_and_no_rows(tmp_path):
    data, meta = read(written(tmp_path, rows=[]), user_missing=True)
    assert meta.number_rows == 0
    assert meta.column_names[1] == "onafhankelijk"
    assert meta.missing_ranges == {"onafhankelijk": [{"lo": 0, "hi": 0}]}
    assert data["onafhankelijk"] == []


def test_four_missing_codes_are_one_range_and_one_code(tmp_path):
    labels = {1: "Nooit", 2: "Soms", 3: "Vaak", 0: "Geen zicht", 7: "Weet niet",
              8: "Wil niet zeggen", 9: "Niet gevraagd"}
    variables = (Variable("vraag", "Vraag", "numeric", "ordinal", labels, (0, 7, 8, 9),
                          "likert", "vraag"),)
    path = written(tmp_path, variables, [(0,), (3,), (8,)])
    _, meta = read(path, user_missing=True)
    data, _ = read(path)
    assert meta.missing_ranges == {"vraag": [{"lo": 7, "hi": 9}, {"lo": 0, "hi": 0}]}
    assert data["vraag"] == [None, 3, None]


def test_missing_codes_around_valid_ones_cannot_be_declared():
    variable = Variable("vraag", "Vraag", "numeric", "ordinal",
                        {1: "a", 2: "b", 4: "c", 6: "d"}, (0, 3, 5, 7), "likert", "vraag")
    with pytest.raises(ValueError, match="cannot declare"):
        missing_declaration(variable)


@pytest.mark.parametrize("value", ["4", 4.0, True])
def test_a_numeric_value_that_is_no_whole_number_is_refused(tmp_path, value):
    variables = (Variable("getal", "Getal", "numeric", "scale", {}, (), "number", "getal"),)
    with pytest.raises(ValueError, match="row 3, variable getal: .* is not a whole number"):
        written(tmp_path, variables, [(1,), (None,), (value,)])


def test_a_text_value_that_is_no_text_is_refused(tmp_path):
    variables = (Variable("tekst", "Tekst", "string", "nominal", {}, (), "text", "tekst"),)
    with pytest.raises(ValueError, match="row 2, variable tekst: 5 is not a text"):
        written(tmp_path, variables, [("a",), (5,)])


def test_a_row_of_the_wrong_length_is_refused(tmp_path):
    with pytest.raises(ValueError, match="row 2 has 2 values for 8 variables"):
        written(tmp_path, rows=[ROWS[0], ("123", 4)])


def test_the_data_csv_opens_in_excel_without_formulas():
    stream = io.StringIO()
    write_csv(Table(VARIABLES, iter(ROWS)), stream)
    quoted_text = '"' + UNICODE_TEXT + '"'
    assert stream.getvalue() == (
        "\ufeffclb,onafhankelijk,contact,medewerkers_1,medewerkers_2,verzoek,leerlingen,"
        "opmerking\r\n"
        f"123,4,1,1,0,1,250,{quoted_text}\r\n"
        "123,0,2,,,2,,\r\n"
        f"456,,3,0,1,1,0,{LONG_TEXT}\r\n"
        "456,2,,1,1,,12000,'=SOM(A1)\r\n")


@pytest.mark.parametrize(("key", "taken", "expected"), [
    ("welke-medewerkers", set(), "welke_medewerkers"),
    ("onafhankelijk", {"onafhankelijk"}, "onafhankelijk_2"),
    ("onafhankelijk", {"ONAFHANKELIJK", "onafhankelijk_2"}, "onafhankelijk_3"),
    ("4b", set(), "v4b"),
    ("2026-ronde", set(), "v2026_ronde"),
    ("", set(), "v"),
    ("---", {"v"}, "v_2"),
    ("s4", set(), "s4"),
    ("élève-école", set(), "eleve_ecole"),
    ("straße", set(), "strasse"),
    ("Ærø", set(), "AEro"),
    ("日本", set(), "v"),
    ("to", set(), "vto"),
    ("AND", set(), "vAND"),
    ("a  b__c", set(), "a_b_c"),
    ("_intern_", set(), "intern"),
    ("a" * 70, set(), "a" * 64),
    ("a" * 70, {"a" * 64}, "a" * 62 + "_2"),
    # a cut that ends on the separator keeps no trailing "_"
    ("a" * 63 + "-b", set(), "a" * 63),
    ("a" * 61 + "-bcd", {"a" * 61 + "_bc"}, "a" * 61 + "_2"),
])
def test_safe_name(key, taken, expected):
    before = set(taken)
    assert safe_name(key, taken) == expected
    assert taken == before | {expected}


def test_safe_names_of_a_questionnaire_are_unique():
    taken: set[str] = set()
    names = [safe_name(key, taken) for key in ["a-b", "a_b", "A-B", "a.b"]]
    assert names == ["a_b", "a_b_2", "A_B_3", "a_b_4"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "4b", "not a valid SPSS name"),
    ("name", "a" * 65, "not a valid SPSS name"),
    ("name", "with", "not a valid SPSS name"),
    ("kind", "date", "kind"),
    ("measure", "interval", "measure"),
    ("question_type", "matrix", "question type"),
])
def test_a_variable_spss_cannot_hold_is_refused(field, value, message):
    fields = {"name": "vraag", "label": "Vraag", "kind": "numeric", "measure": "scale",
              "value_labels": {}, "missing": (), "question_type": "number",
              "question_key": "vraag"}
    with pytest.raises(ValueError, match=message):
        Variable(**{**fields, field: value})


def test_names_that_differ_only_in_case_are_refused():
    first = Variable("Vraag", "V", "numeric", "scale", {}, (), "number", "vraag")
    second = Variable("vraag", "V", "numeric", "scale", {}, (), "number", "vraag-2")
    with pytest.raises(ValueError, match="occurs twice"):
        Table((first, second), [])
