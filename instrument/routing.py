"""Routing: which items a respondent sees, given the answers so far. The server decides
(this module); the page's script only mirrors it. An item is shown when its section's
show_if and its own hold; a show_if on an item that is itself hidden does not hold, so
hiding a question hides what depends on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Condition, Item, Questionnaire


def _holds(q: Questionnaire, condition: Condition | None, answers: Mapping[int, int],
           shown: set[str]) -> bool:
    if condition is None:
        return True
    if condition.item not in shown:
        return False
    subject = q.by_key[condition.item]
    return subject.kind.chooses(subject, answers, condition.codes)


def shown(q: Questionnaire, answers: Mapping[int, int]) -> set[str]:
    """The keys of the items shown for these answers ({slot: code})."""
    out: set[str] = set()
    if not q.has_routing:
        return {i.key for i in q.items}
    for section in q.sections:
        if not _holds(q, section.show_if, answers, out):
            continue
        for item in section.items:
            if _holds(q, item.show_if, answers, out):
                out.add(item.key)
    return out


def hidden_storage(q: Questionnaire, answers: Mapping[int, int]
                   ) -> tuple[list[int], list[str]]:
    """The slots and remark keys of the items hidden for these answers: what a submit
    keeps but never counts."""
    if not q.has_routing:
        return [], []
    visible = shown(q, answers)
    hidden = [i for i in q.items if i.key not in visible]
    return ([s for i in hidden for s in i.slots], [k for i in hidden for k in i.remark_keys])


@dataclass(frozen=True)
class Missing:
    required: tuple[Item, ...]     # shown, required and unanswered: no submit
    optional: tuple[Item, ...]     # shown, optional, unanswered (not texts): to confirm
    problems: tuple[str, ...]      # answers that do not fit together (too many choices)

    @property
    def blocks_submit(self) -> bool:
        return bool(self.required or self.problems)


def missing(q: Questionnaire, answers: Mapping[int, int], remarks: Mapping[str, str]
            ) -> Missing:
    """What is still open before a submit, among the items shown."""
    visible = shown(q, answers)
    required, optional, problems = [], [], []
    for item in q.items:
        if item.key not in visible:
            continue
        kind = item.kind
        if not kind.answered(item, answers, remarks):
            if item.required:
                required.append(item)
            elif kind.answerable:
                optional.append(item)
        elif (problem := kind.check_complete(item, answers)) is not None:
            problems.append(problem)
    return Missing(tuple(required), tuple(optional), tuple(problems))


def client_rules(q: Questionnaire) -> list[dict]:
    """The show_if rules for the page's script: per item or section, the fields and
    values that show it (the script never decides more than display)."""
    rules = []

    def rule(anchor: str, condition: Condition) -> dict:
        subject = q.by_key[condition.item]
        return {"target": anchor, "field": subject.field_name,
                "values": [str(c) for c in condition.codes],
                "after": condition.item}

    for section in q.sections:
        if section.show_if:
            rules.append(rule(f"deel-{section.key}", section.show_if))
        for item in section.items:
            if item.show_if:
                rules.append(rule(f"vraag-{item.key}", item.show_if))
    return rules
