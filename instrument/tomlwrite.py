"""Write a questionnaire's raw dict (the parsed TOML, format 1 or 2) back as a TOML file
that people read and edit: the top-level fields, then [scale], [scales.NAME],
[choices.NAME], [[aspects]] and [[sections]] with their [[sections.items]]; options and
show_if as inline tables, one option a line; texts with line breaks as \"\"\" strings; a
text in several languages as an inline table {nl = "...", fr = "..."} (as dotted keys
`text.nl = \"\"\"...\"\"\"` when one of its languages holds a line break).

Hand-written rather than tomli-w (on PyPI, well kept, 1.2.0): tomli-w writes valid TOML but
decides the layout itself (every list of tables becomes [[...]], so each scale option
would become a five-line table, and it cannot order keys or choose dotted keys), while the
file an inspector downloads must look like the bundled ones. The writer is small and exact:
`tomllib.loads(dumps(raw)) == raw` for every dict of strings, integers, floats, booleans,
lists and tables (the tests hold it to that, hostile strings included)."""

from __future__ import annotations

import math
import re

__all__ = ["dumps"]

# The order in which known fields are written; other fields follow in the dict's order.
TOP_ORDER = ("format", "id", "version", "title", "intro", "languages")
TABLE_ORDER = ("scale", "scales", "choices")
ARRAY_ORDER = ("aspects", "sections")
FIELD_ORDER = ("type", "key", "number", "id", "code", "code_inferred", "name", "title",
               "text", "label", "intro", "required", "show_if", "scale", "choices",
               "other", "min_choices", "max_choices", "min", "max", "unit", "max_length",
               "aspects", "agree", "substantive", "options")
# Lists of tables written as [[...]]; every other list of tables is an inline array.
ARRAY_TABLES = frozenset({"aspects", "sections", "items"})

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?")
ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
           "\r": "\\r"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def dumps(raw: dict) -> str:
    """The TOML text of `raw`."""
    lines: list[str] = []
    _table_body(lines, (), raw, TOP_ORDER + TABLE_ORDER + ARRAY_ORDER)
    return "\n".join(lines).strip("\n") + "\n"


# -- tables ------------------------------------------------------------------------------

def _ordered(table: dict, order: tuple[str, ...]) -> list[str]:
    first = [k for k in order if k in table]
    return first + [k for k in table if k not in first]


def _is_array_table(key: str, value) -> bool:
    return (key in ARRAY_TABLES and isinstance(value, list) and bool(value)
            and all(isinstance(v, dict) for v in value))


def _is_subtable(value) -> bool:
    """A table written under its own [header]: one that holds tables or lists of tables
    (a scale and its options, the scales by name). Small tables (show_if, a text in
    several languages) stay inline."""
    return isinstance(value, dict) and not _is_text_table(value) and any(
        isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v))
        for v in value.values())


def _is_text_table(value) -> bool:
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and LANGUAGE.fullmatch(k) for k in value)
            and all(isinstance(v, str) for v in value.values()))


def _table_body(lines: list[str], path: tuple[str, ...], table: dict,
                order: tuple[str, ...] = FIELD_ORDER) -> None:
    keys = _ordered(table, order)
    subtables = [k for k in keys if _is_subtable(table[k])]
    arrays = [k for k in keys if k not in subtables and _is_array_table(k, table[k])]
    for key in keys:
        if key in subtables or key in arrays:
            continue
        value = table[key]
        if _is_text_table(value) and any("\n" in v for v in value.values()):
            for language, text in value.items():
                lines.append(f"{_key(key)}.{_key(language)} = {_string(text, True)}")
        else:
            lines.append(f"{_key(key)} = {_value(value, top=True)}")
    for key in subtables:
        _subtable(lines, path + (key,), table[key])
    for key in arrays:
        for element in table[key]:
            lines.append("")
            lines.append(f"[[{_dotted(path + (key,))}]]")
            _table_body(lines, path + (key,), element)


def _subtable(lines: list[str], path: tuple[str, ...], table: dict) -> None:
    """[path] with its own fields; a table that only holds tables (scales, choices) gets
    no header of its own, only its children do."""
    holds_only_tables = bool(table) and all(_is_subtable(v) for v in table.values())
    if holds_only_tables:
        for key, value in table.items():
            _subtable(lines, path + (key,), value)
        return
    lines.append("")
    lines.append(f"[{_dotted(path)}]")
    _table_body(lines, path, table)


# -- values ------------------------------------------------------------------------------

def _value(value, top: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value, multiline=top)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in
                          ((k, value[k]) for k in _ordered(value, FIELD_ORDER)))
        return "{ " + inner + " }"
    if isinstance(value, list | tuple):
        if top and value and all(isinstance(v, dict) for v in value):
            # options: one inline table a line, as the bundled files have them
            return "[\n" + "".join(f"    {_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _string(text: str, multiline: bool = False) -> str:
    if multiline and "\n" in text:
        return '"""\n' + _escape_multiline(text) + '"""'
    return '"' + "".join(ESCAPES.get(c) or _control(c) for c in text) + '"'


def _control(char: str) -> str:
    return f"\\u{ord(char):04X}" if CONTROL.fullmatch(char) else char


def _escape_multiline(text: str) -> str:
    """A \"\"\" string's body: line breaks and tabs literal, backslashes and control
    characters escaped, and a quote escaped when another quote follows it or it ends the
    text, so that no run of three quotes (the closing delimiter) can appear."""
    out = []
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            following = text[index + 1:index + 2]
            out.append('\\"' if following in ('"', "") else '"')
        elif char in ("\n", "\t"):
            out.append(char)
        elif char in ESCAPES:
            out.append(ESCAPES[char])
        else:
            out.append(_control(char))
    return "".join(out)


def _key(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else _string(key)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(_key(k) for k in path)
