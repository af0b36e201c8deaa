"""What changed between two versions of a questionnaire, for the inspector who publishes the
new one: items matched by key (added, removed, reworded, type, scale or choices, routing,
required, other settings), sections matched by key (added, removed, renamed, routing), and
the questionnaire's own title and intro. Pure: two Questionnaires in, a list of Changes out,
each with a Dutch description (inspectors read it in the console)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Condition, Item, Questionnaire, Scale, Section
from .text import LocalText

# the item fields that belong to some types only, beyond text, label, scale and choices
SETTINGS = (("other", "‘anders, namelijk’"), ("min_choices", "minimum aantal keuzes"),
            ("max_choices", "maximum aantal keuzes"), ("minimum", "minimum"),
            ("maximum", "maximum"), ("unit", "eenheid"), ("max_length", "maximale lengte"),
            ("aspects", "aspecten"), ("number", "nummer"))


@dataclass(frozen=True)
class Change:
    """One difference. `kind` is a stable word for code and tests; `key` the item's or
    section's key (None for the questionnaire itself)."""

    kind: str
    key: str | None
    description: str


def diff(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """Every difference from `old` to `new`, in the order of the new file (removed items
    where they were in the old one, after the rest)."""
    changes: list[Change] = []
    for name, label in (("title", "titel"), ("intro", "inleiding")):
        before, after = getattr(old, name), getattr(new, name)
        if _raw(before) != _raw(after):
            changes.append(Change(f"questionnaire {name}", None,
                                  f"De {label} van de vragenlijst is gewijzigd: "
                                  f"{_quote(before)} wordt {_quote(after)}."))
    changes += _sections(old, new)
    changes += _items(old, new)
    return changes


def _sections(old: Questionnaire, new: Questionnaire) -> list[Change]:
    before = {s.key: s for s in old.sections}
    after = {s.key: s for s in new.sections}
    changes = []
    for key, section in after.items():
        if key not in before:
            changes.append(Change("section added", key,
                                  f"Deel ‘{key}’ is toegevoegd: {_quote(section.title)}."))
            continue
        changes += _section(before[key], section)
    changes += [Change("section removed", key,
                       f"Deel ‘{key}’ is verwijderd: {_quote(section.title)}.")
                for key, section in before.items() if key not in after]
    return changes


def _section(old: Section, new: Section) -> list[Change]:
    changes = []
    if _raw(old.title) != _raw(new.title):
        changes.append(Change("section renamed", new.key,
                              f"Deel ‘{new.key}’ heeft een nieuwe titel: {_quote(old.title)} "
                              f"wordt {_quote(new.title)}."))
    if _raw(old.intro) != _raw(new.intro):
        changes.append(Change("section intro", new.key,
                              f"Deel ‘{new.key}’: de inleiding is gewijzigd."))
    if old.show_if != new.show_if:
        changes.append(Change("section routing", new.key,
                              f"Deel ‘{new.key}’: {_condition(old.show_if)} wordt "
                              f"{_condition(new.show_if)}."))
    return changes


def _items(old: Questionnaire, new: Questionnaire) -> list[Change]:
    before = {i.key: i for i in old.items}
    after = {i.key: i for i in new.items}
    changes = []
    for key, item in after.items():
        if key not in before:
            changes.append(Change("item added", key,
                                  f"Vraag {_name(item)} is toegevoegd ({_type(item)}, deel "
                                  f"‘{item.section}’): {_quote(item.text or item.label)}."))
            continue
        changes += _item(before[key], item)
    changes += [Change("item removed", key, f"Vraag {_name(item)} is verwijderd: "
                                            f"{_quote(item.text or item.label)}.")
                for key, item in before.items() if key not in after]
    return changes


def _item(old: Item, new: Item) -> list[Change]:
    name = _name(new)
    changes = []
    if old.type != new.type:
        # a new type changes what the stored codes mean: the rest follows from it
        changes.append(Change("type", new.key, f"Vraag {name}: het vraagtype is gewijzigd van "
                                               f"{_type(old)} naar {_type(new)}."))
    if _raw(old.text) != _raw(new.text):
        changes.append(Change("text", new.key, f"Vraag {name}: de tekst is gewijzigd: "
                                               f"{_quote(old.text)} wordt {_quote(new.text)}."))
    if _raw(old.label) != _raw(new.label):
        changes.append(Change("label", new.key, f"Vraag {name}: het korte label is gewijzigd: "
                                                f"{_quote(old.label)} wordt "
                                                f"{_quote(new.label)}."))
    if old.section != new.section:
        changes.append(Change("moved", new.key, f"Vraag {name} staat nu in deel "
                                                f"‘{new.section}’ (was ‘{old.section}’)."))
    if _scale(old.scale) != _scale(new.scale):
        changes.append(Change("scale", new.key, f"Vraag {name}: de antwoordschaal is gewijzigd: "
                                                f"{_options(old.scale)} wordt "
                                                f"{_options(new.scale)}."))
    if _choices(old) != _choices(new):
        changes.append(Change("choices", new.key, f"Vraag {name}: de keuzes zijn gewijzigd: "
                                                  f"{_listed(_choices(old))} wordt "
                                                  f"{_listed(_choices(new))}."))
    if old.show_if != new.show_if:
        changes.append(Change("routing", new.key, f"Vraag {name}: {_condition(old.show_if)} "
                                                  f"wordt {_condition(new.show_if)}."))
    if old.required != new.required:
        changes.append(Change("required", new.key, f"Vraag {name} is nu {_required(new)} "
                                                   f"(was {_required(old)})."))
    for field, label in SETTINGS:
        before, after = getattr(old, field), getattr(new, field)
        if _raw(before) != _raw(after):
            changes.append(Change("setting", new.key, f"Vraag {name}: {label} gewijzigd van "
                                                      f"{_value(before)} naar {_value(after)}."))
    return changes


def _required(item: Item) -> str:
    return "verplicht" if item.required else "niet verplicht"


def _raw(value):
    """A value compared with its translations (LocalText equals its default text only)."""
    if isinstance(value, LocalText):
        return (str(value), tuple(sorted(value.translations.items())))
    return value


def _name(item: Item) -> str:
    return f"{item.number} (‘{item.key}’)" if item.number is not None else f"‘{item.key}’"


TYPE_NAMES = {"likert": "stelling met schaal", "single": "één keuze", "multi": "meerkeuze",
              "yesno": "ja/nee", "number": "getal", "text": "open tekst"}


def _type(item: Item) -> str:
    return TYPE_NAMES.get(item.type, item.type)


def _quote(text) -> str:
    return f"“{text}”" if text else "(leeg)"


def _scale(scale: Scale | None):
    if scale is None:
        return None
    return (tuple((o.code, _raw(o.label), o.substantive) for o in scale.options),
            tuple(scale.agree))


def _options(scale: Scale | None) -> str:
    if scale is None:
        return "geen schaal"
    agree = ", ".join(str(code) for code in scale.agree)
    return f"{_listed([(o.code, o.label) for o in scale.options])} (akkoord: {agree})"


def _choices(item: Item) -> list[tuple[int, object]]:
    # a likert item's choices follow from its scale; the scale is compared on its own
    if item.type == "likert":
        return []
    return [(choice.code, _raw(choice.label)) for choice in item.choices]


def _listed(options) -> str:
    if not options:
        return "geen"
    return "; ".join(f"{code} = {label[0] if isinstance(label, tuple) else label}"
                     for code, label in options)


def _condition(condition: Condition | None) -> str:
    if condition is None:
        return "altijd getoond"
    codes = ", ".join(str(code) for code in condition.codes)
    return f"getoond als ‘{condition.item}’ = {codes}"


def _value(value) -> str:
    if value is None or value == ():
        return "niets"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
