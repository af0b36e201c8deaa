"""What one CLB's feedback says, assembled once from plain inputs and then rendered as PDF,
workbook and web page alike, so the three can never disagree."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from instrument.i18n import N_, _

from .feedback import LEVELS, Cube, Row, centre_rows, few_centres_text
from .layout import Aspect, Layout, Section, Statement
from .questions import Summary, summarise
from .sector_themes import Themes
from .statistics import ABOVE, BELOW
from .suppression import TOTAL

# The Dutch texts (msgids, marked N_): translated where they are shown (_(LEVEL_NAMES[lv])).
LEVEL_NAMES = {
    "bao": N_("basisonderwijs"),
    "so": N_("secundair onderwijs"),
    "bubao": N_("buitengewoon basisonderwijs"),
    "buso": N_("buitengewoon secundair onderwijs"),
    TOTAL: N_("alle niveaus"),
}
SUPPRESSED_TEXT = N_("te weinig antwoorden")


@dataclass(frozen=True)
class CentreInfo:
    number: str
    name: str
    network: str


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    school_year: str
    minimum: int
    date: str                      # the date the sheet states, already formatted
    sector_round: str | None = None  # the reference round's name, when the sector is there
    # the other CLBs (with answers, per statement and level) a sector figure needs
    min_centres: int = 3


@dataclass(frozen=True)
class Remark:
    section: str                   # section key
    text: str                      # as reviewed (possibly redacted)


@dataclass(frozen=True)
class Earlier:
    """An earlier published round of the same CLB, for the trend."""

    name: str
    cube: Cube
    minimum: int
    school_year: str = ""


@dataclass(frozen=True)
class PreviousAction:
    """An action the CLB gave in its answer to an earlier round's results."""

    statement: int | None          # its slot; None: a general action
    text: str
    due: str                       # the date it named, formatted; "" when none
    state: str                     # an ActionState value (planned, in_progress, done)


@dataclass(frozen=True)
class PreviousAnswer:
    """The CLB's submitted answer to the previous round: shown beside the trend."""

    round_name: str
    reaction: str
    actions: tuple[PreviousAction, ...] = ()


@dataclass(frozen=True)
class CentreInput:
    centre: CentreInfo
    invited: Mapping[str, int]     # per level
    responded: Mapping[str, int]   # per level: submitted responses
    remarks: Sequence[Remark] = ()
    earlier: Sequence[Earlier] = ()
    previous: PreviousAnswer | None = None


@dataclass(frozen=True)
class Line:
    """One statement in the summary: the CLB total beside both benchmarks."""

    statement: Statement
    row: Row

    @property
    def difference(self) -> float | None:
        f, adj = self.row.figures, self.row.sector_adjusted_pct
        return None if f is None or f.pct_agree is None or adj is None else f.pct_agree - adj


@dataclass(frozen=True)
class Trend:
    rounds: tuple[str, ...]                       # oldest first, this round last
    pct: Mapping[int, tuple[float | None, ...]]   # statement -> % agree per round
    years: tuple[str, ...] = ()                   # their school years, same order


@dataclass(frozen=True)
class ThemeLine:
    """A theme of the remarks: how many of the CLB's approved remarks carry it and their
    share, beside the share among the other CLBs' approved remarks."""

    name: str
    count: int
    share: float | None            # % of the CLB's approved remarks
    sector_share: float | None     # % of the other CLBs' approved remarks


