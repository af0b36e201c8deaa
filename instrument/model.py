"""The questionnaire as the engine sees it: frozen plain data built by the loader (from a
file or a round's snapshot) and written back by to_dict(). What an item of a given type
does (its form field, its answers, its summary) is its type class's business, found
through `item.kind` (instrument.types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .text import LocalText

if TYPE_CHECKING:
    from .types.base import ItemType

FORMAT = 2


@dataclass(frozen=True)
class ScaleOption:
    code: int
    label: LocalText
    substantive: bool = True


@dataclass(frozen=True)
class Scale:
    """A likert scale: options in the order shown; `agree` the codes counted as agreeing."""

    name: str
    options: tuple[ScaleOption, ...]
    agree: tuple[int, ...]

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(o.code for o in self.options)

    @cached_property
    def substantive(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options if o.substantive)

    @cached_property
    def labels(self) -> dict[int, str]:
        return {o.code: o.label for o in self.options}


@dataclass(frozen=True)
class Choice:
    """One option of a single or multi item; `slot` is where a multi stores it."""

    code: int
    label: LocalText
    slot: int | None = None


@dataclass(frozen=True)
class Condition:
    """show_if: shown when the earlier item `item` has one of `codes`."""

    item: str
    codes: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "codes": list(self.codes)}


@dataclass(frozen=True)
class Aspect:
    id: str
    name: LocalText
    code: str | None = None
    code_inferred: bool = False


@dataclass(frozen=True)
class Item:
    """One question. The common fields first; the rest belong to some types only (the
    type's parse() fills them, its to_dict() writes them). What is derived from the fields
    (its type, field name, slots) is worked out once per item: a submit asks for them a
    few hundred times."""

    type: str
    key: str
    text: LocalText
    label: LocalText
    section: str
    number: int | None = None
    slot: int | None = None             # single-valued types: where the answer is stored
    required: bool = False
    show_if: Condition | None = None
    scale: Scale | None = None          # likert
    aspects: tuple[str, ...] = ()       # likert
    choices: tuple[Choice, ...] = ()    # single, multi, yesno
    choice_list: str | None = None      # the named list the choices came from
    other: bool = False                 # single, multi: "anders, namelijk"
    min_choices: int | None = None      # multi
    max_choices: int | None = None      # multi
    minimum: int | None = None          # number
    maximum: int | None = None          # number
    unit: LocalText | None = None       # number
    max_length: int = 4000              # text

    @cached_property
    def kind(self) -> ItemType:
        from .types import registry
        return registry[self.type]

    @cached_property
    def field_name(self) -> str:
        """The form field's name (kept from format 1: s<number> and t_<key>)."""
        return self.kind.field_name(self)

    @cached_property
    def other_key(self) -> str:
        return f"{self.key}-anders"

    @cached_property
    def slots(self) -> tuple[int, ...]:
        return self.kind.slots(self)

    @cached_property
    def remark_keys(self) -> tuple[str, ...]:
        return self.kind.remark_keys(self)

    @property
    def codes(self) -> dict[int, str]:
        """Answer code -> label, for the types whose answers are codes."""
        return self.kind.value_labels(self)

    def display_label(self) -> str:
        return f"{self.number}. {self.text}" if self.number is not None else str(self.text)


@dataclass(frozen=True)
class Section:
    key: str
    title: LocalText
    intro: LocalText
    items: tuple[Item, ...]
    show_if: Condition | None = None
    scale: str | None = None

    @property
    def statements(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "likert")


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: LocalText
    intro: LocalText
    sections: tuple[Section, ...]
    scales: dict[str, Scale] = field(default_factory=dict, compare=False)
    choice_lists: dict[str, tuple[Choice, ...]] = field(default_factory=dict, compare=False)
    aspects: tuple[Aspect, ...] = ()
    languages: tuple[str, ...] = ("nl",)
    source_format: int = field(default=FORMAT, compare=False)

    # -- lookups (built once; the dataclass is frozen, the caches are not state) --
    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)

    @cached_property
    def by_key(self) -> dict[str, Item]:
        return {i.key: i for i in self.items}

    @cached_property
    def by_field(self) -> dict[str, Item]:
        return {i.field_name: i for i in self.items}

    @cached_property
    def by_slot(self) -> dict[int, Item]:
        return {slot: i for i in self.items for slot in i.slots}

    @cached_property
    def by_remark(self) -> dict[str, Item]:
        return {key: i for i in self.items for key in i.remark_keys}

    @cached_property
    def has_routing(self) -> bool:
        return any(s.show_if for s in self.sections) or any(i.show_if for i in self.items)

    @cached_property
    def has_required(self) -> bool:
        return any(i.required for i in self.items)

    @cached_property
    def section_of(self) -> dict[str, Section]:
        return {i.key: s for s in self.sections for i in s.items}

    # -- what format-1 code called statements: the likert items --
    @property
    def statements(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "likert")

    @property
    def text_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "text")

    @property
    def default_scale(self) -> Scale | None:
        return self.scales.get("scale") or next(iter(self.scales.values()), None)

    @property
    def scale(self) -> tuple[ScaleOption, ...]:
        """The default scale's options (a questionnaire with one likert scale)."""
        default = self.default_scale
        return default.options if default else ()

    @property
    def agree_codes(self) -> tuple[int, ...]:
        default = self.default_scale
        return default.agree if default else ()

    @property
    def codes(self) -> frozenset[int]:
        default = self.default_scale
        return default.codes if default else frozenset()

    def statement(self, slot: int) -> Item | None:
        """The item stored in `slot` (a likert item's slot is its number)."""
        return self.by_slot.get(slot)

    def to_dict(self, *, storage: bool = True) -> dict[str, Any]:
        """The raw format-2 dict: the JSON a round stores (with the slots, `storage`) or
        the file an author downloads (without them: they are assigned the same way)."""
        from .dump import dump
        return dump(self, storage=storage)
