"""The CLB workbook: its feedback as tables, native Excel charts and the tidy "Data"
sheet, saved by reports/xlsxwrite.py (the sector workbook for inspectors is in
reports/sector_workbook.py; its names are imported here too). Numbers are written as
numbers; text that came from users can never become a formula (xlsx.safe_text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from instrument.i18n import _

from . import xlsxchart, xlsxwrite
from .charts import COLOURS, NEGATIVE, POSITIVE
from .content import (
    LEVEL_NAMES,
    SUPPRESSED_TEXT,
    Feedback,
    reading_guide,
)
from .datasheet import data_sheet, data_table
from .feedback import verdict_text

# The sector workbook lives in reports/sector_workbook.py; its names stay reachable here.
from .sector_workbook import (  # noqa: F401
    TOO_MANY_RESPONSES,
    response_cells,
    response_header,
    response_table,
    sector_workbook,
)
from .suppression import TOTAL
from .xlsx import printable, safe_text

# named: LibreOffice drew a bold font without a name as a serif
BOLD = Font(name="Calibri", size=11, bold=True)
TITLE = Font(name="Calibri", bold=True, size=14, color="3B2A6B")
HEADER_FILL = PatternFill("solid", fgColor="EDEAF5")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_WRAP = Alignment(wrap_text=True, vertical="bottom")
TOP = Alignment(vertical="top", horizontal="left")


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _header(ws, row: int, names: Sequence[str]) -> None:
    """A table's header row, its names wrapped (row height: _fit, once widths are set)."""
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row, col, name)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_WRAP


def _lines(text: str, width: float) -> int:
    """The lines `text` takes wrapped in a column `width` characters wide (bold letters
    and wider ones counted a tenth wider: an estimate that errs on the tall side)."""
    room = max(1, int(width / 1.1) - 1)
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, len(word)
            else:
                used += len(word) + (1 if used else 0)
    return max(lines, 1)


def _fit(ws, rows: Iterable[int]) -> None:
    """Row heights for the wrapped text in these rows: LibreOffice fits them on opening,
    Excel keeps a row one line high unless the file says how high it is."""
    for row in rows:
        lines = 1
        for cell in ws[row]:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                lines = max(lines, _lines(cell.value, width))
        if lines > 1:
            ws.row_dimensions[row].height = 15 * lines


