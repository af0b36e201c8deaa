"""The sector report in words: the key findings at the top, generated from the figures
(response, overall agreement, the statements high and low, whether they are the same in
every level and in most CLBs, the levels that differ clearly), and the reading guide.
Every sentence goes through the catalogue (instrument.i18n), so the PDF and the workbook
say the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from instrument.domain import LEVEL_CODES
from instrument.i18n import N_, _

from .content import LEVEL_NAMES, fmt_pct
from .statistics import ABOVE, BELOW, NO_CLEAR_DIFFERENCE
from .suppression import TOTAL

if TYPE_CHECKING:
    from .layout import Statement
    from .sector import Result, SectorReport

LEVELS = LEVEL_CODES
TOP = 3                # statements named at the top and at the bottom
LEVEL_TOP = 5          # ... looked for among a level's highest (lowest) five
LEVEL_MIN = 10         # a level (a CLB) takes part in that comparison with this many shown
MOSTLY = 2             # "largely the same": at least this many of the TOP

# A level against the other levels together (sector.statement_groups).
VERDICTS = {ABOVE: N_("duidelijk hoger"), BELOW: N_("duidelijk lager"),
            NO_CLEAR_DIFFERENCE: N_("geen duidelijk verschil")}


def verdict_text(verdict: str | None) -> str:
    return "" if verdict is None else _(VERDICTS[verdict])


def findings(report: SectorReport) -> list[str]:
    out = [_response(report), _overall(report), _every_level(report), *_extremes(report),
           *_consistency(report), *_levels(report)]
    return [sentence for sentence in out if sentence]


def tags(statements: list[Statement]) -> str:
    """Statements as a sentence names them: their numbers, or labels when unnumbered."""
    return ", ".join(s.tag or s.label for s in statements)


def _response(report: SectorReport) -> str | None:
    total = report.levels[-1]
    if not total.invited:
        return None
    return _("%(submitted)s van de %(invited)s uitgenodigde scholen vulden de vragenlijst "
             "in (%(rate)s).", submitted=total.submitted, invited=total.invited,
             rate=fmt_pct(total.rate))


def _shown(report: SectorReport) -> list[Result]:
    return [r for r in report.ranking if r.pct is not None]


def _overall(report: SectorReport) -> str | None:
    shown = _shown(report)
    if not shown:
        return None
    mean = sum(r.pct for r in shown) / len(shown)
    majority = sum(1 for r in shown if r.pct > 50)
    return _("Over de %(count)s stellingen heen is gemiddeld %(mean)s van de scholen "
             "akkoord (per stelling van %(low)s tot %(high)s); bij %(majority)s van de "
             "%(count)s stellingen is meer dan de helft akkoord.", count=len(shown),
             mean=fmt_pct(mean), low=fmt_pct(shown[-1].pct), high=fmt_pct(shown[0].pct),
             majority=majority)


def _every_level(report: SectorReport) -> str | None:
    """How many statements reach the threshold in every level that shows a figure."""
    answering = [t.key for t in report.levels if t.key != TOTAL and t.submitted]
    counted, complete, total = 0, True, 0
    for r in report.results:
        values = [r.groups[lv].pct for lv in LEVELS if r.groups[lv].pct is not None]
        if not values:
            continue
        total += 1
        complete = complete and len(values) == len(answering)
        counted += all(v >= report.threshold for v in values)
    if not total:
        return None
    values = {"threshold": report.threshold, "count": counted, "total": total}
    if complete:
        return _("In alle niveaus is minstens %(threshold)s %% van de scholen akkoord bij "
                 "%(count)s van de %(total)s stellingen.", **values)
    return _("In alle niveaus is minstens %(threshold)s %% van de scholen akkoord bij "
             "%(count)s van de %(total)s stellingen (niveaus zonder getoond cijfer bij een "
             "stelling niet meegerekend).", **values)


def _named(results: list[Result]) -> str:
    return "; ".join(_("%(statement)s (%(pct)s)", statement=r.statement.title,
                       pct=fmt_pct(r.pct)) for r in results)


def top_and_bottom(report: SectorReport) -> tuple[list[Result], list[Result]]:
    """The highest TOP statements, and the lowest TOP (lowest first) that are not
    among the highest."""
    shown = _shown(report)
    top = shown[:TOP]
    bottom = [r for r in reversed(shown) if r not in top][:TOP]
    return top, bottom


def _extremes(report: SectorReport) -> list[str]:
    top, bottom = top_and_bottom(report)
    out = []
    if top:
        out.append(_("Het hoogste %% akkoord: %(statements)s.", statements=_named(top)))
    if bottom:
        out.append(_("Het laagste %% akkoord: %(statements)s.", statements=_named(bottom)))
    return out


def in_top(pcts: Mapping[int, float], number: int, k: int, highest: bool = True) -> bool:
    """Whether a statement is among the k highest (lowest) of these percentages, ties
    with the k-th included (small groups give many equal percentages)."""
    if number not in pcts:
        return False
    values = sorted(pcts.values(), reverse=highest)
    bound = values[min(k, len(values)) - 1]
    return pcts[number] >= bound if highest else pcts[number] <= bound


def _overlap(pcts: Mapping[int, float], top: list[Result],
             bottom: list[Result]) -> tuple[int, int]:
    """How many of the sector's highest (lowest) are among these LEVEL_TOP highest
    (lowest)."""
    return (sum(in_top(pcts, r.statement.number, LEVEL_TOP) for r in top),
            sum(in_top(pcts, r.statement.number, LEVEL_TOP, False) for r in bottom))


def _consistency(report: SectorReport) -> list[str]:
    """Whether the sector's highest and lowest statements are high and low in every
    level, and in most CLBs: of the sector's top (bottom) TOP, how many are among a
    level's (a CLB's) highest (lowest) LEVEL_TOP, over the levels (CLBs) with LEVEL_MIN
    statements shown."""
    top, bottom = top_and_bottom(report)
    if len(top) < TOP or len(bottom) < TOP:
        return []
    out = []
    levels = [pcts for pcts in ({r.statement.number: r.groups[lv].pct
                                 for r in report.results if r.groups[lv].pct is not None}
                                for lv in LEVELS) if len(pcts) >= LEVEL_MIN]
    if len(levels) >= 2:
        least_top = min(_overlap(pcts, top, bottom)[0] for pcts in levels)
        least_bottom = min(_overlap(pcts, top, bottom)[1] for pcts in levels)
        values = {"top": least_top, "bottom": least_bottom, "count": TOP,
                  "level_top": LEVEL_TOP}
        if least_top >= MOSTLY and least_bottom >= MOSTLY:
            out.append(_(
                "De stellingen met het hoogste en het laagste %% akkoord zijn in alle "
                "niveaus grotendeels dezelfde: van de %(count)s hoogste van de sector staan "
                "er in elk niveau minstens %(top)s bij de %(level_top)s hoogste, van de "
                "%(count)s laagste minstens %(bottom)s bij de %(level_top)s laagste.",
                **values))
        else:
            out.append(_(
                "De stellingen met het hoogste en het laagste %% akkoord verschillen tussen "
                "de niveaus: van de %(count)s hoogste van de sector staan er in elk niveau "
                "minstens %(top)s bij de %(level_top)s hoogste, van de %(count)s laagste "
                "minstens %(bottom)s bij de %(level_top)s laagste.", **values))
    centres = [pcts for pcts in report.centres if len(pcts) >= LEVEL_MIN]
    if centres and len(centres) >= report.round.min_centres:
        alike = sum(1 for pcts in centres
                    if min(_overlap(pcts, top, bottom)) >= MOSTLY)
        values = {"alike": alike, "centres": len(centres), "least": MOSTLY, "count": TOP,
                  "level_top": LEVEL_TOP}
        if 2 * alike > len(centres):
            out.append(_(
                "Ook in de meeste CLB's scoren dezelfde stellingen hoog en laag: bij "
                "%(alike)s van de %(centres)s CLB's staan minstens %(least)s van de "
                "%(count)s hoogste stellingen van de sector bij hun %(level_top)s hoogste, "
                "en minstens %(least)s van de %(count)s laagste bij hun %(level_top)s "
                "laagste.", **values))
        else:
            out.append(_(
                "Welke stellingen hoog en laag scoren, verschilt tussen de CLB's: slechts "
                "bij %(alike)s van de %(centres)s CLB's staan minstens %(least)s van de "
                "%(count)s hoogste stellingen van de sector bij hun %(level_top)s hoogste, "
                "en minstens %(least)s van de %(count)s laagste bij hun %(level_top)s "
                "laagste.", **values))
    return out


def _levels(report: SectorReport) -> list[str]:
    """Per level the statements where it is clearly above or below the other levels."""
    tested = [r for r in report.results if any(r.groups[lv].verdict for lv in LEVELS)]
    if not tested:
        return []
    differing = {r.statement.number for r, _lv in report.differences()}
    if not differing:
        return [_("Bij geen enkele stelling verschilt een niveau duidelijk van de andere "
                  "niveaus samen.")]
    out = [_("Bij %(count)s van de %(total)s stellingen verschilt minstens één niveau "
             "duidelijk van de andere niveaus samen.", count=len(differing),
             total=len(tested))]
    for lv in LEVELS:
        for verdict in (BELOW, ABOVE):
            statements = [r.statement for r, level in report.differences(verdict)
                          if level == lv]
            if statements:
                out.append(_level_sentence(lv, verdict, statements))
    return out


def _level_sentence(level: str, verdict: str, statements: list[Statement]) -> str:
    values = {"level": _(LEVEL_NAMES[level]), "statements": tags(statements)}
    if verdict == BELOW:
        if len(statements) == 1:
            return _("In het %(level)s ligt het %% akkoord duidelijk lager dan in de andere "
                     "niveaus bij stelling %(statements)s.", **values)
        return _("In het %(level)s ligt het %% akkoord duidelijk lager dan in de andere "
                 "niveaus bij de stellingen %(statements)s.", **values)
    if len(statements) == 1:
        return _("In het %(level)s ligt het %% akkoord duidelijk hoger dan in de andere "
                 "niveaus bij stelling %(statements)s.", **values)
    return _("In het %(level)s ligt het %% akkoord duidelijk hoger dan in de andere "
             "niveaus bij de stellingen %(statements)s.", **values)


def reading_guide(report: SectorReport) -> list[str]:
    info = report.round
    tests = sum(1 for r in report.results for lv in LEVELS if r.groups[lv].verdict)
    labels = report.layout.option_labels
    agree = ", ".join(f"‘{labels[c].lower()}’" for c in sorted(report.layout.scale.agree,
                                                              reverse=True) if c in labels)
    return [
        _("‘%% akkoord’ is het aandeel %(agree)s onder de scholen die een van de antwoorden "
          "op de schaal gaven (n); ‘geen zicht / niet van toepassing’ telt niet mee. Bij "
          "elk percentage hoort een onzekerheidsmarge (95 %%-betrouwbaarheidsinterval, "
          "Wilson).", agree=agree),
        _("Een niveau verschilt ‘duidelijk’ van de andere niveaus samen wanneer het verschil "
          "in %% akkoord groter is dan 1,96 standaardfouten van het verschil (tweezijdige "
          "toets, 95 %%). Bij %(tests)s vergelijkingen kan ongeveer één op twintig "
          "duidelijke verschillen toeval zijn.", tests=tests),
        _("De spreiding tussen CLB's: het %% akkoord van elk CLB met minstens %(minimum)s "
          "antwoorden op de stelling (laagste, eerste kwartiel, mediaan, derde kwartiel, "
          "hoogste), zonder een CLB te noemen. CLB's met minder antwoorden tellen niet mee "
          "(‘te klein’); bij minder dan %(centres)s CLB's staat er geen spreiding.",
          minimum=info.minimum, centres=info.min_centres),
        _("Privacy: een groep met minder dan %(minimum)s antwoorden wordt niet getoond, en "
          "evenmin een groep waarin alle scholen hetzelfde antwoord gaven; waar zo'n groep "
          "af te leiden zou zijn uit het totaal, wordt ook een andere verborgen. Een cijfer "
          "per niveau vraagt antwoorden van minstens %(centres)s CLB's (anders ‘%(mark)s’).",
          minimum=info.minimum, centres=info.min_centres, mark=report.few_centres_mark),
    ] + ([_("De evolutie toont het %% akkoord van de sector per stelling in de "
            "%(count)s eerdere gepubliceerde bevraging(en) met dezelfde vragenlijst.",
            count=len(report.trend_rounds) - 1)] if report.trend_rounds else [])