@dataclass
class Feedback:
    round: RoundInfo
    centre: CentreInfo
    layout: Layout
    invited: Mapping[str, int]
    responded: Mapping[str, int]
    rows: dict[tuple[int, str], Row]
    lines: list[Line]
    strengths: list[Line]
    attention: list[Line]
    remarks: list[tuple[Section, list[str]]] | None   # None: too few respondents to show
    trend: Trend | None
    aspects: list[tuple[Aspect, list[Line]]] = field(default_factory=list)
    questions: list[Summary] = field(default_factory=list)   # the other types
    previous: PreviousAnswer | None = None     # its answer to the previous round
    themes: list[ThemeLine] | None = None      # None: no codebook, or its remarks not shown

    @property
    def respondents(self) -> int:
        return sum(self.responded.values())

    def row(self, number: int, level: str = TOTAL) -> Row:
        return self.rows[(number, level)]

    def levels_present(self) -> list[str]:
        return [lv for lv in LEVELS if self.invited.get(lv)]

    @property
    def few_centres_mark(self) -> str:
        """What a cell says instead of a sector figure from too few other CLBs."""
        return _("< %(minimum)s CLB's", minimum=self.round.min_centres)

    def sector_cell(self, row: Row, value: float | None) -> str:
        """A sector percentage as the sheet shows it, or why there is none."""
        if value is None and row.sector_reason:
            return self.few_centres_mark
        return fmt_pct(value)

    def question_sector(self, summary: Summary, group, value: float | None) -> str:
        """A question's sector figure as the sheet and the page show it, or why none."""
        if value is None and group.sector_reason:
            return self.few_centres_mark
        return summary.fmt(value)

    def question_cell(self, summary: Summary, level: str, cell) -> str:
        """A question's figure at a level with the sector's in brackets ("45 % (52 %)");
        `cell` None: the respondents to the question, the CLB's and the sector's."""
        group = summary.groups[level]
        if group.hidden:
            return _(SUPPRESSED_TEXT)
        if cell is None:
            sector = "–" if group.sector_n is None else str(group.sector_n)
            return f"{group.n} ({self.few_centres_mark if group.sector_reason else sector})"
        if not group.n:
            return "–"
        return (f"{summary.fmt(cell.value)} "
                f"({self.question_sector(summary, group, cell.sector)})")

    @property
    def sector_notice(self) -> str | None:
        """Where this CLB's sheet leaves sector figures out for too few other CLBs, and
        why; None when it leaves none out."""
        items = sorted({r.item for r in self.rows.values() if r.sector_reason})
        if not items:
            return None
        values = {"minimum": self.round.min_centres, "mark": self.few_centres_mark}
        if len(items) == len(self.layout.numbers):
            return _("Geen (volledige) sectorvergelijking: daar gaven minder dan %(minimum)s "
                     "andere CLB's antwoorden (op dat niveau), zodat een sectorcijfer de "
                     "cijfers van één of enkele andere CLB's zou tonen. Er staat dan "
                     "‘%(mark)s’ en geen oordeel.", **values)
        statements = ", ".join(self.layout.statements[i].tag or self.layout.statements[i].label
                               for i in items)
        return _("Geen (volledige) sectorvergelijking bij stelling %(statements)s: daar gaven "
                 "minder dan %(minimum)s andere CLB's antwoorden (op dat niveau), zodat een "
                 "sectorcijfer de cijfers van één of enkele andere CLB's zou tonen. Er staat "
                 "dan ‘%(mark)s’ en geen oordeel.", statements=statements, **values)

    @property
    def sector_text(self) -> str:
        if self.round.sector_round:
            return _("De sectorcijfers komen uit de referentiebevraging ‘%(round)s’: alle "
                     "andere CLB's in die bevraging.", round=self.round.sector_round)
        return _("De sectorcijfers zijn die van alle andere CLB's in deze bevraging.")


def build(info: RoundInfo, layout: Layout, cube: Cube, data: CentreInput,
          sector_cube: Cube | None = None, themes: Themes | None = None) -> Feedback:
    numbers = layout.numbers
    rows = {(r.item, r.level): r
            for r in centre_rows(cube, data.centre.number, numbers, info.minimum,
                                 layout.scale, sector_cube, info.min_centres,
                                 layout.scales)}
    lines = [Line(layout.statements[n], rows[(n, TOTAL)]) for n in numbers]
    ranked = [ln for ln in lines if ln.row.z is not None]
    strengths = sorted((ln for ln in ranked if ln.row.verdict == ABOVE),
                       key=lambda ln: -ln.row.z)[:3]
    attention = sorted((ln for ln in ranked if ln.row.verdict == BELOW),
                       key=lambda ln: ln.row.z)[:3]
    by_number = {ln.statement.number: ln for ln in lines}
    aspects = [(a, [by_number[n] for n in numbers if a.id in layout.statements[n].aspects])
               for a in layout.aspects]
    aspects = [(a, group) for a, group in aspects if group]
    summaries = summarise(layout.questions, cube, data.centre.number,
                          info.minimum, sector_cube, info.min_centres,
                          few_centres_text(info.min_centres))
    remarks = _remarks(info, layout, data)
    return Feedback(info, data.centre, layout, dict(data.invited), dict(data.responded), rows,
                    lines, strengths, attention, remarks,
                    _trend(info, layout, cube, data), aspects, summaries, data.previous,
                    None if remarks is None else _themes(themes, data.centre.number))


def _themes(themes: Themes | None, centre: str) -> list[ThemeLine] | None:
    """The codebook's themes among the CLB's approved remarks. Shown exactly when the
    remarks themselves are (the CLB has the minimum of respondents): the counts say no
    more than the remarks printed beside them. The sector's share is of the other CLBs'
    approved remarks, all levels together."""
    if themes is None or not themes.themes:
        return None
    own_base = sum(n for (number, _level), n in themes.base.items() if number == centre)
    other_base = sum(n for (number, _level), n in themes.base.items() if number != centre)

    def share(count: int, base: int) -> float | None:
        return 100 * count / base if base else None
    lines = []
    for theme in themes.themes:
        own = sum(n for (number, _level), n in theme.counts.items() if number == centre)
        other = sum(n for (number, _level), n in theme.counts.items() if number != centre)
        lines.append(ThemeLine(theme.name, own, share(own, own_base),
                               share(other, other_base)))
    return lines


