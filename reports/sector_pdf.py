"""The sector report as PDF: reports/sector.py's content turned into the plain data that
templates/reports/sector.typ lays out (reports/typeset.py compiles it to a tagged
PDF/UA-1). Every text is made here, translated; the template only places blocks
(headings, paragraphs, lists, tables, charts drawn natively with their text alternative)."""

from __future__ import annotations

from collections.abc import Sequence

from instrument.i18n import _

from .content import LEVEL_NAMES, fmt_pct
from .sector import GROUPS, LEVELS, SectorReport
from .sector_findings import reading_guide, tags
from .statistics import ABOVE, BELOW

# The answers keep the sheets' colours (common.typ's scale-colours, by code); the levels
# Okabe-Ito with a shape each: both safe for the common colour-vision deficiencies.
LEVEL_MARKS = {"bao": ("#0072b2", "circle"), "so": ("#e69f00", "square"),
               "bubao": ("#009e73", "triangle"), "buso": ("#cc79a7", "diamond")}
MARKS = {ABOVE: "▲", BELOW: "▼"}


def render(report: SectorReport) -> bytes:
    from .typeset import render as typeset

    return typeset("sector", document(report))


def document(report: SectorReport) -> dict:
    info = report.round
    blocks: list[dict] = []
    blocks += [_heading(_("Kernbevindingen")), _list(report.findings)]
    blocks += _response(report) + _ranking(report) + _distribution(report)
    blocks += _levels(report) + _spread(report) + _trend(report) + _questions(report)
    blocks += _themes(report)
    blocks += [_heading(_("Hoe leest u dit rapport?"), page=True),
               *[_paragraph(text) for text in reading_guide(report)]]
    return {
        "lang": "nl",
        "title": _("Sectorrapport %(round)s", round=info.name),
        "subtitle": _("Schooljaar %(year)s · %(date)s", year=info.school_year,
                      date=info.date),
        "author": _("Onderwijsinspectie"),
        "header": _("Sectorrapport %(round)s", round=info.name),
        "page_label": _("pagina %(page)s van %(pages)s", page="{page}", pages="{pages}"),
        "figure": _("Figuur"),
        "blocks": blocks,
    }


# --- Blocks -----------------------------------------------------------------------------


def _heading(text: str, level: int = 1, page: bool = False) -> dict:
    return {"kind": "heading", "level": level, "text": text, "page": page}


def _paragraph(text: str) -> dict:
    return {"kind": "paragraph", "text": text}


