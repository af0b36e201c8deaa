"""The printable slips of anonymous access codes: one school's codes as an A4 PDF of
cut-out slips (templates/reports/slips.typ), and any number of schools' codes as one
.xlsx table. Plain data in, bytes out: the console makes the codes and calls this.

A slip holds the round, the school, the class or group, a short explanation for the
respondent, the code to type (large, monospace), the address to type it at and a QR code
of the link that opens the code directly. The QR code (reports/qr.py: segno's symbol) is
drawn as one vector path, so it prints sharp at any size.

Slips are sorted by group (naturally: 2A before 10A; slips without a group last), within
a group as given; every group starts on a new page, so a teacher hands out whole pages.
A page holds COLUMNS x ROWS slips; the page count is therefore the sum over the groups of
ceil(slips / SLIPS_PER_PAGE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from instrument.i18n import N_, _

from . import qr, xlsxwrite
from .xlsx import EXCEL_MAX_ROWS, add_table, printable, split_sheets, xml_text

COLUMNS, ROWS = 2, 5
SLIPS_PER_PAGE = COLUMNS * ROWS
# Longer names are shortened with an ellipsis (the code and the link are what the
# respondent needs, the names only say whose it is); the template makes what is left
# smaller where it still does not fit the slip.
NAME_LONGEST, GROUP_LONGEST, AUDIENCE_LONGEST = 80, 24, 40

XLSX_HEADER = (N_("Schoolnummer"), N_("School"), N_("Groep"), N_("Code"), N_("Link"))
XLSX_TABLE = "Codes"


@dataclass(frozen=True)
class Slip:
    code: str            # as to be typed, grouped: "K7QM-4XPA-93TD"
    url: str             # the link that opens this code directly (for the QR code)
    group: str | None    # class or group label, e.g. "3A"


@dataclass(frozen=True)
class SlipSheet:
    round_name: str
    school_name: str
    school_number: str
    audience: str        # Dutch plural noun: "ouders", "leerlingen", "personeelsleden"
    entry_url: str       # where to type the code by hand
    closes: str | None   # preformatted Dutch moment, "15 maart 2027 om 18:00", or None
    slips: list[Slip]


def _shorten(text: str, longest: int) -> str:
    """One line of at most `longest` characters (an ellipsis where it was cut)."""
    text = " ".join(text.split())
    return text if len(text) <= longest else text[:longest - 1].rstrip() + "…"


def _natural(label: str) -> list:
    """Sort key: digits as numbers ("2A" before "10A"), letters without case."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in re.findall(r"\d+|\D+", label)]


def ordered(slips: list[Slip]) -> list[Slip]:
    """By group (natural order, no group last), within a group as given (a stable sort)."""
    return sorted(slips, key=lambda slip: (slip.group is None, _natural(slip.group or "")))


def _group_label(group: str | None) -> str:
    if group is None:
        return _("zonder groep")
    return _("groep %(group)s", group=_shorten(group, GROUP_LONGEST))


def document(sheet: SlipSheet) -> dict:
    """The plain data slips.typ lays out: the texts every slip shares once, and per page
    its heading and its slips (code, QR path, the QR's text alternative)."""
    round_name = _shorten(sheet.round_name, NAME_LONGEST)
    school = _shorten(sheet.school_name, NAME_LONGEST)
    audience = _shorten(sheet.audience, AUDIENCE_LONGEST)
    explanation = [
        _("Met deze code vult u de vragenlijst voor %(audience)s anoniem in: uw antwoorden "
          "zijn niet aan de code of aan u te koppelen.", audience=audience),
        _("De code werkt voor één vragenlijst. U kunt onderbreken en later verdergaan met "
          "dezelfde code, ook op een ander toestel, tot u de antwoorden indient."),
    ]
    if sheet.closes:
        explanation.append(_("Invullen kan tot %(date)s.", date=sheet.closes))
    pages = []
    for group, members in groupby(ordered(sheet.slips), key=lambda slip: slip.group):
        members = list(members)
        label = _group_label(group)
        chunks = [members[i:i + SLIPS_PER_PAGE]
                  for i in range(0, len(members), SLIPS_PER_PAGE)]
        for number, chunk in enumerate(chunks, start=1):
            heading = _("Codes voor %(audience)s, %(group)s, %(school)s",
                        audience=audience, group=label, school=school)
            if len(chunks) > 1:
                heading += " " + _("(blad %(page)s van %(pages)s)", page=number,
                                   pages=len(chunks))
            pages.append({"heading": heading, "group": label, "slips": [{
                "code": slip.code,
                "qr": qr.svg_path(slip.url),
                "alt": _("QR-code met de link voor code %(code)s", code=slip.code),
            } for slip in chunk]})
    title = _("Toegangscodes %(round)s, %(school)s", round=round_name, school=school)
    return {
        "lang": "nl",
        "title": title,
        "author": _("Onderwijsinspectie"),
        "header": title,
        "page_label": _("pagina %(page)s van %(pages)s", page="{page}", pages="{pages}"),
        "columns": COLUMNS,
        "rows": ROWS,
        "round": round_name,
        "school": _("%(school)s (%(number)s)", school=school, number=sheet.school_number),
        "explanation": explanation,
        "entry_label": _("Typ de code op deze website of scan de QR-code:"),
        "entry_url": sheet.entry_url,
        "code_label": _("Uw code"),
        "empty": _("Voor deze school zijn geen codes gemaakt."),
        "pages": pages,
    }


def slips_pdf(sheet: SlipSheet) -> bytes:
    """One school's slips as a tagged A4 PDF (reports/typeset.py)."""
    from .typeset import render

    return render("slips", document(sheet))


def xlsx_rows(sheets: list[SlipSheet]):
    """One row per code, in the slips' order: school number, school, group, code, link."""
    for sheet in sheets:
        for slip in ordered(sheet.slips):
            yield (sheet.school_number, sheet.school_name, slip.group, slip.code, slip.url)


def slips_xlsx(sheets: list[SlipSheet], max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    """Every code of `sheets` as an Excel table (a sheet "Codes", then "Codes 2" ... past
    what Excel opens), every cell text (a school number or code stays as typed)."""
    header = [_(name) for name in XLSX_HEADER]
    rows = list(xlsx_rows(sheets))
    widths = [len(name) for name in header]
    for row in rows:
        widths = [max(width, len(value or "")) for width, value in zip(widths, row,
                                                                        strict=True)]
    wb = Workbook()
    wb.remove(wb.active)
    parts = [(name, [entry[2] for entry in part])
             for name, part in groupby(split_sheets(XLSX_TABLE, rows, max_rows),
                                       key=lambda entry: entry[0])] or [(XLSX_TABLE, [])]
    for index, (name, part) in enumerate(parts):
        ws = wb.create_sheet(xml_text(name))
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = min(width + 2, 80)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        printable(ws)
        text = xlsxwrite.style_id(ws, "@")
        count = xlsxwrite.add_rows(ws, part, [text] * len(header))
        add_table(ws, XLSX_TABLE if index == 0 else f"{XLSX_TABLE}{index + 1}", header,
                  count + 1)
    return xlsxwrite.save(wb)
