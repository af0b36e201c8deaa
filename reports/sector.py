"""What the sector report of a round says (the inspectorate publishes it), assembled once
from plain inputs and then rendered as PDF (reports/sector_pdf.py) and workbook
(reports/sector_tables.py) alike.

It shows the sector as a whole, never one CLB: response per level and network; per
statement the distribution overall and per level with Wilson intervals; the statements
ranked; where a level differs clearly from the other levels; the spread of the CLBs'
% agree without naming them; the trend over earlier rounds; the other question types; the
themes of the remarks; and key findings in words (reports/sector_findings.py).

Suppression is that of the CLB sheets (reports/suppression.py: small and unanimous groups,
complementary suppression), and a figure at a level needs answers from at least the
round's `min_centres` CLBs (as a sector figure on a CLB's sheet does), since a level with
one or two CLBs would publish those CLBs' own figures. docs/statistics.md has the rules.
"""

from __future__ import annotations

import statistics as stats
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from instrument.domain import LEVEL_CODES, Cube
from instrument.i18n import _

from .content import SUPPRESSED_TEXT, CentreInput, Earlier, RoundInfo
from .layout import Layout, Statement
from .questions import Cell, Summary, index, summarise
from .questions import Group as QuestionGroup
from .sector_themes import ThemeRow, Themes, theme_rows
from .statistics import (
    NO_CLEAR_DIFFERENCE,
    Figures,
    Scale,
    compare,
    figures,
    raw_benchmark,
    z_score,
)
from .suppression import TOTAL, suppressed, suppressed_by

LEVELS = LEVEL_CODES
GROUPS = (TOTAL, *LEVELS)
SECTOR = "sector"            # the one "CLB" of a cube that holds the whole sector
THRESHOLD = 75               # the findings' "≥ X % akkoord in every level"

# (CLB number, level) -> answer code -> count, for one statement or question slot
ByCentre = Mapping[tuple[str, str], Mapping[int, int]]


@dataclass(frozen=True)
class Turnout:
    """Response of a level, a network or the whole sector (key TOTAL). `invited` and
    `submitted` are None when hidden (too few CLBs or responses, or their complement;
    `note` says which): a network of one CLB would publish that CLB's response."""

    key: str
    label: str                     # as shown (translated)
    centres: int                   # CLBs with invitations there
    invited: int | None
    submitted: int | None
    note: str | None = None

    @property
    def rate(self) -> float | None:
        if self.invited is None or self.submitted is None or not self.invited:
            return None
        return 100 * self.submitted / self.invited


@dataclass(frozen=True)
class Group:
    """The sector's figures for one statement at one level (or TOTAL)."""

    level: str
    figures: Figures | None        # None: hidden
    note: str | None = None        # why hidden (translated)
    centres: int = 0               # CLBs with answers on the scale
    verdict: str | None = None     # a level against the other levels together
    z: float | None = None         # that difference in standard errors
    others_pct: float | None = None   # the other levels together, % agree

    @property
    def pct(self) -> float | None:
        return None if self.figures is None else self.figures.pct_agree


@dataclass(frozen=True)
class Spread:
    """The CLBs' % agree for one statement, no CLB named: over the CLBs with at least the
    minimum answers on the scale; `values` (minimum, first quartile, median, third
    quartile, maximum) is None when those are fewer than the round's min_centres."""

    centres: int
    too_small: int                 # CLBs with answers, fewer than the minimum
    values: tuple[float, float, float, float, float] | None


@dataclass(frozen=True)
class Result:
    """One statement across the sector."""

    statement: Statement
    groups: Mapping[str, Group]
    spread: Spread
    trend: tuple[float | None, ...] = ()   # % agree per earlier round, then this round

    @property
    def total(self) -> Group:
        return self.groups[TOTAL]

    @property
    def pct(self) -> float | None:
        return self.total.pct


