"""What changed for each CLB between two readings of a round's report inputs (a frozen
version and the live data, or two versions): its responses per level, the remarks added
and removed, and the statements whose figures as shown changed (the CLB's own per level,
hidden or not, and the sector's beside them, as the sheet rounds them).

Plain data in and out: an input is anything with the fields of services/reports.RoundData
(info, layout, cube, sector_cube, inputs). No Flask, no models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from . import content
from .feedback import Row, centre_rows
from .layout import Layout


class Inputs(Protocol):
    info: content.RoundInfo
    layout: Layout
    cube: Mapping
    sector_cube: Mapping | None
    inputs: Mapping[str, content.CentreInput]


@dataclass(frozen=True)
class LevelChange:
    level: str
    invited: tuple[int, int]        # (before, after)
    responded: tuple[int, int]


@dataclass(frozen=True)
class StatementChange:
    number: int                     # its slot
    title: str                      # "4. Bereikbaarheid", as the sheet titles it
    tag: str = ""                   # "4", or its label when it has no number


@dataclass
class CentreChange:
    number: str
    name: str
    added: bool = False             # in the new reading only
    removed: bool = False           # in the old reading only
    levels: list[LevelChange] = field(default_factory=list)
    remarks_added: list[content.Remark] = field(default_factory=list)
    remarks_removed: list[content.Remark] = field(default_factory=list)
    statements: list[StatementChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.levels or self.remarks_added
                    or self.remarks_removed or self.statements)


@dataclass(frozen=True)
class RoundChanges:
    centres: tuple[CentreChange, ...]     # the CLBs with a change, in CLB-number order

    @property
    def changed(self) -> bool:
        return bool(self.centres)

    def of(self, number: str) -> CentreChange | None:
        return next((c for c in self.centres if c.number == number), None)


def _pct(value: float | None) -> str:
    return content.fmt_pct(value)


def shown(row: Row) -> tuple:
    """A row as the reader sees it: hidden, or its counts, % agree and mean as printed;
    the sector's raw and adjusted % and the verdict beside it (or why there is none)."""
    own = None if row.figures is None else (
        tuple(sorted(row.figures.counts.items())), _pct(row.figures.pct_agree),
        None if row.figures.mean is None else f"{row.figures.mean:.1f}")
    return (row.level, own, _pct(row.sector_pct), _pct(row.sector_adjusted_pct),
            row.verdict, row.sector_reason)


def _rows(data: Inputs, number: str) -> dict[int, list[tuple]]:
    info, layout = data.info, data.layout
    out: dict[int, list[tuple]] = {}
    for row in centre_rows(data.cube, number, layout.numbers, info.minimum, layout.scale,
                           data.sector_cube, info.min_centres, layout.scales):
        out.setdefault(row.item, []).append(shown(row))
    return out


def _remarks(given: content.CentreInput | None) -> Counter:
    return Counter((r.section, r.text) for r in given.remarks) if given else Counter()


def centre_changes(old: Inputs, new: Inputs, number: str) -> CentreChange:
    """What changed for one CLB from `old` to `new`."""
    before, after = old.inputs.get(number), new.inputs.get(number)
    name = (after or before).centre.name if (after or before) else number
    change = CentreChange(number, name, added=before is None and after is not None,
                          removed=after is None and before is not None)
    empty: Mapping[str, int] = {}
    levels = sorted({*(before.invited if before else empty),
                     *(after.invited if after else empty),
                     *(before.responded if before else empty),
                     *(after.responded if after else empty)},
                    key=lambda lv: (content.LEVELS.index(lv) if lv in content.LEVELS
                                    else len(content.LEVELS), lv))
    for level in levels:
        invited = ((before.invited if before else empty).get(level, 0),
                   (after.invited if after else empty).get(level, 0))
        responded = ((before.responded if before else empty).get(level, 0),
                     (after.responded if after else empty).get(level, 0))
        if invited[0] != invited[1] or responded[0] != responded[1]:
            change.levels.append(LevelChange(level, invited, responded))
    was, now = _remarks(before), _remarks(after)
    change.remarks_added = [content.Remark(s, t) for s, t in sorted((now - was).elements())]
    change.remarks_removed = [content.Remark(s, t)
                              for s, t in sorted((was - now).elements())]
    old_rows = _rows(old, number) if before else {}
    new_rows = _rows(new, number) if after else {}
    for slot in new.layout.numbers:
        if old_rows.get(slot) != new_rows.get(slot):
            statement = new.layout.statements[slot]
            change.statements.append(StatementChange(slot, statement.title,
                                                     statement.tag or statement.label))
    return change


def round_changes(old: Inputs, new: Inputs,
                  numbers: list[str] | None = None) -> RoundChanges:
    """Every CLB's changes (or those of `numbers`), keeping only the CLBs with one."""
    wanted = numbers if numbers is not None else sorted({*old.inputs, *new.inputs})
    found = (centre_changes(old, new, number) for number in wanted)
    return RoundChanges(tuple(c for c in found if c.changed))
