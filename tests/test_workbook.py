"""The workbooks: the sheets a CLB gets, native charts, numbers as numbers, and text from
users that can never run as a formula."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, uniform
from reports import content, workbook, xlsxchart
from reports.feedback import DATA_COLUMNS

# The Data sheet: the item's short label and text beside its number, then the figures.
SHEET_COLUMNS = DATA_COLUMNS[:5] + ["item_label", "item_text"] + DATA_COLUMNS[5:]


def _book(**kwargs):
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(**kwargs))
    return fb, openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))


def test_sheets_charts_and_numbers():
    fb, wb = _book()
    assert wb.sheetnames == ["Samenvatting", "Per stelling", "Per niveau", "Opmerkingen",
                             "Toelichting", "Data"]
    assert len(wb["Per stelling"]._charts) == len([s for s in LAYOUT.sections if s.numbers])
    data = list(wb["Data"].iter_rows(values_only=True))
    assert list(data[0]) == SHEET_COLUMNS
    assert len(data) - 1 == 5 * len(NUMBERS)
    total = next(dict(zip(SHEET_COLUMNS, r, strict=True)) for r in data[1:]
                 if r[3] == "totaal")
    assert (total["item"], total["item_label"]) == (4, "Stellen zich onafhankelijk op")
    assert total["item_text"] == LAYOUT.statements[4].text
    assert total["pct_agree"] == 70.0 and isinstance(total["n"], int)
    assert total["sector_pct_agree"] == 60.0 and total["suppressed"] is False
    # the chart's rows: disagreeing shares negative, agreeing positive, per side
    rows = list(wb["Per stelling"].iter_rows(min_row=3, max_row=4, values_only=True))
    assert rows[0][2].endswith("CLB") and rows[0][3:7] == (-0.0, -30.0, 0.0, 70.0)
    assert rows[1][2].endswith("Sector") and rows[1][3:7] == (-0.0, -40.0, 0.0, 60.0)


def test_remarks_can_not_become_formulas():
    hostile = ["=HYPERLINK(\"http://x\",\"klik\")", "+1+1", "-2", "@SUM(A1)", "\tx",
               "gewone tekst"]
    _, wb = _book(remarks=[content.Remark("algemeen", t) for t in hostile])
    cells = [c.value for row in wb["Opmerkingen"].iter_rows(min_row=2) for c in row[1:2]]
    assert sorted(cells) == sorted(["'" + t if t[0] in "=+-@\t" else t for t in hostile])
    for row in wb["Opmerkingen"].iter_rows(min_row=2):
        assert row[1].data_type == "s"


def test_sector_workbook_matrix_has_conditional_colours():
    fb, _ = _book()
    data = workbook.sector_workbook("Ronde", NUMBERS, {n: "x" for n in NUMBERS}, [fb],
                                    [("A", "bao", {NUMBERS[0]: 4})])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["Overzicht"].conditional_formatting
    matrix = list(wb["Overzicht"].iter_rows(min_row=3, values_only=True))
    assert matrix[0][:3] == ("A", "CLB A", 20) and matrix[0][3] == 70.0
    answers = list(wb["Antwoorden"].iter_rows(values_only=True))
    assert answers[1][:4] == (1, "A", "bao", 4)


def _long_table_openpyxl(rows, max_rows) -> bytes:
    from openpyxl import Workbook

    from reports.xlsx import long_table

    wb = Workbook(write_only=True)
    rows = list(rows)
    assert long_table(wb, "Antwoorden", ["nr", "tekst"], rows, max_rows=max_rows) == len(rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _long_table_streamed(rows, max_rows) -> bytes:
    from reports.xlsxstream import stream

    return b"".join(stream("Antwoorden", ["nr", "tekst"], rows, max_rows=max_rows))


@pytest.mark.parametrize("write", [_long_table_openpyxl, _long_table_streamed])
@pytest.mark.parametrize("count, sheets", [(0, [0]), (1, [1]), (4, [4]), (5, [4, 1]),
                                           (9, [4, 4, 1]), (12, [4, 4, 4])])
def test_long_tables_continue_on_a_next_sheet(write, count, sheets):
    """With room for 4 rows under the header per sheet (Excel's limit made small), a table
    of `count` rows fills sheets of 4 and ends on the last; each sheet has the header."""
    rows = ([i, f"={i}"] for i in range(1, count + 1))
    book = openpyxl.load_workbook(io.BytesIO(write(rows, 5)))
    names = ["Antwoorden"] + [f"Antwoorden {k}" for k in range(2, len(sheets) + 1)]
    assert book.sheetnames == names
    seen = []
    for name, expected in zip(names, sheets, strict=True):
        values = list(book[name].values)
        assert values[0] == ("nr", "tekst") and len(values) - 1 == expected
        seen += [row[0] for row in values[1:]]
    assert seen == list(range(1, count + 1))
    texts = [row[1] for name in names for row in list(book[name].values)[1:]]
    assert all(text.startswith("'=") for text in texts)    # never a formula
    assert all(cell.data_type != "f" for name in names for row in book[name].iter_rows()
               for cell in row)


@pytest.mark.parametrize("value", [0, -3, 2.5, 10**12, "tekst", "<b>&amp;</b>", "  spaties ",
                                   "é€😀", True, None])
def test_streamed_cells_keep_their_value_and_type(value):
    from reports.xlsxstream import stream

    data = b"".join(stream("Blad", ["waarde"], [[value]]))
    cell = openpyxl.load_workbook(io.BytesIO(data))["Blad"]["A2"]
    assert cell.value == value and type(cell.value) is type(value)


def test_the_streamed_workbook_leaves_before_the_last_row_is_read():
    """The first bytes go out while rows are still coming: memory and the first byte do
    not wait for the whole table."""
    from reports.xlsxstream import stream

    consumed = []

    def rows():
        for i in range(30_000):
            consumed.append(i)
            yield [i, "100001", "bao", *([3] * 21)]

    chunks = stream("Antwoorden", ["nr", "clb", "niveau", *map(str, range(21))], rows())
    first = next(chunks)
    assert first.startswith(b"PK") and len(consumed) < 30_000
    rest = b"".join(chunks)
    with zipfile.ZipFile(io.BytesIO(first + rest)) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row ") == 30_001


HOSTILE_TEXT = "a\x00b\x0bc\x1bd\x7fe\ufffef\ud800g\r\nh\u2028i"


def test_centre_and_sector_workbooks_take_control_characters_stored_before_cleaning():
    """A remark and a CLB name holding characters XML 1.0 refuses (stored before the
    input was cleaned) are written without them: no crash, the rest of the text kept."""
    from dataclasses import replace

    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(
        remarks=[content.Remark("algemeen", HOSTILE_TEXT)]))
    fb = replace(fb, centre=replace(fb.centre, name="CLB\x0b" + HOSTILE_TEXT))
    wb = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))
    cells = [c.value for row in wb["Opmerkingen"].iter_rows(min_row=2) for c in row[1:2]]
    remark = next(c for c in cells if c and c.startswith("abc"))
    assert remark.startswith("abcd") and remark.endswith("i") and "\x00" not in remark
    data = workbook.sector_workbook("Ronde\x0b", NUMBERS, {n: "x\x0c" for n in NUMBERS},
                                    [fb], [("A\x00", "bao", {NUMBERS[0]: 4})])
    matrix = list(openpyxl.load_workbook(io.BytesIO(data))["Overzicht"].iter_rows(
        min_row=3, values_only=True))
    assert matrix[0][1].startswith("CLBa")


@pytest.mark.parametrize("write", [_long_table_openpyxl, _long_table_streamed])
def test_long_tables_take_control_characters(write):
    book = openpyxl.load_workbook(io.BytesIO(write([[1, HOSTILE_TEXT], [2, "gewoon"]], 5)))
    values = list(book["Antwoorden"].values)
    assert values[1][1].startswith("ab") and "\x00" not in values[1][1]
    assert values[2] == (2, "gewoon")


def test_plain_workbook_takes_control_characters_in_headers_titles_and_cells():
    from reports.xlsx import workbook as plain

    book = openpyxl.load_workbook(io.BytesIO(plain(
        [("Links\x0b", ["naam\x00"], [["School\x0bA"], [HOSTILE_TEXT]])])))
    values = list(book.worksheets[0].values)
    assert values[1] == ("SchoolA",) and values[0] == ("naam",)


def _example_layout():
    from instrument.loader import load
    from reports.layout import from_snapshot
    return from_snapshot(load("questionnaires/voorbeeld-alle-vraagtypes-2026.1.toml")
                         .to_dict())


def test_other_questions_sheet_and_data_rows():
    layout = _example_layout()
    # hoofdthema (slot 2): CLB A so 3x code 1, 2x code 2; bao 2x code 1 (too few);
    # the sector (B, C, D) at so: 4 + 4 + 4 of 8 + 8 + 8 choose code 1 (50 %)
    cube = {("A", "so", 2, 1): 3, ("A", "so", 2, 2): 2, ("A", "bao", 2, 1): 2}
    for other in "BCD":
        cube |= {(other, "so", 2, 1): 4, (other, "so", 2, 2): 4}
    given = content.CentreInput(content.CentreInfo("A", "CLB A", "GO"), {"bao": 5, "so": 5},
                                {"bao": 2, "so": 5})
    fb = content.build(INFO, layout, cube, given)
    wb = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))
    assert wb.sheetnames == ["Samenvatting", "Per stelling", "Per niveau", "Andere vragen",
                             "Opmerkingen", "Toelichting", "Data"]
    rows = list(wb["Andere vragen"].iter_rows(min_row=2, values_only=True))
    theme = [r for r in rows if r[1] == "Belangrijkste thema" and r[2] == "Leren en studeren"]
    by_level = {r[3]: r for r in theme}
    # bao is hidden (2 < 5) and so with it (total minus so would give bao): the total of
    # 7 (5 of code 1: 71.4 %) is shown, beside the sector's 12 of 24 = 50 %
    assert by_level["basisonderwijs"][4:7] == (None, None, None)
    assert by_level["basisonderwijs"][11] == "te weinig antwoorden"
    assert by_level["secundair onderwijs"][11] == "te weinig antwoorden"
    assert by_level["alle niveaus"][4:7] == (7, 5, 71.4)
    assert by_level["alle niveaus"][9] == 50
    data = list(wb["Data"].iter_rows(values_only=True))
    columns = list(data[0])
    assert columns[:len(SHEET_COLUMNS)] == SHEET_COLUMNS
    named = [dict(zip(columns, r, strict=True)) for r in data[1:]]
    theme = [r for r in named if r["question"] == "hoofdthema"]
    assert len(theme) == 4 * 5                          # four options, five groups
    total = next(r for r in theme if r["level"] == "totaal" and r["option"] == 1)
    assert (total["n"], total["count"], total["value"], total["sector_value"]) == \
        (7, 5, 71.43, 50.0)
    assert total["sector_value_adjusted"] is None      # the sector has no bao answers
    assert total["item_label"] == "Belangrijkste thema"   # the question beside its slot
    statement = next(r for r in named if r["question_type"] == "likert")
    assert statement["question"] in {"bereikbaar", "snel-antwoord", "arts-afspraken"}


def test_school_workbook_keeps_its_sheets_and_columns():
    fb, wb = _book()
    assert "Andere vragen" not in wb.sheetnames
    assert list(next(wb["Data"].iter_rows(values_only=True))) == SHEET_COLUMNS


# --- Charts that cover nothing, the Data sheet as an Excel table, the summary's words

def _chart_boxes(ws) -> list[tuple[int, int, int, int]]:
    """Each chart's (first row, last row, first column, last column), 1-based, as read
    back from the file: the cells its two anchor corners are fixed to."""
    boxes = []
    for chart in ws._charts:
        start, end = chart.anchor._from, chart.anchor.to
        boxes.append((start.row + 1, end.row, start.col + 1, end.col))
    return boxes


@pytest.mark.parametrize("layout", ["bundled", "example"])
def test_no_chart_covers_another_chart_or_a_table_cell(layout):
    if layout == "bundled":
        fb, wb = _book()
    else:
        given = content.CentreInput(content.CentreInfo("A", "CLB A", "GO"), {"so": 5},
                                    {"so": 5})
        fb = content.build(INFO, _example_layout(), {}, given)
        wb = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))
    ws = wb["Per stelling"]
    sections = [s for s in fb.layout.sections if s.numbers]
    boxes = _chart_boxes(ws)
    assert len(boxes) == len(sections)
    filled = {(cell.row, cell.column) for row in ws.iter_rows() for cell in row
              if cell.value is not None}
    for index, (top, bottom, left, right) in enumerate(boxes):
        # as tall as its bars ask (two per statement: CLB and sector), and no taller
        assert bottom - top + 1 == xlsxchart.chart_rows(2 * len(sections[index].numbers))
        assert not any(top <= r <= bottom and left <= c <= right for r, c in filled)
        for other in boxes[index + 1:]:
            assert bottom < other[0], "two charts share rows"
    # every statement's two rows are beside its own section's chart
    for (top, bottom, *_), section in zip(boxes, sections, strict=True):
        rows = [r for r, c in filled if c == 3 and top < r <= bottom]   # "4 CLB", ...
        assert len(rows) == 2 * len(section.numbers)
    assert all(chart.x_axis.tickLblPos == "low" for chart in ws._charts)


@pytest.mark.parametrize("bars, rows", [(1, 10), (2, 11), (4, 13), (8, 18), (20, 33)])
def test_a_chart_is_as_tall_as_its_bars_ask(bars, rows):
    assert xlsxchart.chart_rows(bars) == rows


def _table_checks(ws, columns: list[str], count: int) -> None:
    (table,) = ws.tables.values()
    last = openpyxl.utils.get_column_letter(len(columns))
    assert table.ref == f"A1:{last}{count + 1}"
    headers = [c.value for c in ws[1]]
    assert headers == columns and all(headers) and len(set(headers)) == len(headers)
    assert [c.name for c in table.tableColumns] == columns
    assert table.tableStyleInfo.showRowStripes
    assert table.autoFilter is None or table.autoFilter.ref in (None, table.ref)


def test_the_data_sheet_is_an_excel_table_with_number_formats():
    fb, wb = _book()
    ws = wb["Data"]
    _table_checks(ws, SHEET_COLUMNS, 5 * len(NUMBERS))
    header = {name: i for i, name in enumerate(SHEET_COLUMNS)}
    row = next(r for r in ws.iter_rows(min_row=2) if r[header["suppressed"]].value is False)
    assert row[header["pct_agree"]].value == 70.0
    assert row[header["pct_agree"]].number_format == "0.0"
    assert row[header["sector_pct_agree_adjusted"]].number_format == "0.0"
    assert row[header["n"]].number_format == "0" and isinstance(row[header["n"]].value, int)
    assert row[header["n_geen_zicht"]].number_format == "0"
    assert row[header["mean"]].number_format == "0.000"
    assert row[header["centre_name"]].number_format == "General"
    assert ws.column_dimensions["C"].width >= 30      # centre_name
    assert ws.freeze_panes == "A2"


def test_the_sector_workbooks_data_sheet_is_an_excel_table_too():
    fb, _ = _book()
    data = workbook.sector_workbook("Ronde", NUMBERS, {n: "x" for n in NUMBERS}, [fb, fb],
                                    [("A", "bao", {NUMBERS[0]: 4})])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    _table_checks(wb["Data"], SHEET_COLUMNS, 2 * 5 * len(NUMBERS))
    assert wb["Data"]["N2"].number_format == "0.0"           # pct_agree
    # a write-only sheet keeps panes and widths only when they come before its rows
    assert wb["Overzicht"].freeze_panes == "D3"
    assert wb["Overzicht"].column_dimensions["B"].width == 40


HIGHER = "Geen enkele stelling ligt duidelijk hoger dan de aangepaste sector."
LOWER = "Geen enkele stelling ligt duidelijk lager dan de aangepaste sector."
EITHER = "Geen enkele stelling ligt duidelijk hoger of lager dan de aangepaste sector."
UNCOMPARED = "Geen enkele stelling kon met de aangepaste sector worden vergeleken."


def _listed(ws, title: str) -> list:
    """What the summary sheet lists under a heading: statement numbers, or its text."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 1
    out = []
    for r in rows[start:]:
        if r[0] is None and r[1] is None or isinstance(r[0], str):
            break
        out.append(r[0] if r[0] is not None else r[1])
    return out


@pytest.mark.parametrize("a_agree, b_agree, min_centres, strengths, attention", [
    # A: 9 of every 10 agree (90 %) against B's 40 %: every statement clearly higher
    (9, 4, 1, "listed", LOWER),
    # A: 1 of 10 (10 %) against 80 %: clearly lower everywhere, none higher
    (1, 8, 1, HIGHER, "listed"),
    # 70 % against 60 % with 20 answers: no clear difference either way
    (7, 6, 1, EITHER, EITHER),
    # the sector needs 3 other CLBs and has 1: nothing is compared at all
    (1, 8, 3, UNCOMPARED, UNCOMPARED),
])
def test_the_summary_says_which_way_no_statement_differs(a_agree, b_agree, min_centres,
                                                          strengths, attention):
    info = content.RoundInfo(7, "Ronde", "2026-2027", 5, "1 december 2026",
                             min_centres=min_centres)
    fb = content.build(info, LAYOUT, cube_of(uniform(a_agree, b_agree)), centre_input())
    ws = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))["Samenvatting"]
    for title, expected, lines in (("Sterktes tegenover de sector", strengths, fb.strengths),
                                   ("Aandachtspunten tegenover de sector", attention,
                                    fb.attention)):
        listed = _listed(ws, title)
        if expected == "listed":
            assert lines and listed == [ln.statement.number for ln in lines]
        else:
            assert listed == [expected]


