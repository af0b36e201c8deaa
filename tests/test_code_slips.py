"""The printable slips of access codes (reports/code_slips.py, templates/reports/slips.typ):
every code, group and link in the PDF's text, tagged like every PDF of ours, the pages the
layout implies, QR codes that scan to their links, hostile names printed as written
without moving a slip, and the .xlsx with every code as text, in order."""

from __future__ import annotations

import io
import math

import openpyxl
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from pdf_structure import read
from reports import qr, typeset
from reports.code_slips import (
    SLIPS_PER_PAGE,
    Slip,
    SlipSheet,
    document,
    ordered,
    slips_pdf,
    slips_xlsx,
)

ENTRY = "https://enquete.onderwijsinspectie.be/code"
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def code(number: int) -> str:
    """A distinct code of the console's shape (12 characters in groups of four)."""
    chars = "".join(LETTERS[(number * 7 + i * 13 + i * i) % len(LETTERS)] for i in range(8))
    tail = f"{number:04d}"
    return f"{chars[:4]}-{chars[4:]}-{tail}"


def slip(number: int, group: str | None) -> Slip:
    return Slip(code(number), f"{ENTRY}/{code(number).replace('-', '')}", group)


def class_sheet(**changes) -> SlipSheet:
    """23 slips: 12 of 3A and 11 of 3B, given interleaved (3B first)."""
    slips = [slip(n, "3B" if n % 2 == 0 and n < 22 else "3A") for n in range(23)]
    assert sum(s.group == "3A" for s in slips) == 12
    fields = dict(round_name="Bevraging ouders voorjaar 2027",
                  school_name="Vrije Basisschool Sint-Jozef", school_number="012345",
                  audience="ouders", entry_url=ENTRY, closes="15 maart 2027 om 18:00", slips=slips)
    fields.update(changes)
    return SlipSheet(**fields)


def page_texts(payload: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(payload)).pages]


def codes_per_page(payload: bytes, codes: list[str]) -> list[list[str]]:
    return [[c for c in codes if c in text] for text in page_texts(payload)]