def _list(items: Sequence[str]) -> dict:
    return {"kind": "list", "items": list(items)}


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           align: str = "") -> dict:
    """align: one letter per column, l or r (default: the first left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    return {"kind": "table", "header": list(header),
            "rows": [[str(cell) for cell in row] for row in rows],
            "widths": list(widths), "align": list(align)}


def _ticks() -> list[dict]:
    """The axis of a chart of percentages, 0 to 100."""
    return [{"at": at, "text": fmt_pct(at)} for at in (0, 25, 50, 75, 100)]


# A message with "%%" and no parameters: _() fills in nothing, so "% {}" makes it "%".

def _pct(value: float | None) -> str:
    return fmt_pct(value)


def _margin(low: float | None, high: float | None) -> str:
    return "–" if low is None or high is None else f"{low:.0f}–{high:.0f}"


def _name(level: str) -> str:
    return _(LEVEL_NAMES[level])


# --- Sections ---------------------------------------------------------------------------


def _response(report: SectorReport) -> list[dict]:
    header = [_("CLB's"), _("uitgenodigd"), _("ingediend"), _("respons")]

    def rows(turnout):
        # a hidden group: its CLBs counted, its figures not (the mark in their place)
        return [[t.label, t.centres, t.note, "", ""] if t.note else
                [t.label, t.centres, t.invited, t.submitted, _pct(t.rate)] for t in turnout]

    return [_heading(_("Respons"), page=True),
            _heading(_("Per onderwijsniveau"), 2),
            _table([_("niveau"), *header], rows(report.levels), [3, 1, 1, 1, 1]),
            _heading(_("Per net"), 2),
            _table([_("net"), *header], rows(report.networks), [3, 1, 1, 1, 1])]


def _ranking(report: SectorReport) -> list[dict]:
    shown = [r for r in report.ranking if r.pct is not None]
    bars = [{"label": r.statement.title, "value": r.pct, "low": r.total.figures.ci_low,
             "high": r.total.figures.ci_high, "text": _pct(r.pct)} for r in shown]
    values = "; ".join(f"{r.statement.tag or r.statement.label}: {_pct(r.pct)}"
                       for r in shown)
    rows = []
    for place, r in enumerate(report.ranking, start=1):
        f = r.total.figures
        if f is None or f.pct_agree is None:
            rows.append(["–", r.statement.title, r.total.note or "–", "", ""])
        else:
            rows.append([place, r.statement.title, _pct(f.pct_agree),
                         _margin(f.ci_low, f.ci_high), f.n])
    return [_heading(_("De stellingen gerangschikt"), page=True),
            _paragraph(_("Het %% akkoord van de sector per stelling, van hoog naar laag; de "
                         "lijn is de 95 %%-marge (%(count)s stellingen).", count=len(shown))),
            {"kind": "bars", "rows": bars, "ticks": _ticks(),
             "alt": _("Staafdiagram van het %% akkoord van de sector per stelling, van hoog "
                      "naar laag, met de 95 %%-marge als lijn: %(values)s.", values=values),
             "caption": _("%% akkoord per stelling, alle niveaus samen") % {}},
            _table([_("rang"), _("stelling"), _("% akkoord"), _("marge"), _("n")], rows,
                   [0.6, 6, 1.2, 1.1, 0.7], "rlrrr")]


def _distribution(report: SectorReport) -> list[dict]:
    labels = report.layout.option_labels
    scale = report.layout.scale
    scored = sorted(scale.scored)             # disagree first: they go left of the centre
    agree = set(scale.agree)
    legend = [{"code": c, "label": labels.get(c, str(c))} for c in scored]
    out = [_heading(_("Verdeling van de antwoorden"), page=True),
           _paragraph(_("Per stelling de antwoorden van alle scholen samen: links van de "
                        "middellijn niet akkoord, rechts akkoord; ‘geen zicht’ staat apart "
                        "(gz). Per niveau staat de verdeling in het werkboek."))]
    by_number = {r.statement.number: r for r in report.results}
    for section in report.layout.sections:
        results = [by_number[n] for n in section.numbers]
        if not results:
            continue
        rows, table = [], []
        for r in results:
            f = r.total.figures
            if f is None or not f.n:
                rows.append({"label": r.statement.title, "segments": [],
                             "text": r.total.note or "–"})
                table.append([r.statement.title, r.total.note or "–", "", "", ""])
                continue
            left = -sum(f.counts.get(c, 0) for c in scored if c not in agree) / f.n * 100
            segments = []
            for c in scored:
                share = 100 * f.counts.get(c, 0) / f.n
                segments.append({"code": c, "left": left, "width": share,
                                 "label": f"{share:.0f}" if share >= 8 else ""})
                left += share
            rows.append({"label": r.statement.title, "segments": segments,
                         "text": _("n %(n)s · gz %(no_view)s", n=f.n, no_view=f.n_no_view)})
            table.append([r.statement.title, f.n,
                          " / ".join(_pct(100 * f.counts.get(c, 0) / f.n)
                                     for c in reversed(scored)),
                          f"{_pct(f.pct_agree)} ({_margin(f.ci_low, f.ci_high)})",
                          f"{f.mean:.2f}".replace(".", ",")])
        out += [_heading(section.title, 2),
                {"kind": "diverging", "rows": rows, "legend": legend,
                 "axis": [fmt_pct(abs(at)) for at in (-100, -50, 0, 50, 100)],
                 "alt": _("Gestapelde staven per stelling (%(statements)s): de aandelen van "
                          "de antwoorden, niet akkoord links en akkoord rechts van de "
                          "middellijn. De cijfers staan in de tabel hierna.",
                          statements=tags([r.statement for r in results])),
                 "caption": section.title},
                _table([_("stelling"), _("n"),
                        " / ".join(labels.get(c, str(c)) for c in reversed(scored)),
                        _("% akkoord (marge)"), _("gemiddelde")], table,
                       [4, 0.7, 3, 1.8, 1])]
    return out


def _levels(report: SectorReport) -> list[dict]:
    legend = [{"label": _name(lv), "colour": LEVEL_MARKS[lv][0], "mark": LEVEL_MARKS[lv][1]}
              for lv in LEVELS]
    points, rows = [], []
    for r in report.results:
        dots = [{"value": r.groups[lv].pct, "colour": LEVEL_MARKS[lv][0],
                 "mark": LEVEL_MARKS[lv][1]} for lv in LEVELS if r.groups[lv].pct is not None]
        points.append({"label": r.statement.title, "points": dots})
        cells = [r.statement.title]
        for g in GROUPS:
            group = r.groups[g]
            if group.pct is None:
                cells.append(group.note or "–")
            else:
                cells.append(f"{_pct(group.pct)} {MARKS.get(group.verdict, '')}".strip())
        rows.append(cells)
    out = [_heading(_("Per onderwijsniveau"), page=True),
           _paragraph(_("Het %% akkoord per stelling in elk onderwijsniveau. ▲ of ▼: het "
                        "niveau ligt duidelijk hoger of lager dan de andere niveaus samen "
                        "(tweezijdige toets, 95 %%; %(count)s stellingen).",
                        count=len(report.results))),
           {"kind": "dots", "rows": points, "legend": legend, "ticks": _ticks(),
            "alt": _("Puntdiagram: per stelling het %% akkoord in elk onderwijsniveau, elk "
                     "niveau met een eigen kleur en vorm. De cijfers staan in de tabel "
                     "hierna.") % {},
            "caption": _("%% akkoord per stelling en onderwijsniveau") % {}},
           _table([_("stelling"), *[_name(g) for g in GROUPS]], rows,
                  [3.4, 1.3, 1.5, 1.3, 1.6, 1.6])]
    differences = [(r, lv) for r, lv in report.differences()]
    if differences:
        out += [_heading(_("Duidelijke verschillen tussen de niveaus"), 2),
                _table([_("stelling"), _("niveau"), _("% akkoord niveau"),
                        _("andere niveaus"), _("verschil")],
                       [[r.statement.title, _name(lv), _pct(r.groups[lv].pct),
                         _pct(r.groups[lv].others_pct),
                         f"{r.groups[lv].pct - r.groups[lv].others_pct:+.0f}"
                         .replace("-", "−")] for r, lv in differences],
                       [4, 2.4, 1.2, 1.2, 1], "llrrr")]
    return out


def _spread(report: SectorReport) -> list[dict]:
    info = report.round
    boxes, rows = [], []
    for r in report.results:
        s = r.spread
        small = _("%(count)s CLB's te klein", count=s.too_small) if s.too_small else ""
        if s.values is None:
            note = _("minder dan %(minimum)s CLB's met genoeg antwoorden",
                     minimum=info.min_centres)
            boxes.append({"label": r.statement.title, "values": None, "text": note})
            rows.append([r.statement.title, s.centres, note, "", "", "", "", small])
            continue
        boxes.append({"label": r.statement.title, "values": list(s.values),
                      "text": _("%(count)s CLB's", count=s.centres)})
        rows.append([r.statement.title, s.centres, *[_pct(v) for v in s.values], small])
    return [_heading(_("Spreiding tussen CLB's"), page=True),
            _paragraph(_("Per stelling het %% akkoord van de CLB's met minstens %(minimum)s "
                         "antwoorden, zonder een CLB te noemen: de lijn loopt van het laagste "
                         "tot het hoogste CLB, het vak van het eerste tot het derde kwartiel, "
                         "het streepje is de mediaan.", minimum=info.minimum)),
            {"kind": "boxes", "rows": boxes, "ticks": _ticks(),
             "alt": _("Spreidingsdiagram: per stelling het laagste, het eerste kwartiel, de "
                      "mediaan, het derde kwartiel en het hoogste %% akkoord van de CLB's. "
                      "De cijfers staan in de tabel hierna.") % {},
             "caption": _("Spreiding van het %% akkoord tussen CLB's") % {}},
            _table([_("stelling"), _("CLB's"), _("laagste"), _("1e kwartiel"), _("mediaan"),
                    _("3e kwartiel"), _("hoogste"), _("niet meegeteld")], rows,
                   [4, 0.7, 1, 1, 1, 1, 1, 1.5], "lrrrrrrr")]


def _trend(report: SectorReport) -> list[dict]:
    if not report.trend_rounds:
        return []
    rows = [[r.statement.title, *[_pct(v) for v in r.trend]] for r in report.results]
    return [_heading(_("Evolutie"), page=True),
            _paragraph(_("Het %% akkoord van de sector per stelling in eerdere bevragingen "
                         "met dezelfde vragenlijst (%(count)s) en in deze.",
                         count=len(report.trend_rounds) - 1)),
            _table([_("stelling"), *report.trend_rounds], rows,
                   [4, *[1.2] * len(report.trend_rounds)])]


def _questions(report: SectorReport) -> list[dict]:
    if not report.questions:
        return []
    out = [_heading(_("Andere vragen"), page=True)]
    for summary in report.questions:
        groups = summary.groups
        first = [_("respondenten")]
        for g in GROUPS:
            group = groups[g]
            first.append((group.sector_reason or _("te weinig antwoorden"))
                         if group.hidden else str(group.n))
        rows = [first]
        for line in summary.lines:
            cells = [line.label]
            for g in GROUPS:
                cells.append("" if groups[g].hidden else summary.fmt(line.cells[g].value))
            rows.append(cells)
        out += [_heading(summary.question.title, 2), _paragraph(_(summary.explanation)),
                _table(["", *[_name(g) for g in GROUPS]], rows, [3, 1.2, 1.2, 1.2, 1.3, 1.3])]
    return out


def _themes(report: SectorReport) -> list[dict]:
    if not report.themes:
        return []

    def cell(count, share=None):
        if count is None:
            return _("te weinig")
        return str(count) if share is None else f"{count} ({_pct(share)})"

    rows = [[_("alle opmerkingen"), *[cell(report.theme_base.get(g)) for g in GROUPS]]]
    rows += [[t.name, *[cell(t.counts[g], t.shares[g]) for g in GROUPS]]
             for t in report.themes]
    return [_heading(_("Thema's in de opmerkingen"), page=True),
            _paragraph(_("Per thema het aantal goedgekeurde opmerkingen dat erover gaat, en "
                         "tussen haakjes hun aandeel in alle opmerkingen van die groep; "
                         "minder dan %(minimum)s staat er niet.",
                         minimum=report.round.minimum)),
            _table([_("thema"), *[_name(g) for g in GROUPS]], rows,
                   [3, 1.2, 1.2, 1.2, 1.3, 1.3])]