def test_the_summary_lists_both_ways_when_statements_differ_both_ways():
    high = set(NUMBERS[::2])
    spec = uniform(9, 4, [n for n in NUMBERS if n in high])
    spec |= uniform(1, 8, [n for n in NUMBERS if n not in high])
    fb = content.build(INFO, LAYOUT, cube_of(spec), centre_input())
    ws = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))["Samenvatting"]
    strengths = _listed(ws, "Sterktes tegenover de sector")
    attention = _listed(ws, "Aandachtspunten tegenover de sector")
    assert len(strengths) == len(attention) == 3
    assert set(strengths) <= high and not set(attention) & high


def _cells(ws):
    """Every cell with what it shows and how: value, type, format, bold, fill, wrap."""
    return {(c.row, c.column): (c.value, c.data_type, c.number_format, c.font.b,
                                c.fill.fgColor.rgb if c.fill.fill_type else None,
                                c.alignment.wrap_text)
            for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}


def test_the_quick_writer_writes_what_openpyxl_writes():
    """xlsxwrite.save against openpyxl's own save of the same workbook: every sheet the
    same cell by cell (values, types, number formats, fonts, fills, wrapping), the same
    widths, panes, row heights, charts and table; the Data rows (which openpyxl's save
    does not see: they are XML) are data_table's rows with each column's number format."""
    from reports import xlsxwrite
    from reports.datasheet import data_table, number_format

    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(
        remarks=[content.Remark("algemeen", " spaties rond "), content.Remark("algemeen",
                                                                               "a < b & c")]))
    book = workbook.centre_book(fb)
    quick = openpyxl.load_workbook(io.BytesIO(xlsxwrite.save(book)))
    plain = io.BytesIO()
    book.save(plain)
    slow = openpyxl.load_workbook(plain)
    assert quick.sheetnames == slow.sheetnames
    for name in quick.sheetnames:
        fast, ref = quick[name], slow[name]
        if name != "Data":
            assert _cells(fast) == _cells(ref), name
        assert fast.freeze_panes == ref.freeze_panes
        assert {k: d.width for k, d in fast.column_dimensions.items()} == \
            {k: d.width for k, d in ref.column_dimensions.items()}
        assert {k: d.height for k, d in fast.row_dimensions.items() if d.height} == \
            {k: d.height for k, d in ref.row_dimensions.items() if d.height}
        assert len(fast._charts) == len(ref._charts)
        assert fast.page_setup.orientation == ref.page_setup.orientation
    assert "  spaties rond " not in {c.value for r in quick["Opmerkingen"].iter_rows()
                                     for c in r}
    assert {c.value for r in quick["Opmerkingen"].iter_rows() for c in r} >= {
        " spaties rond ", "a < b & c"}
    columns, rows = data_table(fb)
    data = quick["Data"]
    assert [c.value for c in data[1]] == columns
    assert data.dimensions == f"A1:{openpyxl.utils.get_column_letter(len(columns))}" \
                              f"{len(rows) + 1}"
    assert data.tables["Data"].ref == data.dimensions
    for got, want in zip(data.iter_rows(min_row=2), rows, strict=True):
        assert [c.value for c in got] == want
        for cell, column in zip(got, columns, strict=True):
            if cell.value is not None and not isinstance(cell.value, str | bool):
                assert cell.number_format == (number_format(column) or "General"), column


