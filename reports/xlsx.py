"""Write plain tables to an .xlsx workbook: numbers stay numbers, text can never become a
formula (a leading = + - @ tab or CR is neutralised), columns get a readable width."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

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


def long_table(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence],
               max_rows: int = EXCEL_MAX_ROWS) -> int:
    """Append a table of any length to a write-only workbook: sheets `title`, `title 2`,
    ... each hold the header and at most max_rows - 1 rows, so no sheet passes what Excel
    opens. Rows are written as they come (memory stays flat). Returns how many rows."""
    sheet, on_sheet, count, part = None, max_rows, 0, 0
    for row in rows:
        if on_sheet >= max_rows:
            part += 1
            sheet = wb.create_sheet(title if part == 1 else f"{title} {part}")
            sheet.append(list(header))
            on_sheet = 1
        sheet.append([safe_text(v) for v in row])
        on_sheet += 1
        count += 1
    if sheet is None:
        wb.create_sheet(title).append(list(header))
    return count
