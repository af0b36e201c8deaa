"""The workbooks: the sheets a CLB gets, native charts, numbers as numbers, and text from
users that can never run as a formula."""

from __future__ import annotations

import io

import openpyxl
import pytest

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, uniform
from reports import content, workbook
from reports.feedback import DATA_COLUMNS


def _book(**kwargs):
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(**kwargs))
    return fb, openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))


def test_sheets_charts_and_numbers():
    fb, wb = _book()
    assert wb.sheetnames == ["Samenvatting", "Per stelling", "Per niveau", "Opmerkingen",
                             "Toelichting", "Data"]
    assert len(wb["Per stelling"]._charts) == len([s for s in LAYOUT.sections if s.numbers])
    data = list(wb["Data"].iter_rows(values_only=True))
    assert list(data[0]) == DATA_COLUMNS
    assert len(data) - 1 == 5 * len(NUMBERS)
    total = next(dict(zip(DATA_COLUMNS, r, strict=True)) for r in data[1:]
                 if r[3] == "totaal")
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


@pytest.mark.parametrize("count, sheets", [(0, [0]), (1, [1]), (4, [4]), (5, [4, 1]),
                                           (9, [4, 4, 1]), (12, [4, 4, 4])])
def test_long_tables_continue_on_a_next_sheet(count, sheets):
    """With room for 4 rows under the header per sheet (Excel's limit made small), a table
    of `count` rows fills sheets of 4 and ends on the last; each sheet has the header."""
    from openpyxl import Workbook, load_workbook

    from reports.xlsx import long_table

    wb = Workbook(write_only=True)
    rows = ([i, f"={i}"] for i in range(1, count + 1))
    assert long_table(wb, "Antwoorden", ["nr", "tekst"], rows, max_rows=5) == count
    out = io.BytesIO()
    wb.save(out)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
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