def _remarks(info: RoundInfo, layout: Layout,
             data: CentreInput) -> list[tuple[Section, list[str]]] | None:
    """Reviewed remarks per section in a random order that is the same at every rebuild,
    and only when the CLB has enough respondents that no remark points to a school."""
    if sum(data.responded.values()) < info.minimum:
        return None
    seed = hashlib.sha256(f"{info.id}:{data.centre.number}".encode()).digest()
    rng = random.Random(seed)
    out = []
    for section in layout.sections:
        texts = sorted(r.text for r in data.remarks if r.section == section.key)
        rng.shuffle(texts)
        if texts:
            out.append((section, texts))
    return out


def _trend(info: RoundInfo, layout: Layout, cube: Cube, data: CentreInput) -> Trend | None:
    if not data.earlier:
        return None
    numbers = layout.numbers
    series = [(e.name, e.cube, e.minimum) for e in data.earlier]
    series.append((info.name, cube, info.minimum))
    years = tuple(e.school_year for e in data.earlier) + (info.school_year,)
    pct: dict[int, list[float | None]] = {n: [] for n in numbers}
    for _round_name, round_cube, minimum in series:
        for r in centre_rows(round_cube, data.centre.number, numbers, minimum, layout.scale,
                             scales=layout.scales):
            if r.level == TOTAL:
                pct[r.item].append(r.figures.pct_agree if r.figures else None)
    return Trend(tuple(entry[0] for entry in series), {n: tuple(v) for n, v in pct.items()},
                 years)


def reading_guide(fb: Feedback) -> list[str]:
    scale = fb.layout.option_labels
    agreeing = [f"‘{scale[c].lower()}’" for c in sorted(fb.layout.scale.agree, reverse=True)]
    agree = agreeing[-1] if len(agreeing) == 1 else _(
        "%(first)s en %(last)s", first=", ".join(agreeing[:-1]), last=agreeing[-1])
    no_view = ", ".join(f"‘{scale[c]}’" for c in fb.layout.scale.no_view)
    answers = ", ".join(f"‘{scale[c].lower()}’"
                        for c in sorted(fb.layout.scale.scored, reverse=True))
    return [
        _("De directies van de scholen die met uw CLB samenwerken, gaven bij elke stelling "
          "aan in welke mate ze akkoord gaan: %(answers)s. Wie %(no_view)s koos, telt niet "
          "mee in de percentages en gemiddelden; dat aantal staat apart vermeld (gz).",
          answers=answers, no_view=no_view),
        _("‘%% akkoord’ is het aandeel %(agree)s onder wie een van de vier antwoorden gaf "
          "(n). Het gemiddelde loopt van 1 (helemaal niet akkoord) tot 4 (helemaal akkoord). "
          "Bij elk percentage hoort een onzekerheidsmarge (95 %%-betrouwbaarheidsinterval, "
          "Wilson): hoe minder antwoorden, hoe breder.", agree=agree),
        fb.sector_text + " " + _(
            "U ziet twee vergelijkingspunten: de sector zoals hij is (ruw), en de sector "
            "herwogen naar de mix van onderwijsniveaus van uw eigen respondenten "
            "(aangepast). Niveaus verschillen onderling; de aangepaste sector is daarom de "
            "eerlijke vergelijking. Een sectorcijfer vraagt antwoorden van minstens "
            "%(minimum)s andere CLB's (op dat niveau); anders staat er ‘%(mark)s’.",
            minimum=fb.round.min_centres, mark=fb.few_centres_mark),
        _("‘Hoger’ of ‘lager’ staat er alleen wanneer het verschil met de aangepaste sector "
          "groter is dan het toeval kan verklaren (tweezijdige toets, 95 %). Anders staat er "
          "‘geen duidelijk verschil’."),
        _("Privacy: een groep met minder dan %(minimum)s antwoorden wordt nooit getoond "
          "(‘%(suppressed)s’), ook niet per stelling of niveau. Ook een groep waarin alle "
          "scholen hetzelfde antwoord gaven, wordt niet getoond, hoe groot ze ook is: de "
          "percentages zouden dan verraden wat elke school antwoordde. Waar zo'n groep af te "
          "leiden zou zijn uit het totaal en de andere groepen, wordt ook een andere groep "
          "verborgen. Opmerkingen zijn door de inspectie nagelezen en staan zonder "
          "schoolnaam in willekeurige volgorde.", minimum=fb.round.minimum,
          suppressed=_(SUPPRESSED_TEXT)),
    ]


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def fmt_diff(value: float | None) -> str:
    """A difference in percentage points, signed; one that rounds to nothing is "0", never
    "−0" or "+0" (half to even, as Python formats)."""
    if value is None:
        return "–"
    shown = f"{value:+.0f}"
    return "0" if shown in ("+0", "-0") else shown.replace("-", "−")
