"""The feedback sheet as a PDF: A4 pages drawn with matplotlib (Figure, never pyplot), text
kept as selectable text with its font embedded. Layout is fixed in inches, so no page
needs tight_layout or any measuring of text."""

from __future__ import annotations

import io
import textwrap

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from . import charts, fonts
from .content import (
    LEVEL_NAMES,
    SUPPRESSED_TEXT,
    Feedback,
    Line,
    fmt_diff,
    fmt_pct,
    reading_guide,
)
from .statistics import ABOVE, BELOW
from .suppression import TOTAL

WIDTH, HEIGHT = 8.27, 11.69          # A4 in inches
MARGIN = 0.75
INK, GREY, ACCENT = "#1a1a1a", "#6b6b6b", "#3b2a6b"
RC = {"pdf.fonttype": 42, "pdf.compression": 6}
VERDICT_MARK = {ABOVE: "▲ hoger", BELOW: "▼ lager"}
PAIRS_PER_PAGE = 15
SLOT = 0.15                          # inches per bar (and per gap between pairs)


class Page:
    """An A4 page with a text cursor measured in inches from the top."""

    def __init__(self, feedback: Feedback, number: int, title: str):
        self.fig = Figure(figsize=(WIDTH, HEIGHT))
        self.y = MARGIN
        fb = feedback
        self.text(MARGIN, 0.45, f"{fb.centre.name} · {fb.round.name}", size=7, color=GREY)
        self.text(WIDTH - MARGIN, HEIGHT - 0.45, f"{number}", size=7, color=GREY,
                  ha="right")
        if title:
            self.heading(title)

    def text(self, x: float, y: float, s: str, *, size: float = 9, color: str = INK,
             ha: str = "left", weight: str = "normal", style: str = "normal") -> None:
        self.fig.text(x / WIDTH, 1 - y / HEIGHT, s, fontsize=size, color=color, ha=ha,
                      va="top", fontweight=weight, fontstyle=style)

    def heading(self, s: str, size: float = 15) -> None:
        self.text(MARGIN, self.y, s, size=size, weight="bold", color=ACCENT)
        self.y += size / 72 + 0.2

    def subheading(self, s: str) -> None:
        self.y += 0.08
        self.text(MARGIN, self.y, s, size=11, weight="bold")
        self.y += 0.28

    def paragraph(self, s: str, *, size: float = 9, width: int = 100, x: float = MARGIN,
                  color: str = INK, gap: float = 0.08) -> None:
        lines = textwrap.wrap(s, width) or [""]
        self.text(x, self.y, "\n".join(lines), size=size, color=color)
        self.y += len(lines) * size * 1.2 / 72 + gap

    def table(self, columns: list[tuple[str, float, str]], rows: list[list[str]], *,
              size: float = 8, row_height: float = 0.2) -> None:
        """columns: (header, x of the column in inches, alignment). Each column is one
        multi-line text (see charts.py on why); a suppressed cell is written apart, in
        italics."""
        for header, x, ha in columns:
            self.text(x, self.y, header, size=size - 0.5, color=GREY, ha=ha, weight="bold")
        self.y += row_height + 0.02
        self.fig.add_artist(_rule(self.y - 0.06))
        baseline = self.y + 0.75 * size / 72       # the first row's baseline
        last = baseline + (len(rows) - 1) * row_height   # where a column is anchored
        spacing = charts.linespacing(size, row_height * 72)
        for index, (_, x, ha) in enumerate(columns):
            cells = [row[index] for row in rows]
            plain = ["" if c == SUPPRESSED_TEXT else c for c in cells]
            self.fig.text(x / WIDTH, 1 - last / HEIGHT, "\n".join(plain), fontsize=size,
                          ha=ha, va="baseline", linespacing=spacing, color=INK)
            for r, cell in enumerate(cells):
                if cell == SUPPRESSED_TEXT:
                    self.fig.text(x / WIDTH, 1 - (baseline + r * row_height) / HEIGHT, cell,
                                  fontsize=size - 1.5, ha=ha, va="baseline", color=GREY,
                                  fontstyle="italic")
        self.y += len(rows) * row_height

    def room(self) -> float:
        return HEIGHT - MARGIN - self.y


