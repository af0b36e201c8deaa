"""The parts of a questionnaire a report needs (sections, statements, aspects, the scale),
read from the JSON snapshot a round stores. Plain data: the reports never see the app's
questionnaire classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .statistics import Scale


@dataclass(frozen=True)
class Statement:
    number: int
    text: str
    label: str
    section: str
    aspects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    numbers: tuple[int, ...]
    remark_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Aspect:
    id: str
    name: str
    code: str | None


@dataclass(frozen=True)
class Layout:
    sections: tuple[Section, ...]
    statements: Mapping[int, Statement]
    aspects: tuple[Aspect, ...]
    scale: Scale
    option_labels: Mapping[int, str]   # answer code -> label, "geen zicht" included

    @property
    def numbers(self) -> list[int]:
        return [n for s in self.sections for n in s.numbers]

    def section_of_remark(self, key: str) -> Section | None:
        return next((s for s in self.sections if key in s.remark_keys), None)


def from_snapshot(snapshot: Mapping[str, Any]) -> Layout:
    options = snapshot["scale"]["options"]
    scored = tuple(sorted(o["code"] for o in options if o.get("substantive", True)))
    no_view = tuple(sorted(o["code"] for o in options if not o.get("substantive", True)))
    scale = Scale(scored=scored, agree=tuple(snapshot["scale"]["agree"]), no_view=no_view)
    sections, statements = [], {}
    for s in snapshot["sections"]:
        numbers, remarks = [], []
        for item in s["items"]:
            if item["type"] == "statement":
                numbers.append(item["number"])
                statements[item["number"]] = Statement(
                    item["number"], item["text"], item["label"], s["key"],
                    tuple(item.get("aspects", ())))
            else:
                remarks.append(item["key"])
        sections.append(Section(s["key"], s["title"], tuple(numbers), tuple(remarks)))
    aspects = tuple(Aspect(a["id"], a["name"], a.get("code"))
                    for a in snapshot.get("aspects", ()))
    return Layout(tuple(sections), statements, aspects, scale,
                  {o["code"]: o["label"] for o in options})
