"""The questionnaire loader: the bundled file, every kind of malformed file, snapshots."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from survey.questionnaire import QuestionnaireError, bundled, bundled_dir, from_dict, load

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "003_fb8d9dbabdb76358.txt"
BUNDLED = next(bundled_dir().glob("clb-samenwerking-school-*.toml"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_bundled_questionnaire_has_the_official_statements():
    q = load(BUNDLED)
    assert [i.number for i in q.statements] == [
        4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 26, 27]
    assert [o.label for o in q.scale] == [
        "Helemaal akkoord", "Eerder akkoord", "Eerder niet akkoord", "Helemaal niet akkoord",
        "Geen zicht / niet van toepassing"]
    assert [o.code for o in q.scale if not o.substantive] == [0]
    assert q.agree_codes == (3, 4)
    assert len(q.sections) == 4 and all(len(s.statements) for s in q.sections)
    assert len(q.text_items) == 4, "one optional remark per section"


def test_statement_texts_and_labels_are_verbatim_from_seed_003():
    if not SEED.exists():
        pytest.skip(f"seed file not found at {SEED}")
    # The seed breaks lines anywhere, also right after a hyphen; compare without any
    # whitespace at all so that only the characters count.
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for item in load(BUNDLED).statements:
        assert re.sub(r"\s+", "", f"{item.number}. {item.text}") in seed, item.number
        assert re.sub(r"\s+", "", f"{item.number}. {item.label}") in seed, item.number


def test_statement_text_has_no_broken_words():
    for item in load(BUNDLED).statements:
        assert "  " not in item.text and not re.search(r"[a-z]- [a-z]", item.text.replace(
            "basis- en", "").replace("opvoedings- en", "")), item.number


def test_snapshot_round_trips():
    q = load(BUNDLED)
    again = from_dict(q.to_dict())
    assert again.to_dict() == q.to_dict()
    assert again.statement(18).label == "Contacteren elke AN kort na melding inschrijving"


def test_bundled_finds_by_id():
    assert bundled("clb-samenwerking-school").id == "clb-samenwerking-school"
    with pytest.raises(LookupError):
        bundled("does-not-exist")


def _raw() -> dict:
    return tomllib.loads(BUNDLED.read_text(encoding="utf-8"))


def _first_statement(raw):
    return raw["sections"][0]["items"][0]


MALFORMED = [
    ("missing title", lambda r: r.pop("title"), "questionnaire: veld 'title' ontbreekt"),
    ("wrong format", lambda r: r.update(format=3), "veld 'format' moet 1 of 2 zijn"),
    ("bad id", lambda r: r.update(id="CLB Survey"), "veld 'id'"),
    ("unknown top field", lambda r: r.update(titel="x"), "onbekend veld 'titel'"),
    ("no sections", lambda r: r.update(sections=[]), "'sections' moet een niet-lege lijst"),
    ("duplicate number", lambda r: r["sections"][1]["items"][0].update(number=4),
     "het nummer 4 komt twee keer voor"),
    ("number not int", lambda r: _first_statement(r).update(number="4"),
     "sections[1].items[1] (stelling 4): veld 'number' moet een positief geheel getal zijn"),
    ("missing label", lambda r: _first_statement(r).pop("label"),
     "sections[1].items[1] (stelling 4): veld 'label' ontbreekt"),
    ("empty text", lambda r: _first_statement(r).update(text="  "),
     "(stelling 4): veld 'text' moet een niet-lege tekst zijn"),
    ("unknown aspect", lambda r: _first_statement(r).update(aspects=["Z9"]),
     "(stelling 4): veld 'aspects': onbekend aspect 'Z9'"),
    ("typo in item field", lambda r: _first_statement(r).update(lable="x"),
     "(stelling 4): onbekend veld 'lable'"),
    ("bad type", lambda r: _first_statement(r).update(type="radio"),
     "sections[1].items[1]: veld 'type' moet statement of text zijn"),
    ("scale gap", lambda r: r["scale"]["options"][0].update(code=5),
     "de inhoudelijke opties moeten de codes 1..N hebben"),
    ("duplicate code", lambda r: r["scale"]["options"][4].update(code=4),
     "de codes van de opties moeten verschillend zijn"),
    ("agree outside scale", lambda r: r["scale"].update(agree=[0]), "veld 'agree'"),
    ("text item without key", lambda r: r["sections"][0]["items"][-1].pop("key"),
     "(vraag None): veld 'key' ontbreekt"),
    ("duplicate section", lambda r: r["sections"][1].update(key="algemeen"),
     "sections[2]: de sleutel 'algemeen' van dit deel komt twee keer voor"),
]


@pytest.mark.parametrize(("case", "breaks", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_questionnaire_names_the_place(case, breaks, message):
    raw = _raw()
    breaks(raw)
    with pytest.raises(QuestionnaireError) as info:
        from_dict(raw, source="q.toml")
    assert any(message in p for p in info.value.problems), info.value.problems
    assert str(info.value).startswith("q.toml: ")


def test_every_problem_is_reported_at_once():
    raw = _raw()
    raw.pop("title")
    _first_statement(raw).pop("label")
    with pytest.raises(QuestionnaireError) as info:
        from_dict(raw)
    assert len(info.value.problems) == 2


@pytest.mark.parametrize(("content", "message"), [
    ("format = 1\nid = [", "geen geldige TOML"),
    (b"\xff\xfe format", "geen UTF-8"),
])
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(QuestionnaireError, match="kan het bestand niet lezen"):
        load(tmp_path / "nope.toml")
