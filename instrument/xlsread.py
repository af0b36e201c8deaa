"""Read the rows of the sheets vragen (sections and items) and keuzes (choice lists and
scales) of a questionnaire workbook into the raw dict; part of instrument.xlsform, whose
reader gives the cell values, the faults and the places."""

from __future__ import annotations

from .i18n import N_, _
from .xlswrite import FIRST_INDEX, NUMBER_FIELDS

ITEM_TYPES = {"likert": "likert", "single": "single", "select_one": "single",
              "multi": "multi", "select_multiple": "multi", "yesno": "yesno",
              "number": "number", "integer": "number", "text": "text"}
LISTED = {"likert", "single", "multi"}       # the types whose word may name a list
NEEDS_LIST = {"select_one", "select_multiple"}
GROUP_COLUMNS = {"type", "name", "label", "hint", "show_if", "choices"}
# raw field -> column, for the places of a group's and an item's fields
GROUP_FIELDS = {"key": "name", "title": "label", "intro": "hint", "show_if": "show_if",
                "scale": "choices"}
ITEM_FIELDS = {"type": "type", "key": "name", "required": "required", "show_if": "show_if",
               "other": "other", "unit": "unit", "aspects": "aspects",
               **{name: name for name in NUMBER_FIELDS}}


def read_sections(reader, rows: list) -> list[dict]:
    """The sections of the vragen sheet, each with its items; records which lists the
    items use as scales and as choice lists in reader.list_uses."""
    reader.list_uses = {}
    if rows and rows[0].get("type") is None:
        reader.problems.append(_("vragen: de kolom 'type' ontbreekt"))
        return []
    sections: list[dict] = []
    current = None          # (section, its begin group row)
    for row in rows:
        type_cell = row.get("type")
        word = reader.word(type_cell)
        if word is None:
            reader.fault(type_cell.place, _("de rij heeft geen type"))
            continue
        normal = " ".join(word.split())
        if normal.lower() in ("begin group", "begin_group"):
            if current is not None:
                reader.fault(type_cell.place,
                             _("begin group binnen de groep '%(group)s' van rij %(number)s: "
                               "sluit die eerst met end group",
                               group=current[0].get("key", ""), number=current[1].number))
            current = (_section(reader, row, len(sections) + FIRST_INDEX), row)
            sections.append(current[0])
        elif normal.lower() in ("end group", "end_group"):
            if current is None:
                reader.fault(type_cell.place, _("end group zonder begin group ervoor"))
            current = None
        elif current is None:
            reader.fault(type_cell.place, _("deze vraag staat niet in een groep: zet er een "
                                          "rij 'begin group' voor"))
        else:
            section = current[0]
            path = f"sections[{len(sections) - 1 + FIRST_INDEX}].items" \
                   f"[{len(section['items']) + FIRST_INDEX}]"
            item = _item(reader, row, normal, path)
            if item is not None:
                section["items"].append(item)
    if current is not None:
        reader.fault(current[1].get("type").place,
                     _("de groep '%(group)s' wordt niet afgesloten met een rij 'end group'",
                       group=current[0].get("key", "")))
    return sections


def _section(reader, row, number: int) -> dict:
    section: dict = {}
    path = f"sections[{number}]"
    for (column, _language), cell in row.cells.items():
        if column not in GROUP_COLUMNS and cell.value is not None \
                and str(cell.value).strip():
            reader.fault(cell.place, _("de kolom '%(column)s' geldt niet voor een begin group",
                                       column=column))
    for field, column in (("key", "name"), ("scale", "choices")):
        value = reader.word(row.get(column))
        if value is not None:
            section[field] = value
    for field, column in (("title", "label"), ("intro", "hint")):
        value = reader.local(row, column)
        if value is not None:
            section[field] = value
    condition = reader.show_if(row.get("show_if"))
    if condition is not None:
        section["show_if"] = condition
    if "scale" in section:
        _use(reader, section["scale"], "scale", row.get("choices").place)
    reader.place(path, row, GROUP_FIELDS)
    section["items"] = []
    return section


