"""The .xlsx form of a questionnaire: a written workbook reads back to the same raw dict
(in the normal form), every fault of a workbook is reported with its place, hostile files
are refused before they are parsed, and text never becomes a formula."""

from __future__ import annotations

import copy
import io
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_tomlwrite import SCHOOL, every_type

from instrument.errors import QuestionnaireError
from instrument.upgrade import upgrade_v1
from instrument.xlsform import normalise, place_of, read_workbook, write_workbook

DATA = Path(__file__).resolve().parent / "data" / "questionnaires"
EXAMPLE = SCHOOL.parent / "voorbeeld-alle-vraagtypes-2026.1.toml"

SETTINGS = [["id", "version", "title"], ["test", "1", "Test"]]
SURVEY_HEADER = ["type", "name", "label", "short_label", "choices", "show_if"]


def book(survey=None, choices=None, settings=SETTINGS, aspects=None, extra=None) -> bytes:
    """A workbook of the given sheets, each a list of rows (the first the header)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    sheets = {"vragen": survey, "keuzes": choices, "instellingen": settings,
              "aspecten": aspects, **(extra or {})}
    for title, rows in sheets.items():
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(data: bytes) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        read_workbook(data, "test.xlsx")
    assert caught.value.source == "test.xlsx"
    return caught.value.problems


def survey(*rows):
    return [SURVEY_HEADER, ["begin group", "deel", "Deel"], *rows, ["end group"]]


# -- round trips -------------------------------------------------------------------------

def test_every_type_round_trips_in_the_normal_form():
    raw = every_type()
    expected = copy.deepcopy(raw)
    # the normal form, by hand: the inline list becomes a list named after the item
    thema = expected["sections"][0]["items"][1]
    expected["choices"]["thema-keuzes"] = {"options": thema["choices"]}
    thema["choices"] = "thema-keuzes"
    assert normalise(raw) == expected
    assert read_workbook(write_workbook(raw), "alle.xlsx")[0] == expected


def test_bundled_format_1_file_is_written_as_format_2():
    raw = tomllib.loads(SCHOOL.read_text(encoding="utf-8"))
    assert normalise(raw) == upgrade_v1(raw)        # nothing else to normalise
    read = read_workbook(write_workbook(raw), "school.xlsx")[0]
    assert read == upgrade_v1(raw)
    assert read["sections"][0]["items"][0]["key"] == "s4"


def test_example_round_trips():
    if not EXAMPLE.exists():
        pytest.skip("the example questionnaire is not there yet")
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert normalise(raw) == raw
    assert read_workbook(write_workbook(raw), "voorbeeld.xlsx")[0] == raw


def test_the_fixture_workbook_is_the_example():
    if not EXAMPLE.exists():
        pytest.skip("the example questionnaire is not there yet")
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data = (DATA / "voorbeeld.xlsx").read_bytes()
    assert read_workbook(data, "voorbeeld.xlsx")[0] == raw


def test_normal_form_rules():
    raw = {"format": 2, "id": "x", "version": "1", "title": {"nl": "Titel"},
           "intro": "  ", "aspects": [], "scales": {},
           "scale": {"agree": [4, 3], "options": [
               {"code": 4, "label": "a\r\nb", "substantive": True},
               {"code": 3, "label": "c\x00d"}]},
           "sections": [{"key": "s", "title": "S", "items": [
               {"type": "likert", "key": "k", "text": "T", "label": "L", "aspects": []}]}]}
    assert normalise(raw) == {
        "format": 2, "id": "x", "version": "1", "title": "Titel",
        "scale": {"agree": [3, 4], "options": [{"code": 4, "label": "a\nb"},
                                               {"code": 3, "label": "cd"}]},
        "sections": [{"key": "s", "title": "S", "items": [
            {"type": "likert", "key": "k", "text": "T", "label": "L"}]}]}
    assert read_workbook(write_workbook(raw), "x.xlsx")[0] == normalise(raw)


def test_inline_list_name_avoids_names_taken():
    raw = {"format": 2, "choices": {"kies-keuzes": {"options": [{"code": 1, "label": "a"}]}},
           "sections": [{"key": "s", "title": "S", "items": [
               {"type": "single", "key": "kies", "text": "T", "label": "L",
                "choices": [{"code": 1, "label": "b"}]}]}]}
    normal = normalise(raw)
    assert normal["sections"][0]["items"][0]["choices"] == "kies-keuzes-2"
    assert normal["choices"]["kies-keuzes-2"] == {"options": [{"code": 1, "label": "b"}]}


# -- the written workbook ----------------------------------------------------------------

def test_text_is_never_a_formula_and_the_sheets_are_readable():
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook(every_type())),
                                      data_only=False)
    assert workbook.sheetnames == ["vragen", "keuzes", "instellingen", "aspecten"]
    survey_sheet = workbook["vragen"]
    header = [c.value for c in survey_sheet[1]]
    assert header[:8] == ["type", "name", "number", "label", "label::fr", "short_label",
                          "short_label::fr", "hint"]
    cells = [c for row in workbook.worksheets for line in row.iter_rows() for c in line]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    formula_like = {c.value for c in cells if isinstance(c.value, str)
                    and c.value[:1] in "=+-@"}
    assert formula_like == {"=1+1 bereikbaar", "+Met wie werkt u samen?", "-Medewerkers",
                            "@Welk thema?", "=Arts"}
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(c.font.bold for c in sheet[1])
    assert survey_sheet.column_dimensions["D"].width >= len("+Met wie werkt u samen?")


# -- what a workbook may say -------------------------------------------------------------

def test_xlsform_words_and_english_sheet_names():
    data = book(
        survey=[["type", "name", "label", "short_label", "show_if", "required", "number",
                 "choices"],
                ["begin_group", "deel", "Deel", None, None, None, None, "freq"],
                ["select_one kanaal", "kanaal", "Hoe?", "Kanaal", None, "Ja", 3.0],
                ["select_multiple kanaal", "meer", "Welke?", "Meer", "${kanaal} = 1,2",
                 "WAAR", "7"],
                ["likert freq", "vaak", "Vaak?", "Vaak", "kanaal=2", 0],
                ["integer", "getal", "Hoeveel?", "Getal", None, "no"],
                ["end_group"]],
        choices=[["list_name", "code", "label"], ["kanaal", 1, "Mail"],
                 ["freq", 1, "Zelden"], ["kanaal", 2.0, "Telefoon"], ["freq", 2, "Vaak"]],
        extra={})
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook["vragen"].title = "survey"
    workbook["keuzes"].title = "choices"
    workbook["instellingen"].title = "Settings"
    out = io.BytesIO()
    workbook.save(out)
    raw, places = read_workbook(out.getvalue(), "x.xlsx")
    assert raw == {
        "format": 2, "id": "test", "version": "1", "title": "Test",
        "scales": {"freq": {"agree": [], "options": [{"code": 1, "label": "Zelden"},
                                                     {"code": 2, "label": "Vaak"}]}},
        "choices": {"kanaal": {"options": [{"code": 1, "label": "Mail"},
                                           {"code": 2, "label": "Telefoon"}]}},
        "sections": [{"key": "deel", "title": "Deel", "scale": "freq", "items": [
            {"type": "single", "key": "kanaal", "text": "Hoe?", "label": "Kanaal",
             "required": True, "number": 3, "choices": "kanaal"},
            {"type": "multi", "key": "meer", "text": "Welke?", "label": "Meer",
             "show_if": {"item": "kanaal", "codes": [1, 2]}, "required": True, "number": 7,
             "choices": "kanaal"},
            {"type": "likert", "key": "vaak", "text": "Vaak?", "label": "Vaak",
             "show_if": {"item": "kanaal", "codes": [2]}, "required": False, "scale": "freq"},
            {"type": "number", "key": "getal", "text": "Hoeveel?", "label": "Getal",
             "required": False}]}]}
    assert place_of(places, "sections[1].items[2]", "show_if") == "survey, rij 4, kolom E (show_if)"
    assert place_of(places, "sections[1].items[3]", "scale") == "survey, rij 5, kolom A (type)"
    assert place_of(places, "sections[1].items[1]", "choices") == "survey, rij 3, kolom A (type)"
    assert place_of(places, "sections[1]", "scale") == "survey, rij 2, kolom H (choices)"
    assert place_of(places, "scales.freq.options[2]", "label") == "choices, rij 5, kolom C (label)"
    assert place_of(places, "choices.kanaal") == "choices, rij 2"
    assert place_of(places, "questionnaire", "title") == "Settings, rij 2, kolom C (title)"


def test_places_fall_back_from_field_to_row():
    data = book(survey=survey(["likert", "k", "Tekst", "Label"]),
                choices=[["list_name", "code", "label", "substantive", "agree"],
                         ["scale", 1, "Nee", "ja", "nee"], ["scale", 2, "Ja", None, "ja"],
                         ["scale", 0, "Geen zicht", "nee"]])
    raw, places = read_workbook(data, "x.xlsx")
    assert raw["scale"] == {"agree": [2], "options": [
        {"code": 1, "label": "Nee"}, {"code": 2, "label": "Ja"},
        {"code": 0, "label": "Geen zicht", "substantive": False}]}
    item = "sections[1].items[1]"
    assert place_of(places, item, "text") == "vragen, rij 3, kolom C (label)"
    assert place_of(places, item, "label") == "vragen, rij 3, kolom D (short_label)"
    assert place_of(places, item, "key") == "vragen, rij 3, kolom B (name)"
    assert place_of(places, item, "number") == "vragen, rij 3"    # no such column
    assert place_of(places, item) == "vragen, rij 3"
    assert place_of(places, "sections[1]", "title") == "vragen, rij 2, kolom C (label)"
    assert place_of(places, "scale", "agree") == "keuzes, rij 2, kolom E (agree)"
    assert place_of(places, "scale.options[3]", "substantive") == \
        "keuzes, rij 4, kolom D (substantive)"
    assert place_of(places, "sections[9]") is None


def test_text_item_and_languages():
    data = book(
        survey=[["type", "name", "label", "label::fr", "hint", "hint::Français (fr)",
                 "max_length"],
                ["begin group", "deel", "Deel", "Partie", "Uitleg"],
                ["text", "opm", "Opmerking?", None, "Kort", "Bref", 200], ["end group"]],
        settings=[["id", "version", "title", "title::fr", "languages"],
                  ["x", 2026.1, "Titel", "Titre", "nl, fr"]])
    raw, places = read_workbook(data, "x.xlsx")
    assert raw["version"] == "2026.1" and raw["languages"] == ["nl", "fr"]
    assert raw["title"] == {"nl": "Titel", "fr": "Titre"}
    assert raw["sections"] == [{"key": "deel", "title": {"nl": "Deel", "fr": "Partie"},
                                "intro": "Uitleg", "items": [
        {"type": "text", "key": "opm", "label": "Opmerking?",
         "text": {"nl": "Kort", "fr": "Bref"}, "max_length": 200}]}]
    assert place_of(places, "sections[1].items[1]", "text") == "vragen, rij 3, kolom E (hint)"
    assert place_of(places, "sections[1].items[1]", "text.fr") == \
        "vragen, rij 3, kolom F (hint::Français (fr))"


# -- faults, each with its place ---------------------------------------------------------

def test_a_formula_is_refused():
    data = book(survey=survey(["likert", "k", "=1+1", "Label"]))
    assert problems(data) == [
        "vragen, rij 3, kolom C (label): een formule is niet toegestaan; typ de waarde zelf"]


def test_unknown_type_column_and_sheet():
    data = book(survey=[SURVEY_HEADER + ["lable"], ["begin group", "deel", "Deel"],
                        ["slect_one lijst", "k", "T", "L"], ["end group"]],
                extra={"notities": [["wat dan ook"]]})
    assert problems(data) == [
        "werkblad 'notities': onbekend werkblad (verwacht: vragen, keuzes, instellingen, "
        "aspecten)",
        "vragen, rij 1, kolom G: onbekende kolom 'lable'",
        "vragen, rij 3, kolom A (type): onbekend vraagtype 'slect_one lijst'"]


def test_missing_sheets():
    assert problems(book(settings=None, aspects=[["id"]])) == ["het werkblad 'vragen' ontbreekt",
                                             "het werkblad 'instellingen' ontbreekt"]


def test_codes_and_numbers_must_be_whole():
    data = book(survey=[SURVEY_HEADER + ["number", "min", "max"],
                        ["begin group", "deel", "Deel"],
                        ["number", "n", "T", "L", None, None, 3.5, 0, "tien"],
                        ["end group"]],
                choices=[["list_name", "code", "label"], ["lijst", 1.5, "a"],
                         ["lijst", "x", "b"], ["lijst", " 3 ", "c"]])
    assert problems(data) == [
        "vragen, rij 3, kolom G (number): verwacht een geheel getal, niet '3.5'",
        "vragen, rij 3, kolom I (max): verwacht een geheel getal, niet 'tien'",
        "keuzes, rij 2, kolom B (code): verwacht een geheel getal, niet '1.5'",
        "keuzes, rij 3, kolom B (code): verwacht een geheel getal, niet 'x'"]


def test_groups_rows_and_routing_faults_are_all_reported():
    data = book(survey=[
        SURVEY_HEADER + ["required", "hint"],
        ["likert", "voor", "Te vroeg", "Vroeg"],                          # row 2
        ["end group"],                                                    # row 3
        ["begin group", "een", "Een"],                                    # row 4
        [None, "zonder-type", "Geen type"],                               # row 5
        ["single", "s", "T", "L", None, "s = ja"],                        # row 6
        ["yesno", "j", "T", "L", "lijst", None, "misschien"],             # row 7
        ["likert", "h", "T", "L", None, None, None, "uitleg"],            # row 8
        ["begin group", "twee", "Twee", None, None, None, "ja"],          # row 9
        ["text", "t", "T", "kort"],                                       # row 10
        ["select_one", "zonder", "T", "L"],                               # row 11
        ["yesno lijst", "y", "T", "L"],                                   # row 12
    ])
    assert problems(data) == [
        "vragen, rij 2, kolom A (type): deze vraag staat niet in een groep: zet er een rij "
        "'begin group' voor",
        "vragen, rij 3, kolom A (type): end group zonder begin group ervoor",
        "vragen, rij 5, kolom A (type): de rij heeft geen type",
        "vragen, rij 6, kolom F (show_if): show_if 's = ja' is niet te lezen; schrijf bv. "
        "'verzoek = 1' of 'verzoek = 1, 2'",
        "vragen, rij 7, kolom G (required): verwacht ja of nee, niet 'misschien'",
        "vragen, rij 7, kolom E (choices): de kolom 'choices' geldt niet voor een vraag van "
        "type yesno",
        "vragen, rij 8, kolom H (hint): de kolom 'hint' geldt alleen voor een tekstvraag",
        "vragen, rij 9, kolom A (type): begin group binnen de groep 'een' van rij 4: sluit "
        "die eerst met end group",
        "vragen, rij 9, kolom G (required): de kolom 'required' geldt niet voor een begin "
        "group",
        "vragen, rij 10, kolom D (short_label): de kolom 'short_label' geldt niet voor een "
        "tekstvraag (die heeft label en hint)",
        "vragen, rij 11, kolom A (type): 'select_one' vraagt een lijstnaam: "
        "'select_one LIJST'",
        "vragen, rij 12, kolom A (type): na 'yesno' hoort geen lijstnaam",
        "vragen, rij 9, kolom A (type): de groep 'twee' wordt niet afgesloten met een rij "
        "'end group'"]


def test_list_faults():
    data = book(survey=survey(["likert", "l", "T", "L", "lijst"],
                              ["single", "s", "T", "L", "lijst"],
                              ["select_one kort", "k", "T", "L", "lang"]),
                choices=[["list_name", "code", "label", "label::nl"],
                         ["lijst", 1, "a"], [None, 2, "b"]])
    assert problems(data) == [
        "vragen, rij 5, kolom E (choices): de lijst 'lang' verschilt van 'kort' in de kolom "
        "type",
        "keuzes, rij 1, kolom D: de kolom 'label::nl' staat er twee keer (ook kolom C)",
        "keuzes, rij 3, kolom A (list_name): de rij heeft geen list_name",
        "keuzes, rij 2: de lijst 'lijst' is een schaal maar wordt als keuzelijst gebruikt "
        "(vragen, rij 4, kolom E (choices))"]


def test_settings_and_columns_faults():
    data = book(survey=[["name", "label"], ["a", "b"]],
                settings=[["id", "version", "id::fr", None], ["x", "1", "y", "los"],
                          ["z", "2"]],
                choices=[["code", "label"], [1, "a"]])
    assert problems(data) == [
        "instellingen, rij 1, kolom C: kolom 'id::fr': alleen een tekstkolom kan een taal "
        "hebben",
        "instellingen, rij 2, kolom C: waarde in een kolom zonder naam in rij 1",
        "instellingen, rij 2, kolom D: waarde in een kolom zonder naam in rij 1",
        "instellingen, rij 3: instellingen heeft maar één rij met waarden",
        "vragen: de kolom 'type' ontbreekt",
        "keuzes: de kolom 'list_name' ontbreekt"]


def test_overlong_cell_and_too_many_rows_and_columns():
    long_text = "x" * 20001
    assert problems(book(survey=survey(["likert", "k", long_text, "L"]))) == [
        "vragen, rij 3, kolom C (label): tekst langer dan 20000 tekens"]
    rows = [["list_name", "code", "label"]] + [["l", n, "a"] for n in range(5000)]
    assert problems(book(survey=survey(), choices=rows)) == ["keuzes: meer dan 5000 rijen"]
    assert problems(book(survey=survey(), aspects=[[f"c{n}" for n in range(61)]])) == [
        "aspecten: meer dan 60 kolommen"]


# -- hostile files -----------------------------------------------------------------------

NOT_XLSX = "Dit is geen .xlsx-bestand. Bewaar de vragenlijst in Excel als .xlsx."
BOMB = ("Dit bestand wordt geweigerd: het pakt uit tot een verdacht grote omvang "
        "(mogelijk een zip-bom).")


def test_not_an_xlsx_file():
    assert problems(b"type,name\nlikert,k\n") == [NOT_XLSX]
    assert problems(b"PK\x03\x04 broken zip") == [NOT_XLSX]
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "geen werkboek")
    assert problems(plain.getvalue()) == [NOT_XLSX]


def test_a_file_over_2_mb_is_refused():
    assert problems(b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024)) == [
        "Het bestand is groter dan 2 MB."]


def test_a_zip_bomb_is_refused_before_parsing():
    source = zipfile.ZipFile(io.BytesIO(book(survey=survey())))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # the sheet's XML padded with 30 MB of white space: it compresses to a
                # few tens of kB, so the file passes the size limit
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (30 << 20))
            archive.writestr(info.filename, data)
    assert len(bomb.getvalue()) < 2 * 1024 * 1024
    assert problems(bomb.getvalue()) == [BOMB]


def test_a_corrupt_workbook_is_refused():
    source = zipfile.ZipFile(io.BytesIO(book(survey=survey())))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = b"<not xml"
            archive.writestr(info.filename, data)
    assert problems(broken.getvalue()) == [
        "Dit .xlsx-bestand kan niet worden gelezen. Bewaar het opnieuw vanuit Excel."]


def test_a_workbook_unpacking_past_10_mb_is_refused_at_a_modest_ratio():
    import random

    words = [f"woord{n:02d} ".encode() for n in range(16)]
    chooser = random.Random(7)
    padding = b"".join(chooser.choice(words) for _ in range((11 << 20) // 8))
    source = zipfile.ZipFile(io.BytesIO(book(survey=survey())))
    large = io.BytesIO()
    with zipfile.ZipFile(large, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        archive.writestr("xl/media/opvulling.txt", padding)
    sizes = zipfile.ZipFile(large).infolist()
    unpacked = sum(i.file_size for i in sizes)
    assert len(large.getvalue()) < 2 << 20 and unpacked / len(large.getvalue()) < 100
    assert problems(large.getvalue()) == [BOMB]


# -- with the validator ------------------------------------------------------------------

def test_the_validator_names_the_cell_of_a_fault():
    from instrument.loader import loads

    raw = every_type()
    raw["sections"][0]["items"][1]["key"] = "medewerkers"      # a duplicate key
    found = problems_of(lambda: loads(write_workbook(raw), "x.xlsx"))
    # row 1 header, row 2 begin group, row 3 the first item, row 4 the second
    assert any(p.startswith("vragen, rij 4, kolom B (name): ") for p in found), found


def problems_of(call) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        call()
    return caught.value.problems


def test_two_columns_for_the_default_language():
    data = book(survey=survey(),
                settings=[["id", "version", "title", "title::fr", "languages"],
                          ["x", "1", "Titre", "Titre bis", "fr"]])
    assert problems(data) == [
        "instellingen, rij 2, kolom D (title::fr): een tweede kolom voor de taal 'fr'"]


def test_hostile_texts_round_trip_in_the_normal_form():
    from test_tomlwrite import HOSTILE

    raw = every_type()
    items = raw["sections"][0]["items"]
    for index, text in enumerate(HOSTILE):
        items.append({"type": "yesno", "key": f"h{index}", "text": text,
                      "label": {"nl": "x" + text, "fr": text + "y"}})
    normal = normalise(raw)
    assert normal["sections"][0]["items"][5 + HOSTILE.index("lone\rcr")]["text"] == "lone\ncr"
    assert normal["sections"][0]["items"][5 + HOSTILE.index("del \x7f")]["text"] == "del \x7f"
    assert read_workbook(write_workbook(raw), "x.xlsx")[0] == normal