def _rule(y: float):
    from matplotlib.lines import Line2D
    return Line2D([MARGIN / WIDTH, 1 - MARGIN / WIDTH], [1 - y / HEIGHT] * 2,
                  color="#cccccc", linewidth=0.6)


def render(fb: Feedback) -> bytes:
    """The whole sheet as PDF bytes; the same content gives the same bytes."""
    pages = [cover(fb), summary(fb), *section_pages(fb), levels(fb), aspects(fb),
             *remark_pages(fb)]
    buf = io.BytesIO()
    metadata = {"Title": f"Feedbackrapport {fb.centre.name}",
                "Author": "Onderwijsinspectie", "CreationDate": None}
    rc = {**RC, "font.family": fonts.family()}
    with matplotlib.rc_context(rc), PdfPages(buf, metadata=metadata) as pdf:
        for number, make in enumerate(pages, start=1):
            pdf.savefig(make(number))
    return buf.getvalue()


def cover(fb: Feedback):
    def page(number: int) -> Figure:
        p = Page(fb, number, "")
        p.y = 1.4
        p.text(MARGIN, p.y, "Feedbackrapport", size=12, color=GREY)
        p.y += 0.3
        p.text(MARGIN, p.y, "Samenwerking tussen scholen en hun CLB", size=20,
               weight="bold", color=ACCENT)
        p.y += 0.7
        p.text(MARGIN, p.y, fb.centre.name, size=16, weight="bold")
        p.y += 0.35
        p.paragraph(f"CLB-nummer {fb.centre.number} · net: {fb.centre.network}", size=10)
        p.paragraph(f"Bevraging: {fb.round.name} (schooljaar {fb.round.school_year})",
                    size=10)
        p.paragraph(f"Datum van dit rapport: {fb.round.date}", size=10, gap=0.3)
        p.subheading("Respons")
        rows = []
        for lv in [*fb.levels_present(), TOTAL]:
            invited = sum(fb.invited.values()) if lv == TOTAL else fb.invited.get(lv, 0)
            answered = fb.respondents if lv == TOTAL else fb.responded.get(lv, 0)
            rate = fmt_pct(100 * answered / invited if invited else None)
            rows.append([LEVEL_NAMES[lv], str(invited), str(answered), rate])
        p.table([("Niveau", MARGIN, "left"), ("Uitgenodigd", 4.2, "right"),
                 ("Geantwoord", 5.4, "right"), ("Respons", 6.5, "right")], rows, size=9)
        p.y += 0.3
        p.subheading("Hoe leest u dit rapport?")
        for para in reading_guide(fb):
            p.paragraph(para, size=8.5, width=108)
        return p.fig
    return page


def _verdict(line_or_row) -> str:
    verdict = line_or_row.verdict
    return VERDICT_MARK.get(verdict, verdict or "–")


def _clb_pct(f) -> str:
    return SUPPRESSED_TEXT if f is None else fmt_pct(f.pct_agree)


