"""Write a questionnaire's raw dict as the .xlsx form (sheets vragen, keuzes, instellingen,
aspecten; questionnaires/README.md), and the normal form both directions agree on.

The normal form, normalise(raw), is what a workbook can say:
- format 1 is upgraded to format 2 (instrument.upgrade);
- a single or multi item's inline list of choices becomes a named list in [choices],
  named after the item's key (`<key>-keuzes`, `<key>-keuzes-2`, ... when that is taken);
- a text table with only the default language is a plain string; an empty text is absent;
- line breaks are "\\n" (a cell's XML turns "\\r\\n" into "\\n") and characters XML cannot
  hold are dropped (openpyxl refuses them; the validator refuses them anyway);
- a scale option's `substantive = true` is left out (it is the default), a scale's
  `agree` is sorted, empty `aspects` lists and empty [scales]/[choices]/[[aspects]] are
  left out.
The list name `scale` is the default scale's; a name used both in [scales] and [choices]
cannot be written (its rows would form one list). Fields the form has no column for are
not written."""

from __future__ import annotations

import copy
import io
import re

from .upgrade import upgrade_v1

FIRST_INDEX = 1                      # paths count from 1: sections[1] is the first
SHEET_NAMES = {"vragen": "vragen", "survey": "vragen", "keuzes": "keuzes",
               "choices": "keuzes", "instellingen": "instellingen",
               "settings": "instellingen", "aspecten": "aspecten", "aspects": "aspecten"}
BOOLEAN_WORDS = {"ja": True, "nee": False, "yes": True, "no": False, "true": True,
                 "false": False, "1": True, "0": False, "waar": True, "onwaar": False}
# The columns of each sheet, in the order written; those in TEXTS may carry a language:
# `label::fr`.
COLUMNS = {
    "vragen": ("type", "name", "number", "label", "short_label", "hint", "required",
               "show_if", "choices", "other", "min", "max", "unit", "min_choices",
               "max_choices", "max_length", "aspects"),
    "keuzes": ("list_name", "code", "label", "substantive", "agree"),
    "instellingen": ("id", "version", "title", "intro", "languages"),
    "aspecten": ("id", "code", "name", "code_inferred"),
}
TEXTS = {"vragen": {"label", "short_label", "hint", "unit"}, "keuzes": {"label"},
         "instellingen": {"title", "intro"}, "aspecten": {"name"}}
