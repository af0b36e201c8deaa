"""openpyxl's (normal, not write-only) workbooks saved faster, with the same content.

openpyxl writes a sheet's cells one XML element call at a time (about 15 µs a cell here)
into a temporary file per sheet; a CLB workbook has some 2,500 cells, most in its "Data"
sheet. Here each sheet's cells are written as one string of XML, parsed once into the
stream openpyxl writes the rest of the sheet around (views, widths, charts, tables), and
each sheet goes straight into the archive. Rows of plain values can be added without a
Cell object each (`add_rows`: the Data sheet), their style ids taken once per column
(`style_id`). A cell this writer does not know (a formula, a date, a comment) makes that
sheet fall back to openpyxl's own writer, so the file is always complete.

Built on openpyxl's writer classes (ExcelWriter, WorksheetWriter): tests/test_workbook.py
reads both writers' files back and compares them cell by cell and style by style.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from math import isfinite
from xml.sax.saxutils import escape

from openpyxl.cell import Cell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import fromstring, tostring

from .xlsx import safe_text

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROWS = "_fast_rows"      # a worksheet's added rows: (first row, widest, [row XML])


def style_id(ws, number_format: str | None = None) -> int | None:
    """The workbook's style id of a cell with this number format (None: no style)."""
    if number_format is None:
        return None
    cell = Cell(ws)
    cell.number_format = number_format
    return cell.style_id


def _value(value, ref: str, style: str, clean: bool = False) -> str:
    """One cell as XML: a number, a truth value or an inline string (with `clean`, text
    made safe first: xlsx.safe_text; a Cell's text is as openpyxl took it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if not isfinite(value):
            return f'<c r="{ref}"{style} t="n"/>'
        return f'<c r="{ref}"{style} t="n"><v>{value:.16g}</v></c>'
    text = safe_text(str(value)) if clean else value
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return (f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is>'
            "</c>")


def add_rows(ws, rows: Iterable[Sequence], styles: Sequence[int | None]) -> int:
    """Add `rows` (plain values: numbers, text, None) below the sheet's last row, each
    column with its style id (`style_id`); returns their number. Only for a normal sheet
    saved by `save`; nothing may be written below them afterwards."""
    first = ws.max_row + 1 if ws._cells else 1
    letters = [get_column_letter(i) for i in range(1, len(styles) + 1)]
    marks = ["" if s is None else f' s="{s}"' for s in styles]
    out = []
    for number, values in enumerate(rows, start=first):
        cells = "".join(_value(value, f"{letters[i]}{number}", marks[i], clean=True)
                        for i, value in enumerate(values))
        out.append(f'<row r="{number}">{cells}</row>')
    setattr(ws, _ROWS, (first, len(styles), out))
    return len(out)


class _SheetWriter(WorksheetWriter):
    """A normal sheet's cells as one string; anything unusual left to openpyxl."""

    def _added(self):
        return getattr(self.ws, _ROWS, None)

    def write_dimensions(self):
        added = self._added()
        if not added or not added[2]:
            return super().write_dimensions()
        first, width, rows = added
        last_column = max(width, self.ws.max_column if self.ws._cells else 1)
        ref = f"A1:{get_column_letter(last_column)}{first + len(rows) - 1}"
        self.xf.send(SheetDimension(ref).to_tree())
        return None

    def _plain(self) -> bool:
        return all(((cell.data_type == "s" and isinstance(cell._value, str))
                    or (cell.data_type in ("n", "b")
                        and isinstance(cell._value, int | float | None)))
                   and cell._comment is None and cell.hyperlink is None
                   for cell in self.ws._cells.values())

    def write_rows(self):
        added = self._added()
        if not self._plain():
            if added:
                raise ValueError("added rows need a plain-cell sheet")
            return super().write_rows()
        dims = self.ws.row_dimensions
        parts = [f'<sheetData xmlns="{NS}">']
        for number, cells in self.rows():
            attrs = "".join(f' {key}="{value}"' for key, value in dims[number]) \
                if number in dims else ""
            row = "".join(_value(cell._value, cell.coordinate,
                                 f' s="{cell.style_id}"' if cell.has_style else "")
                          or (f'<c r="{cell.coordinate}" s="{cell.style_id}"/>'
                              if cell.has_style else "")
                          for cell in cells)
            parts.append(f'<row r="{number}"{attrs}>{row}</row>')
        if added:
            parts += added[2]
        parts.append("</sheetData>")
        xf = self.xf.send(True)
        xf.write(fromstring("".join(parts)))
        self.xf.send(None)
        return None


# chart XML by the chart's xml_key (xlsxchart): a round's CLB workbooks share their charts'
# XML (same sections, rows and colours), and openpyxl takes ~1 ms to serialise each one
_CHARTS: dict[tuple, bytes] = {}
_CHARTS_KEPT = 256


def _chart_xml(chart) -> bytes:
    key = getattr(chart, "xml_key", None)
    if key is None:
        return tostring(chart._write())
    xml = _CHARTS.get(key)
    if xml is None:
        if len(_CHARTS) >= _CHARTS_KEPT:
            _CHARTS.clear()
        xml = _CHARTS[key] = tostring(chart._write())
    return xml


class _Writer(ExcelWriter):
    def _write_charts(self):
        if len(self._charts) != len(set(self._charts)):
            raise ValueError("the same chart in two sheets")
        for chart in self._charts:
            self._archive.writestr(chart.path[1:], _chart_xml(chart))
            self.manifest.append(chart)

    def write_worksheet(self, ws):
        if self.workbook.write_only:
            return super().write_worksheet(ws)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        out = io.BytesIO()
        writer = _SheetWriter(ws, out=out)
        writer.write()
        ws._rels = writer._rels
        # the rows' element came parsed with its own (the same) default namespace
        xml = out.getvalue().replace(f'<sheetData xmlns="{NS}">'.encode(), b"<sheetData>", 1)
        self._archive.writestr(ws.path[1:], xml)
        self.manifest.append(ws)
        return None


def save(wb) -> bytes:
    """The workbook as .xlsx bytes (what wb.save would write)."""
    out = io.BytesIO()
    wb.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _Writer(wb, archive).write_data()
    return out.getvalue()
