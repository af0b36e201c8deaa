"""Write plain tables to an .xlsx workbook: numbers stay numbers, text can never become a
formula (a leading = + - @ tab or CR is neutralised), columns get a readable width."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576           # rows per sheet that Excel opens


def safe_text(value):
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header, rows). Returns the .xlsx file as bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(h) for h in header]
        for row in rows:
            ws.append([safe_text(v) for v in row])
            widths = [max(w, len(str(v)) if v is not None else 0)
                      for w, v in zip(widths, row, strict=False)]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = min(width + 2, 60)
        ws.freeze_panes = "A2"
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
            sheet = wb.create_sheet(name)
            sheet.append(list(header))
        sheet.append([safe_text(v) for v in row])
        count += 1
    if sheet is None:
        wb.create_sheet(title).append(list(header))
    return count
