"""The feedback sheet as the plain data its template (templates/reports/sheet.typ) lays out:
every text translated and every figure formatted here, every chart as numbers the
template draws, every chart's text alternative written out. `render()` makes the PDF.

The template holds the layout only, so the sheet's look is changed in one file and its
words in the catalogue."""

from __future__ import annotations

from instrument.domain import ACTION_STATE_NAMES
from instrument.i18n import N_, _

from . import typeset
from .content import (
    LEVEL_NAMES,
    SUPPRESSED_TEXT,
    Feedback,
    Line,
    fmt_diff,
    fmt_pct,
    reading_guide,
)
from .feedback import LEVELS, Row
from .sheet_bars import statement_bars
from .statistics import ABOVE, BELOW, Figures
from .suppression import TOTAL

VERDICT_MARKS = {ABOVE: N_("▲ hoger"), BELOW: N_("▼ lager")}


def render(feedback: Feedback) -> bytes:
    """The sheet as a tagged PDF."""
    return typeset.render("sheet", document(feedback))


def document(feedback: Feedback) -> dict:
    header = _("%(centre)s · %(round)s", centre=feedback.centre.name,
               round=feedback.round.name)
    return {
        "lang": "nl",
        "title": _("Feedbackrapport %(centre)s, %(round)s", centre=feedback.centre.name,
                   round=feedback.round.name),
        "author": _("Onderwijsinspectie"),
        "header": header,
        "page_label": _("pagina %(page)s van %(pages)s", page="{page}", pages="{pages}"),
        "cover": _cover(feedback),
        "summary": _summary(feedback),
        "statements": statement_bars(feedback),
        "levels": _levels(feedback),
        "aspects": _aspects(feedback),
        "questions": _questions(feedback),
        "trend": _trend(feedback),
        "previous": _previous(feedback),
        "remarks": _remarks(feedback),
    }


def _cover(feedback: Feedback) -> dict:
    centre, info = feedback.centre, feedback.round
    rows = []
    for level in (*LEVELS, TOTAL):
        invited = (sum(feedback.invited.values()) if level == TOTAL
                   else feedback.invited.get(level, 0))
        answered = (feedback.respondents if level == TOTAL
                    else feedback.responded.get(level, 0))
        rows.append([_(LEVEL_NAMES[level]), str(invited), str(answered),
                     fmt_pct(100 * answered / invited if invited else None)])
    return {
        "kicker": _("Feedbackrapport"),
        "title": _("Samenwerking tussen scholen en hun CLB"),
        "centre": centre.name,
        "facts": [_("CLB-nummer %(number)s · net: %(network)s", number=centre.number,
                    network=centre.network),
                  _("Bevraging: %(round)s (schooljaar %(year)s)", round=info.name,
                    year=info.school_year),
                  _("Datum van dit rapport: %(date)s", date=info.date)],
        "response_heading": _("Respons"),
        "response_columns": [_("Niveau"), _("Uitgenodigd"), _("Geantwoord"), _("Respons")],
        "response_rows": rows,
        "guide_heading": _("Hoe leest u dit rapport?"),
        "guide": reading_guide(feedback),
    }


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _interval(figures: Figures | None, sector: float | None) -> dict:
    """A point with its margin beside the sector, for interval-chart()."""
    shown = figures is not None and figures.pct_agree is not None
    return {"point": _percent(figures.pct_agree) if shown else None,
            "low": _percent(figures.ci_low) if shown else None,
            "high": _percent(figures.ci_high) if shown else None,
            "sector": _percent(sector)}


def _margin(figures: Figures | None) -> str:
    if figures is None or figures.ci_low is None:
        return ""
    return _range(figures.ci_low, figures.ci_high)


def _range(low: float, high: float) -> str:
    """A margin as the sheet prints it: "48–85"."""
    return _("%(low)s–%(high)s", low=format(low, ".0f"), high=format(high, ".0f"))


