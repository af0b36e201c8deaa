"""The parts of a questionnaire a report needs (sections, statements, aspects, the scale),
read from the JSON snapshot a round stores. Plain data: the reports never see the app's
questionnaire classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from instrument.loader import from_dict
from instrument.model import Questionnaire

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
    """The layout of a round's snapshot, read by the engine's one parser."""
    return of_questionnaire(from_dict(snapshot))


def of_questionnaire(q: Questionnaire) -> Layout:
    default = q.default_scale
    options = default.options if default else ()
    scale = Scale(scored=tuple(sorted(o.code for o in options if o.substantive)),
                  agree=tuple(default.agree) if default else (),
                  no_view=tuple(sorted(o.code for o in options if not o.substantive)))
    sections, statements = [], {}
    for s in q.sections:
        numbers, remarks = [], []
        for item in s.items:
            if item.type == "likert":
                numbers.append(item.slot)
                statements[item.slot] = Statement(item.slot, item.text, item.label, s.key,
                                                  item.aspects)
            elif item.type == "text":
                remarks.append(item.key)
        sections.append(Section(s.key, s.title, tuple(numbers), tuple(remarks)))
    aspects = tuple(Aspect(a.id, a.name, a.code) for a in q.aspects)
    return Layout(tuple(sections), statements, aspects, scale,
                  {o.code: o.label for o in options})
