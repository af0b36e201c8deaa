"""The engine's one parser (instrument/loader.py): format 2 with every type and routing,
every fault with its place, slots, languages, snapshots and uploads."""

from __future__ import annotations

import copy
import tomllib

import pytest

from instrument.errors import QuestionnaireError
from instrument.loader import FIRST_FREE_SLOT, MAX_FILE_BYTES, from_dict, loads
from survey.questionnaire import bundled_dir

EXAMPLE = bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml"


def _raw() -> dict:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def _item(raw, key):
    return next(i for s in raw["sections"] for i in s["items"] if i["key"] == key)


def test_the_example_reads_with_every_type_and_routing():
    q = from_dict(_raw())
    assert {i.type for i in q.items} == {"likert", "single", "multi", "yesno", "number",
                                         "text"}
    assert q.has_routing and q.has_required
    assert q.by_key["kanaal"].show_if.item == "verzoek"
    assert q.sections[2].show_if.codes == (3,)
    assert q.by_key["snel-antwoord"].scale.name == "tevredenheid"
    assert q.by_key["bereikbaar"].scale.name == "scale"


def test_slots_numbers_first_then_from_1001_in_file_order():
    q = from_dict(_raw())
    # medewerkers (multi, 5 options) takes 1001-1005; bereikbaar 1006; kanaal 1007 ...
    assert q.by_key["medewerkers"].slots == (1001, 1002, 1003, 1004, 1005)
    assert q.by_key["hoofdthema"].slots == (2,)       # its number
    assert q.by_key["bereikbaar"].slots == (FIRST_FREE_SLOT + 5,)
    assert q.by_key["kanaal"].slots == (1007,) and q.by_key["snel-antwoord"].slots == (1008,)
    assert q.by_key["arts-afspraken"].slots == (25,)
    assert q.by_key["opmerking"].slots == () and q.by_key["opmerking"].remark_keys == (
        "opmerking",)
    assert q.by_key["kanaal"].remark_keys == ("kanaal-anders",)


def test_a_snapshot_keeps_its_slots_whatever_the_file_does_later():
    snapshot = from_dict(_raw()).to_dict(storage=True)
    assert _item(snapshot, "medewerkers")["slots"] == [1001, 1002, 1003, 1004, 1005]
    # a new version inserts an item first: a file read afresh shifts the free slots, the
    # stored snapshot does not
    moved = copy.deepcopy(snapshot)
    moved["sections"][0]["items"].insert(0, {"type": "yesno", "key": "nieuw",
                                             "text": "Nieuwe vraag?"})
    again = from_dict(moved)
    assert again.by_key["medewerkers"].slots == (1001, 1002, 1003, 1004, 1005)
    assert again.by_key["nieuw"].slots == (1009,)
    assert from_dict(snapshot).to_dict() == snapshot


def test_a_download_without_slots_reads_back_to_the_same_questionnaire():
    q = from_dict(_raw())
    assert from_dict(q.to_dict(storage=False)).to_dict() == q.to_dict()


def _broken(change) -> list[str]:
    raw = _raw()
    change(raw)
    with pytest.raises(QuestionnaireError) as info:
        from_dict(raw, "voorbeeld.toml")
    return info.value.problems