def _item(reader, row, word: str, path: str) -> dict | None:
    type_cell = row.get("type")
    head, _space, rest = word.partition(" ")
    kind = ITEM_TYPES.get(head.lower())
    if kind is None:
        reader.fault(type_cell.place, _("onbekend vraagtype '%(word)s'", word=word))
        return None
    named = rest.strip() or None
    if named and kind not in LISTED:
        reader.fault(type_cell.place, _("na '%(head)s' hoort geen lijstnaam", head=head))
    if head.lower() in NEEDS_LIST and not named:
        reader.fault(type_cell.place, _("'%(head)s' vraagt een lijstnaam: '%(head)s LIJST'",
                                        head=head))
    item: dict = {"type": kind}
    key = reader.word(row.get("name"))
    if key is not None:
        item["key"] = key
    for name in NUMBER_FIELDS:
        value = reader.integer(row.get(name))
        if value is not None:
            item[name] = value
    fields = dict(ITEM_FIELDS)
    if kind == "text":
        texts, unused = {"label": "label", "text": "hint"}, "short_label"
        why = N_("de kolom '%(column)s' geldt niet voor een tekstvraag (die heeft label en "
                 "hint)")
    else:
        texts, unused = {"text": "label", "label": "short_label"}, "hint"
        why = N_("de kolom '%(column)s' geldt alleen voor een tekstvraag")
    for field, column in texts.items():
        value = reader.local(row, column)
        if value is not None:
            item[field] = value
    fields.update(texts)
    for _language, cell in row.filled(unused):
        reader.fault(cell.place, _(why, column=unused))
    for name in ("required", "other"):
        value = reader.boolean(row.get(name))
        if value is not None:
            item[name] = value
    condition = reader.show_if(row.get("show_if"))
    if condition is not None:
        item["show_if"] = condition
    unit = reader.local(row, "unit")
    if unit is not None:
        item["unit"] = unit
    aspects = reader.words(row.get("aspects"))
    if aspects:
        item["aspects"] = aspects
    list_field = "scale" if kind == "likert" else "choices"
    choices_cell = row.get("choices")
    in_column = reader.word(choices_cell)
    if in_column is not None and kind not in LISTED:
        reader.fault(choices_cell.place, _("de kolom 'choices' geldt niet voor een vraag van "
                                         "type %(kind)s", kind=kind))
    elif in_column is not None and named and in_column != named:
        reader.fault(choices_cell.place, _("de lijst '%(in_column)s' verschilt van '%(named)s' "
                                         "in de kolom type", in_column=in_column, named=named))
    list_name = named or in_column
    if list_name and kind in LISTED:
        item[list_field] = list_name
        place = (type_cell if named else choices_cell).place
        _use(reader, list_name, "scale" if kind == "likert" else "choices", place)
    fields[list_field] = "type" if named else "choices"
    reader.place(path, row, fields)
    return item


def _use(reader, name: str, use: str, place: str) -> None:
    reader.list_uses.setdefault(name, {}).setdefault(use, place)


def read_lists(reader, raw: dict, rows: list, sections: list[dict]) -> None:
    """The keuzes sheet into raw["scale"], raw["scales"] and raw["choices"]: rows with
    the same list_name form one list in row order; a list is a scale when it is named
    `scale`, a likert item or a group uses it, or it marks substantive or agree."""
    if rows and rows[0].get("list_name") is None:
        reader.problems.append(_("keuzes: de kolom 'list_name' ontbreekt"))
        return
    lists: dict[str, list] = {}
    for row in rows:
        name = reader.word(row.get("list_name"))
        if name is None:
            reader.fault(row.get("list_name").place, _("de rij heeft geen list_name"))
            continue
        lists.setdefault(name, []).append(row)
    for name, list_rows in lists.items():
        uses = reader.list_uses.get(name, {})
        marked = any(r.filled("substantive") or r.filled("agree") for r in list_rows)
        is_scale = name == "scale" or "scale" in uses or marked
        if is_scale and "choices" in uses:
            reader.fault(list_rows[0].place, _("de lijst '%(name)s' is een schaal maar wordt "
                                               "als keuzelijst gebruikt (%(choices)s)",
                                               name=name, choices=uses["choices"]))
        path = "scale" if name == "scale" else f"scales.{name}" if is_scale \
            else f"choices.{name}"
        options, agree = [], []
        for index, row in enumerate(list_rows, start=FIRST_INDEX):
            option: dict = {}
            code = reader.integer(row.get("code"))
            if code is not None:
                option["code"] = code
            label = reader.local(row, "label")
            if label is not None:
                option["label"] = label
            if is_scale:
                if reader.boolean(row.get("substantive")) is False:
                    option["substantive"] = False
                if reader.boolean(row.get("agree")) and code is not None:
                    agree.append(code)
            reader.place(f"{path}.options[{index}]", row,
                         {"code": "code", "label": "label", "substantive": "substantive"})
            options.append(option)
        reader.places[(path, None)] = list_rows[0].place
        if list_rows[0].get("agree") is not None:
            reader.places[(path, "agree")] = list_rows[0].get("agree").place
        if name == "scale":
            raw["scale"] = {"agree": sorted(agree), "options": options}
        elif is_scale:
            raw.setdefault("scales", {})[name] = {"agree": sorted(agree), "options": options}
        else:
            raw.setdefault("choices", {})[name] = {"options": options}
