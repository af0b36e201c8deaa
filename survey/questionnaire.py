"""Questionnaire definitions: load a TOML file, validate it, and snapshot it for a round.

Pure Python (no Flask, no database) so that the CLI, the app and the reports share it.
The file format is documented in questionnaires/README.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ITEM_TYPES = ("statement", "text")


class QuestionnaireError(ValueError):
    """A file that is not a valid questionnaire; .problems lists every fault found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class ScaleOption:
    code: int
    label: str
    substantive: bool = True


@dataclass(frozen=True)
class Aspect:
    id: str
    name: str
    code: str | None = None
    code_inferred: bool = False


@dataclass(frozen=True)
class Item:
    type: str
    text: str
    label: str
    number: int | None = None
    key: str | None = None
    aspects: tuple[str, ...] = ()
    max_length: int = 4000

    @property
    def field_name(self) -> str:
        return f"s{self.number}" if self.type == "statement" else f"t_{self.key}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    items: tuple[Item, ...]

    @property
    def statements(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "statement")


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    intro: str
    scale: tuple[ScaleOption, ...]
    agree_codes: tuple[int, ...]
    sections: tuple[Section, ...]
    aspects: tuple[Aspect, ...] = ()
    _by_number: dict[int, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for item in self.items:
            if item.number is not None:
                self._by_number[item.number] = item

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)

    @property
    def statements(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "statement")

    @property
    def text_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "text")

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(o.code for o in self.scale)

    def statement(self, number: int) -> Item | None:
        return self._by_number.get(number)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able snapshot a round stores; from_dict() reads it back."""
        return {
            "format": FORMAT,
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "intro": self.intro,
            "scale": {
                "agree": list(self.agree_codes),
                "options": [
                    {"code": o.code, "label": o.label, "substantive": o.substantive}
                    for o in self.scale
                ],
            },
            "aspects": [
                {"id": a.id, "name": a.name, "code": a.code, "code_inferred": a.code_inferred}
                for a in self.aspects
            ],
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "intro": s.intro,
                    "items": [_item_dict(i) for i in s.items],
                }
                for s in self.sections
            ],
        }


def _item_dict(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"type": item.type, "text": item.text, "label": item.label}
    if item.type == "statement":
        out["number"] = item.number
        out["aspects"] = list(item.aspects)
    else:
        out["key"] = item.key
        out["max_length"] = item.max_length
    return out


def load(path: str | Path) -> Questionnaire:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionnaireError(str(path), [f"cannot read file: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(str(path), ["file is not UTF-8 text"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(str(path), [f"not valid TOML: {exc}"]) from exc
    return from_dict(raw, source=str(path))


def from_dict(raw: dict[str, Any], source: str = "<snapshot>") -> Questionnaire:
    """Validate raw data (a parsed file or a stored snapshot); report every fault found."""
    v = _Validator()
    q = v.questionnaire(raw)
    if v.problems:
        raise QuestionnaireError(source, v.problems)
    return q


class _Validator:
    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, where: str, data: dict, allowed: set[str]) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(where, f"unknown field '{key}'")

    def text(self, where: str, data: dict, name: str, *, required=True, pattern=None) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(where, f"field '{name}' is missing")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, f"field '{name}' must be a non-empty string")
            return ""
        if pattern and not pattern.match(value):
            self.fail(where, f"field '{name}' = {value!r} must be lowercase letters, digits and -")
        return value.strip()

    def table_list(self, where: str, data: dict, name: str) -> list[dict]:
        value = data.get(name)
        if not isinstance(value, list) or not value:
            self.fail(where, f"'{name}' must be a non-empty list of tables")
            return []
        good = [x for x in value if isinstance(x, dict)]
        if len(good) != len(value):
            self.fail(where, f"every entry of '{name}' must be a table")
        return good

    def questionnaire(self, raw: dict) -> Questionnaire:
        top = "questionnaire"
        self.keys(top, raw, {"format", "id", "version", "title", "intro", "scale", "aspects",
                             "sections"})
        if raw.get("format") != FORMAT:
            self.fail(top, f"field 'format' must be {FORMAT} (got {raw.get('format')!r})")
        qid = self.text(top, raw, "id", pattern=SLUG)
        version = raw.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail(top, "field 'version' must be a non-empty string, e.g. \"2026.1\"")
            version = ""
        title = self.text(top, raw, "title")
        intro = self.text(top, raw, "intro", required=False)
        scale, agree = self.scale(raw.get("scale"))
        aspects = self.aspects(raw.get("aspects", []))
        sections = self.sections(raw, {a.id for a in aspects})
        return Questionnaire(qid, str(version), title, intro, scale, agree, sections, aspects)

    def scale(self, raw) -> tuple[tuple[ScaleOption, ...], tuple[int, ...]]:
        where = "scale"
        if not isinstance(raw, dict):
            self.fail(where, "table [scale] is missing")
            return (), ()
        self.keys(where, raw, {"options", "agree"})
        options = []
        for n, opt in enumerate(self.table_list(where, raw, "options"), start=1):
            at = f"scale.options[{n}]"
            self.keys(at, opt, {"code", "label", "substantive"})
            code = opt.get("code")
            if not isinstance(code, int) or isinstance(code, bool):
                self.fail(at, "field 'code' must be an integer")
                continue
            substantive = opt.get("substantive", True)
            if not isinstance(substantive, bool):
                self.fail(at, "field 'substantive' must be true or false")
                substantive = True
            options.append(ScaleOption(code, self.text(at, opt, "label"), substantive))
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            self.fail(where, "option codes must be unique")
        scored = sorted(o.code for o in options if o.substantive)
        if options and scored != list(range(1, len(scored) + 1)):
            self.fail(where, "substantive options must have the codes 1..N (N = most agreement)")
        if options and len(scored) < 2:
            self.fail(where, "at least two substantive options are needed")
        agree = raw.get("agree")
        if not isinstance(agree, list) or not agree or not all(c in scored for c in agree):
            self.fail(where, "field 'agree' must list the substantive codes that count as agreeing")
            agree = []
        return tuple(options), tuple(sorted(agree))

    def aspects(self, raw) -> tuple[Aspect, ...]:
        if not isinstance(raw, list):
            self.fail("aspects", "must be a list of tables")
            return ()
        out, seen = [], set()
        for n, entry in enumerate(raw, start=1):
            at = f"aspects[{n}]"
            if not isinstance(entry, dict):
                self.fail(at, "must be a table")
                continue
            self.keys(at, entry, {"id", "name", "code", "code_inferred"})
            aid = self.text(at, entry, "id")
            if aid in seen:
                self.fail(at, f"duplicate aspect id {aid!r}")
            seen.add(aid)
            code = entry.get("code")
            if code is not None and not isinstance(code, str):
                self.fail(at, "field 'code' must be a string")
                code = None
            out.append(Aspect(aid, self.text(at, entry, "name"), code,
                              bool(entry.get("code_inferred", False))))
        return tuple(out)

    def sections(self, raw: dict, aspect_ids: set[str]) -> tuple[Section, ...]:
        out, keys, numbers, item_keys = [], set(), set(), set()
        for n, sec in enumerate(self.table_list("questionnaire", raw, "sections"), start=1):
            at = f"sections[{n}]"
            self.keys(at, sec, {"key", "title", "intro", "items"})
            key = self.text(at, sec, "key", pattern=SLUG)
            if key in keys:
                self.fail(at, f"duplicate section key {key!r}")
            keys.add(key)
            items = []
            for m, entry in enumerate(self.table_list(at, sec, "items"), start=1):
                item = self.item(f"{at}.items[{m}]", entry, aspect_ids, numbers, item_keys)
                if item:
                    items.append(item)
            out.append(Section(key, self.text(at, sec, "title"),
                               self.text(at, sec, "intro", required=False), tuple(items)))
        return tuple(out)

    def item(self, at, entry, aspect_ids, numbers, item_keys) -> Item | None:
        kind = entry.get("type")
        if kind not in ITEM_TYPES:
            self.fail(at, f"field 'type' must be one of {', '.join(ITEM_TYPES)} (got {kind!r})")
            return None
        if kind == "statement":
            number = entry.get("number")
            at = f"{at} (statement {number})"
            self.keys(at, entry, {"type", "number", "text", "label", "aspects"})
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                self.fail(at, "field 'number' must be a positive integer")
                number = None
            elif number in numbers:
                self.fail(at, f"duplicate statement number {number}")
            numbers.add(number)
            aspects = entry.get("aspects", [])
            if not isinstance(aspects, list) or not all(isinstance(a, str) for a in aspects):
                self.fail(at, "field 'aspects' must be a list of aspect ids")
                aspects = []
            for a in aspects:
                if a not in aspect_ids:
                    self.fail(at, f"field 'aspects': unknown aspect {a!r}")
            return Item("statement", self.text(at, entry, "text"), self.text(at, entry, "label"),
                        number=number, aspects=tuple(aspects))
        key = entry.get("key")
        at = f"{at} (text {key})"
        self.keys(at, entry, {"type", "key", "text", "label", "max_length"})
        key = self.text(at, entry, "key", pattern=SLUG)
        if key in item_keys:
            self.fail(at, f"duplicate text item key {key!r}")
        item_keys.add(key)
        max_length = entry.get("max_length", 4000)
        if not isinstance(max_length, int) or not 1 <= max_length <= 20000:
            self.fail(at, "field 'max_length' must be an integer from 1 to 20000")
            max_length = 4000
        return Item("text", self.text(at, entry, "text", required=False),
                    self.text(at, entry, "label"), key=key, max_length=max_length)


def bundled_dir() -> Path:
    """The questionnaires folder: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent
    inside = here / "questionnaires"
    return inside if inside.is_dir() else here.parent / "questionnaires"


def bundled(qid: str) -> Questionnaire:
    """The newest bundled file with this id (files are named <id>-<version>.toml)."""
    found = [load(p) for p in sorted(bundled_dir().glob(f"{qid}*.toml"))]
    found = [q for q in found if q.id == qid]
    if not found:
        raise LookupError(f"no bundled questionnaire with id {qid!r} in {bundled_dir()}")
    return found[-1]