def decoded(sheet: SlipSheet, page: int) -> list[str]:
    png = typeset.render_png("slips", document(sheet), page=page, ppi=150)
    return sorted(result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


@pytest.fixture(scope="module")
def sheet() -> SlipSheet:
    return class_sheet()


@pytest.fixture(scope="module")
def pdf(sheet) -> bytes:
    return slips_pdf(sheet)


@pytest.fixture(scope="module")
def first_page_links(sheet) -> list[str]:
    """What the QR codes of the first page read as (each decoded from a PNG of the page)."""
    return decoded(sheet, 1)


def test_slips_are_sorted_by_group_then_as_given():
    given_order = [slip(1, "10A"), slip(2, None), slip(3, "2b"), slip(4, "2A"), slip(5, "10A"),
                   slip(6, "2a"), slip(7, None)]
    # natural order (2 before 10), letters without case, as given within a group, none last
    assert [s.code for s in ordered(given_order)] == [
        code(4), code(6), code(3), code(1), code(5), code(2), code(7)]


def test_the_text_has_every_code_group_and_link(sheet, pdf):
    text = read(pdf).text
    for one in sheet.slips:
        assert one.code in text
    for words in ("groep 3A", "groep 3B", ENTRY, "Vrije Basisschool Sint-Jozef (012345)",
                  "Bevraging ouders voorjaar 2027", "Invullen kan tot 15 maart 2027 om 18:00.",
                  "vragenlijst voor ouders anoniem", "ook op een ander toestel"):
        assert words in text, words
    # every slip carries the whole explanation and the link
    assert text.count("Invullen kan tot 15 maart 2027 om 18:00.") == 23
    assert text.count(ENTRY) == 23


def test_pages_follow_the_groups(sheet, pdf):
    # 3A: 12 slips -> a page of 10 and one of 2; 3B: 11 -> 10 and 1; 10 slips a page
    assert SLIPS_PER_PAGE == 10
    assert read(pdf).pages == 2 + 2
    in_a = [s.code for s in sheet.slips if s.group == "3A"]
    in_b = [s.code for s in sheet.slips if s.group == "3B"]
    assert codes_per_page(pdf, [s.code for s in sheet.slips]) == [
        in_a[:10], in_a[10:], in_b[:10], in_b[10:]]


def test_the_pdf_is_tagged_with_a_heading_per_page_and_the_qr_codes_described(sheet, pdf):
    structure = read(pdf)
    assert structure.lang == "nl"
    assert structure.title == ("Toegangscodes Bevraging ouders voorjaar 2027, "
                               "Vrije Basisschool Sint-Jozef")
    assert structure.display_title and structure.marked
    assert len(structure.nodes("H1")) == 4
    texts = page_texts(pdf)
    assert texts[0].startswith(
        "Codes voor ouders, groep 3A, Vrije Basisschool Sint-Jozef (blad 1 van 2)")
    assert texts[3].startswith(
        "Codes voor ouders, groep 3B, Vrije Basisschool Sint-Jozef (blad 2 van 2)")
    figures = structure.nodes("Figure")
    assert sorted(figure.alt for figure in figures) == sorted(
        f"QR-code met de link voor code {s.code}" for s in sheet.slips)
    assert structure.fonts and all(structure.fonts.values()), structure.fonts
    assert any("DejaVuSansMono" in font for font in structure.fonts)   # the codes


def test_every_qr_code_scans_to_its_link(sheet, first_page_links):
    slips = ordered(sheet.slips)
    assert first_page_links == sorted(s.url for s in slips[:10])
    assert decoded(sheet, 4) == [slips[22].url]


def test_the_qr_code_is_the_symbol_segno_makes():
    import segno

    # links of every length the slips see, and longer: versions 1 to 13, most masks
    links = [f"{ENTRY}/{code(n).replace('-', '')}" for n in range(120)]
    links += ["https://x.be/c/1", "HTTPS://X.BE/C/ABC", "https://a.example/" + "y" * 300,
              "é" * 40]
    symbols = [segno.make_qr(link, error="m") for link in links]
    assert len({symbol.mask for symbol in symbols}) >= 6
    assert {symbol.version for symbol in symbols} >= {1, 4, 13}
    for link, symbol in zip(links, symbols, strict=True):
        assert [bytes(row) for row in qr.matrix(link)] == [bytes(row) for row in symbol.matrix]


def test_the_qr_path_draws_exactly_the_dark_modules():
    link = f"{ENTRY}/{code(9)}"
    drawn = qr.svg_path(link)
    rows = qr.matrix(link)
    assert drawn["size"] == len(rows) + 8
    dark = set()
    for part in drawn["path"].split("M")[1:]:
        start, rest = part.split("h", 1)
        x, y = map(int, start.split())
        width = int(rest.split("v")[0])
        dark |= {(x + i - 4, y - 4) for i in range(width)}
    assert dark == {(x, y) for y, row in enumerate(rows) for x, on in enumerate(row) if on}


HOSTILE = "#sys.exit() $x^2$ *vet* _schuin_ <script> @ref \\ `code` // [link]"


def test_hostile_names_print_as_written_and_move_no_slip(sheet, pdf, first_page_links):
    hebrew, arabic = "בית הספר הירוק", "مدرسة النور"
    groups = {"3A": f"3A {arabic}", "3B": "3B <b>*"}
    long_name = "Gemeentelijke Basisschool De Regenboog en Kleuterschool " * 5
    hostile = class_sheet(
        round_name=HOSTILE, school_name=f"{hebrew} {HOSTILE}", school_number="#0123 $",
        audience="ouders *en* `grootouders`",
        slips=[Slip(s.code, s.url, groups[s.group]) for s in sheet.slips])
    payload = slips_pdf(hostile)
    text = read(payload).text
    for piece in ("#sys.exit()", "$x^2$", "*vet*", "_schuin_", "<script>", "@ref", "`code`",
                  "[link]", "(#0123 $)", "ouders *en* `grootouders`", "3B <b>*"):
        assert piece in text, piece
    for word in (*hebrew.split(), *arabic.split()):        # in either reading direction
        assert word in text or word[::-1] in text, word
    codes = [s.code for s in sheet.slips]
    assert codes_per_page(payload, codes) == codes_per_page(pdf, codes)
    assert decoded(hostile, 1) == first_page_links           # nothing drawn over a QR code

    long = class_sheet(school_name=long_name, round_name=long_name,
                       entry_url=ENTRY + "/" + "x" * 90)
    payload = slips_pdf(long)
    text = read(payload).text
    assert codes_per_page(payload, codes) == codes_per_page(pdf, codes)
    # the names shortened to their lines, the explanation and the link on every slip whole
    assert "Gemeentelijke Basisschool De Regenboog en Kleuterschool Gemeentelijke" in text
    assert long_name.strip() not in text and "…" in text
    assert text.count("Invullen kan tot 15 maart 2027 om 18:00.") == 23
    assert text.replace("\u200b", "").count(long.entry_url) == 23
    assert decoded(long, 1) == first_page_links


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(min_size=1, max_size=120), group=st.text(min_size=1, max_size=40))
def test_any_names_give_the_same_pages(name, group):
    one = SlipSheet(name, name, name[:10], name[:20], ENTRY, name[:20] or None,
                    [slip(n, group) for n in range(11)])
    structure = read(slips_pdf(one))
    assert structure.pages == 2
    assert all(code(n) in structure.text for n in range(11))


