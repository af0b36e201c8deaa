"""Reading uploaded tables: the formats inspectors use, and hostile files refused."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from survey.tabular import MAX_BYTES, TableError, read_table

HEADER = ["Schoolnummer", "Schoolnaam", "Niveau", "CLB-nummer", "CLB", "Net", "E-mail",
          "Gemeente"]
ROW = ["123456", "Basisschool Sint-Pieter", "bao", "114983", "Vrij CLB Regio Brugge",
       "Vrij CLB", "directie@sintpieter.example.org", "Brugge"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_with_numbers_as_numbers():
    table = read_table(xlsx([HEADER, [123456, *ROW[1:3], 114983, *ROW[4:]]]), "scholen.xlsx")
    assert table.header == HEADER
    assert table.rows == [(2, ROW)]


def test_semicolon_csv_in_cp1252_as_belgian_excel_saves_it():
    text = ";".join(HEADER) + "\r\n" + ";".join(ROW).replace("Sint-Pieter", "Sint-Pièter")
    table = read_table(text.encode("cp1252"), "scholen.csv")
    assert table.rows[0][1][1] == "Basisschool Sint-Pièter"


def test_comma_csv_with_bom_and_quotes():
    text = ",".join(HEADER) + "\n" + ",".join(ROW[:1] + ['"Basisschool, De Linde"'] + ROW[2:])
    table = read_table(("\ufeff" + text).encode("utf-8"), "scholen.csv")
    assert table.header[0] == "Schoolnummer"
    assert table.rows[0][1][1] == "Basisschool, De Linde"


def test_blank_rows_are_skipped_and_row_numbers_kept():
    text = ";".join(HEADER) + "\n\n;;;\n" + ";".join(ROW) + "\n"
    assert read_table(text.encode(), "x.csv").rows[0][0] == 4


def test_formula_cells_are_flagged_with_their_column():
    table = read_table(xlsx([HEADER, ROW[:1] + ['=HYPERLINK("http://x")'] + ROW[2:]]), "f.xlsx")
    assert table.formula_rows == {2: "Schoolnaam"}
    csv_table = read_table((";".join(HEADER) + "\n" + ";".join(ROW[:7] + ["@SUM(A1)"]))
                           .encode(), "f.csv")
    assert csv_table.formula_rows == {2: "Gemeente"}


def _zip_with(name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(name, payload)
    return out.getvalue()


def test_zip_bomb_disguised_as_xlsx_is_refused_without_unpacking():
    bomb = _zip_with("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(TableError, match="zip-bom"):
        read_table(bomb, "sector.xlsx")
    assert time.monotonic() - started < 5


def test_billion_laughs_is_refused():
    good = xlsx([HEADER, ROW])
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                        else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                b'main"><sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, laughs if item.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(TableError, match="kan niet worden gelezen"):
        read_table(out.getvalue(), "lol.xlsx")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"x" * (MAX_BYTES + 1), "groot.csv", "te groot"),
    (b"%PDF-1.7 ...", "scholen.pdf", "Alleen .xlsx- en .csv"),
    (b"PK\x03\x04 not really a zip", "scholen.xlsx", "geen geldig .xlsx"),
    (b"just text", "scholen.xlsx", "geen geldig .xlsx"),
    (xlsx([HEADER, ROW]), "scholen.csv", "geen tekstbestand"),
    (b"", "leeg.csv", "leeg"),
    (b"\n \n;;;\n", "leeg.csv", "leeg"),
])
def test_files_refused_as_a_whole(data, name, message):
    with pytest.raises(TableError, match=message):
        read_table(data, name)
