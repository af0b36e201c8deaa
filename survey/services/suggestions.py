"""Theme suggestions from keyword rules, and how well they matched the inspectors' tags.

Plain Python (no database): a theme's rules are compiled once into one regular expression
over the remark's folded words, so proposing themes for thousands of remarks takes
milliseconds. The console only proposes; an inspector accepts (services/themes.py).

Rule syntax (a theme's `keywords`, one rule a line; RULE_HELP says it in Dutch):
- a word matches that whole word: `wachttijd` matches "wachttijd", not "wachttijden";
- `*` stands for any letters (none included): `wacht*` matches "wachten", "wachttijden";
  `*wissel*` matches "personeelswissels";
- several words are a phrase, matched in this order next to each other: `kort op de bal`;
- a line starting with `-` excludes: a remark matching it is never proposed for the theme;
- an empty line or one starting with `#` is ignored.
Case and accents do not count ("Discontinuïteit" = "discontinuiteit"); punctuation and
hyphens separate words, in rules and remarks alike (`CLB-medewerker` is the phrase
"clb medewerker").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext

from ..translations import lazy_gettext

MAX_RULES = 200          # per theme: a codebook is read by people, not generated
WORD = re.compile(r"[^\W_]+")
RULE_HELP = lazy_gettext(
    "Eén regel per lijn. Een woord vindt dat hele woord; * staat voor om het even welke "
    "letters (wacht* vindt wachten en wachttijden, *wissel* vindt personeelswissels). "
    "Meer woorden op een lijn vinden die woorden na elkaar (kort op de bal). Een lijn die "
    "met - begint sluit uit: een opmerking die ze bevat krijgt dit thema nooit "
    "voorgesteld. Hoofdletters en accenten tellen niet mee; lijnen die met # beginnen "
    "zijn commentaar.")


class RuleError(ValueError):
    """A rule that cannot be read; the message is for the user (Dutch)."""


def fold(text: str) -> str:
    """The text as rules see it: lower case, accents off, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(WORD.findall(plain))


ANY_WORD = r"[^ ]+"


def _pattern(line: str, number: int) -> str:
    """One rule as a pattern over folded text (words separated by one space)."""
    pieces = []
    for raw in line.split():
        # "clb-medewerker*": fold each part between stars, keep the stars where they were
        parts = [fold(part) for part in raw.split("*")]
        if any(parts):
            pieces.append(r"[^ ]*".join(re.escape(part).replace(r"\ ", " ")
                                        for part in parts))
        elif "*" in raw:
            pieces.append(ANY_WORD)          # a lone * is any one word
        # a piece of punctuation alone separates nothing more: left out
    if all(piece == ANY_WORD for piece in pieces):
        raise RuleError(gettext("Regel %(number)s bevat geen woord.", number=number))
    return " ".join(pieces)


@dataclass(frozen=True)
class Rules:
    """A theme's compiled rules: `find` any including rule, `block` any excluding one."""

    find: re.Pattern | None
    block: re.Pattern | None

    def matches(self, folded: str) -> bool:
        if self.find is None or not self.find.search(folded):
            return False
        return self.block is None or not self.block.search(folded)


def _union(patterns: list[str]) -> re.Pattern | None:
    if not patterns:
        return None
    return re.compile(r"(?<![^ ])(?:" + "|".join(patterns) + r")(?![^ ])")


def compile_rules(text: str) -> Rules:
    """A theme's keywords as Rules; RuleError names the first unreadable line."""
    find, block = [], []
    lines = [line.strip() for line in (text or "").splitlines()]
    rules = [(number, line) for number, line in enumerate(lines, start=1)
             if line and not line.startswith("#")]
    if len(rules) > MAX_RULES:
        raise RuleError(gettext("Hoogstens %(maximum)s regels per thema.", maximum=MAX_RULES))
    for number, line in rules:
        if line.startswith("-"):
            block.append(_pattern(line[1:], number))
        else:
            find.append(_pattern(line, number))
    return Rules(_union(find), _union(block))


def check_rules(text: str) -> None:
    """Raise RuleError when a rule cannot be read (the theme form's check)."""
    compile_rules(text)


def codebook_rules(keywords: Mapping[int, str]) -> dict[int, Rules]:
    """theme id -> its Rules; a theme whose stored rules no longer compile proposes
    nothing (they were checked when saved, so this only guards old rows)."""
    out = {}
    for theme_id, text in keywords.items():
        try:
            out[theme_id] = compile_rules(text)
        except RuleError:
            out[theme_id] = Rules(None, None)
    return out


def suggest(rules: Mapping[int, Rules], text: str) -> tuple[int, ...]:
    """The themes (ids, in the order of `rules`) whose rules match the text."""
    folded = fold(text)
    return tuple(theme_id for theme_id, theme_rules in rules.items()
                 if theme_rules.matches(folded))


@dataclass(frozen=True)
class Agreement:
    """Suggestions against the inspectors' tags: true positives (proposed and tagged),
    false positives (proposed, not tagged), false negatives (tagged, not proposed)."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        proposed = self.true_positives + self.false_positives
        return self.true_positives / proposed if proposed else None

    @property
    def recall(self) -> float | None:
        tagged = self.true_positives + self.false_negatives
        return self.true_positives / tagged if tagged else None


@dataclass(frozen=True)
class Quality:
    """How the suggestions matched over `remarks` remarks: overall and per theme id."""

    remarks: int
    overall: Agreement
    per_theme: dict[int, Agreement]


def quality(rules: Mapping[int, Rules],
            tagged: Iterable[tuple[str, frozenset[int]]]) -> Quality:
    """tagged: (text, its themes) of each remark an inspector tagged by hand. Every
    (remark, theme) pair counts once: micro-averaged precision and recall."""
    counts = {theme_id: [0, 0, 0] for theme_id in rules}
    remarks = 0
    for text, themes in tagged:
        remarks += 1
        proposed = set(suggest(rules, text))
        for theme_id in proposed | set(themes):
            if theme_id not in counts:
                continue
            index = 0 if theme_id in proposed and theme_id in themes else (
                1 if theme_id in proposed else 2)
            counts[theme_id][index] += 1
    per_theme = {theme_id: Agreement(*values) for theme_id, values in counts.items()}
    overall = Agreement(*(sum(values[i] for values in counts.values()) for i in range(3)))
    return Quality(remarks, overall, per_theme)