@dataclass
class SectorReport:
    round: RoundInfo
    layout: Layout
    levels: list[Turnout]                 # each level, then TOTAL
    networks: list[Turnout]
    results: list[Result]                 # in the questionnaire's order
    ranking: list[Result]                 # by % agree, highest first; hidden ones last
    questions: list[Summary] = field(default_factory=list)
    themes: list[ThemeRow] = field(default_factory=list)       # (reports/sector_themes.py)
    theme_base: Mapping[str, int | None] = field(default_factory=dict)
    trend_rounds: tuple[str, ...] = ()    # oldest first, this round last; () without
    findings: list[str] = field(default_factory=list)
    threshold: int = THRESHOLD
    # each CLB's % agree per statement where it has at least the minimum answers, unnamed
    # and in no order that says which: for the findings only, never shown one by one
    centres: list[dict[int, float]] = field(default_factory=list)

    @property
    def few_centres_mark(self) -> str:
        return few_mark(self.round.min_centres)

    def differences(self, verdict: str | None = None) -> list[tuple[Result, str]]:
        """(statement, level) where the level differs clearly from the other levels,
        in the questionnaire's order; with `verdict`, only those above or below."""
        return [(r, lv) for r in self.results for lv in LEVELS
                if r.groups[lv].verdict is not None
                and r.groups[lv].verdict != NO_CLEAR_DIFFERENCE
                and (verdict is None or r.groups[lv].verdict == verdict)]


def few_mark(min_centres: int) -> str:
    """What a cell says instead of a figure from fewer than min_centres CLBs."""
    return _("< %(minimum)s CLB's", minimum=min_centres)


def build(info: RoundInfo, layout: Layout, cube: Cube, centres: Iterable[CentreInput],
          networks: Sequence[str] = (), earlier: Sequence[Earlier] = (),
          themes: Themes | None = None, threshold: int = THRESHOLD) -> SectorReport:
    """The sector report. `centres`: every CLB's turnout (its CentreInfo names its
    network); `networks`: the networks' names in the order to list them; `earlier`:
    published rounds of the same questionnaire, oldest first; `themes`: the remarks'
    themes, or None when none are coded."""
    from .sector_findings import findings

    centres = list(centres)
    by_item = _by_item(cube)
    earlier_items = [(e, _by_item(e.cube)) for e in earlier]
    results = []
    centres_pct: dict[str, dict[int, float]] = defaultdict(dict)
    for number in layout.numbers:
        statement = layout.statements[number]
        given = by_item.get(number, {})
        for centre, pct in centre_pcts(given, statement.scale, info.minimum).items():
            if pct is not None:
                centres_pct[centre][number] = pct
        groups = statement_groups(given, statement.scale, info.minimum, info.min_centres)
        trend = ()
        if earlier:
            trend = tuple(
                statement_groups(items.get(number, {}), statement.scale, e.minimum,
                                 info.min_centres)[TOTAL].pct for e, items in earlier_items)
            trend += (groups[TOTAL].pct,)
        results.append(Result(statement, groups,
                              spread(given, statement.scale, info.minimum,
                                     info.min_centres), trend))
    ranking = sorted(results, key=lambda r: (r.pct is None, -(r.pct or 0)))
    report = SectorReport(
        info, layout, turnout_by_level(centres, info.minimum, info.min_centres),
        turnout_by_network(centres, networks, info.minimum, info.min_centres),
        results, ranking, sector_questions(layout, cube, info.minimum, info.min_centres),
        trend_rounds=(tuple(e.name for e in earlier) + (info.name,)) if earlier else (),
        threshold=threshold)
    if themes is not None:
        report.themes, report.theme_base = theme_rows(themes, info.minimum)
    report.centres = [dict(pcts) for _number, pcts in sorted(centres_pct.items())]
    report.findings = findings(report)
    return report


# --- Turnout ----------------------------------------------------------------------------


def turnout_by_level(centres: Sequence[CentreInput], minimum: int = 0,
                     min_centres: int = 0) -> list[Turnout]:
    """Per level, then the total; hidden as in _hidden_turnout."""
    from .content import LEVEL_NAMES

    groups = {key: [c for c in centres if c.invited.get(key, 0)] for key in LEVELS}
    groups[TOTAL] = [c for c in centres if sum(c.invited.get(lv, 0) for lv in LEVELS)]
    figures = {key: (sum(c.invited.get(lv, 0) for c in members
                         for lv in (LEVELS if key == TOTAL else (key,))),
                     sum(c.responded.get(lv, 0) for c in members
                         for lv in (LEVELS if key == TOTAL else (key,))))
               for key, members in groups.items()}
    labels = {key: _(LEVEL_NAMES[key]) for key in groups}
    return _hidden_turnout([*LEVELS, TOTAL], labels, groups, figures, minimum, min_centres)


