"""The pages of the feedback sheet. The fixed pages (cover, summary, statements, levels,
aspects) have the same layout for every CLB of a round, so that their static layer can
be drawn once (see pdfpage.py); the trend and remark pages are drawn whole."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from instrument.i18n import N_, _

from . import charts
from .content import (
    LEVEL_NAMES,
    SUPPRESSED_TEXT,
    Feedback,
    Line,
    fmt_diff,
    fmt_pct,
    reading_guide,
)
from .feedback import LEVELS, verdict_text
from .pdfpage import ACCENT, GREY, HEIGHT, MARGIN, WIDTH, Hidden, Page
from .statistics import ABOVE, BELOW
from .suppression import TOTAL

ARROW = {ABOVE: "▲", BELOW: "▼"}
# The fixed pages' titles (msgids): pdf.py keys its static layer by their translations too,
# so that a layer drawn in one language is never laid under another's.
TITLES = (N_("Feedbackrapport"), N_("Samenvatting"), N_("Per stelling"),
          N_("Per onderwijsniveau"), N_("Per kwaliteitsaspect"), N_("Andere vragen"),
          N_("Opmerkingen van scholen"), N_("Evolutie over de bevragingen"))
PAIRS_PER_PAGE = 15
SLOT = 0.15                          # inches per bar (and per gap between pairs)

PageMaker = Callable[[str, int], Page]     # (mode, page number) -> page


def header(fb: Feedback) -> str:
    return f"{fb.centre.name} · {fb.round.name}"


def fixed_pages(fb: Feedback) -> list[PageMaker]:
    return [lambda mode, n: cover(fb, mode, n), lambda mode, n: summary(fb, mode, n),
            *section_pages(fb), lambda mode, n: levels(fb, mode, n),
            lambda mode, n: aspects(fb, mode, n)]


def extra_pages(fb: Feedback) -> list[tuple[str, PageMaker]]:
    """The pages after the fixed ones, each with the name of its static template (the
    same for every CLB: title and explanation) and its maker."""
    pages = question_pages(fb)
    pages += [("trend", lambda mode, n: trend(fb, mode, n))] if fb.trend else []
    return pages + remark_pages(fb)


def _short(s: str, width: int) -> str:
    return s if len(s) <= width else s[:width - 1] + "…"


def _hidden() -> Hidden:
    """The cell of a hidden group: the text in the reader's language, marked so that the
    page writes it apart (pdfpage.Page.table)."""
    return Hidden(_(SUPPRESSED_TEXT))


def _cell(text: str) -> str:
    """A cell from content.py: its hidden-group text (the msgid or its translation) marked."""
    return _hidden() if text in (SUPPRESSED_TEXT, _(SUPPRESSED_TEXT)) else text


def _continued(title: str, index: int) -> str:
    return _("%(title)s (vervolg)", title=title) if index else title


def cover(fb: Feedback, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number)
    p.y = 1.4
    p.text(MARGIN, p.y, _("Feedbackrapport"), size=12, color=GREY)
    p.y += 0.3
    p.text(MARGIN, p.y, _("Samenwerking tussen scholen en hun CLB"), size=20, weight="bold",
           color=ACCENT)
    p.y += 0.7
    # the dynamic layer keeps to the regular font: each style embedded costs time
    p.text(MARGIN, p.y, fb.centre.name, size=17, color=ACCENT, dynamic=True)
    p.y += 0.35
    facts = [_("CLB-nummer %(number)s · net: %(network)s", number=fb.centre.number,
               network=fb.centre.network),
             _("Bevraging: %(round)s (schooljaar %(year)s)", round=fb.round.name,
               year=fb.round.school_year),
             _("Datum van dit rapport: %(date)s", date=fb.round.date)]
    p.text(MARGIN, p.y, "\n".join(facts), size=10, dynamic=True)
    p.y += 3 * 10 * 1.2 / 72 + 0.35
    p.subheading(_("Respons"))
    rows = []
    for lv in (*LEVELS, TOTAL):        # every level, so the layout is the same for all
        invited = sum(fb.invited.values()) if lv == TOTAL else fb.invited.get(lv, 0)
        answered = fb.respondents if lv == TOTAL else fb.responded.get(lv, 0)
        rate = fmt_pct(100 * answered / invited if invited else None)
        rows.append([_(LEVEL_NAMES[lv]), str(invited), str(answered), rate])
    p.table([(_("Niveau"), MARGIN, "left"), (_("Uitgenodigd"), 4.2, "right"),
             (_("Geantwoord"), 5.4, "right"), (_("Respons"), 6.5, "right")], rows, size=9,
            dynamic=frozenset({1, 2, 3}))
    p.y += 0.3
    p.subheading(_("Hoe leest u dit rapport?"))
    for para in reading_guide(fb):
        p.paragraph(para, size=8.5, width=108)
    return p


def _mark(verdict: str | None) -> str:
    """"▲ hoger", "▼ lager": a clear difference; "" otherwise."""
    return f"{ARROW[verdict]} {verdict_text(verdict)}" if verdict in ARROW else ""


def _verdict(row) -> str:
    return _mark(row.verdict) or verdict_text(row.verdict) or "–"


def _clb_pct(f) -> str:
    return _hidden() if f is None else fmt_pct(f.pct_agree)


def summary(fb: Feedback, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _("Samenvatting"))
    p.paragraph(_("Per stelling: het aandeel akkoord in uw CLB met zijn onzekerheidsmarge, "
                  "de aangepaste en de ruwe sector, het verschil met de aangepaste sector en "
                  "of dat verschil duidelijk is. ‘%(mark)s’: minder dan %(minimum)s andere "
                  "CLB's gaven antwoorden, dus geen sectorcijfer.",
                  mark=fb.few_centres_mark, minimum=fb.round.min_centres), size=8.5)
    cols = [(_("Nr"), MARGIN + 0.15, "right"), (_("Stelling"), MARGIN + 0.3, "left"),
            (_("CLB"), 4.35, "right"), (_("marge"), 5.05, "right"),
            (_("aangepast"), 5.75, "right"), (_("ruw"), 6.25, "right"),
            (_("verschil"), 6.8, "right"), ("", 6.9, "left")]
    rows = []
    for ln in fb.lines:
        f = ln.row.figures
        margin = "" if f is None or f.ci_low is None else f"{f.ci_low:.0f}–{f.ci_high:.0f}"
        rows.append([ln.statement.tag, _short(ln.statement.label, 48), _clb_pct(f),
                     margin, fb.sector_cell(ln.row, ln.row.sector_adjusted_pct),
                     fb.sector_cell(ln.row, ln.row.sector_pct),
                     fmt_diff(ln.difference), _mark(ln.row.verdict)])
    p.table(cols, rows, size=7.5, row_height=0.22, dynamic=frozenset(range(2, 8)))
    p.y += 0.25
    for title, lines, none in (
            (_("Sterktes tegenover de sector"), fb.strengths,
             _("Geen enkele stelling ligt duidelijk hoger dan de aangepaste sector.")),
            (_("Aandachtspunten tegenover de sector"), fb.attention,
             _("Geen enkele stelling ligt duidelijk lager dan de aangepaste sector."))):
        p.subheading(title)
        top = p.y
        if not lines:
            p.paragraph(none, size=8.5, dynamic=True)
        for ln in lines:
            p.paragraph(_line_sentence(ln), size=8.5, width=104, dynamic=True)
        # room for three statements of up to three lines each, the same for every CLB
        p.y = top + 3 * (3 * 8.5 * 1.2 / 72 + 0.08) + 0.1
    return p


def _line_sentence(ln: Line) -> str:
    f = ln.row.figures
    return _("%(statement)s: %(pct)s akkoord (n=%(n)s) tegenover %(sector)s in de "
             "aangepaste sector (%(difference)s procentpunt).", statement=ln.statement.title,
             pct=fmt_pct(f.pct_agree), n=f.n, sector=fmt_pct(ln.row.sector_adjusted_pct),
             difference=fmt_diff(ln.difference))


def section_pages(fb: Feedback) -> list[PageMaker]:
    """Sections packed onto pages, at most PAIRS_PER_PAGE statements a page."""
    groups, current, count = [], [], 0
    for section in fb.layout.sections:
        if not section.numbers:
            continue
        if current and count + len(section.numbers) > PAIRS_PER_PAGE:
            groups.append(current)
            current, count = [], 0
        current.append(section)
        count += len(section.numbers)
    if current:
        groups.append(current)
    return [lambda mode, n, g=group, first=(i == 0): _section_page(fb, g, first, mode, n)
            for i, group in enumerate(groups)]


def _section_page(fb: Feedback, sections, first: bool, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _continued(_("Per stelling"), not first))
    if first:
        p.paragraph(_("Elke stelling: de verdeling van de antwoorden in uw CLB (bovenste "
                      "balk) en in de sector (onderste balk). Links van de middellijn niet "
                      "akkoord, rechts akkoord; de getallen in de balk van het CLB zijn "
                      "percentages, n het aantal antwoorden, gz ‘geen zicht’."), size=8.5)
    p.legend(fb.layout.option_labels)
    for section in sections:
        p.subheading(section.title)
        for n in section.numbers:
            own = fb.layout.statements[n].labels
            if own:          # another scale than the legend's: the same colours, its words
                labels = ", ".join(f"‘{label}’" for _code, label in sorted(own))
                p.paragraph(_("%(statement)s: andere antwoorden, in de volgorde van de "
                              "legende: %(labels)s.", statement=fb.layout.statements[n].title,
                              labels=labels), size=7.5, color=GREY)
        pairs = [(fb.layout.statements[n].title, fb.row(n).figures,
                  fb.row(n).sector) for n in section.numbers]
        height = SLOT * charts.slots(len(pairs))
        p.chart(3.25, 3.5, height, pairs, fontsize=7.5, label_width=34)
        p.y += height + 0.45
    return p


def levels(fb: Feedback, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _("Per onderwijsniveau"))
    p.paragraph(_("Per niveau: het aandeel akkoord in uw CLB, met tussen haakjes dat van de "
                  "sector op hetzelfde niveau. ▲ en ▼ staan bij een duidelijk verschil. "
                  "‘–’: geen antwoorden op dat niveau; ‘%(mark)s’: minder dan %(minimum)s "
                  "andere CLB's met antwoorden op dat niveau, dus geen sectorcijfer.",
                  mark=fb.few_centres_mark, minimum=fb.round.min_centres), size=8.5)
    step = (WIDTH - MARGIN - 3.6) / len(LEVELS)
    cols = [(_("Nr"), MARGIN + 0.15, "right"), (_("Stelling"), MARGIN + 0.3, "left")]
    cols += [(lv, 3.6 + (i + 1) * step - 0.1, "right") for i, lv in enumerate(LEVELS)]
    rows = []
    for n in fb.layout.numbers:
        cells = [fb.layout.statements[n].tag, _short(fb.layout.statements[n].label, 40)]
        for lv in LEVELS:
            r = fb.row(n, lv)
            if r.figures is None:
                cells.append(_hidden())
            elif r.figures.n == 0:
                cells.append("–")
            else:
                mark = f"{ARROW[r.verdict]} " if r.verdict in ARROW else ""
                cells.append(f"{mark}{fmt_pct(r.figures.pct_agree)} "
                             f"({fb.sector_cell(r, r.sector_pct)})")
        rows.append(cells)
    p.table(cols, rows, size=7.5, row_height=0.22, dynamic=frozenset(range(2, 6)))
    p.y += 0.2
    p.paragraph(", ".join(f"{lv} = {_(LEVEL_NAMES[lv])}" for lv in LEVELS) + ".", size=7.5,
                color=GREY)
    return p


def aspects(fb: Feedback, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _("Per kwaliteitsaspect"))
    p.paragraph(_("De stellingen gegroepeerd onder de aspecten van het referentiekader voor "
                  "CLB-kwaliteit (RclbK) waarover ze iets zeggen: % akkoord in uw CLB, in de "
                  "aangepaste sector, en of het verschil duidelijk is."), size=8.5)
    for aspect, lines in fb.aspects:
        title = f"{aspect.code} {aspect.name}" if aspect.code else aspect.name
        p.text(MARGIN, p.y, title, size=9, weight="bold")
        p.y += 0.22
        rows = [[(f"{ln.statement.tag}. " if ln.statement.tag else "")
                 + _short(ln.statement.label, 44),
                 _clb_pct(ln.row.figures), fb.sector_cell(ln.row, ln.row.sector_adjusted_pct),
                 _verdict(ln.row)] for ln in lines]
        p.table([("", MARGIN + 0.2, "left"), ("", 5.0, "right"), ("", 5.9, "right"),
                 ("", 6.05, "left")], rows, size=8, row_height=0.19,
                dynamic=frozenset({1, 2, 3}), headed=False)
        p.y += 0.1
    return p


def trend(fb: Feedback, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _("Evolutie over de bevragingen"),
             numbered_dynamic=True)
    p.paragraph(_("Het aandeel akkoord in uw CLB per stelling, in deze en eerdere "
                  "bevragingen met dezelfde vragenlijst."), size=8.5)
    rounds = fb.trend.rounds[-4:]
    labels = [year or _short(name, 14) for name, year in
              zip(rounds, (fb.trend.years or ("",) * 99)[-len(rounds):], strict=False)]
    step = (WIDTH - MARGIN - 4.0) / len(rounds)
    cols = [(_("Nr"), MARGIN + 0.15, "right"), (_("Stelling"), MARGIN + 0.3, "left")]
    cols += [(label, 4.0 + (i + 1) * step - 0.1, "right") for i, label in enumerate(labels)]
    rows = [[fb.layout.statements[n].tag, _short(fb.layout.statements[n].label, 44)]
            + [_hidden() if v is None else fmt_pct(v)
               for v in fb.trend.pct[n][-len(rounds):]]
            for n in fb.layout.numbers]
    p.table(cols, rows, size=7.5, row_height=0.22, dynamic=frozenset(range(2, len(cols))),
            dynamic_headers=True)
    p.y += 0.2
    p.paragraph("; ".join(f"{label}: {name}" for label, name in zip(labels, rounds,
                                                                    strict=True)) + ".",
                size=7.5, color=GREY, dynamic=True)
    return p


QUESTION_ROW = 0.19


def question_pages(fb: Feedback) -> list[tuple[str, PageMaker]]:
    """"Andere vragen": per question of another type a compact table (all levels: the
    CLB beside the sector, raw and adjusted) and one per level, as many pages as needed.
    Everything on them is the CLB's layer; the first page's introduction is static."""
    if not fb.questions:
        return []
    # the cursor where the first question starts: below the title and the introduction
    # on the first page, below the title on the next ones (see _question_page)
    pages, current, y = [], [], 2.0
    for summary in fb.questions:
        h = _question_height(summary)
        if current and y + h > HEIGHT - MARGIN:
            pages.append(current)
            current, y = [], 1.2
        current.append(summary)
        y += h
    pages.append(current)
    return [("questions-next" if index else "questions",
             lambda mode, n, s=summaries, i=index: _question_page(fb, s, i, mode, n))
            for index, summaries in enumerate(pages)]


def _question_height(summary) -> float:
    """As _question_page moves the cursor: title, two headed tables (the second with a
    row for n), the gaps between."""
    title = len(textwrap.wrap(summary.question.title + " (n = 00000)", 90))
    return (title * 0.17 + 0.15 + 2 * (QUESTION_ROW + 0.02) + 0.35
            + (2 * len(summary.lines) + 1) * QUESTION_ROW)


def _question_page(fb: Feedback, summaries, index: int, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _continued(_("Andere vragen"), index),
             numbered_dynamic=True)
    if not index:
        p.paragraph(_("Vragen die geen stelling zijn: per antwoord het aandeel van de "
                      "scholen die de vraag beantwoordden (bij meer keuzes samen meer dan "
                      "100 %%), bij een getal de mediaan en de kwartielen. Eerst alle niveaus "
                      "samen met de sector (ruw en aangepast aan uw mix van niveaus), dan per "
                      "niveau uw CLB met tussen haakjes de sector. Een groep met te weinig "
                      "antwoorden of met allemaal hetzelfde antwoord: ‘%(suppressed)s’.",
                      suppressed=_(SUPPRESSED_TEXT)), size=8.5)
    step = (WIDTH - MARGIN - 3.6) / len(LEVELS)
    every = frozenset(range(6))
    for summary in summaries:
        q, total = summary.question, summary.groups[TOTAL]
        n = _(SUPPRESSED_TEXT) if total.hidden else f"n = {total.n}"
        lines = textwrap.wrap(f"{q.title} ({n})", 90)
        p.y += 0.05
        p.text(MARGIN, p.y, "\n".join(lines), size=9.5, color=ACCENT, dynamic=True)
        p.y += len(lines) * 0.17 + 0.1
        rows = []
        for line in summary.lines:
            cell = line.cells[TOTAL]
            hidden = total.hidden or cell.value is None
            rows.append([
                _short(line.label, 44), "" if hidden or cell.count is None else str(cell.count),
                _hidden() if total.hidden else summary.fmt(cell.value),
                "" if hidden or cell.ci_low is None else f"{cell.ci_low:.0f}–{cell.ci_high:.0f}",
                fb.question_sector(summary, total, cell.sector_adjusted)
                if summary.unit == "percent" else "",
                fb.question_sector(summary, total, cell.sector)])
        p.table([(_("Alle niveaus"), MARGIN, "left"), (_("aantal"), 3.9, "right"),
                 (_("CLB"), 4.6, "right"), (_("marge"), 5.3, "right"),
                 (_("sector aangepast"), 6.45, "right"),
                 (_("sector ruw"), WIDTH - MARGIN, "right")],
                rows, size=7.5, row_height=QUESTION_ROW, dynamic=every, dynamic_headers=True,
                rule=False)
        p.y += 0.05
        rows = [["n"] + [_cell(fb.question_cell(summary, lv, None)) for lv in LEVELS]]
        rows += [[_short(line.label, 44)] + [_cell(fb.question_cell(summary, lv,
                                                                    line.cells[lv]))
                                            for lv in LEVELS] for line in summary.lines]
        p.table([(_("Per niveau: CLB (sector)"), MARGIN, "left")]
                + [(lv, 3.6 + (i + 1) * step - 0.1, "right") for i, lv in enumerate(LEVELS)],
                rows, size=7.5, row_height=QUESTION_ROW, dynamic=frozenset(range(5)),
                dynamic_headers=True, rule=False)
        p.y += 0.3
    return p


def remark_pages(fb: Feedback) -> list[PageMaker]:
    """Approved remarks, as many pages as they need (at least one)."""
    blocks: list[tuple[str, str]] = []
    if fb.remarks is None:
        blocks.append(("p", _("Uw CLB heeft minder dan %(minimum)s antwoorden; opmerkingen "
                              "worden daarom niet getoond.", minimum=fb.round.minimum)))
    elif not fb.remarks:
        blocks.append(("p", _("Er zijn geen (goedgekeurde) opmerkingen.")))
    for section, texts in fb.remarks or ():
        blocks.append(("h", section.title))
        blocks += [("r", t) for t in texts]
    pages, current, height = [], [], 0.0
    for block in blocks:
        h = _block_height(block)
        if current and height + h > HEIGHT - 2 * MARGIN - 1.0:
            pages.append(current)
            current, height = [], 0.0
        current.append(block)
        height += h
    pages.append(current)
    return [("remarks-next" if index else "remarks",
             lambda mode, n, b=blocks, i=index: _remark_page(fb, b, i, mode, n))
            for index, blocks in enumerate(pages)]


def _block_height(block: tuple[str, str]) -> float:
    kind, text = block
    if kind == "h":
        return 0.36 + (len(textwrap.wrap(text, 80)) - 1) * 11 * 1.2 / 72
    return len(textwrap.wrap(text, 104) or [""]) * 8.5 * 1.2 / 72 + 0.14


def _remark_page(fb: Feedback, blocks, index: int, mode: str, number: int) -> Page:
    p = Page(mode, header(fb), number, _continued(_("Opmerkingen van scholen"), index),
             numbered_dynamic=True)
    for kind, text in blocks:
        if kind == "h":
            # in the regular style, as all of the dynamic layer (see pdf.py)
            lines = textwrap.wrap(text, 80)
            p.y += 0.08
            p.text(MARGIN, p.y, "\n".join(lines), size=11, color=ACCENT, dynamic=True)
            p.y += 0.28 + (len(lines) - 1) * 11 * 1.2 / 72
        else:
            p.paragraph(("• " if kind == "r" else "") + text, size=8.5, width=104, gap=0.14,
                        dynamic=True)
    return p
