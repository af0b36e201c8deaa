"""Read a questionnaire (a TOML or .xlsx file, or a round's stored snapshot) into the
model, reporting every fault with its place; and write the model back as the raw dict
(dump). This is the one parser of a round's snapshot: the app and the reports both call
from_dict() on `round.definition`.

Format 1 (statements and texts on one scale) and format 2 (every type, routing, several
scales, texts per language) are both read; questionnaires/README.md describes them.
Messages are Dutch: inspectors read them in the console. The checks of single fields are
in checks.py, writing the model back in dump.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .checks import SLUG, FieldChecks
from .dump import dump
from .errors import QuestionnaireError
from .i18n import _
from .model import (
    FORMAT,
    Aspect,
    Choice,
    Condition,
    Item,
    Questionnaire,
    Scale,
    ScaleOption,
    Section,
)
from .types import registry

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
FIRST_FREE_SLOT = 1001
MAX_NUMBER = 999
MAX_FILE_BYTES = 2 * 1024 * 1024   # 2 MB, as the console says
COMMON = frozenset({"type", "key", "number", "text", "label", "required", "show_if", "slot"})
LEGACY_TYPES = {"statement": "likert", "text": "text"}


def load(path: str | Path) -> Questionnaire:
    """A questionnaire file on disk: .toml, or .xlsx in the workbook form."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(str(path), [_("kan het bestand niet lezen: %(strerror)s",
                                               strerror=exc.strerror)]
                                 ) from exc
    return loads(data, path.name, source=str(path))


