"""The data behind the sector report as an .xlsx: one sheet per table of the report
(reports/sector.py's content), numbers as numbers (percentages 0-100, one decimal), a
hidden group with its keys, empty figures and the reason. No sheet names a CLB: the
spread gives the CLBs' percentages without saying whose."""

from __future__ import annotations

from collections.abc import Sequence

from instrument.i18n import _

from . import xlsx
from .content import LEVEL_NAMES
from .sector import GROUPS, LEVELS, Result, SectorReport, Turnout
from .sector_findings import reading_guide, verdict_text

Sheet = tuple[str, Sequence[str], list[list]]


def workbook(report: SectorReport) -> bytes:
    return xlsx.workbook(sheets(report))


def sheets(report: SectorReport) -> list[Sheet]:
    out = [(_("Kernbevindingen"), [_("kernbevinding")], [[f] for f in report.findings]),
           (_("Respons per niveau"), _turnout_header(_("niveau")),
            _turnout(report.levels)),
           (_("Respons per net"), _turnout_header(_("net")), _turnout(report.networks)),
           _distribution(report), _ranking(report), _levels(report), _spread(report)]
    if report.trend_rounds:
        out.append(_trend(report))
    if report.questions:
        out.append(_questions(report))
    if report.themes:
        out.append(_themes(report))
    out.append((_("Toelichting"), [_("toelichting")], [[t] for t in reading_guide(report)]))
    return out


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _turnout_header(kind: str) -> list[str]:
    return [kind, _("CLB's"), _("uitgenodigd"), _("ingediend"), _("respons (%)"),
            _("opmerking")]


def _turnout(rows: Sequence[Turnout]) -> list[list]:
    return [[t.label, t.centres, t.invited, t.submitted, _r(t.rate), t.note] for t in rows]


def _keys(result: Result) -> list:
    s = result.statement
    return [s.shown_number, s.label]


def _distribution(report: SectorReport) -> Sheet:
    labels = report.layout.option_labels
    scale = report.layout.scale
    codes = [*sorted(scale.scored, reverse=True), *scale.no_view]
    header = [_("stelling"), _("label"), _("niveau"), _("n"),
              *[_("n %(answer)s", answer=labels.get(c, str(c)).lower()) for c in codes],
              _("% akkoord"), _("ondergrens (%)"), _("bovengrens (%)"), _("gemiddelde"),
              _("CLB's"), _("opmerking")]
    rows = []
    for result in report.results:
        for g in GROUPS:
            group = result.groups[g]
            keys = [*_keys(result), _(LEVEL_NAMES[g])]
            f = group.figures
            if f is None:
                rows.append(keys + [None] * (len(codes) + 5) + [group.centres, group.note])
                continue
            rows.append(keys + [f.n, *[f.counts.get(c, 0) for c in codes], _r(f.pct_agree),
                                _r(f.ci_low), _r(f.ci_high), _r(f.mean, 2), group.centres,
                                None])
    return _("Per stelling"), header, rows


def _ranking(report: SectorReport) -> Sheet:
    header = [_("rang"), _("stelling"), _("label"), _("% akkoord"), _("ondergrens (%)"),
              _("bovengrens (%)"), _("n"), _("opmerking")]
    rows = []
    for place, result in enumerate(report.ranking, start=1):
        f = result.total.figures
        if f is None or f.pct_agree is None:
            rows.append([None, *_keys(result), None, None, None, None,
                         result.total.note])
            continue
        rows.append([place, *_keys(result), _r(f.pct_agree), _r(f.ci_low), _r(f.ci_high),
                     f.n, None])
    return _("Rangorde"), header, rows


def _levels(report: SectorReport) -> Sheet:
    header = [_("stelling"), _("label"), _("niveau"), _("% akkoord niveau"),
              _("% akkoord andere niveaus"), _("verschil"), _("z"), _("oordeel")]
    rows = []
    for result in report.results:
        for lv in LEVELS:
            group = result.groups[lv]
            if group.verdict is None:
                continue
            rows.append([*_keys(result), _(LEVEL_NAMES[lv]), _r(group.pct),
                         _r(group.others_pct), _r(group.pct - group.others_pct),
                         _r(group.z, 2), verdict_text(group.verdict)])
    return _("Niveauverschillen"), header, rows


def _spread(report: SectorReport) -> Sheet:
    header = [_("stelling"), _("label"), _("CLB's getoond"), _("CLB's te klein"),
              _("laagste (%)"), _("eerste kwartiel (%)"), _("mediaan (%)"),
              _("derde kwartiel (%)"), _("hoogste (%)"), _("opmerking")]
    rows = []
    for result in report.results:
        s = result.spread
        values = [_r(v) for v in s.values] if s.values else [None] * 5
        note = None if s.values else _("minder dan %(minimum)s CLB's met genoeg antwoorden",
                                       minimum=report.round.min_centres)
        rows.append([*_keys(result), s.centres, s.too_small, *values, note])
    return _("Spreiding tussen CLB's"), header, rows


def _trend(report: SectorReport) -> Sheet:
    header = [_("stelling"), _("label"), *[_("%% akkoord %(round)s", round=name)
                                          for name in report.trend_rounds]]
    rows = [[*_keys(r), *[_r(v) for v in r.trend]] for r in report.results]
    return _("Evolutie"), header, rows


def _questions(report: SectorReport) -> Sheet:
    header = [_("vraag"), _("antwoord of statistiek"), _("niveau"), _("n"), _("aantal"),
              _("waarde"), _("eenheid"), _("ondergrens (%)"), _("bovengrens (%)"),
              _("opmerking")]
    rows = []
    for summary in report.questions:
        unit = "%" if summary.unit == "percent" else summary.question.unit or ""
        for line in summary.lines:
            for g in GROUPS:
                group, cell = summary.groups[g], line.cells[g]
                keys = [summary.question.title, line.label, _(LEVEL_NAMES[g])]
                if group.hidden:
                    rows.append(keys + [None] * 6 + [group.sector_reason
                                                     or _("te weinig antwoorden")])
                    continue
                rows.append(keys + [group.n, cell.count, _r(cell.value, 2), unit,
                                    _r(cell.ci_low), _r(cell.ci_high), None])
    return _("Andere vragen"), header, rows


def _themes(report: SectorReport) -> Sheet:
    header = [_("thema")]
    for g in GROUPS:
        name = _(LEVEL_NAMES[g])
        header += [_("opmerkingen %(group)s", group=name), _("%% %(group)s", group=name)]
    rows = [[_("alle opmerkingen"), *[v for g in GROUPS
                                      for v in (report.theme_base.get(g), None)]]]
    for theme in report.themes:
        rows.append([theme.name, *[v for g in GROUPS
                                   for v in (theme.counts[g], _r(theme.shares[g]))]])
    return _("Thema's"), header, rows