def summary(fb: Feedback):
    def page(number: int) -> Figure:
        p = Page(fb, number, "Samenvatting")
        p.paragraph("Per stelling: het aandeel akkoord in uw CLB met zijn "
                    "onzekerheidsmarge, de aangepaste en de ruwe sector, het verschil met de "
                    "aangepaste sector en of dat verschil duidelijk is.", size=8.5)
        cols = [("Nr", MARGIN + 0.15, "right"), ("Stelling", MARGIN + 0.3, "left"),
                ("CLB", 4.35, "right"), ("marge", 5.05, "right"), ("aangepast", 5.75, "right"),
                ("ruw", 6.25, "right"), ("verschil", 6.8, "right"),
                ("", 6.9, "left")]
        rows = []
        for ln in fb.lines:
            f = ln.row.figures
            margin = "" if f is None or f.ci_low is None else \
                f"{f.ci_low:.0f}–{f.ci_high:.0f}"
            rows.append([str(ln.statement.number), _short(ln.statement.label, 48),
                         _clb_pct(f), margin, fmt_pct(ln.row.sector_adjusted_pct),
                         fmt_pct(ln.row.sector_pct), fmt_diff(ln.difference),
                         VERDICT_MARK.get(ln.row.verdict, "")])
        p.table(cols, rows, size=7.5, row_height=0.22)
        p.y += 0.25
        for title, lines, none in (
                ("Sterktes tegenover de sector", fb.strengths,
                 "Geen enkele stelling ligt duidelijk hoger dan de aangepaste sector."),
                ("Aandachtspunten tegenover de sector", fb.attention,
                 "Geen enkele stelling ligt duidelijk lager dan de aangepaste sector.")):
            p.subheading(title)
            if not lines:
                p.paragraph(none, size=8.5)
            for ln in lines:
                p.paragraph(_line_sentence(ln), size=8.5, width=104)
            p.y += 0.1
        return p.fig
    return page


def _line_sentence(ln: Line) -> str:
    f = ln.row.figures
    return (f"{ln.statement.number}. {ln.statement.label}: {fmt_pct(f.pct_agree)} akkoord "
            f"(n={f.n}) tegenover {fmt_pct(ln.row.sector_adjusted_pct)} in de aangepaste "
            f"sector ({fmt_diff(ln.difference)} procentpunt).")


def _short(s: str, width: int) -> str:
    return s if len(s) <= width else s[:width - 1] + "…"


def section_pages(fb: Feedback):
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
    return [_section_page(fb, group, first=i == 0) for i, group in enumerate(groups)]


def _section_page(fb: Feedback, sections, first: bool):
    def page(number: int) -> Figure:
        p = Page(fb, number, "Per stelling" if first else "Per stelling (vervolg)")
        if first:
            p.paragraph("Elke stelling: de verdeling van de antwoorden in uw CLB (bovenste "
                        "balk) en in de sector (onderste balk). Links van de middellijn "
                        "niet akkoord, rechts akkoord; de getallen in de balken zijn "
                        "percentages, n het aantal antwoorden, gz ‘geen zicht’.", size=8.5)
        charts.legend(p.fig, MARGIN / WIDTH, 1 - p.y / HEIGHT, fb.layout.option_labels,
                      fontsize=7.5)
        p.y += 0.35
        for section in sections:
            p.subheading(section.title)
            pairs = [(f"{n}. {fb.layout.statements[n].label}", fb.row(n).figures,
                      fb.row(n).sector) for n in section.numbers]
            height = SLOT * charts.slots(len(pairs))
            left = 3.25
            ax = p.fig.add_axes((left / WIDTH, 1 - (p.y + height) / HEIGHT,
                                 3.5 / WIDTH, height / HEIGHT))
            charts.draw(ax, pairs, fontsize=7.5, label_x=-(left - MARGIN) / 3.5,
                        label_width=34)
            p.y += height + 0.45
        return p.fig
    return page


def levels(fb: Feedback):
    def page(number: int) -> Figure:
        p = Page(fb, number, "Per onderwijsniveau")
        present = fb.levels_present()
        p.paragraph("Per niveau: het aandeel akkoord in uw CLB, met tussen haakjes dat van "
                    "de sector op hetzelfde niveau. ▲ en ▼ staan bij een duidelijk verschil.",
                    size=8.5)
        if not present:
            p.paragraph("Er waren geen scholen uitgenodigd.")
            return p.fig
        xs = [3.6 + i * (WIDTH - MARGIN - 3.6) / len(present) for i in range(len(present))]
        step = (WIDTH - MARGIN - 3.6) / len(present)
        cols = [("Nr", MARGIN + 0.15, "right"), ("Stelling", MARGIN + 0.3, "left")]
        cols += [(lv, x + step - 0.1, "right") for lv, x in zip(present, xs, strict=True)]
        rows = []
        for n in fb.layout.numbers:
            cells = [str(n), _short(fb.layout.statements[n].label, 40)]
            for lv in present:
                r = fb.row(n, lv)
                if r.figures is None:
                    cells.append(SUPPRESSED_TEXT)
                    continue
                mark = {ABOVE: "▲ ", BELOW: "▼ "}.get(r.verdict, "")
                cells.append(f"{mark}{fmt_pct(r.figures.pct_agree)} "
                             f"({fmt_pct(r.sector_pct)})")
            rows.append(cells)
        p.table(cols, rows, size=7.5, row_height=0.22)
        p.y += 0.2
        p.paragraph(", ".join(f"{lv} = {LEVEL_NAMES[lv]}" for lv in present)
                    + ". Een niveau zonder antwoorden toont ‘–’.", size=7.5, color=GREY)
        return p.fig
    return page


