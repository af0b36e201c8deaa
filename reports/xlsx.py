"""Write plain tables to an .xlsx workbook: numbers stay numbers, text can never become a
formula (a leading = + - @ tab or CR is neutralised) and never holds a character XML 1.0
refuses (dropped: openpyxl would raise, Excel would call the file corrupt), columns get a
readable width."""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576           # rows per sheet that Excel opens
# What openpyxl's ILLEGAL_CHARACTERS_RE refuses, plus what no XML file can hold at all
# (lone surrogates cannot even be encoded, U+FFFE and U+FFFF are not characters). Text
# stored before the input was cleaned (survey/cleantext.py) may still hold them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """The text without the characters an XML 1.0 document cannot hold."""
    return NOT_IN_XML.sub("", value)


def safe_text(value):
    """A cell's value as it may be written: text without characters XML refuses, and
    never read as a formula; other values as they are."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if value.startswith(DANGEROUS):
        return "'" + value
    return value


WIDEST = 60                           # a column of plain tables, in characters
WRAPPED = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = "TableStyleMedium2"     # Excel's default: banded rows, a coloured header


def add_table(ws, name: str, headers: Sequence[str], rows: int) -> Table:
    """Make rows 1..rows (row 1 the headers: unique, non-empty text) of the first
    len(headers) columns an Excel table named `name` (unique in the workbook): banded rows
    and a filter on every header. A table needs a row below its headers, even an empty
    one. The columns are named here: a write-only sheet cannot read them back."""
    table = Table(displayName=name,
                  ref=f"A1:{get_column_letter(len(headers))}{max(rows, 2)}",
                  tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True))
    table._initialise_columns()
    for column, header in zip(table.tableColumns, headers, strict=True):
        column.name = header
    with warnings.catch_warnings():
        # a write-only sheet warns that its columns must be named by hand: they are, above
        warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
        ws.add_table(table)
    return table


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header, rows). Returns the .xlsx file as bytes. Printed landscape,
    one page wide; a text longer than its column (at most WIDEST wide) wraps, its row as
    high as its lines (Excel and LibreOffice keep a row one line high otherwise)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(xml_text(title)[:31])
        ws.append([safe_text(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(name="Calibri", size=11, bold=True)
        widths = [len(h) for h in header]
        for row in rows:
            ws.append([safe_text(v) for v in row])
            widths = [max(w, len(str(v)) if v is not None else 0)
                      for w, v in zip(widths, row, strict=False)]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = min(width + 2,
                                                                              WIDEST)
        for index in (i for i, width in enumerate(widths, start=1) if width + 2 > WIDEST):
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, str) and len(cell.value) + 2 > WIDEST:
                    cell.alignment = WRAPPED
                    lines = math.ceil(len(cell.value) * 1.1 / WIDEST)
                    ws.row_dimensions[cell.row].height = max(
                        ws.row_dimensions[cell.row].height or 15, 15 * lines)
        ws.freeze_panes = "A2"
        printable(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def split_sheets(title: str, rows: Iterable[Sequence],
                 max_rows: int = EXCEL_MAX_ROWS) -> Iterator[tuple[str, int, Sequence]]:
    """(sheet title, row number on that sheet, row) for a table of any length: rows 2 to
    max_rows of sheet `title`, then of `title 2`, ... (row 1 of each is its header), so
    no sheet passes what Excel opens. Every writer of long tables splits by this rule."""
    per_sheet = max_rows - 1
    for index, row in enumerate(rows):
        part, offset = divmod(index, per_sheet)
        yield (title if part == 0 else f"{title} {part + 1}"), offset + 2, row


def long_table(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence],
               max_rows: int = EXCEL_MAX_ROWS) -> int:
    """Append a table of any length to a write-only workbook (split_sheets), each sheet
    with the header. Rows are written as they come (memory stays flat). Returns how many
    rows."""
    sheet, count = None, 0
    for name, number, row in split_sheets(title, rows, max_rows):
        if number == 2:
            sheet = wb.create_sheet(xml_text(name))
            sheet.append([safe_text(h) for h in header])
        sheet.append([safe_text(v) for v in row])
        count += 1
    if sheet is None:
        wb.create_sheet(xml_text(title)).append([safe_text(h) for h in header])
    return count


def printable(ws) -> None:
    """Printed (or saved as PDF) landscape on A4, one page wide: a sheet's columns, and the
    charts beside them, stay together instead of running onto pages of their own (set
    before a write-only sheet's first row)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
