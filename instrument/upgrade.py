"""Turn a format-1 questionnaire's raw dict into the format-2 dict that means the same, so
a version-1 file can be written as an .xlsx workbook or as a format-2 TOML file.

A `statement` becomes a `likert` item on [scale] keyed `s<number>` (the key format 1
derives), keeping its number, text, label and aspects (left out when empty, as the files
write them); a `text` item keeps its key, label, hint (`text`) and max_length. Fields the
upgrade does not know are kept as they are, so the validator still reports them."""

from __future__ import annotations

import copy

__all__ = ["upgrade_v1"]


def upgrade_v1(raw: dict) -> dict:
    """The format-2 dict of the format-1 dict `raw` (which is not changed). A dict of
    another format is returned as a copy, untouched."""
    result = copy.deepcopy(raw)
    if raw.get("format") != 1:
        return result
    result["format"] = 2
    for section in result.get("sections") or []:
        if not isinstance(section, dict):
            continue
        items = section.get("items")
        if isinstance(items, list):
            section["items"] = [_item(i) if isinstance(i, dict) else i for i in items]
    return result


def _item(item: dict) -> dict:
    if item.get("type") != "statement":
        return item
    number = item.get("number")
    upgraded: dict = {"type": "likert"}
    if isinstance(number, int) and not isinstance(number, bool):
        upgraded["key"] = f"s{number}"
    for field, value in item.items():
        if field == "type" or (field == "aspects" and value == []):
            continue
        upgraded[field] = value
    return upgraded
