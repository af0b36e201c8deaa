"""instrument.diff: what changed between two versions, by item and section key."""

from __future__ import annotations

import copy

import pytest

from instrument.diff import diff
from instrument.loader import from_dict, load
from survey.questionnaire import bundled_dir

EXAMPLE = bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml"


@pytest.fixture
def raw() -> dict:
    return load(EXAMPLE).to_dict(storage=False)


def _item(raw: dict, key: str) -> dict:
    return next(i for s in raw["sections"] for i in s["items"] if i["key"] == key)


def _changes(old: dict, new: dict) -> list[tuple[str, str | None]]:
    return [(c.kind, c.key) for c in diff(from_dict(old), from_dict(new))]


def test_the_same_questionnaire_has_no_changes(raw):
    assert diff(from_dict(raw), from_dict(copy.deepcopy(raw))) == []


def test_an_added_and_a_removed_item(raw):
    new = copy.deepcopy(raw)
    werking = new["sections"][0]["items"]
    del werking[2]                                   # overleg
    werking.append({"type": "yesno", "key": "contactpersoon", "text": "Kent u uw contact?",
                    "label": "Kent contactpersoon"})
    changes = diff(from_dict(raw), from_dict(new))
    assert [(c.kind, c.key) for c in changes] == [("item added", "contactpersoon"),
                                                  ("item removed", "overleg")]
    assert changes[0].description == ("Vraag ‘contactpersoon’ is toegevoegd (ja/nee, deel "
                                      "‘werking’): “Kent u uw contact?”.")
    assert changes[1].description == ("Vraag 3 (‘overleg’) is verwijderd: “Hoeveel keer had "
                                      "uw school dit schooljaar een overleg met het CLB?”.")


def test_reworded_text_and_label(raw):
    new = copy.deepcopy(raw)
    _item(new, "verzoek")["text"] = "Stelde uw school een vraag aan het CLB?"
    _item(new, "verzoek")["label"] = "Vraag gesteld"
    changes = diff(from_dict(raw), from_dict(new))
    assert [(c.kind, c.key) for c in changes] == [("text", "verzoek"), ("label", "verzoek")]
    assert changes[0].description == (
        "Vraag 11 (‘verzoek’): de tekst is gewijzigd: “Heeft uw school dit schooljaar een vraag "
        "gesteld aan of een melding gedaan bij het CLB?” wordt “Stelde uw school een vraag aan "
        "het CLB?”.")


def test_a_changed_scale_choices_routing_and_required(raw):
    new = copy.deepcopy(raw)
    new["scales"]["tevredenheid"]["options"][0]["label"] = "Heel tevreden"
    new["choices"]["kanaal"]["options"].pop()
    _item(new, "tevredenheid-cijfer")["show_if"] = {"item": "kanaal", "codes": [1, 2]}
    _item(new, "verzoek")["required"] = False
    changes = diff(from_dict(raw), from_dict(new))
    assert [(c.kind, c.key) for c in changes] == [
        ("required", "verzoek"), ("choices", "kanaal"), ("scale", "snel-antwoord"),
        ("routing", "tevredenheid-cijfer")]
    described = {c.kind: c.description for c in changes}
    assert described["required"] == "Vraag 11 (‘verzoek’) is nu niet verplicht (was verplicht)."
    assert described["routing"] == ("Vraag 20 (‘tevredenheid-cijfer’): getoond als ‘verzoek’ "
                                    "= 1 wordt getoond als ‘kanaal’ = 1, 2.")
    assert described["choices"] == (
        "Vraag ‘kanaal’: de keuzes zijn gewijzigd: 1 = Via de vaste contactpersoon; 2 = Via het "
        "onthaal of de permanentie van het CLB; 3 = Via een online formulier of e-mail wordt "
        "1 = Via de vaste contactpersoon; 2 = Via het onthaal of de permanentie van het CLB.")
    assert "4 = Zeer tevreden" in described["scale"] and "4 = Heel tevreden" in described["scale"]


def test_a_changed_type_and_setting(raw):
    new = copy.deepcopy(raw)
    item = _item(new, "hoofdthema")
    item["type"] = "multi"
    _item(new, "overleg")["max"] = 40
    assert _changes(raw, new) == [("type", "hoofdthema"), ("setting", "overleg")]
    assert diff(from_dict(raw), from_dict(new))[1].description == (
        "Vraag 3 (‘overleg’): maximum gewijzigd van 60 naar 40.")


def test_sections_added_removed_and_renamed(raw):
    new = copy.deepcopy(raw)
    new["sections"][0]["title"] = "Samenwerking"
    arts = new["sections"].pop()                  # the section and its two items go
    new["sections"].append({"key": "slot", "title": "Tot slot", "items": [
        {"type": "text", "key": "nog-iets", "label": "Nog iets?"}]})
    changes = diff(from_dict(raw), from_dict(new))
    assert [(c.kind, c.key) for c in changes] == [
        ("section renamed", "werking"), ("section added", "slot"), ("section removed", "arts"),
        ("item added", "nog-iets"),
        ("item removed", arts["items"][0]["key"]), ("item removed", arts["items"][1]["key"])]
    assert changes[0].description == ("Deel ‘werking’ heeft een nieuwe titel: “Met wie en "
                                      "waarover u samenwerkt” wordt “Samenwerking”.")
    assert changes[2].description == "Deel ‘arts’ is verwijderd: “Samenwerking met de CLB-arts”."


def test_the_school_questionnaire_against_itself_upgraded():
    # format 1 on disk, format 2 in storage: the same questions, so no change
    school = load(bundled_dir() / "clb-samenwerking-school-2026.1.toml")
    assert diff(school, from_dict(school.to_dict(storage=True))) == []