FAULTS = [
    ("unknown type", lambda r: _item(r, "overleg").update(type="slider"),
     "sections[1].items[3] (vraag 'overleg'): veld 'type' moet een van likert, single, "
     "multi, yesno, number, text zijn (nu 'slider')"),
    ("show_if on a later item", lambda r: _item(r, "medewerkers").update(
        show_if={"item": "verzoek", "codes": [1]}),
     "sections[1].items[1] (vraag 'medewerkers'): veld 'show_if': 'verzoek' is geen eerdere "
     "vraag"),
    ("show_if on an unknown item", lambda r: _item(r, "kanaal").update(
        show_if={"item": "bestaat-niet", "codes": [1]}),
     "veld 'show_if': 'bestaat-niet' is geen eerdere vraag"),
    ("show_if on a number", lambda r: _item(r, "kanaal").update(
        show_if={"item": "overleg", "codes": [1]}),
     "veld 'show_if': vraag 'overleg' is geen single-, yesno- of multi-vraag"),
    ("show_if on a code the item lacks", lambda r: _item(r, "kanaal").update(
        show_if={"item": "verzoek", "codes": [3]}),
     "veld 'show_if': vraag 'verzoek' heeft geen antwoord met code 3"),
    ("show_if misspelt", lambda r: _item(r, "kanaal").update(show_if={"vraag": "verzoek"}),
     "veld 'show_if' moet {item = \"sleutel\", codes = [..]} zijn"),
    ("duplicate number", lambda r: _item(r, "overleg").update(number=1),
     "(vraag 'overleg'): het nummer 1 komt twee keer voor"),
    ("duplicate key", lambda r: _item(r, "overleg").update(key="hoofdthema"),
     "de sleutel 'hoofdthema' komt twee keer voor"),
    ("empty choice list", lambda r: r["choices"]["thema"].update(options=[]),
     "choices.thema: 'options' moet een niet-lege lijst van tabellen zijn"),
    ("duplicate choice code", lambda r: r["choices"]["thema"]["options"][1].update(code=1),
     "choices.thema: de codes van de keuzes moeten verschillend zijn"),
    ("unknown choice list", lambda r: _item(r, "hoofdthema").update(choices="themas"),
     "veld 'choices': onbekende keuzelijst 'themas'"),
    ("scale without codes", lambda r: r["scales"]["tevredenheid"].update(options=[]),
     "scales.tevredenheid: 'options' moet een niet-lege lijst van tabellen zijn"),
    ("scale option without a code", lambda r: r["scale"]["options"][0].pop("code"),
     "scale.options[1]: veld 'code' ontbreekt"),
    ("unknown scale", lambda r: _item(r, "bereikbaar").update(scale="vijfpunt"),
     "veld 'scale': onbekende schaal 'vijfpunt'"),
    ("number without bounds", lambda r: _item(r, "overleg").pop("max"),
     "(vraag 'overleg'): veld 'max' ontbreekt"),
    ("number bounds reversed", lambda r: _item(r, "overleg").update(min=70),
     "veld 'min' moet kleiner zijn dan of gelijk aan 'max'"),
    ("a field of another type", lambda r: _item(r, "overleg").update(choices="thema"),
     "(vraag 'overleg'): onbekend veld 'choices'"),
    ("max_choices above the options", lambda r: _item(r, "medewerkers").update(
        max_choices=9), "veld 'max_choices' is groter dan het aantal keuzes (5)"),
    ("text in an unknown language", lambda r: r.update(title={"nl": "x", "fr": "y"}),
     "veld 'title': taal 'fr' staat niet in 'languages'"),
    ("required not a boolean", lambda r: _item(r, "verzoek").update(required="ja"),
     "veld 'required' moet true of false zijn"),
]


@pytest.mark.parametrize(("case", "change", "message"), FAULTS, ids=[f[0] for f in FAULTS])
def test_every_fault_is_named_with_its_place(case, change, message):
    problems = _broken(change)
    assert any(message in p for p in problems), problems


def test_all_faults_at_once():
    def many(raw):
        _item(raw, "overleg").update(type="slider")
        _item(raw, "kanaal").update(show_if={"item": "later", "codes": [1]})
        raw["choices"]["thema"]["options"] = []
    assert len(_broken(many)) >= 3


def test_texts_per_language():
    raw = _raw()
    raw["languages"] = ["nl", "fr"]
    _item(raw, "verzoek")["text"] = {"nl": "Stelde uw school een vraag?",
                                     "fr": "Votre école a-t-elle posé une question ?"}
    q = from_dict(raw)
    text = q.by_key["verzoek"].text
    assert text == "Stelde uw school een vraag?"
    assert text.get("fr") == "Votre école a-t-elle posé une question ?"
    assert text.get("de") == "Stelde uw school een vraag?"
    assert _item(q.to_dict(), "verzoek")["text"]["fr"].startswith("Votre")
    problems = _broken(lambda r: r.update(languages=["fr", "nl"],
                                          title={"nl": "Alleen in het Nederlands"}))
    assert any("veld 'title' mist de tekst in de standaardtaal 'fr'" in p for p in problems)


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"x" * (MAX_FILE_BYTES + 1), "groot.toml", "het bestand is te groot"),
    (b"format = 2\nid = [", "kapot.toml", "geen geldige TOML"),
    (b"\xff\xfe", "utf16.toml", "geen UTF-8"),
    (b"PK\x03\x04rest-of-no-zip", "nep.xlsx", ""),
    (b"", "leeg.toml", "veld 'format' moet 1 of 2 zijn"),
])
def test_hostile_uploads_are_refused_with_a_reason(data, filename, message):
    with pytest.raises(QuestionnaireError) as info:
        loads(data, filename)
    assert message in str(info.value) and info.value.problems


def test_an_xlsx_fault_says_sheet_row_and_column():
    import io

    import openpyxl

    from instrument.xlsform import write_workbook
    book = openpyxl.load_workbook(io.BytesIO(write_workbook(_raw())))
    sheet = book["vragen"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("name")].value ==
               "kanaal")
    row[header.index("show_if")].value = "bestaat-niet = 1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(QuestionnaireError) as info:
        loads(out.getvalue(), "voorbeeld.xlsx")
    column = openpyxl.utils.get_column_letter(header.index("show_if") + 1)
    assert any(p.startswith(f"vragen, rij {row[0].row}, kolom {column} (show_if)")
               and "'bestaat-niet' is geen eerdere vraag" in p
               for p in info.value.problems), info.value.problems