def _interval_sentence(label: str, figures: Figures | None, sector: float | None,
                       sector_text: str) -> str:
    """What an interval chart shows, in words (its text alternative)."""
    if figures is None:
        own = _(SUPPRESSED_TEXT)
    elif figures.pct_agree is None:
        own = _("geen antwoorden")
    else:
        own = _("%(pct)s akkoord, marge %(margin)s", pct=fmt_pct(figures.pct_agree),
                margin=_margin(figures))
    if sector is None:
        return _("%(label)s: uw CLB %(own)s; geen sectorcijfer.", label=label, own=own)
    return _("%(label)s: uw CLB %(own)s; %(sector_text)s %(sector)s.", label=label, own=own,
             sector_text=sector_text, sector=fmt_pct(sector))


def _clb_pct(figures: Figures | None) -> str:
    return _(SUPPRESSED_TEXT) if figures is None else fmt_pct(figures.pct_agree)


def _summary(feedback: Feedback) -> dict:
    rows = []
    for line in feedback.lines:
        row, figures = line.row, line.row.figures
        chart = _interval(figures, row.sector_adjusted_pct)
        chart["alt"] = _interval_sentence(line.statement.title, figures,
                                          row.sector_adjusted_pct, _("de aangepaste sector"))
        rows.append({
            "cells": [line.statement.tag, line.statement.label, _clb_pct(figures),
                      _margin(figures),
                      feedback.sector_cell(row, row.sector_adjusted_pct),
                      feedback.sector_cell(row, row.sector_pct),
                      fmt_diff(line.difference), _verdict_mark(row)],
            "chart": chart,
        })
    return {
        "heading": _("Samenvatting"),
        "intro": _("Per stelling: het aandeel akkoord in uw CLB met zijn onzekerheidsmarge, "
                   "de aangepaste en de ruwe sector, het verschil met de aangepaste sector "
                   "en of dat verschil duidelijk is. De grafiek toont hetzelfde: het punt is "
                   "uw CLB, de lijn erdoor zijn marge, het streepje de aangepaste sector. "
                   "‘%(mark)s’: minder dan %(minimum)s andere CLB's gaven antwoorden, dus "
                   "geen sectorcijfer.", mark=feedback.few_centres_mark,
                   minimum=feedback.round.min_centres),
        "columns": [_("Nr"), _("Stelling"), _("CLB"), _("marge"), _("aangepast"), _("ruw"),
                    _("verschil"), _("duidelijk"), _("CLB en sector (0–100 %)")],
        "rows": rows,
        "legend": [_("uw CLB met marge"), _("aangepaste sector")],
        "findings": [
            _finding(feedback, _("Sterktes tegenover de sector"), feedback.strengths,
                     _("Geen enkele stelling ligt duidelijk hoger dan de aangepaste "
                       "sector.")),
            _finding(feedback, _("Aandachtspunten tegenover de sector"), feedback.attention,
                     _("Geen enkele stelling ligt duidelijk lager dan de aangepaste "
                       "sector.")),
        ],
    }


def _verdict_mark(row: Row) -> str:
    mark = VERDICT_MARKS.get(row.verdict)
    return _(mark) if mark else ""


def _finding(feedback: Feedback, title: str, lines: list[Line], none: str) -> dict:
    return {"title": title,
            "lines": [_line_sentence(line) for line in lines] or [none]}


def _line_sentence(line: Line) -> str:
    figures = line.row.figures
    return _("%(statement)s: %(pct)s akkoord (n=%(n)s) tegenover %(sector)s in de "
             "aangepaste sector (%(difference)s procentpunt).",
             statement=line.statement.title, pct=fmt_pct(figures.pct_agree), n=figures.n,
             sector=fmt_pct(line.row.sector_adjusted_pct),
             difference=fmt_diff(line.difference))


# --- Per level, per aspect ----------------------------------------------------------------


def _level_cell(feedback: Feedback, row: Row, label: str) -> dict:
    figures = row.figures
    if figures is None:
        return {"text": _(SUPPRESSED_TEXT), "chart": None}
    if figures.n == 0:
        return {"text": "–", "chart": None}
    mark = {ABOVE: "▲ ", BELOW: "▼ "}.get(row.verdict, "")
    chart = _interval(figures, row.sector_pct)
    chart["alt"] = _interval_sentence(label, figures, row.sector_pct,
                                      _("de sector op dat niveau"))
    # in its narrow column a figure keeps its "%": "▼ 50 % (87 %)" never leaves "%)" alone
    text = _("%(mark)s%(pct)s (%(sector)s)", mark=mark,
             pct=_unbroken(fmt_pct(figures.pct_agree)),
             sector=_unbroken(feedback.sector_cell(row, row.sector_pct)))
    return {"text": text, "chart": chart}


