"""The parts of a questionnaire a report needs (sections, statements with their scales,
the other questions, aspects), read from the JSON snapshot a round stores. Plain data: the
reports never see the app's questionnaire classes. A statement is keyed by its slot (for
the school questionnaire, its number); a question of another type is summarised by its
type's summariser (reports/questions.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from instrument.loader import from_dict
from instrument.model import Questionnaire

from .questions import SUMMARISERS, Question
from .statistics import SCHOOL_SCALE, Scale


@dataclass(frozen=True)
class Statement:
    number: int                    # its slot: the key of its rows (the school's: its number)
    text: str
    label: str
    section: str
    aspects: tuple[str, ...] = ()
    scale: Scale = SCHOOL_SCALE    # its own scale's codes (agreeing, scored, no view)
    numbered: bool = True          # whether it has a number to print (format 2: optional)
    key: str = ""
    labels: tuple[tuple[int, str], ...] = ()   # its scale's (code, label), when not the default

    @property
    def tag(self) -> str:
        """The number as the sheet prints it, or nothing for a statement without one."""
        return str(self.number) if self.numbered else ""

    @property
    def title(self) -> str:
        return f"{self.number}. {self.label}" if self.numbered else self.label

    @property
    def shown_number(self) -> int | None:
        return self.number if self.numbered else None


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
    scale: Scale                       # the default scale (the reading guide's)
    option_labels: Mapping[int, str]   # answer code -> label, "geen zicht" included
    questions: tuple[Question, ...] = ()   # the questions of other types, in order
    slots: tuple[int, ...] = ()        # every counted slot, in the questionnaire's order

    @property
    def numbers(self) -> list[int]:
        return [n for s in self.sections for n in s.numbers]

    @property
    def scales(self) -> dict[int, Scale]:
        return {n: st.scale for n, st in self.statements.items()}

    def section_of_remark(self, key: str) -> Section | None:
        return next((s for s in self.sections if key in s.remark_keys), None)


def from_snapshot(snapshot: Mapping[str, Any]) -> Layout:
    """The layout of a round's snapshot, read by the engine's one parser."""
    return of_questionnaire(from_dict(snapshot))


def _scale(scale) -> Scale:
    options = scale.options if scale else ()
    return Scale(scored=tuple(sorted(o.code for o in options if o.substantive)),
                 agree=tuple(scale.agree) if scale else (),
                 no_view=tuple(sorted(o.code for o in options if not o.substantive)))


def _own_labels(scale, default) -> tuple[tuple[int, str], ...]:
    """A statement's answer labels when its scale's differ from the default's (the sheet
    then names them beside its section); () otherwise."""
    if scale is None or default is None or scale.labels == default.labels:
        return ()
    return tuple((o.code, str(o.label)) for o in scale.options)


def of_questionnaire(q: Questionnaire) -> Layout:
    default = q.default_scale
    options = default.options if default else ()
    sections, statements, questions, slots = [], {}, [], []
    for s in q.sections:
        numbers, remarks = [], []
        for item in s.items:
            if item.kind.categorical:
                slots.extend(item.slots)
            if item.type == "likert":
                numbers.append(item.slot)
                statements[item.slot] = Statement(
                    item.slot, item.text, item.label, s.key, item.aspects,
                    _scale(item.scale or default), item.number is not None, item.key,
                    _own_labels(item.scale, default))
            elif item.type in SUMMARISERS:
                questions.append(SUMMARISERS[item.type].question(item, s.key))
            elif item.type == "text":
                remarks.append(item.key)
        sections.append(Section(s.key, s.title, tuple(numbers), tuple(remarks)))
    aspects = tuple(Aspect(a.id, a.name, a.code) for a in q.aspects)
    return Layout(tuple(sections), statements, aspects, _scale(default),
                  {o.code: o.label for o in options}, tuple(questions), tuple(slots))
