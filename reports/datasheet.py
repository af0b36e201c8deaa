"""The tidy "Data" sheet of the workbooks as an Excel table: one row per level and
statement (then per level, question and option), the columns of feedback.DATA_COLUMNS
(and questions.QUESTION_COLUMNS), banded rows with a filter on every header, numbers
with a number format by what they are (counts whole, percentages 0-100 with one
decimal), readable column widths. The same code writes a normal sheet (its rows as XML
through reports/xlsxwrite.py: the workbook must be saved by xlsxwrite.save) and a
write-only one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import xlsxwrite
from .content import Feedback
from .feedback import DATA_COLUMNS, data_rows
from .questions import QUESTION_COLUMNS
from .questions import data_rows as question_rows
from .xlsx import add_table, safe_text

WHOLE, ONE_DECIMAL, TWO_DECIMALS, THREE_DECIMALS = "0", "0.0", "0.00", "0.000"
# Percentages are 0 to 100 rounded to one decimal (feedback.data_rows), the mean to three,
# a question's value and its sector's to two (a share or a statistic).
FORMATS = {"item": WHOLE, "n": WHOLE, "count": WHOLE, "option": WHOLE,
           "pct_agree": ONE_DECIMAL, "ci_low": ONE_DECIMAL, "ci_high": ONE_DECIMAL,
           "sector_pct_agree": ONE_DECIMAL, "sector_pct_agree_adjusted": ONE_DECIMAL,
           "mean": THREE_DECIMALS, "value": TWO_DECIMALS, "sector_value": TWO_DECIMALS,
           "sector_value_adjusted": TWO_DECIMALS}
WIDE = {"round": 24, "centre_name": 30, "sector_note": 40, "option_label": 30,
        "question": 20, "item_label": 32, "item_text": 60}
TABLE_NAME = "Data"


def number_format(column: str) -> str | None:
    if column in FORMATS:
        return FORMATS[column]
    return WHOLE if column.startswith("n_") else None


def width(column: str) -> float:
    """Room for the header and its filter button, more for the text columns."""
    return WIDE.get(column, max(len(column) + 4, 9))


ITEM = DATA_COLUMNS.index("item")
# Beside the item's number: what it asks, short and whole, so a filtered table reads alone.
ITEM_TEXTS = ["item_label", "item_text"]


def data_table(fb: Feedback) -> tuple[list[str], list[list]]:
    """The tidy "Data" sheet's columns and rows of one CLB: the statements' rows, and, when
    the questionnaire has questions of other types, their rows after them, with the
    columns of reports/questions.py added (a statement's row says its key and "likert").
    Each row has the item's short label and text beside its number."""
    rows = data_rows(fb.round.name, fb.centre.number, fb.centre.name, fb.rows.values())
    columns = list(DATA_COLUMNS)
    if fb.layout.questions:
        blank = [None] * (len(QUESTION_COLUMNS) - 2)
        rows = [row + [fb.layout.statements[row[ITEM]].key, "likert", *blank] for row in rows]
        rows += question_rows([fb.round.name, fb.centre.number, fb.centre.name],
                              fb.questions, len(DATA_COLUMNS))
        columns += QUESTION_COLUMNS
    texts = _item_texts(fb)
    return (columns[:ITEM + 1] + ITEM_TEXTS + columns[ITEM + 1:],
            [row[:ITEM + 1] + list(texts.get(row[ITEM], (None, None))) + row[ITEM + 1:]
             for row in rows])


def _item_texts(fb: Feedback) -> dict[int, tuple[str, str]]:
    """Slot -> (short label, text): a statement's, or the question's for each of its slots."""
    texts = {number: (statement.label, statement.text)
             for number, statement in fb.layout.statements.items()}
    for question in fb.layout.questions:
        for slot in question.slots:
            texts[slot] = (question.label, question.text)
    return texts


def data_sheet(ws, blocks: Iterable[Iterable[Sequence]],
               columns: Sequence[str] = DATA_COLUMNS) -> int:
    """Write the header and every row of `blocks` to `ws` (normal or write-only) and make
    them the Excel table "Data". Returns the number of rows below the header."""
    formats = [number_format(column) for column in columns]
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width(column)
    ws.freeze_panes = "A2"
    ws.append(list(columns))
    if isinstance(ws, Worksheet):
        # a normal sheet (saved by xlsxwrite.save): rows as XML, a style id per column
        styles = [xlsxwrite.style_id(ws, form) for form in formats]
        count = xlsxwrite.add_rows(ws, (values for block in blocks for values in block),
                                   styles)
    else:
        count = 0
        for block in blocks:
            for values in block:
                ws.append([_cell(ws, value, form)
                           for value, form in zip(values, formats, strict=True)])
                count += 1
    add_table(ws, TABLE_NAME, list(columns), count + 1)
    return count


def _cell(ws, value, form: str | None):
    value = safe_text(value)
    if form is None or value is None or isinstance(value, bool | str):
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = form
    return cell