def test_the_sector_workbook_has_the_themes_per_clb_and_level_suppressed():
    """C1 has 8 bao, 6 so and 2 bubao respondents: bubao is fewer than 5, so hidden, and
    so (the smallest shown) with it, or total minus bao would be bubao's; C2's 4 in all
    are too few for anything."""
    from reports import sector_themes

    themes = sector_themes.Themes(
        [sector_themes.Theme("Bereik", {("C1", "bao"): 3, ("C1", "so"): 2, ("C1", "bubao"): 1,
                                        ("C2", "bao"): 2}),
         sector_themes.Theme("=Personeel", {("C1", "so"): 1})],
        {("C1", "bao"): 5, ("C1", "so"): 4, ("C1", "bubao"): 1, ("C2", "bao"): 3})
    fbs = [content.build(INFO, LAYOUT, cube_of(uniform(7, 6)),
                         centre_input(number, responded=responded))
           for number, responded in (("C1", {"bao": 8, "so": 6, "bubao": 2}),
                                     ("C2", {"bao": 4}))]
    rows = sector_themes.per_centre(themes, [(fb.centre.number, fb.centre.name,
                                              fb.responded) for fb in fbs], 5)
    assert [(r.number, r.level, r.respondents, r.remarks, r.counts) for r in rows] == [
        ("C1", "bao", 8, 5, (3, 0)), ("C1", "so", 6, None, None),
        ("C1", "bubao", 2, None, None), ("C1", "totaal", 16, 10, (6, 1)),
        ("C2", "bao", 4, None, None), ("C2", "totaal", 4, None, None)]
    data = workbook.sector_workbook("Ronde", NUMBERS, {n: "x" for n in NUMBERS}, fbs,
                                    [("C1", "bao", {NUMBERS[0]: 4})], themes=themes)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = list(wb["Thema's per CLB"].iter_rows(values_only=True))
    assert sheet[0] == ("CLB-nummer", "CLB", "niveau", "respondenten", "opmerkingen",
                        "Bereik", "'=Personeel", "opmerking")
    assert sheet[1] == ("C1", "CLB C1", "basisonderwijs", 8, 5, 3, 0, None)
    assert sheet[2] == ("C1", "CLB C1", "secundair onderwijs", 6, None, None, None,
                        "te weinig antwoorden")
    assert sheet[4] == ("C1", "CLB C1", "alle niveaus", 16, 10, 6, 1, None)
    assert sheet[6][3:] == (4, None, None, None, "te weinig antwoorden")
    # without a codebook there is no such sheet
    plain = openpyxl.load_workbook(io.BytesIO(workbook.sector_workbook(
        "Ronde", NUMBERS, {n: "x" for n in NUMBERS}, fbs, None)))
    assert "Thema's per CLB" not in plain.sheetnames


def test_plain_tables_wrap_long_text_and_print_one_page_wide():
    from reports import xlsx

    long = "woord " * 30                        # 180 characters: 4 lines of 60 (×1.1)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook(
        [("Blad", ["tekst", "n"], [[long.strip(), 1], ["kort", 2]])])))
    ws = wb["Blad"]
    assert ws.column_dimensions["A"].width == 60
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height == 15 * 4
    assert not ws["A3"].alignment.wrap_text and ws.row_dimensions[3].height is None
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