def _widths(ws, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def centre_workbook(fb: Feedback) -> bytes:
    return xlsxwrite.save(centre_book(fb))


def centre_book(fb: Feedback) -> Workbook:
    """The CLB's workbook, to be saved by xlsxwrite.save (its Data rows are XML)."""
    wb = Workbook()
    summary_sheet(wb.active, fb)
    statements_sheet(wb.create_sheet(_("Per stelling")), fb)
    levels_sheet(wb.create_sheet(_("Per niveau")), fb)
    if fb.questions:
        questions_sheet(wb.create_sheet(_("Andere vragen")), fb)
    remarks_sheet(wb.create_sheet(_("Opmerkingen")), fb)
    if fb.themes:
        themes_sheet(wb.create_sheet(_("Thema's")), fb)
    guide_sheet(wb.create_sheet(_("Toelichting")), fb)
    for ws in wb.worksheets:
        printable(ws)
    columns, rows = data_table(fb)
    data_sheet(wb.create_sheet(_("Data")), [rows], columns)   # a table to filter, not print
    return wb


def summary_sheet(ws, fb: Feedback) -> None:
    ws.title = _("Samenvatting")
    ws["A1"] = safe_text(_("Feedbackrapport %(centre)s", centre=fb.centre.name))
    ws["A1"].font = TITLE
    info = [(_("CLB-nummer"), fb.centre.number), (_("Net"), fb.centre.network),
            (_("Bevraging"), fb.round.name), (_("Schooljaar"), fb.round.school_year),
            (_("Datum"), fb.round.date), (_("Sector"), fb.sector_text),
            (_("Minimum aantal antwoorden"), fb.round.minimum),
            (_("Minimum aantal andere CLB's voor een sectorcijfer"), fb.round.min_centres)]
    if fb.sector_notice:
        info.append((_("Sectorvergelijking"), fb.sector_notice))
    for i, (key, value) in enumerate(info, start=3):
        ws.cell(i, 1, key).font = BOLD
        ws.cell(i, 1).alignment = WRAP
        ws.cell(i, 2, safe_text(value)).alignment = TOP
    row = len(info) + 4
    headers = [row]
    _header(ws, row, [_("Niveau"), _("Uitgenodigd"), _("Geantwoord"), _("Respons (%)")])
    for lv in [*fb.levels_present(), TOTAL]:
        row += 1
        invited = sum(fb.invited.values()) if lv == TOTAL else fb.invited.get(lv, 0)
        answered = fb.respondents if lv == TOTAL else fb.responded.get(lv, 0)
        ws.append([_(LEVEL_NAMES[lv]), invited, answered,
                   _r(100 * answered / invited) if invited else None])
    row += 2
    headers.append(row)
    _header(ws, row, [_("Nr"), _("Stelling"), "n", _("% akkoord"), _("marge laag"),
                      _("marge hoog"), _("gemiddelde"), _("sector aangepast"),
                      _("sector ruw"), _("verschil"), _("oordeel")])
    for ln in fb.lines:
        f = ln.row.figures
        if f is None:
            ws.append([ln.statement.shown_number, ln.statement.label, None,
                       _(SUPPRESSED_TEXT)])
            continue
        ws.append([ln.statement.shown_number, ln.statement.label, f.n, _r(f.pct_agree),
                   _r(f.ci_low), _r(f.ci_high), _r(f.mean, 2),
                   _sector(fb, ln.row, ln.row.sector_adjusted_pct),
                   _sector(fb, ln.row, ln.row.sector_pct), _r(ln.difference),
                   verdict_text(ln.row.verdict)])
    ws.append([])
    higher, lower = none_texts(fb)
    for title, lines, none in ((_("Sterktes tegenover de sector"), fb.strengths, higher),
                               (_("Aandachtspunten tegenover de sector"), fb.attention,
                                lower)):
        ws.append([title])
        ws.cell(ws.max_row, 1).font = BOLD
        if not lines:
            ws.append([None, none])
        for ln in lines:
            ws.append([ln.statement.shown_number, ln.statement.label, None,
                       _r(ln.row.figures.pct_agree), None, None, None,
                       _r(ln.row.sector_adjusted_pct), None, _r(ln.difference)])
    _widths(ws, [24, 58, 12, 12, 12, 12, 12, 15, 11, 10, 22])
    _fit(ws, [*range(3, 3 + len(info)), *headers])


def none_texts(fb: Feedback) -> tuple[str, str]:
    """What the summary says under "Sterktes" and under "Aandachtspunten" when it lists no
    statement there: no statement clearly higher, none clearly lower, none either way, or
    none that could be compared with the sector at all (only read where the list is
    empty)."""
    if not any(ln.row.verdict for ln in fb.lines):
        both = _("Geen enkele stelling kon met de aangepaste sector worden vergeleken.")
        return both, both
    if not fb.strengths and not fb.attention:
        both = _("Geen enkele stelling ligt duidelijk hoger of lager dan de aangepaste "
                 "sector.")
        return both, both
    return (_("Geen enkele stelling ligt duidelijk hoger dan de aangepaste sector."),
            _("Geen enkele stelling ligt duidelijk lager dan de aangepaste sector."))


def _sector(fb: Feedback, row, value: float | None):
    """A sector percentage as a number, or the text that says why there is none."""
    if value is None and row.sector_reason:
        return fb.few_centres_mark
    return _r(value)


STACK = [*NEGATIVE, *POSITIVE]     # eerder niet, helemaal niet, eerder, helemaal akkoord
NOTE_COLUMN = 12                   # "Per stelling": the note in row 1; the charts right of it


def statements_sheet(ws, fb: Feedback) -> None:
    """A row per statement and side (CLB, sector) with the shares per answer; the
    disagreeing shares are negative so that Excel's stacked bars diverge around zero.
    Each section's chart stands right of its rows; a section takes as many rows as the
    taller of its table and its chart, so no chart covers the next one (xlsxchart)."""
    labels = fb.layout.option_labels
    names = [_("Nr"), _("Stelling"), _("Wie")] + [labels[c] for c in STACK] + [
        "n", _("geen zicht"), _("opmerking")]
    _header(ws, 1, names)                        # the answers' words on two lines
    ws.cell(1, NOTE_COLUMN, _("Negatieve percentages: niet akkoord (links van de "
                              "middellijn)."))
    row = 1
    for section in fb.layout.sections:
        if not section.numbers:
            continue
        top = row + 1
        if row > 1:
            # printed, each section (its rows and its chart) on a page of its own: no
            # chart is cut by a page break, whatever scale the program prints at
            ws.row_breaks.append(Break(id=top - 1))
        ws.cell(top, 1, safe_text(section.title)).font = BOLD
        row = top
        for n in section.numbers:
            r = fb.row(n)
            for own, who, f in ((True, _("CLB"), r.figures), (False, _("Sector"), r.sector)):
                row += 1
                statement = fb.layout.statements[n]
                ws.cell(row, 1, statement.shown_number)
                ws.cell(row, 2, statement.label if own else None)   # its number: column A
                ws.cell(row, 3, f"{statement.tag or statement.label} {who}")
                if f is None or f.n == 0:
                    ws.cell(row, 10 if f is None else 9, _(SUPPRESSED_TEXT) if f is None
                            else 0)
                    continue
                for col, code in enumerate(STACK, start=4):
                    share = 100 * f.counts.get(code, 0) / f.n
                    ws.cell(row, col, round(-share if code in NEGATIVE else share, 1))
                ws.cell(row, 8, f.n)
                ws.cell(row, 9, f.n_no_view)
        chart = xlsxchart.diverging_bars(
            ws, section.title, top + 1, row,
            {col: COLOURS[code] for col, code in enumerate(STACK, start=4)}, 3)
        rows = xlsxchart.chart_rows(row - top)
        xlsxchart.anchor(chart, top, NOTE_COLUMN + 1, rows)
        ws.add_chart(chart)
        row = max(row, top + rows - 1) + 1          # a blank row before the next section
    _widths(ws, [5, 52, 10, 12, 12, 12, 12, 6, 10, 20])
    _fit(ws, [1])


def levels_sheet(ws, fb: Feedback) -> None:
    _header(ws, 1, [_("Nr"), _("Stelling"), _("Niveau"), "n", _("% akkoord"),
                    _("marge laag"), _("marge hoog"), _("sector % akkoord (zelfde niveau)"),
                    _("oordeel"), _("opmerking")])
    for n in fb.layout.numbers:
        for lv in fb.levels_present():
            r = fb.row(n, lv)
            f = r.figures
            keys = [fb.layout.statements[n].shown_number, fb.layout.statements[n].label, lv]
            if f is None:
                ws.append(keys + [None] * 6 + [_(SUPPRESSED_TEXT)])
            elif f.n == 0:
                ws.append(keys + [0, None, None, None, _sector(fb, r, r.sector_pct), None,
                                  _("geen antwoorden")])
            else:
                ws.append(keys + [f.n, _r(f.pct_agree), _r(f.ci_low), _r(f.ci_high),
                                  _sector(fb, r, r.sector_pct), verdict_text(r.verdict)])
    _widths(ws, [5, 58, 8, 6, 11, 11, 11, 16, 22, 22])
    _fit(ws, [1])
    ws.freeze_panes = "A2"


def remarks_sheet(ws, fb: Feedback) -> None:
    _header(ws, 1, [_("Deel"), _("Opmerking")])
    if fb.remarks is None:
        ws.append([None, _("Minder dan %(minimum)s antwoorden: opmerkingen worden niet "
                           "getoond.", minimum=fb.round.minimum)])
    elif not fb.remarks:
        ws.append([None, _("Er zijn geen (goedgekeurde) opmerkingen.")])
    for section, texts in fb.remarks or ():
        for text in texts:
            ws.append([safe_text(section.title), safe_text(text)])
            ws.cell(ws.max_row, 2).alignment = WRAP
    _widths(ws, [40, 100])
    _fit(ws, range(2, ws.max_row + 1))


def themes_sheet(ws, fb: Feedback) -> None:
    """The themes of the CLB's approved remarks beside the other CLBs' (content.ThemeLine):
    shares as numbers 0-100."""
    _header(ws, 1, [_("Thema"), _("Opmerkingen"), _("Aandeel (%)"), _("Andere CLB's (%)")])
    for line in fb.themes:
        ws.append([safe_text(line.name), line.count, _r(line.share), _r(line.sector_share)])
    _widths(ws, [50, 14, 14, 18])
    _fit(ws, [1])


def guide_sheet(ws, fb: Feedback) -> None:
    ws["A1"] = _("Hoe leest u dit rapport?")
    ws["A1"].font = TITLE
    for i, para in enumerate(reading_guide(fb), start=3):
        ws.cell(i, 1, safe_text(para)).alignment = WRAP
    ws.cell(9, 1, _("Het blad Data bevat alle cijfers in één tabel: één rij per niveau "
                    "(bao, so, bubao, buso, totaal) en stelling. Percentages zijn getallen "
                    "van 0 tot 100; bij een verborgen groep (suppressed = WAAR) blijven de "
                    "cijfers leeg. Waar minder dan %(minimum)s andere CLB's antwoorden "
                    "gaven, blijven de sectorcijfers leeg en zegt sector_note waarom.",
                    minimum=fb.round.min_centres)).alignment = WRAP
    if fb.questions:
        ws.cell(10, 1, _("Na de stellingen volgen in Data de andere vragen: één rij per "
                         "niveau, vraag en antwoord (kolom option; bij een getal per "
                         "statistiek: median, q1, q3). n is het aantal scholen dat de vraag "
                         "beantwoordde, count het aantal dat dat antwoord koos, value het "
                         "aandeel (0 tot 100) of de statistiek, sector_value en "
                         "sector_value_adjusted de sector (ruw en aangepast aan de mix van "
                         "niveaus). Kwartielen volgen de definitie van Excels "
                         "KWARTIEL.INC.")).alignment = WRAP
    ws.column_dimensions["A"].width = 120
    _fit(ws, range(3, ws.max_row + 1))


def questions_sheet(ws, fb: Feedback) -> None:
    """The questions of other types: per question, option (or statistic) and level the
    CLB's figure beside the sector's; hidden groups say so and show no figure."""
    _header(ws, 1, [_("Nr"), _("Vraag"), _("Antwoord of statistiek"), _("Niveau"), "n",
                    _("aantal"), _("CLB"), _("marge laag"), _("marge hoog"), _("sector"),
                    _("sector aangepast"), _("opmerking")])
    for summary in fb.questions:
        q = summary.question
        ws.append([q.number, safe_text(q.title), None, None, None, None, None, None, None,
                   None, None, summary.explanation])
        ws.cell(ws.max_row, 2).font = BOLD
        digits = 1 if summary.unit == "percent" else 2
        for line in summary.lines:
            for g in (TOTAL, *fb.levels_present()):
                group, cell = summary.groups[g], line.cells[g]
                keys = [q.number, safe_text(q.label), safe_text(line.label),
                        _(LEVEL_NAMES[g])]
                sector = cell.sector
                if sector is None and group.sector_reason:
                    sector = fb.few_centres_mark
                adjusted = cell.sector_adjusted
                if g == TOTAL and adjusted is None and group.sector_reason \
                        and summary.unit == "percent":
                    adjusted = fb.few_centres_mark
                if group.hidden:
                    ws.append(keys + [None] * 5 + [_r(sector, digits) if not isinstance(
                        sector, str) else sector, None, _(SUPPRESSED_TEXT)])
                    continue
                ws.append(keys + [group.n, cell.count, _r(cell.value, digits),
                                  _r(cell.ci_low), _r(cell.ci_high),
                                  sector if isinstance(sector, str) else _r(sector, digits),
                                  adjusted if isinstance(adjusted, str)
                                  else _r(adjusted, digits),
                                  _("geen antwoorden") if group.n == 0 else None])
    _widths(ws, [5, 48, 36, 28, 6, 7, 8, 10, 10, 10, 15, 30])
    _fit(ws, [1])
    ws.freeze_panes = "A2"

