"""Write bench/questionnaires/zestig-vragen-2026.1.toml: a 60-item questionnaire that uses
every item type and routing, for bench/submit.py --questionnaire. Its texts are
placeholders of the benchmark's own.

    python bench/make_sixty.py
"""

from __future__ import annotations

from pathlib import Path

from instrument.loader import from_dict
from instrument.tomlwrite import dumps

HERE = Path(__file__).resolve().parent
TARGET = HERE / "questionnaires" / "zestig-vragen-2026.1.toml"
SCALE = {"agree": [3, 4], "options": [
    {"code": 4, "label": "Helemaal akkoord"}, {"code": 3, "label": "Eerder akkoord"},
    {"code": 2, "label": "Eerder niet akkoord"}, {"code": 1, "label": "Helemaal niet akkoord"},
    {"code": 0, "label": "Geen zicht / niet van toepassing", "substantive": False}]}
OPTIONS = {"options": [{"code": c, "label": f"Keuze {c}"} for c in range(1, 7)]}


def section(n: int) -> dict:
    """Ten sections of six items: a yes/no that routes the rest of its section, then
    likert, single, multi, number and text; every third section shown only after a 'ja'
    in the first."""
    key = f"deel-{n}"
    gate = f"d{n}-ja"
    items = [
        {"type": "yesno", "key": gate, "text": f"Deel {n}: is dit op uw school van toepassing?",
         "required": True},
        {"type": "likert", "key": f"d{n}-stelling", "text": f"Stelling van deel {n}."},
        {"type": "single", "key": f"d{n}-keuze", "text": f"Eén keuze in deel {n}.",
         "choices": "keuzes", "show_if": {"item": gate, "codes": [1]}},
        {"type": "multi", "key": f"d{n}-meer", "text": f"Meerdere keuzes in deel {n}.",
         "choices": "keuzes", "other": True, "show_if": {"item": gate, "codes": [1]}},
        {"type": "number", "key": f"d{n}-aantal", "text": f"Een aantal in deel {n}.",
         "min": 0, "max": 100, "show_if": {"item": gate, "codes": [1]}},
        {"type": "text", "key": f"d{n}-tekst", "label": f"Toelichting bij deel {n}"},
    ]
    out = {"key": key, "title": f"Deel {n}", "items": items}
    if n % 3 == 0:
        out["show_if"] = {"item": "d1-ja", "codes": [1]}
    return out


def build() -> dict:
    return {"format": 2, "id": "zestig-vragen", "version": "2026.1",
            "title": "Benchmark: zestig vragen van elk type (geen echte bevraging)",
            "scale": SCALE, "choices": {"keuzes": OPTIONS},
            "sections": [section(n) for n in range(1, 11)]}


if __name__ == "__main__":
    raw = build()
    q = from_dict(raw, "zestig-vragen")
    assert len(q.items) == 60
    TARGET.write_text(dumps(raw), encoding="utf-8")
    print(f"wrote {TARGET} ({len(q.items)} items)")