def aspects(fb: Feedback):
    def page(number: int) -> Figure:
        p = Page(fb, number, "Per kwaliteitsaspect")
        p.paragraph("De stellingen gegroepeerd onder de aspecten van het referentiekader "
                    "voor CLB-kwaliteit (RclbK) waarover ze iets zeggen.", size=8.5)
        for aspect, lines in fb.aspects:
            title = f"{aspect.code} {aspect.name}" if aspect.code else aspect.name
            p.text(MARGIN, p.y, title, size=9, weight="bold")
            p.y += 0.22
            for ln in lines:
                f = ln.row.figures
                p.text(MARGIN + 0.2, p.y, f"{ln.statement.number}. "
                       f"{_short(ln.statement.label, 52)}", size=8)
                p.text(5.0, p.y, _clb_pct(f), size=8, ha="right")
                p.text(5.9, p.y, fmt_pct(ln.row.sector_adjusted_pct), size=8, ha="right",
                       color=GREY)
                p.text(6.05, p.y, _verdict(ln.row), size=8)
                p.y += 0.19
            p.y += 0.08
        if fb.trend:
            trend_table(p, fb)
        return p.fig
    return page


def trend_table(p: Page, fb: Feedback) -> None:
    p.y += 0.15
    p.subheading("Evolutie over de bevragingen")
    rounds = fb.trend.rounds[-4:]
    step = (WIDTH - MARGIN - 4.0) / len(rounds)
    cols = [("Nr", MARGIN + 0.15, "right"), ("Stelling", MARGIN + 0.3, "left")]
    cols += [(_short(name, 16), 4.0 + (i + 1) * step - 0.1, "right")
             for i, name in enumerate(rounds)]
    rows = [[str(n), _short(fb.layout.statements[n].label, 44)]
            + [SUPPRESSED_TEXT if v is None else fmt_pct(v)
               for v in fb.trend.pct[n][-len(rounds):]]
            for n in fb.layout.numbers]
    p.table(cols, rows, size=7, row_height=0.19)


def remark_pages(fb: Feedback):
    """Approved remarks, as many pages as they need (at least one)."""
    blocks: list[tuple[str, str]] = []
    if fb.remarks is None:
        blocks.append(("p", f"Uw CLB heeft minder dan {fb.round.minimum} antwoorden; "
                            "opmerkingen worden daarom niet getoond."))
    elif not fb.remarks:
        blocks.append(("p", "Er zijn geen (goedgekeurde) opmerkingen."))
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
    return [_remark_page(fb, blocks, i) for i, blocks in enumerate(pages)]


def _block_height(block: tuple[str, str]) -> float:
    kind, text = block
    if kind == "h":
        return 0.36
    return len(textwrap.wrap(text, 104) or [""]) * 8.5 * 1.2 / 72 + 0.14


def _remark_page(fb: Feedback, blocks, index: int):
    def page(number: int) -> Figure:
        p = Page(fb, number, "Opmerkingen van scholen" + (" (vervolg)" if index else ""))
        for kind, text in blocks:
            if kind == "h":
                p.subheading(text)
            else:
                p.paragraph(("• " if kind == "r" else "") + text, size=8.5, width=104,
                            gap=0.14 - 0.0)
        return p.fig
    return page
