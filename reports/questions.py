"""The questions that are not statements (single, yesno, multi, number), summarised per CLB
and level beside the sector, from the counts cube, with the statements' suppression rules.

Each type has a summariser (SUMMARISERS, by type name), and every summariser gives the same
shape: a Summary with one Group per level (and TOTAL: respondents, shown or hidden) and
one Line per option (single, yesno: the distribution; multi: the share choosing each) or
per statistic (number: median and quartiles), each Line a Cell per group. The renderers
loop over Lines and Groups and never ask a question's type. docs/statistics.md has the
formulas; a new type is a summariser here and its entry in SUMMARISERS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from instrument.domain import LEVEL_CODES, Cube
from instrument.i18n import N_, _

from .statistics import adjusted_share, quantile, wilson
from .suppression import TOTAL, combined, suppressed, unanimous

LEVELS = LEVEL_CODES
GROUPS = (TOTAL, *LEVELS)
Raw = Mapping[int, Mapping[int, int]]          # slot -> code -> count, for one group


@dataclass(frozen=True)
class Option:
    code: int
    label: str
    slot: int                      # where the answer is stored (multi: the option's own)


@dataclass(frozen=True)
class Question:
    """One question of a summarised type, as plain data (read from the snapshot)."""

    key: str
    type: str
    number: int | None             # the number printed, if the question has one
    text: str
    label: str
    section: str
    options: tuple[Option, ...] = ()
    unit: str | None = None

    @property
    def title(self) -> str:
        name = f"{self.number}. {self.label}" if self.number is not None else self.label
        return f"{name} ({self.unit})" if self.unit else name

    @property
    def slots(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(o.slot for o in self.options))

    @property
    def summariser(self) -> Summariser:
        return SUMMARISERS[self.type]


@dataclass(frozen=True)
class Cell:
    """One line (option or statistic) for one group: the CLB's figure and the sector's."""

    value: float | None            # % (0-100) or the statistic; None: hidden or no answers
    count: int | None = None       # options: how many chose it
    ci_low: float | None = None    # 95 % Wilson interval of the share, 0-100
    ci_high: float | None = None
    sector: float | None = None    # the sector at the same level (TOTAL: all levels), raw
    sector_adjusted: float | None = None   # TOTAL, shares: adjusted to the CLB's mix


@dataclass(frozen=True)
class Group:
    """A level (or TOTAL) of one question: respondents to it, or None when hidden."""

    level: str
    n: int | None                  # the CLB's respondents to the question; None: hidden
    sector_n: int | None           # the sector's; None: hidden or too few other CLBs
    sector_reason: str | None = None   # why no sector figure (Dutch), if that is why

    @property
    def hidden(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class Line:
    label: str                     # the option's label, or the statistic's name (Dutch)
    statistic: str                 # "share", "median", "q1", "q3"
    cells: Mapping[str, Cell]      # per group (TOTAL and each level)
    code: int | None = None        # the option's code
    slot: int | None = None        # where the option is stored


@dataclass(frozen=True)
class Summary:
    question: Question
    unit: str                      # "percent" or "number": how values read
    explanation: str               # what the figures are, in a sentence (Dutch)
    groups: Mapping[str, Group]
    lines: tuple[Line, ...]

    def fmt(self, value: float | None) -> str:
        if value is None:
            return "–"
        if self.unit == "percent":
            return f"{value:.0f} %"
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",").replace("-", "−")


# --- The summarisers: one per type ------------------------------------------------------


class Summariser:
    """How one type's answers become a group's counts and Lines. `counts` are keyed so
    that the suppression rules (reports/suppression.py) can add groups together."""

    unit: ClassVar[str] = "percent"
    explanation: ClassVar[str] = ""

    def question(self, item: Any, section: str) -> Question:
        options = tuple(Option(c.code, str(c.label), item.slot) for c in item.choices)
        return Question(item.key, item.type, item.number, str(item.text), str(item.label),
                        section, options)

    def counts(self, question: Question, raw: Raw) -> dict:
        slot = question.options[0].slot if question.options else None
        known = {o.code for o in question.options}
        return {code: n for code, n in raw.get(slot, {}).items() if code in known and n}

    def respondents(self, counts: Mapping) -> int:
        return sum(counts.values())

    def revealing(self, counts: Mapping, minimum: int) -> bool:
        return unanimous(counts, minimum)

    def lines(self, question: Question, own: Mapping[str, Mapping], sector: Mapping[str,
              Mapping], groups: Mapping[str, Group],
              weights: Mapping[str, int]) -> tuple[Line, ...]:
        raise NotImplementedError


class Distribution(Summariser):
    """single, yesno: n and % per option among those who answered, Wilson intervals."""

    explanation = N_("Per antwoord: het aantal scholen en het aandeel onder de scholen die "
                     "de vraag beantwoordden.")

    def chosen(self, counts: Mapping, code: int) -> int:
        return counts.get(code, 0)

    def lines(self, question, own, sector, groups, weights):
        out = []
        for option in question.options:
            sector_pct = {g: _share(self.chosen(sector[g], option.code), group.sector_n)
                          for g, group in groups.items()}
            cells = {}
            for g, group in groups.items():
                k = self.chosen(own[g], option.code)
                value = _share(k, group.n)
                low = high = None
                if value is not None:
                    low, high = (100 * x for x in wilson(k, group.n))
                adjusted = None
                if g == TOTAL:
                    adjusted = adjusted_share(weights, {lv: sector_pct[lv] for lv in LEVELS})
                cells[g] = Cell(value, k if value is not None else None, low, high,
                                sector_pct[g], adjusted)
            out.append(Line(option.label, "share", cells, option.code, option.slot))
        return tuple(out)


class Shares(Distribution):
    """multi: per option the share of those who answered the question that chose it (a
    multi's options are all written once one is ticked: 1 chosen, 0 not)."""

    explanation = N_("Per keuze: het aantal scholen dat ze aankruiste en het aandeel onder "
                     "de scholen die de vraag beantwoordden (meer keuzes mogelijk, dus samen "
                     "meer dan 100 %).")

    def question(self, item, section):
        options = tuple(Option(c.code, str(c.label), c.slot) for c in item.choices)
        return Question(item.key, item.type, item.number, str(item.text), str(item.label),
                        section, options)

    def counts(self, question, raw):
        out = {}
        for option in question.options:
            for flag in (0, 1):
                n = raw.get(option.slot, {}).get(flag, 0)
                if n:
                    out[(option.code, flag)] = n
        return out

    def respondents(self, counts):
        per_option: dict[int, int] = defaultdict(int)
        for (code, _flag), n in counts.items():
            per_option[code] += n
        return max(per_option.values(), default=0)

    def revealing(self, counts, minimum):
        """Every school chose the same options: each option's share is 0 or 100 %."""
        del minimum
        if not counts:
            return False
        codes = {code for code, _flag in counts}
        return all(not (counts.get((c, 0)) and counts.get((c, 1))) for c in codes)

    def chosen(self, counts, code):
        return counts.get((code, 1), 0)


class Quantiles(Summariser):
    """number: median and quartiles (type 7, docs/statistics.md) from the counts per value;
    the sector's are raw at each level and over all levels (no mix adjustment)."""

    unit = "number"
    explanation = N_("De mediaan en de kwartielen van de antwoorden (de helft van de "
                     "scholen zit tussen het eerste en het derde kwartiel).")
    STATISTICS = (("median", N_("mediaan"), 0.5), ("q1", N_("eerste kwartiel"), 0.25),
                  ("q3", N_("derde kwartiel"), 0.75))

    def question(self, item, section):
        return Question(item.key, item.type, item.number, str(item.text), str(item.label),
                        section, (Option(0, "", item.slot),),
                        str(item.unit) if item.unit else None)

    def counts(self, question, raw):
        return {value: n for value, n in raw.get(question.options[0].slot, {}).items() if n}

    def lines(self, question, own, sector, groups, weights):
        out = []
        for statistic, label, p in self.STATISTICS:
            cells = {g: Cell(quantile(own[g], p) if group.n else None, None, None, None,
                             quantile(sector[g], p) if group.sector_n else None)
                     for g, group in groups.items()}
            out.append(Line(_(label), statistic, cells, None, question.options[0].slot))
        return tuple(out)


SUMMARISERS: dict[str, Summariser] = {
    "single": Distribution(), "yesno": Distribution(), "multi": Shares(),
    "number": Quantiles(),
}


def _share(k: int, n: int | None) -> float | None:
    return 100 * k / n if n else None


# --- From the cube to the summaries -----------------------------------------------------


def index(cube: Cube, slots: set[int]) -> dict[tuple[str, str], dict[int, dict[int, int]]]:
    """(centre, level) -> slot -> code -> count, for the given slots: one pass over the
    cube for every question of a sheet."""
    out: dict = defaultdict(lambda: defaultdict(dict))
    for (centre, level, slot, code), n in cube.items():
        if slot in slots and n:
            out[(centre, level)][slot][code] = n
    return out


def summarise(questions: Sequence[Question], cube: Cube, centre: str, minimum: int,
              sector_cube: Cube | None = None, min_centres: int = 1,
              few_text: str = "") -> list[Summary]:
    """The summaries of one CLB's sheet. The sector is every other CLB in `sector_cube`
    (the reference round's, or the round's own). Suppression as for statements: a group
    with fewer than `minimum` respondents to the question, or whose answers tell every
    school's answer, is hidden, and so is a shown level when the hidden ones could be
    worked out from the total; the sector's groups likewise, and a sector figure needs
    respondents from at least `min_centres` other CLBs (feedback.centre_rows)."""
    if not questions:
        return []
    slots = {s for q in questions for s in q.slots}
    own_index = index(cube, slots)
    sector_index = own_index if sector_cube is None else index(sector_cube, slots)
    return [_summary(q, own_index, sector_index, centre, minimum, min_centres, few_text)
            for q in questions]


def _summary(question, own_index, sector_index, centre, minimum, min_centres,
             few_text) -> Summary:
    summariser = question.summariser
    own = {lv: summariser.counts(question, own_index.get((centre, lv), {})) for lv in LEVELS}
    sector_raw: dict[str, dict[int, dict[int, int]]] = {
        lv: defaultdict(lambda: defaultdict(int)) for lv in LEVELS}
    others: dict[str, set[str]] = {lv: set() for lv in LEVELS}
    for (c, lv), by_slot in sector_index.items():
        if c == centre or lv not in sector_raw:
            continue
        counts = summariser.counts(question, by_slot)
        if summariser.respondents(counts):
            others[lv].add(c)
        for slot, codes in by_slot.items():
            for code, n in codes.items():
                sector_raw[lv][slot][code] += n
    sector = {lv: summariser.counts(question, sector_raw[lv]) for lv in LEVELS}
    own[TOTAL], sector[TOTAL] = combined(own, LEVELS), combined(sector, LEVELS)
    own_n = {g: summariser.respondents(own[g]) for g in GROUPS}
    sector_n = {g: summariser.respondents(sector[g]) for g in GROUPS}

    def hide(n, counts):
        parts = {lv: n[lv] for lv in LEVELS}
        return suppressed(n[TOTAL], parts, minimum, {lv: v > 0 for lv, v in parts.items()},
                          {lv: counts[lv] for lv in LEVELS}, summariser.revealing)

    hidden, sector_hidden = hide(own_n, own), hide(sector_n, sector)
    too_few = {lv for lv in LEVELS if 0 < len(others[lv]) < min_centres}
    left_out = set().union(*(others[lv] for lv in too_few))
    total_too_few = (len(set().union(*others.values())) < min_centres
                     or 0 < len(left_out) < min_centres)
    if total_too_few and sector_n[TOTAL] > 0:
        sector_hidden.add(TOTAL)
    needed = {lv for lv in LEVELS if own_n[lv] > 0}
    groups = {}
    for g in GROUPS:
        if g == TOTAL:
            reason = (total_too_few and sector_n[TOTAL] > 0) or bool(needed & too_few)
        else:
            reason = g in too_few
        sector_shown = g not in sector_hidden and g not in too_few
        groups[g] = Group(g, None if g in hidden else own_n[g],
                          sector_n[g] if sector_shown else None,
                          few_text if reason else None)
    weights = {lv: own_n[lv] for lv in LEVELS}
    lines = summariser.lines(question, own, sector, groups, weights)
    return Summary(question, summariser.unit, _(summariser.explanation), groups, lines)


# --- The tidy "Data" sheet --------------------------------------------------------------

QUESTION_COLUMNS = ["question", "question_type", "option", "option_label", "statistic",
                    "count", "value", "sector_value", "sector_value_adjusted"]


def data_rows(keys: Sequence, summaries: Sequence[Summary], width: int) -> list[list]:
    """Rows for the "Data" sheet after the statements': one per level, question and option
    (or statistic). `keys` are round, centre number and name; `width` the statements'
    columns (see feedback.DATA_COLUMNS), of which a question row fills level, item (the
    slot), n, ci_low, ci_high, sector_note and suppressed, then QUESTION_COLUMNS. A hidden
    group keeps its keys and leaves every figure empty."""
    out = []
    for summary in summaries:
        q = summary.question
        for line in summary.lines:
            for g in GROUPS:
                group, cell = summary.groups[g], line.cells[g]
                row = [*keys, g, line.slot] + [None] * (width - len(keys) - 2)
                extra = [q.key, q.type, line.code, line.label if line.code is not None
                         else None, line.statistic]
                if group.hidden:
                    row[-1] = True
                    row[-2] = group.sector_reason
                    out.append(row + extra + [None] * 4)
                    continue
                row[len(keys) + 2] = group.n
                row[-6], row[-5] = _r(cell.ci_low), _r(cell.ci_high)
                row[-2], row[-1] = group.sector_reason, False
                out.append(row + extra + [cell.count, _r(cell.value, 2), _r(cell.sector, 2),
                                          _r(cell.sector_adjusted, 2)])
    return out


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