def test_slips_without_a_group_or_a_closing_date_say_neither():
    structure = read(slips_pdf(class_sheet(closes=None, slips=[slip(1, None), slip(2, None)])))
    assert structure.pages == 1
    assert "Codes voor ouders, zonder groep, Vrije Basisschool Sint-Jozef" in structure.text
    assert "Invullen kan" not in structure.text
    assert "tot u de antwoorden indient." in structure.text


def test_a_school_without_codes_gets_one_page_that_says_so():
    structure = read(slips_pdf(class_sheet(slips=[])))
    assert structure.pages == 1
    assert "Voor deze school zijn geen codes gemaakt." in structure.text
    assert len(structure.nodes("H1")) == 1


def _rows(payload: bytes, name: str = "Codes"):
    wb = openpyxl.load_workbook(io.BytesIO(payload))
    return wb, wb[name], list(wb[name].iter_rows(values_only=True))


def test_the_workbook_has_every_code_in_order_as_text(sheet):
    other = SlipSheet("Bevraging ouders", "=HYPERLINK(\"x\")", "000123", "ouders", ENTRY, None,
                      [slip(100, None), slip(101, "1A")])
    wb, ws, rows = _rows(slips_xlsx([sheet, other]))
    assert rows[0] == ("Schoolnummer", "School", "Groep", "Code", "Link")
    expected = [("012345", "Vrije Basisschool Sint-Jozef", s.group, s.code, s.url)
                for s in ordered(sheet.slips)]
    # a name that would be a formula stays text; no group stays empty
    expected += [("000123", "'=HYPERLINK(\"x\")", "1A", code(101), slip(101, "1A").url),
                 ("000123", "'=HYPERLINK(\"x\")", None, code(100), slip(100, None).url)]
    assert rows[1:] == expected
    assert [r[3] for r in rows[1:13]] == [s.code for s in sheet.slips if s.group == "3A"]
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[3].data_type == "s"
        assert row[0].number_format == "@" and row[3].number_format == "@"
    assert list(ws.tables) == ["Codes"]
    assert ws.tables["Codes"].ref == f"A1:E{len(expected) + 1}"
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDE"}
    assert widths["D"] >= len(code(1)) and widths["E"] >= len(slip(1, None).url)
    assert ws.freeze_panes == "A2"


def test_a_workbook_longer_than_a_sheet_goes_on(sheet):
    payload = slips_xlsx([sheet], max_rows=11)         # 10 codes a sheet below the header
    wb = openpyxl.load_workbook(io.BytesIO(payload))
    assert wb.sheetnames == ["Codes", "Codes 2", "Codes 3"]
    codes = []
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][3] == "Code"
        codes += [row[3] for row in rows[1:]]
    assert codes == [s.code for s in ordered(sheet.slips)]
    assert math.ceil(23 / 10) == len(wb.sheetnames)
    assert [list(ws.tables) for ws in wb] == [["Codes"], ["Codes2"], ["Codes3"]]


def test_an_empty_workbook_still_has_its_header():
    _, ws, rows = _rows(slips_xlsx([]))
    assert rows == [("Schoolnummer", "School", "Groep", "Code", "Link")]