def loads(data: bytes, filename: str, source: str | None = None) -> Questionnaire:
    """An uploaded file: a workbook when it is a zip (.xlsx), TOML otherwise."""
    source = source or filename
    if len(data) > MAX_FILE_BYTES:
        size, maximum = (f"{n:,}".replace(",", ".") for n in (len(data), MAX_FILE_BYTES))
        raise QuestionnaireError(source, [
            _("het bestand is te groot (%(size)s bytes; hoogstens %(maximum)s)", size=size,
              maximum=maximum)])
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        from .xlsform import place_of, read_workbook
        raw, places = read_workbook(data, source)
        return from_dict(raw, source, lambda path, field: place_of(places, path, field))
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(source, [_("het bestand is geen UTF-8-tekst")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(source, [_("geen geldige TOML: %(exc)s", exc=exc)]) from exc
    return from_dict(raw, source)


def from_dict(raw: Mapping[str, Any], source: str = "<snapshot>", place=None
              ) -> Questionnaire:
    """Validate raw data (a parsed file or a stored snapshot); report every fault found.
    `place(path, field)` says where a path is in the file it came from (a workbook)."""
    v = Validator(place)
    q = v.questionnaire(raw) if isinstance(raw, Mapping) else None
    if q is None and not v.problems:
        v.fail("questionnaire", _("het bestand bevat geen vragenlijst"))
    if v.problems:
        raise QuestionnaireError(source, v.problems)
    return q


class Context:
    """What an item's type needs from the rest of the file while it is read."""

    def __init__(self, scales, choice_lists, aspect_ids, languages):
        self.scales: dict[str, Scale] = scales
        self.choice_lists: dict[str, tuple[Choice, ...]] = choice_lists
        self.aspect_ids: set[str] = aspect_ids
        self.languages = languages
        self.section_scale: str | None = None
        self.validator: Validator | None = None

    def choices(self, v: Validator, at: str, value) -> tuple[tuple[Choice, ...], str | None]:
        if isinstance(value, str):
            found = self.choice_lists.get(value)
            if found is None:
                v.fail(at, _("veld 'choices': onbekende keuzelijst %(value)s",
                             value=repr(value)), "choices")
                return (), value
            return found, value
        if isinstance(value, list):
            return v.choice_options(at, value, "choices"), None
        v.fail(at, _("veld 'choices' moet de naam van een keuzelijst of een lijst van "
                   "{code, label} zijn"), "choices")
        return (), None


class Validator(FieldChecks):
    """Reads the parts of a questionnaire, field by field."""

    # -- the parts of a questionnaire --
    def questionnaire(self, raw: Mapping) -> Questionnaire | None:
        top = "questionnaire"
        fmt = raw.get("format")
        if fmt not in (1, FORMAT):
            self.fail(top, _("veld 'format' moet 1 of %(format)s zijn (nu %(fmt)s)",
                             format=FORMAT, fmt=repr(fmt)), "format")
            return None
        self.legacy = fmt == 1
        allowed = {"format", "id", "version", "title", "intro", "scale", "aspects", "sections"}
        if not self.legacy:
            allowed |= {"languages", "scales", "choices"}
        self.keys(top, raw, allowed)
        self.languages = self.language_list(raw.get("languages", ["nl"]))
        qid = self.slug(top, raw, "id")
        version = raw.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail(top, _("veld 'version' moet een niet-lege tekst zijn, bv. \"2026.1\""),
                      "version")
            version = ""
        title = self.text(top, raw, "title")
        intro = self.text(top, raw, "intro", required=False)
        scales = self.scales(raw)
        choice_lists = self.choice_lists(raw.get("choices", {}))
        aspects = self.aspects(raw.get("aspects", []))
        context = Context(scales, choice_lists, {a.id for a in aspects}, self.languages)
        sections = self.sections(raw, context)
        return Questionnaire(qid, str(version).strip(), title, intro, sections, scales,
                             choice_lists, aspects, self.languages, fmt)

    def language_list(self, value) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(
                isinstance(x, str) and LANGUAGE.match(x) for x in value):
            self.fail("questionnaire", _("veld 'languages' moet een niet-lege lijst van "
                                       "taalcodes zijn, bv. [\"nl\", \"fr\"]"), "languages")
            return ("nl",)
        if len(set(value)) != len(value):
            self.fail("questionnaire", _("veld 'languages' noemt een taal twee keer"), "languages")
        return tuple(dict.fromkeys(value))

    def scales(self, raw: Mapping) -> dict[str, Scale]:
        out = {}
        if "scale" in raw:
            out["scale"] = self.scale("scale", "scale", raw["scale"])
        elif self.legacy:
            self.fail("scale", _("tabel [scale] ontbreekt"))
        named = raw.get("scales", {})
        if not isinstance(named, Mapping):
            self.fail("scales", _("moet een tabel van schalen zijn"))
            named = {}
        for name, scale in named.items():
            if name == "scale" or not SLUG.match(name):
                self.fail(f"scales.{name}", _("een schaalnaam bestaat uit kleine letters, "
                                            "cijfers en - (en is niet 'scale')"))
            out[name] = self.scale(f"scales.{name}", name, scale)
        return {name: s for name, s in out.items() if s is not None}

    def scale(self, path: str, name: str, raw) -> Scale | None:
        if not isinstance(raw, Mapping):
            self.fail(path, _("moet een tabel zijn met 'options' en 'agree'"))
            return None
        self.keys(path, raw, {"options", "agree"})
        options = []
        for n, opt in enumerate(self.table_list(path, raw, "options"), start=1):
            at = f"{path}.options[{n}]"
            self.keys(at, opt, {"code", "label", "substantive"})
            code = self.integer(at, opt, "code", required=True, low=0, high=99)
            substantive = self.boolean(at, opt, "substantive", True)
            label = self.text(at, opt, "label")
            if code is not None:
                options.append(ScaleOption(code, label, substantive))
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            self.fail(path, _("de codes van de opties moeten verschillend zijn"), "options")
        scored = sorted(o.code for o in options if o.substantive)
        if options and scored != list(range(1, len(scored) + 1)):
            self.fail(path, _("de inhoudelijke opties moeten de codes 1..N hebben (N = meest "
                            "akkoord)"), "options")
        if options and len(scored) < 2:
            self.fail(path, _("er zijn minstens twee inhoudelijke opties nodig"), "options")
        agree = raw.get("agree")
        if not isinstance(agree, list) or not agree or not all(
                isinstance(c, int) and c in scored for c in agree):
            self.fail(path, _("veld 'agree' moet de inhoudelijke codes noemen die als akkoord "
                            "tellen"), "agree")
            agree = []
        return Scale(name, tuple(options), tuple(sorted(agree)))

    def choice_lists(self, raw) -> dict[str, tuple[Choice, ...]]:
        if not isinstance(raw, Mapping):
            self.fail("choices", _("moet een tabel van keuzelijsten zijn"))
            return {}
        out = {}
        for name, entry in raw.items():
            path = f"choices.{name}"
            if not SLUG.match(name):
                self.fail(path, _("een lijstnaam bestaat uit kleine letters, cijfers en -"))
            if not isinstance(entry, Mapping):
                self.fail(path, _("moet een tabel zijn met 'options'"))
                continue
            self.keys(path, entry, {"options"})
            out[name] = self.choice_options(path, entry.get("options"), "options")
        return out

    def choice_options(self, path: str, raw, name: str) -> tuple[Choice, ...]:
        entries = self.table_list(path, {name: raw}, name)
        choices = []
        for n, entry in enumerate(entries, start=1):
            at = f"{path}.{name}[{n}]" if name == "options" else f"{path}.choices[{n}]"
            self.keys(at, entry, {"code", "label"})
            code = self.integer(at, entry, "code", required=True, low=0, high=9999)
            label = self.text(at, entry, "label")
            if code is not None:
                choices.append(Choice(code, label))
        if len({c.code for c in choices}) != len(choices):
            self.fail(path, _("de codes van de keuzes moeten verschillend zijn"), name)
        return tuple(choices)

    def aspects(self, raw) -> tuple[Aspect, ...]:
        if not isinstance(raw, list):
            self.fail("aspects", _("moet een lijst van tabellen zijn"))
            return ()
        out, seen = [], set()
        for n, entry in enumerate(raw, start=1):
            at = f"aspects[{n}]"
            if not isinstance(entry, Mapping):
                self.fail(at, _("moet een tabel zijn"))
                continue
            self.keys(at, entry, {"id", "name", "code", "code_inferred"})
            aspect_id = entry.get("id")
            if not isinstance(aspect_id, str) or not aspect_id.strip():
                self.fail(at, _("veld 'id' ontbreekt"), "id")
                continue
            if aspect_id in seen:
                self.fail(at, _("aspect-id %(aspect_id)s komt twee keer voor",
                                aspect_id=repr(aspect_id)), "id")
            seen.add(aspect_id)
            code = entry.get("code")
            if code is not None and not isinstance(code, str):
                self.fail(at, _("veld 'code' moet een tekst zijn"), "code")
                code = None
            out.append(Aspect(aspect_id, self.text(at, entry, "name"), code,
                              self.boolean(at, entry, "code_inferred", False)))
        return tuple(out)

    def sections(self, raw: Mapping, context: Context) -> tuple[Section, ...]:
        parsed, seen_sections = [], set()
        state = _Items()
        for n, sec in enumerate(self.table_list("questionnaire", raw, "sections"), start=1):
            at = f"sections[{n}]"
            allowed = {"key", "title", "intro", "items"}
            if not self.legacy:
                allowed |= {"show_if", "scale"}
            self.keys(at, sec, allowed)
            key = self.slug(at, sec, "key")
            if key in seen_sections:
                self.fail(at, _("de sleutel %(key)s van dit deel komt twee keer voor",
                                key=repr(key)), "key")
            seen_sections.add(key)
            show_if = self.condition(at, sec.get("show_if"), state) if "show_if" in sec else None
            scale = sec.get("scale")
            if scale is not None and (not isinstance(scale, str) or scale not in context.scales):
                self.fail(at, _("veld 'scale': onbekende schaal %(scale)s",
                                scale=repr(scale)), "scale")
                scale = None
            context.section_scale = scale
            entries = []
            for m, entry in enumerate(self.table_list(at, sec, "items"), start=1):
                fields = self.item(f"{at}.items[{m}]", entry, key, context, state)
                if fields is not None:
                    entries.append(fields)
            parsed.append((key, self.text(at, sec, "title"),
                           self.text(at, sec, "intro", required=False), entries, show_if,
                           scale))
        slots = state.assign_slots(self)
        return tuple(
            Section(key, title, intro, tuple(_build(f, slots) for f in entries), show_if, scale)
            for key, title, intro, entries, show_if, scale in parsed)

    def item(self, at: str, entry: Mapping, section: str, context: Context, state: _Items
             ) -> dict | None:
        kind_name = entry.get("type")
        if isinstance(entry.get("key"), str):
            self.names[at] = _("vraag '%(key)s'", key=entry["key"])
        if self.legacy:
            if kind_name not in LEGACY_TYPES:
                self.fail(at, _("veld 'type' moet statement of text zijn (nu %(kind_name)s)",
                                kind_name=repr(kind_name)),
                          "type")
                return None
            kind_name = LEGACY_TYPES[kind_name]
        elif kind_name not in registry:
            self.fail(at, _("veld 'type' moet een van %(names)s zijn (nu %(kind_name)s)",
                            names=", ".join(registry), kind_name=repr(kind_name)), "type")
            return None
        kind = registry[kind_name]
        if self.legacy and kind_name == "likert":
            number = entry.get("number")
            self.names[at] = _("stelling %(number)s", number=number)
            self.keys(at, entry, {"type", "number", "text", "label", "aspects"})
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                self.fail(at, _("veld 'number' moet een positief geheel getal zijn"), "number")
                number = None
            key = f"s{number}"
        else:
            key = entry.get("key")
            self.names[at] = (_("vraag %(key)s", key=key) if self.legacy
                              else _("vraag '%(key)s'", key=key))
            allowed = COMMON | kind.fields
            if self.legacy:
                allowed = {"type", "key", "text", "label", "max_length"}
            self.keys(at, entry, allowed)
            key = self.slug(at, entry, "key")
            number = None if self.legacy else self.integer(
                at, entry, "number", required=False, low=1, high=MAX_NUMBER)
        if key in state.keys:
            self.fail(at, _("de sleutel %(key)s komt twee keer voor", key=repr(key)), "key")
        if number is not None:
            if number in state.numbers:
                self.fail(at, _("het nummer %(number)s komt twee keer voor",
                                number=number), "number")
            state.numbers.add(number)
        text_required = kind_name != "text"
        text = self.text(at, entry, "text", required=text_required)
        label = self.text(at, entry, "label", required=self.legacy or kind_name == "text")
        fields = {
            "type": kind_name, "key": key, "text": text, "label": label or text,
            "section": section, "number": number,
            "required": self.boolean(at, entry, "required", False),
            "show_if": self.condition(at, entry["show_if"], state)
            if "show_if" in entry else None,
            **kind.parse(self, at, entry, context),
        }
        if not self.legacy:
            fields["_slot"] = self.integer(at, entry, "slot", required=False, low=1)
            fields["_slots"] = entry.get("slots")
        state.add(at, fields)
        return fields

    def condition(self, at: str, raw, state: _Items) -> Condition | None:
        if not isinstance(raw, Mapping) or set(raw) != {"item", "codes"}:
            self.fail(at, _("veld 'show_if' moet {item = \"sleutel\", codes = [..]} zijn"),
                      "show_if")
            return None
        target, codes = raw["item"], raw["codes"]
        earlier = state.by_key.get(target)
        if earlier is None:
            self.fail(at, _("veld 'show_if': %(target)s is geen eerdere vraag",
                            target=repr(target)), "show_if")
            return None
        if not registry[earlier["type"]].routable:
            self.fail(at, _("veld 'show_if': vraag %(target)s is geen single-, yesno- of "
                          "multi-vraag", target=repr(target)), "show_if")
            return None
        known = {c.code for c in earlier.get("choices", ())}
        if not isinstance(codes, list) or not codes or not all(
                isinstance(c, int) and not isinstance(c, bool) for c in codes):
            self.fail(at, _("veld 'show_if': 'codes' moet een niet-lege lijst van codes zijn"),
                      "show_if")
            return None
        unknown = [c for c in codes if c not in known]
        if unknown:
            self.fail(at, _("veld 'show_if': vraag %(target)s heeft geen antwoord met code "
                          "%(unknown)s", target=repr(target), unknown=unknown[0]), "show_if")
        return Condition(target, tuple(codes))


class _Items:
    """The items read so far: for unique keys and numbers, show_if on earlier items, and
    the slots assigned once every item is known."""

    def __init__(self):
        self.keys: set[str] = set()
        self.numbers: set[int] = set()
        self.by_key: dict[str, dict] = {}
        self.order: list[tuple[str, dict]] = []

    def add(self, at: str, fields: dict) -> None:
        self.keys.add(fields["key"])
        self.by_key.setdefault(fields["key"], fields)
        self.order.append((at, fields))

    def assign_slots(self, v: Validator) -> dict[int, object]:
        """Slots in place: an explicit one (a snapshot) first, then an item's number, then
        the next free from FIRST_FREE_SLOT in file order; a multi takes one per option."""
        used: set[int] = set()
        for at, fields in self.order:
            kind = registry[fields["type"]]
            wanted = [fields.get("_slot")] if fields.get("_slot") else []
            if fields["type"] == "multi" and fields.get("_slots") is not None:
                wanted = fields["_slots"]
                if not isinstance(wanted, list) or len(wanted) != len(fields["choices"]) or \
                        not all(isinstance(s, int) and s > 0 for s in wanted):
                    v.fail(at, _("veld 'slots' moet per keuze één positief getal geven"), "slots")
                    wanted = []
            if kind.name != "text" and fields["type"] != "multi" and not wanted and \
                    fields["number"] is not None:
                wanted = [fields["number"]]
            for slot in wanted:
                if slot in used:
                    v.fail(at, _("plaats %(slot)s wordt twee keer gebruikt", slot=slot), "slot")
                used.add(slot)
            fields["_assigned"] = list(wanted)
        free = FIRST_FREE_SLOT
        for _at, fields in self.order:
            if fields["type"] == "text" or fields["_assigned"]:
                continue
            need = len(fields["choices"]) if fields["type"] == "multi" else 1
            while len(fields["_assigned"]) < need:
                while free in used:
                    free += 1
                fields["_assigned"].append(free)
                used.add(free)
        return {}


def _build(fields: dict, _slots) -> Item:
    assigned = fields.pop("_assigned", [])
    fields.pop("_slot", None)
    fields.pop("_slots", None)
    if fields["type"] == "multi":
        fields["choices"] = tuple(Choice(c.code, c.label, slot)
                                  for c, slot in zip(fields["choices"], assigned, strict=False))
    elif assigned:
        fields["slot"] = assigned[0]
    return Item(**fields)


__all__ = ["Context", "Validator", "dump", "from_dict", "load", "loads"]