def turnout_by_network(centres: Sequence[CentreInput], networks: Sequence[str],
                       minimum: int = 0, min_centres: int = 0) -> list[Turnout]:
    """Per network, in the given order (then any other a CLB names), hidden as in
    _hidden_turnout against the sector's total (the levels' table shows it)."""
    names = list(dict.fromkeys([*networks, *(c.centre.network for c in centres)]))
    groups = {name: [c for c in centres if c.centre.network == name] for name in names}
    groups[TOTAL] = list(centres)
    figures = {key: (sum(sum(c.invited.values()) for c in members),
                     sum(sum(c.responded.values()) for c in members))
               for key, members in groups.items()}
    labels = {name: name or _("onbekend net") for name in names}
    return _hidden_turnout(names, labels, groups, figures, minimum, min_centres)[:-1]


def _hidden_turnout(keys: Sequence[str], labels: Mapping[str, str],
                    groups: Mapping[str, Sequence[CentreInput]],
                    figures: Mapping[str, tuple[int, int]], minimum: int,
                    min_centres: int) -> list[Turnout]:
    """The turnout of `keys` (then TOTAL) with the small-group rule of every sector figure:
    a group of fewer than min_centres CLBs or fewer than `minimum` responses is hidden,
    and so, while the total is shown, are further groups until the hidden ones together
    are at least two, from min_centres CLBs with `minimum` responses (total minus the
    shown groups is theirs: suppression.suppressed_by)."""
    parts = [key for key in keys if key != TOTAL]

    def small(together: list[str]) -> bool:
        members = {c.centre.number for key in together for c in groups[key]}
        return (len(members) < min_centres
                or sum(figures[key][1] for key in together) < minimum)

    def few(together: list[str]) -> bool:
        return len({c.centre.number for key in together for c in groups[key]}) < min_centres

    hidden = suppressed_by({key: None for key in parts}, small,
                           lambda key: (figures[key][1], len(groups[key])),
                           {key: bool(groups[key]) for key in parts})
    out = []
    for key in [*parts, TOTAL]:
        centres = len({c.centre.number for c in groups[key]})
        if key in hidden:
            together = parts if key == TOTAL else [key]
            note = few_mark(min_centres) if few(together) else _(SUPPRESSED_TEXT)
            out.append(Turnout(key, labels.get(key, _("alle niveaus")), centres, None, None,
                               note))
        else:
            out.append(Turnout(key, labels.get(key, _("alle niveaus")), centres,
                               *figures[key]))
    return out


# --- Statements -------------------------------------------------------------------------


def _by_item(cube: Cube) -> dict[int, dict[tuple[str, str], dict[int, int]]]:
    """item -> (CLB, level) -> code -> count: one pass over the cube."""
    out: dict = defaultdict(lambda: defaultdict(dict))
    for (centre, level, item, code), n in cube.items():
        if n:
            out[item][(centre, level)][code] = n
    return out


def few_centres(centres: Mapping[str, set[str]], min_centres: int) -> tuple[set[str], bool]:
    """The levels whose figure would come from fewer than min_centres CLBs, and whether
    the total must go too: from fewer than min_centres CLBs over all levels, or because
    total minus the shown levels would give the left-out levels of fewer than
    min_centres CLBs (the rule of a sector figure on a CLB's sheet)."""
    too_few = {lv for lv in LEVELS if 0 < len(centres.get(lv, ())) < min_centres}
    left_out = set().union(*(centres[lv] for lv in too_few))
    every = set().union(*centres.values()) if centres else set()
    return too_few, len(every) < min_centres or 0 < len(left_out) < min_centres


def statement_groups(given: ByCentre, scale: Scale, minimum: int,
                     min_centres: int) -> dict[str, Group]:
    """The sector's groups (TOTAL, each level) for one statement, suppressed as a CLB's
    are, and each level against the other levels together."""
    per_level: dict[str, dict[int, int]] = {lv: defaultdict(int) for lv in LEVELS}
    centres: dict[str, set[str]] = {lv: set() for lv in LEVELS}
    scored = set(scale.scored)
    for (centre, level), counts in given.items():
        if level not in per_level:
            continue
        for code, n in counts.items():
            per_level[level][code] += n
            if code in scored:
                centres[level].add(centre)
    own = {lv: figures(per_level[lv], scale) for lv in LEVELS}
    total_counts = _sum(per_level.values())
    total = figures(total_counts, scale)
    hidden = suppressed(total.n, {lv: f.n for lv, f in own.items()}, minimum,
                        {lv: f.n + f.n_no_view > 0 for lv, f in own.items()},
                        {lv: {c: f.counts[c] for c in scale.scored if f.counts.get(c)}
                         for lv, f in own.items()})
    too_few, total_too_few = few_centres(centres, min_centres)
    if total_too_few and total.n + total.n_no_view > 0:
        too_few = too_few | {TOTAL}
    every = set().union(*centres.values())
    groups = {TOTAL: _group(TOTAL, total, hidden, too_few, len(every), min_centres)}
    for lv in LEVELS:
        group = _group(lv, own[lv], hidden, too_few, len(centres[lv]), min_centres)
        if group.figures is not None and group.figures.n and groups[TOTAL].figures:
            rest = figures({c: total_counts.get(c, 0) - per_level[lv].get(c, 0)
                            for c in total_counts}, scale)
            if rest.n:
                bench = raw_benchmark(rest)
                group = replace(group, verdict=compare(own[lv], bench),
                                z=z_score(own[lv], bench), others_pct=rest.pct_agree)
        groups[lv] = group
    return groups