TEXT_FIELDS = frozenset({"title", "intro", "text", "label", "unit", "name"})
NUMBER_FIELDS = ("number", "min", "max", "min_choices", "max_choices", "max_length")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_whole(value) -> bool:
    """An int, or a float without fraction (openpyxl reads a typed 3 as 3.0)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def default_language(raw: dict) -> str:
    languages = raw.get("languages")
    if isinstance(languages, list) and languages and isinstance(languages[0], str):
        return languages[0]
    return "nl"


# -- the normal form ---------------------------------------------------------------------

def normalise(raw: dict) -> dict:
    """The canonical form of `raw` (format 1 or 2) that a workbook reads back to."""
    result = _clean(upgrade_v1(raw))
    language = default_language(result)
    _texts(result, language)
    for scale in [result.get("scale")] + list((result.get("scales") or {}).values()):
        if isinstance(scale, dict):
            scale.setdefault("agree", [])
            if isinstance(scale.get("agree"), list):
                scale["agree"] = sorted(scale["agree"], key=lambda c: (str(type(c)), c))
            for option in scale.get("options") or []:
                if isinstance(option, dict) and option.get("substantive") is True:
                    del option["substantive"]
    names = set(result.get("choices") or {})
    for section in result.get("sections") or []:
        for item in section.get("items") or []:
            if item.get("aspects") == []:
                del item["aspects"]
            if item.get("type") in ("single", "multi") and isinstance(item.get("choices"),
                                                                       list):
                name = _free_name(f"{item.get('key')}-keuzes", names)
                names.add(name)
                result.setdefault("choices", {})[name] = {"options": item["choices"]}
                item["choices"] = name
    for name in ("scales", "choices", "aspects"):
        if name in result and not result[name]:
            del result[name]
    return result


def _free_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate in taken or candidate == "scale":
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def _clean(value):
    if isinstance(value, str):
        return NOT_IN_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return copy.deepcopy(value)


def _texts(value, language: str) -> None:
    """Plain strings for texts in the default language only; empty texts left out."""
    if isinstance(value, list):
        for element in value:
            _texts(element, language)
        return
    if not isinstance(value, dict):
        return
    for key in list(value):
        text = value[key]
        if key in TEXT_FIELDS and isinstance(text, dict):
            text = {k: v for k, v in text.items() if not (isinstance(v, str) and not v.strip())}
            value[key] = text[language] if set(text) == {language} else text
            text = value[key]
        if key in TEXT_FIELDS and (text == {} or (isinstance(text, str) and not text.strip())):
            del value[key]
        elif isinstance(text, dict | list):
            _texts(text, language)


# -- the workbook ------------------------------------------------------------------------

def write_workbook(raw: dict) -> bytes:
    """The .xlsx form of `raw` (format 1 or 2): sheets vragen, keuzes, instellingen and
    aspecten, header row bold and frozen, text always text (never a formula)."""
    from openpyxl import Workbook

    raw = normalise(raw)
    language = default_language(raw)
    languages = _other_languages(raw, language)
    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = {
        "vragen": _survey_rows(raw),
        "keuzes": _choice_rows(raw),
        "instellingen": [_settings_row(raw)],
        "aspecten": [_aspect_row(a) for a in raw.get("aspects") or []],
    }
    for sheet, rows in tables.items():
        header = []
        for column in COLUMNS[sheet]:
            header.append((column, None))
            if column in TEXTS[sheet]:
                header += [(column, other) for other in languages]
        _sheet(workbook, sheet, header, [_cells(row, language) for row in rows])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _other_languages(raw: dict, language: str) -> list[str]:
    found: list[str] = [x for x in raw.get("languages") or [] if isinstance(x, str)]

    def walk(value):
        if isinstance(value, dict):
            for key, text in value.items():
                if key in TEXT_FIELDS and isinstance(text, dict):
                    found.extend(k for k in text if k not in found)
                walk(text)
        elif isinstance(value, list):
            for element in value:
                walk(element)

    walk(raw)
    return [x for x in dict.fromkeys(found) if x != language]


def _cells(row: dict, language: str) -> dict:
    """Texts spread over their language columns: {"label": {"nl": a, "fr": b}} gives
    ("label", None) = a and ("label", "fr") = b."""
    cells = {}
    for column, value in row.items():
        if isinstance(value, dict):
            for lang, text in value.items():
                cells[(column, None if lang == language else lang)] = text
        elif value is not None:
            cells[(column, None)] = value
    return cells


def _sheet(workbook, title: str, header: list[tuple], rows: list[dict]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title)
    names = [c if lang is None else f"{c}::{lang}" for c, lang in header]
    widths = [len(n) + 2 for n in names]
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(1, index)
        _put(cell, name)
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for index, key in enumerate(header, start=1):
            value = row.get(key)
            if value is None:
                continue
            cell = sheet.cell(row_number, index)
            _put(cell, value)
            text = str(value)
            if "\n" in text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            longest = max(len(line) for line in text.split("\n"))
            widths[index - 1] = max(widths[index - 1], min(longest + 2, 60))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"


def _put(cell, value) -> None:
    """Numbers as numbers; text as text even when it starts with = + - @ (an explicit
    string cell, written as an inline string: never a formula, and read back unchanged,
    where the reports' leading quote would change the text)."""
    if isinstance(value, bool):
        value = "ja" if value else "nee"
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value


def _yes(value) -> str | None:
    return None if value is None else ("ja" if value is True else
                                       "nee" if value is False else str(value))


def show_if_text(condition) -> str | None:
    if not isinstance(condition, dict):
        return None if condition is None else str(condition)
    codes = condition.get("codes")
    codes = ", ".join(str(c) for c in codes) if isinstance(codes, list) else str(codes)
    return f"{condition.get('item')} = {codes}"


def _joined(values) -> str | None:
    if values is None:
        return None
    return ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)


def _survey_rows(raw: dict) -> list[dict]:
    rows = []
    for section in raw.get("sections") or []:
        rows.append({"type": "begin group", "name": section.get("key"),
                     "label": section.get("title"), "hint": section.get("intro"),
                     "show_if": show_if_text(section.get("show_if")),
                     "choices": section.get("scale")})
        for item in section.get("items") or []:
            kind = item.get("type")
            row = {"type": kind, "name": item.get("key"),
                   "required": _yes(item.get("required")),
                   "show_if": show_if_text(item.get("show_if")),
                   "choices": item.get("scale") if kind == "likert" else item.get("choices"),
                   "other": _yes(item.get("other")), "unit": item.get("unit"),
                   "aspects": _joined(item.get("aspects"))}
            if kind == "text":
                row.update(label=item.get("label"), hint=item.get("text"))
            else:
                row.update(label=item.get("text"), short_label=item.get("label"))
            row.update({name: item.get(name) for name in NUMBER_FIELDS})
            rows.append(row)
        rows.append({"type": "end group"})
    return rows


def _choice_rows(raw: dict) -> list[dict]:
    lists = []
    if isinstance(raw.get("scale"), dict):
        lists.append(("scale", raw["scale"], True))
    lists += [(n, s, True) for n, s in (raw.get("scales") or {}).items()]
    lists += [(n, c, False) for n, c in (raw.get("choices") or {}).items()]
    rows = []
    for name, table, is_scale in lists:
        agree = table.get("agree") or []
        for option in table.get("options") or []:
            row = {"list_name": name, "code": option.get("code"), "label": option.get("label")}
            if is_scale:
                row["substantive"] = _yes(option.get("substantive", True))
                row["agree"] = _yes(option.get("code") in agree)
            rows.append(row)
    return rows


def _settings_row(raw: dict) -> dict:
    row = {name: raw.get(name) for name in ("id", "version", "title", "intro")}
    row["languages"] = _joined(raw.get("languages"))
    return row


def _aspect_row(aspect: dict) -> dict:
    return {"id": aspect.get("id"), "code": aspect.get("code"), "name": aspect.get("name"),
            "code_inferred": _yes(aspect.get("code_inferred"))}
