"""The sector workbook, for inspectors only: % agree per CLB and statement (CLBs named),
response per CLB and level, the remarks' themes per CLB and level, the tidy "Data" sheet
of every CLB, and every response's answers (no school named). Written in openpyxl's
write-only mode: a round of many responses makes a file best not held in memory."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from instrument.i18n import N_, _

from . import sector_themes
from .content import LEVEL_NAMES, SUPPRESSED_TEXT, Feedback
from .datasheet import data_sheet, data_table
from .feedback import DATA_COLUMNS, LEVELS
from .sector_themes import Themes
from .suppression import TOTAL
from .xlsx import long_table, printable, safe_text

# named: LibreOffice drew a bold font without a name as a serif
BOLD = Font(name="Calibri", size=11, bold=True)
HEADER_WRAP = Alignment(wrap_text=True, vertical="bottom")


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _widths(ws, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _headed(ws, names: Sequence, row: int, lines: int = 1) -> None:
    """Append a header row: bold and wrapped, `lines` high (a write-only sheet takes the
    height before the row)."""
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, name)
        cell.font, cell.alignment = BOLD, HEADER_WRAP
        cells.append(cell)
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines
    ws.append(cells)


TOO_MANY_RESPONSES = N_("Te veel antwoorden voor dit werkboek: download alle antwoorden "
                        "apart (.csv of .xlsx) op de pagina Rapporten en opmerkingen.")


def sector_workbook(round_name: str, numbers: Sequence[int], labels: Mapping[int, str],
                    feedbacks: Sequence[Feedback], responses: Iterable[Sequence] | None,
                    target=None, slots: Sequence[int] | None = None,
                    themes: Themes | None = None) -> bytes | None:
    """feedbacks: every CLB's Feedback; responses: (centre_number, level, {item: code})
    per submitted response, in any order, without anything that names a school (None:
    too many for this workbook, sheet Antwoorden says where they are); `slots`: the
    columns of "Antwoorden" (every counted slot; by default the statements); `themes`: the
    remarks' themes (sheet "Thema's per CLB", when there is a codebook). Returns
    the file's bytes, or writes it to target (a path or a binary file) and returns None:
    a round of a million responses makes a file best not held in memory."""
    wb = Workbook(write_only=True)
    matrix = wb.create_sheet(_("Overzicht"))
    # a write-only sheet takes its widths and panes before its first row
    _widths(matrix, [12, 40, 11] + [16] * len(numbers))
    matrix.freeze_panes = "D3"
    printable(matrix)
    matrix.append([safe_text(_("%% akkoord per CLB en stelling: %(round)s",
                               round=round_name))])
    titles = [safe_text(labels[n]) for n in numbers]
    # a statement's label over a 16 wide column: about 14 letters a line
    _headed(matrix, [_("CLB-nummer"), _("CLB"), _("antwoorden"), *titles], 2,
            max([1, *(math.ceil(len(t) / 14) for t in titles)]))
    for fb in feedbacks:
        cells = [fb.centre.number, safe_text(fb.centre.name), fb.respondents]
        for n in numbers:
            f = fb.row(n).figures
            cells.append(None if f is None else _r(f.pct_agree))
        matrix.append(cells)
    last = 2 + len(feedbacks)
    matrix.conditional_formatting.add(
        f"D3:{get_column_letter(3 + len(numbers))}{max(last, 3)}",
        ColorScaleRule(start_type="num", start_value=40, start_color="E66101",
                       mid_type="num", mid_value=70, mid_color="F7F7F7",
                       end_type="num", end_value=100, end_color="5E3C99"))

    rates = wb.create_sheet(_("Respons"))
    _widths(rates, [13, 30] + [13] * (2 * len(LEVELS) + 3))
    printable(rates)
    _headed(rates, [_("CLB-nummer"), _("CLB")]
            + [text for lv in (*LEVELS, TOTAL)
               for text in (_("uitgenodigd %(level)s", level=lv),
                            _("geantwoord %(level)s", level=lv))]
            + [_("respons (%)")], 1, 2)
    for fb in feedbacks:
        cells = [fb.centre.number, safe_text(fb.centre.name)]
        for lv in LEVELS:
            cells += [fb.invited.get(lv, 0), fb.responded.get(lv, 0)]
        invited = sum(fb.invited.values())
        cells += [invited, fb.respondents,
                  _r(100 * fb.respondents / invited) if invited else None]
        rates.append(cells)

    if themes is not None and themes.themes and feedbacks:
        themes_per_centre(wb.create_sheet(_("Thema's per CLB")), feedbacks, themes)
    data_sheet(wb.create_sheet(_("Data")), (data_table(fb)[1] for fb in feedbacks),
               data_table(feedbacks[0])[0] if feedbacks else DATA_COLUMNS)

    response_table(wb, numbers if slots is None else slots, responses)
    if target is not None:
        wb.save(target)
        return None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def themes_per_centre(ws, feedbacks: Sequence[Feedback], themes: Themes) -> None:
    """Per CLB and level (then its total): respondents, approved remarks and the count of
    each theme; a group hidden as on the CLB's sheet (sector_themes.per_centre) says why."""
    names = [safe_text(t.name) for t in themes.themes]
    _widths(ws, [13, 30, 30, 13, 13, *[max(14, min(len(n), 30)) for n in names], 22])
    ws.freeze_panes = "D2"
    printable(ws)
    _headed(ws, [_("CLB-nummer"), _("CLB"), _("niveau"), _("respondenten"),
                 _("opmerkingen"), *names, _("opmerking")], 1,
            max([1, *(math.ceil(len(n) / 13) for n in names)]))
    rows = sector_themes.per_centre(
        themes, [(fb.centre.number, fb.centre.name, fb.responded) for fb in feedbacks],
        feedbacks[0].round.minimum)
    for row in rows:
        keys = [row.number, safe_text(row.name), _(LEVEL_NAMES[row.level]), row.respondents]
        if row.counts is None:
            ws.append([*keys, None, *[None] * len(names), _(SUPPRESSED_TEXT)])
        else:
            ws.append([*keys, row.remarks, *row.counts])


def response_header(numbers: Sequence[int]) -> list[str]:
    return ["respondent", "centre_number", "level"] + [f"item_{n}" for n in numbers]


def response_cells(numbers: Sequence[int],
                   responses: Iterable[tuple[str, str, Mapping[int, int]]]) -> Iterator[list]:
    """One row per response, numbered in the order given, codes per statement."""
    for i, (centre, level, values) in enumerate(responses, start=1):
        yield [i, centre, level] + [values.get(n) for n in numbers]


def response_table(wb: Workbook, numbers: Sequence[int],
                   responses: Iterable[tuple[str, str, Mapping[int, int]]] | None) -> int:
    """Sheet "Antwoorden" (and "Antwoorden 2", ... past Excel's row limit); with None, a
    note that the rows are a separate download (a round too large for this workbook)."""
    if responses is None:
        sheet = wb.create_sheet(_("Antwoorden"))
        sheet.append([_(TOO_MANY_RESPONSES)])
        return 0
    return long_table(wb, _("Antwoorden"), response_header(numbers),
                      response_cells(numbers, responses))