def _group(level: str, f: Figures, hidden: set[str], too_few: set[str], centres: int,
           min_centres: int) -> Group:
    if level in too_few:
        return Group(level, None, few_mark(min_centres), centres)
    if level in hidden:
        return Group(level, None, _(SUPPRESSED_TEXT), centres)
    return Group(level, f, None, centres)


def _sum(groups: Iterable[Mapping[int, int]]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for counts in groups:
        for code, n in counts.items():
            out[code] += n
    return dict(out)


def centre_pcts(given: ByCentre, scale: Scale, minimum: int) -> dict[str, float | None]:
    """Per CLB with any answer to the statement: its % agree (all levels together), or
    None when it has fewer than `minimum` answers on the scale."""
    per_centre: dict[str, list[Mapping[int, int]]] = defaultdict(list)
    for (centre, _level), counts in given.items():
        per_centre[centre].append(counts)
    out = {}
    for centre, parts in per_centre.items():
        f = figures(_sum(parts), scale)
        if f.n + f.n_no_view > 0:
            out[centre] = f.pct_agree if f.n >= max(minimum, 1) else None
    return out


def spread(given: ByCentre, scale: Scale, minimum: int, min_centres: int) -> Spread:
    """The CLBs' % agree (all levels together) for one statement, no CLB named. A CLB
    counts when it has at least `minimum` answers on the scale; quartiles are type 7
    (docs/statistics.md), here of the CLBs' percentages."""
    pcts = centre_pcts(given, scale, minimum)
    shown = sorted(p for p in pcts.values() if p is not None)
    too_small = len(pcts) - len(shown)
    if not shown or len(shown) < min_centres:
        return Spread(len(shown), too_small, None)
    quartiles = (stats.quantiles(shown, n=4, method="inclusive") if len(shown) > 1
                 else [shown[0]] * 3)
    return Spread(len(shown), too_small,
                  (shown[0], quartiles[0], quartiles[1], quartiles[2], shown[-1]))


# --- The other question types -----------------------------------------------------------


def sector_questions(layout: Layout, cube: Cube, minimum: int,
                     min_centres: int) -> list[Summary]:
    """The other questions summarised for the whole sector (reports/questions.py, as one
    CLB that holds every answer), with the levels of fewer than min_centres CLBs hidden."""
    if not layout.questions:
        return []
    merged: dict[tuple[str, str, int, int], int] = defaultdict(int)
    for (_centre, level, slot, code), n in cube.items():
        merged[(SECTOR, level, slot, code)] += n
    summaries = summarise(layout.questions, merged, SECTOR, minimum)
    slots = {s for q in layout.questions for s in q.slots}
    by_centre = index(cube, slots)
    out = []
    for summary in summaries:
        q = summary.question
        centres: dict[str, set[str]] = {lv: set() for lv in LEVELS}
        for (centre, level), by_slot in by_centre.items():
            if level in centres and q.summariser.respondents(q.summariser.counts(q,
                                                                               by_slot)):
                centres[level].add(centre)
        too_few, total_too_few = few_centres(centres, min_centres)
        if total_too_few and summary.groups[TOTAL].n:
            too_few.add(TOTAL)
        out.append(_without(summary, too_few, few_mark(min_centres)))
    return out


def _without(summary: Summary, drop: set[str], mark: str) -> Summary:
    """The summary with the groups in `drop` hidden, saying why."""
    if not drop:
        return summary
    groups = {g: QuestionGroup(g, None, None, mark) if g in drop else group
              for g, group in summary.groups.items()}
    lines = tuple(replace(line, cells={g: Cell(None) if g in drop else cell
                                       for g, cell in line.cells.items()})
                  for line in summary.lines)
    return replace(summary, groups=groups, lines=lines)