def _unbroken(figure: str) -> str:
    """ "87 %" kept on one line (a no-break space); other texts may wrap."""
    return figure.replace(" %", "\u00a0%")


def _levels(feedback: Feedback) -> dict:
    layout, rows = feedback.layout, []
    for number in layout.numbers:
        statement = layout.statements[number]
        cells = [_level_cell(feedback, feedback.row(number, level),
                             _("%(statement)s, %(level)s", statement=statement.title,
                               level=level))
                 for level in LEVELS]
        rows.append({"tag": statement.tag, "label": statement.label, "cells": cells})
    return {
        "heading": _("Per onderwijsniveau"),
        "intro": _("Per niveau: het aandeel akkoord in uw CLB, met tussen haakjes dat van de "
                   "sector op hetzelfde niveau; de grafiek eronder toont uw CLB met zijn "
                   "marge en het streepje de sector. ▲ en ▼ staan bij een duidelijk verschil. "
                   "‘–’: geen antwoorden op dat niveau; ‘%(mark)s’: minder dan %(minimum)s "
                   "andere CLB's met antwoorden op dat niveau, dus geen sectorcijfer.",
                   mark=feedback.few_centres_mark, minimum=feedback.round.min_centres),
        "columns": [_("Nr"), _("Stelling"), *LEVELS],
        "rows": rows,
        "legend": [_("uw CLB met marge"), _("sector op dat niveau")],
        "key": ", ".join(_("%(code)s = %(name)s", code=level, name=_(LEVEL_NAMES[level]))
                         for level in LEVELS) + ".",
    }


def _aspects(feedback: Feedback) -> dict:
    groups = []
    for aspect, lines in feedback.aspects:
        title = f"{aspect.code} {aspect.name}" if aspect.code else aspect.name
        groups.append({"title": title, "rows": [
            [(f"{line.statement.tag}. " if line.statement.tag else "") + line.statement.label,
             _clb_pct(line.row.figures),
             feedback.sector_cell(line.row, line.row.sector_adjusted_pct),
             _verdict_mark(line.row) or "–"] for line in lines]})
    return {
        "heading": _("Per kwaliteitsaspect"),
        "intro": _("De stellingen gegroepeerd onder de aspecten van het referentiekader voor "
                   "CLB-kwaliteit (RclbK) waarover ze iets zeggen: % akkoord in uw CLB, in de "
                   "aangepaste sector, en of het verschil duidelijk is."),
        "columns": [_("Stelling"), _("CLB"), _("aangepast"), _("duidelijk")],
        "groups": groups,
    }


# --- Other questions, trend, remarks -----------------------------------------------------


def _questions(feedback: Feedback) -> dict | None:
    if not feedback.questions:
        return None
    items = []
    for summary in feedback.questions:
        question, total = summary.question, summary.groups[TOTAL]
        n = _(SUPPRESSED_TEXT) if total.hidden else _("n = %(n)s", n=total.n)
        overall = []
        for line in summary.lines:
            cell = line.cells[TOTAL]
            hidden = total.hidden or cell.value is None
            overall.append([
                line.label,
                "" if hidden or cell.count is None else str(cell.count),
                _(SUPPRESSED_TEXT) if total.hidden else summary.fmt(cell.value),
                "" if hidden or cell.ci_low is None
                else _range(cell.ci_low, cell.ci_high),
                feedback.question_sector(summary, total, cell.sector_adjusted)
                if summary.unit == "percent" else "",
                feedback.question_sector(summary, total, cell.sector)])
        per_level = [[_("n")] + [feedback.question_cell(summary, level, None)
                                 for level in LEVELS]]
        per_level += [[line.label] + [feedback.question_cell(summary, level, line.cells[level])
                                      for level in LEVELS] for line in summary.lines]
        items.append({"title": _("%(question)s (%(n)s)", question=question.title, n=n),
                      "explanation": summary.explanation,
                      "overall": overall, "per_level": per_level})
    return {
        "heading": _("Andere vragen"),
        "intro": _("Vragen die geen stelling zijn: per antwoord het aandeel van de scholen die "
                   "de vraag beantwoordden (bij meer keuzes samen meer dan 100 %%), bij een "
                   "getal de mediaan en de kwartielen. Eerst alle niveaus samen met de sector "
                   "(ruw en aangepast aan uw mix van niveaus), dan per niveau uw CLB met "
                   "tussen haakjes de sector. Een groep met te weinig antwoorden of met "
                   "allemaal hetzelfde antwoord: ‘%(suppressed)s’.",
                   suppressed=_(SUPPRESSED_TEXT)),
        "overall_columns": [_("Alle niveaus"), _("aantal"), _("CLB"), _("marge"),
                            _("sector aangepast"), _("sector ruw")],
        "level_columns": [_("Per niveau: CLB (sector)"), *LEVELS],
        "items": items,
    }


