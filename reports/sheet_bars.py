"""The sheet's diverging bars as data: per section of statements, each statement's bar for
the CLB and for the sector (the shares of each answer around the centre line), its counts,
and the section's text alternative. The sheet's template draws them
(templates/reports/sheet.typ) and the results page too (templates/report/_bars.html)."""

from __future__ import annotations

from instrument.i18n import _

from .charts import NEGATIVE, POSITIVE
from .content import SUPPRESSED_TEXT, Feedback, fmt_pct
from .statistics import Figures

SMALLEST_LABELLED = 9                    # % of a bar under which its share goes unprinted


def _segments(figures: Figures, labelled: bool) -> list[dict]:
    segments = []
    for codes, sign in ((NEGATIVE, -1), (POSITIVE, 1)):
        start = 0.0
        for code in codes:
            share = 100 * figures.counts.get(code, 0) / figures.n
            left = start if sign > 0 else start - share
            segments.append({"code": code, "left": round(left, 2), "width": round(share, 2),
                             "label": f"{share:.0f}" if labelled and
                             share >= SMALLEST_LABELLED else ""})
            start += sign * share
    return segments


def _side(figures: Figures | None) -> str:
    """One bar in words: its agreeing and disagreeing shares."""
    if figures is None:
        return _(SUPPRESSED_TEXT)
    if figures.n == 0:
        return _("geen antwoorden")
    disagree = sum(figures.counts.get(code, 0) for code in NEGATIVE)
    return _("%(agree)s akkoord, %(disagree)s niet akkoord (n=%(n)s)",
             agree=fmt_pct(100 * figures.agree / figures.n),
             disagree=fmt_pct(100 * disagree / figures.n), n=figures.n)


def _bar(figures: Figures | None, labelled: bool) -> dict:
    if figures is None:
        return {"segments": [], "note": _(SUPPRESSED_TEXT), "count": "", "alt": _side(None)}
    if figures.n == 0:
        return {"segments": [], "note": _("geen antwoorden"), "count": "",
                "alt": _side(figures)}
    count = _("n=%(n)s", n=figures.n)
    if figures.n_no_view:
        count = _("n=%(n)s  gz=%(no_view)s", n=figures.n, no_view=figures.n_no_view)
    return {"segments": _segments(figures, labelled), "note": "", "count": count,
            "alt": _side(figures)}


def _bar_sentence(title: str, own: Figures | None, sector: Figures | None) -> str:
    return _("%(statement)s: uw CLB %(own)s; sector %(sector)s.", statement=title,
             own=_side(own), sector=_side(sector))


def statement_bars(feedback: Feedback) -> dict:
    """The diverging bars per section as data (the sheet's and the results page's)."""
    layout = feedback.layout
    groups = []
    for section in layout.sections:
        if not section.numbers:
            continue
        bars, sentences, notes = [], [], []
        for number in section.numbers:
            statement, row = layout.statements[number], feedback.row(number)
            bars.append({"label": statement.title,
                         "own": _bar(row.figures, labelled=True),
                         "sector": _bar(row.sector, labelled=False)})
            sentences.append(_bar_sentence(statement.title, row.figures, row.sector))
            if statement.labels:   # another scale than the legend's: same colours, its words
                notes.append(_("%(statement)s: andere antwoorden, in de volgorde van de "
                               "legende: %(labels)s.", statement=statement.title,
                               labels=", ".join(f"‘{label}’"
                                                for _code, label in sorted(statement.labels))))
        groups.append({"title": section.title, "notes": notes, "bars": bars,
                       "alt": _("Verdeling van de antwoorden per stelling van ‘%(section)s’, "
                                "uw CLB boven de sector. ", section=section.title)
                       + " ".join(sentences)})
    labels = layout.option_labels
    return {
        "heading": _("Per stelling"),
        "intro": _("Elke stelling: de verdeling van de antwoorden in uw CLB (bovenste balk) "
                   "en in de sector (onderste balk). Links van de middellijn niet akkoord, "
                   "rechts akkoord; de getallen in de balk van het CLB zijn percentages, n "
                   "het aantal antwoorden, gz ‘geen zicht’."),
        "legend": [{"code": code, "label": labels[code]} for code in (1, 2, 3, 4)
                   if code in labels],
        "own": _("CLB"), "sector": _("Sector"),
        "axis": ["100 %", "50 %", "0", "50 %", "100 %"],
        "groups": groups,
    }
