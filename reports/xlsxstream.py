"""A streamed .xlsx of one long table: the zip archive is produced piece by piece as rows
arrive, so the first bytes leave at once and memory stays flat for a million rows.

openpyxl's write-only mode keeps memory flat too, but writes the whole file before the
first byte can go out (a proxy may give up waiting) and manages about 100,000 cells a
second; here a row is one formatted string. Cells are numbers or inline strings (never
formulas: there is no formula element in what is written). Past Excel's row limit the
table continues on a next sheet with the header repeated."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

from .xlsx import EXCEL_MAX_ROWS, safe_text, split_sheets, xml_text

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CHUNK = 1 << 16


class _Pipe:
    """A write-only file for zipfile whose bytes are taken out as they come (zipfile
    sees no tell() and writes data descriptors, so nothing is ever sought back)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts, self.size = b"".join(self.parts), [], 0
        return data


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(value, ref: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(safe_text(str(value)))      # never a formula, nothing XML refuses
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, values: Sequence, columns: Sequence[str], style_bold=False) -> str:
    cells = "".join(_cell(v, f"{columns[i]}{number}") for i, v in enumerate(values))
    if style_bold:
        cells = cells.replace('<c r="', '<c s="1" r="')
    return f'<row r="{number}">{cells}</row>'


SHEET_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
              f'xmlns="{NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
              'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
              '</sheetViews><sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet '
          f'xmlns="{NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2">'
          '<fill><patternFill patternType="none"/></fill><fill><patternFill '
          'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
          '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
          'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs '
          'count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf '
          'numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
          '</cellStyles></styleSheet>')


def _package(titles: list[str]) -> dict[str, str]:
    """The archive's parts besides the sheets, once their number is known."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheets = "".join(f'<sheet name="{escape(xml_text(t), {chr(34): "&quot;"})}" '
                     f'sheetId="{i}" r:id="rId{i}"/>'
                     for i, t in enumerate(titles, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(titles) + 1))
    n = len(titles) + 1
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(titles) + 1))
    return {
        "xl/workbook.xml": f'{head}<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{sheets}'
                           "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{head}<Relationships xmlns="{PKG}/relationships">'
                                      f'{rels}<Relationship Id="rId{n}" Type="{REL}/styles" '
                                      'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
        "_rels/.rels": f'{head}<Relationships xmlns="{PKG}/relationships"><Relationship '
                       f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                       "</Relationships>",
        "[Content_Types].xml": f'{head}<Types xmlns="{PKG}/content-types"><Default '
                               'Extension="rels" ContentType="application/vnd.openxmlformats-'
                               'package.relationships+xml"/><Default Extension="xml" '
                               'ContentType="application/xml"/><Override PartName='
                               '"/xl/workbook.xml" ContentType="application/vnd.openxml'
                               'formats-officedocument.spreadsheetml.sheet.main+xml"/>'
                               '<Override PartName="/xl/styles.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                               f"{overrides}</Types>",
    }


def stream(title: str, header: Sequence[str], rows: Iterable[Sequence],
           max_rows: int = EXCEL_MAX_ROWS) -> Iterator[bytes]:
    """The .xlsx as chunks of bytes: sheets `title`, `title 2`, ... each with the header
    and at most max_rows - 1 rows."""
    pipe = _Pipe()
    archive = zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED, compresslevel=3)
    columns = [_column(i) for i in range(max(len(header), 1) + 64)]
    titles: list[str] = []
    sheet = None
    buffer: list[str] = []

    def new_sheet(name: str):
        titles.append(name)
        part = archive.open(f"xl/worksheets/sheet{len(titles)}.xml", "w")
        part.write((SHEET_HEAD + _row(1, header, columns, style_bold=True)).encode())
        return part

    def end_sheet() -> None:
        sheet.write("".join(buffer).encode() + SHEET_TAIL.encode())
        sheet.close()
        buffer.clear()

    for name, number, values in split_sheets(title, rows, max_rows):
        if number == 2:
            if sheet is not None:
                end_sheet()
            sheet = new_sheet(name)
        buffer.append(_row(number, values, columns))
        if len(buffer) >= 500:
            sheet.write("".join(buffer).encode())
            buffer.clear()
            if pipe.size >= CHUNK:
                yield pipe.take()
    if sheet is None:
        sheet = new_sheet(title)
    end_sheet()
    for name, text in _package(titles).items():
        archive.writestr(name, text)
    archive.close()
    yield pipe.take()