def _trend(feedback: Feedback) -> dict | None:
    trend = feedback.trend
    if trend is None:
        return None
    rounds = trend.rounds[-4:]
    years = (trend.years or ("",) * len(trend.rounds))[-len(rounds):]
    labels = [year or name for name, year in zip(rounds, years, strict=True)]
    layout = feedback.layout
    rows = [[layout.statements[n].tag, layout.statements[n].label]
            + [_(SUPPRESSED_TEXT) if value is None else fmt_pct(value)
               for value in trend.pct[n][-len(rounds):]] for n in layout.numbers]
    return {
        "heading": _("Evolutie over de bevragingen"),
        "intro": _("Het aandeel akkoord in uw CLB per stelling, in deze en eerdere "
                   "bevragingen met dezelfde vragenlijst."),
        "columns": [_("Nr"), _("Stelling"), *labels],
        "rows": rows,
        "key": "; ".join(_("%(label)s: %(name)s", label=label, name=name)
                         for label, name in zip(labels, rounds, strict=True)) + ".",
    }


def _remarks(feedback: Feedback) -> dict:
    sections, empty = [], None
    if feedback.remarks is None:
        empty = _("Uw CLB heeft minder dan %(minimum)s antwoorden; opmerkingen worden daarom "
                  "niet getoond.", minimum=feedback.round.minimum)
    elif not feedback.remarks:
        empty = _("Er zijn geen (goedgekeurde) opmerkingen.")
    for section, texts in feedback.remarks or ():
        sections.append({"title": section.title, "texts": list(texts)})
    return {"heading": _("Opmerkingen van scholen"), "empty": empty, "sections": sections,
            "themes": _themes(feedback)}


def _themes(feedback: Feedback) -> dict | None:
    if not feedback.themes:
        return None
    return {
        "heading": _("Thema's in de opmerkingen"),
        "intro": _("De inspectie codeerde de goedgekeurde opmerkingen naar thema's: hoeveel "
                   "opmerkingen over uw CLB een thema raken, hun aandeel, en het aandeel bij "
                   "de andere CLB's. Een opmerking kan meer dan één thema raken."),
        "columns": [_("Thema"), _("Opmerkingen"), _("Aandeel"), _("Andere CLB's")],
        "rows": [[line.name, str(line.count), fmt_pct(line.share), fmt_pct(line.sector_share)]
                 for line in feedback.themes],
    }


def _previous(feedback: Feedback) -> dict | None:
    """The CLB's answer to the previous round, beside this round's trend."""
    previous = feedback.previous
    if previous is None:
        return None
    statements = feedback.layout.statements
    rows = []
    for action in previous.actions:
        if action.statement is None:
            about = _("algemeen")
        elif action.statement in statements:
            about = statements[action.statement].title
        else:
            about = _("stelling %(number)s", number=action.statement)
        state = ACTION_STATE_NAMES.get(action.state)
        rows.append([about, action.text, action.due or "–", _(state) if state else action.state])
    return {
        "heading": _("Uw acties na de vorige bevraging"),
        "intro": _("Wat uw CLB antwoordde op de resultaten van ‘%(round)s’, en hoe ver elke "
                   "actie stond; de evolutie van de cijfers staat hierboven.",
                   round=previous.round_name),
        "reaction_heading": _("Uw reactie"),
        "reaction": previous.reaction,
        "columns": [_("Stelling"), _("Actie"), _("Tegen"), _("Stand")],
        "rows": rows,
        "empty": _("Er waren geen acties.") if not rows else None,
    }
