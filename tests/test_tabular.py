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


def _csv(*rows) -> str:
    return "\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n"


def test_the_encoding_used_is_told():
    text = _csv([*ROW[:1], "Élève", *ROW[2:]])
    assert read_table(text.encode("utf-8"), "s.csv").encoding == "UTF-8"
    cp1252 = read_table(text.encode("cp1252"), "s.csv")
    assert "1252" in cp1252.encoding and cp1252.rows[0][1][1] == "Élève"
    assert read_table(xlsx([HEADER, ROW]), "s.xlsx").encoding is None


def test_one_cp1252_byte_in_a_utf8_file_is_refused_with_its_row_and_byte():
    good = _csv(ROW, [*ROW[:1], "Élève", *ROW[2:]]).encode("utf-8")
    bad = good + ";".join(["654321", "Sint-Pi\xe8ter", *ROW[2:]]).encode("cp1252")
    with pytest.raises(TableError) as info:
        read_table(bad, "s.csv")
    position = bad.index(b"\xe8") + 1
    assert "rij 4" in str(info.value) and f"byte {position}" in str(info.value)
    assert "0xE8" in str(info.value)


def test_a_nul_anywhere_in_a_csv_refuses_the_file_with_its_row_and_byte():
    """Before: a NUL past the first 4 kB passed the dry run, then the confirmation failed
    on PostgreSQL with a bare 500."""
    rows = [[f"{100000 + i}", f"School {i}", *ROW[2:]] for i in range(60)]
    data = (_csv(*rows) + "200002;School\x00;bao\r\n").encode("utf-8")
    position = data.index(b"\x00") + 1
    assert position > 4096
    with pytest.raises(TableError, match=f"rij 62, byte {position} .*0x00"):
        read_table(data, "s.csv")


def test_a_byte_that_cp1252_does_not_define_is_refused_with_its_row():
    data = _csv(ROW).encode("cp1252") + b"654321;Sint\x81;bao\r\n"
    with pytest.raises(TableError, match="rij 3.*0x81"):
        read_table(data, "s.csv")


def test_control_characters_and_line_breaks_leave_the_cells():
    """A quoted name over two lines, a vertical tab, an escape: the cells become clean
    single lines."""
    rows = [["200001", '"Naam\r\nop twee lijnen"', *ROW[2:]],
            ["200002", "School\x1bmet\x0bVT\u2028en LS", *ROW[2:]]]
    table = read_table(_csv(*rows).encode("utf-8"), "s.csv")
    names = [cells[1] for _, cells in table.rows[-2:]]
    assert names == ["Naam op twee lijnen", "Schoolmet VT en LS"]
    sheet = read_table(xlsx([HEADER, [*ROW[:1], "Naam\nmet\tbreuk", *ROW[2:]]]), "s.xlsx")
    assert sheet.rows[0][1][1] == "Naam met breuk"


def test_a_cell_over_the_csv_limit_is_refused_in_dutch_with_its_row():
    data = b"nummer;naam\n1;Een\n2;\"" + b"x" * 140_000 + b"\"\n"
    with pytest.raises(TableError) as refused:
        read_table(data, "scholen.csv")
    message = str(refused.value)
    assert message == ("Het CSV-bestand kan niet worden gelezen: rij 3 heeft een cel van meer "
                       "dan 131.072 tekens (misschien een aanhalingsteken dat niet gesloten "
                       "wordt).")
