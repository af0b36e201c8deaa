"""A form page's draft basis: what each field showed when the page was made, so that a
whole-page save from an old tab (or another device) cannot write old answers back.

A browser posts every checked radio and every text area of the page, changed or not. If
another tab saved since, those unchanged fields would silently revert the newer answers
and empty a remark written there. So the page carries its basis, per field a token: a
statement's code ("" when unanswered) or a short hash of a remark. On a whole-page save,
for each posted field:

- posted equals the basis: this tab did not change it, so it is left as stored;
- posted differs, and what is stored is still the basis (or already the posted value):
  only this tab changed it, so it is written;
- posted differs, and stored differs from both: both tabs changed it. Nothing is written
  for that field, the school sees both values and chooses (a Conflict).

The autosave of one field needs none of this: it sends only what the school just changed,
and its reply gives the field's new token so that the page's basis follows its own saves
(respond.js). Each item type gives its own token (instrument.types).
Pure Python on plain values; the answer service applies it under its write
lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext

from instrument.types.base import ItemType

from ..cleantext import free_text
from ..questionnaire import Item, Questionnaire

Basis = dict[str, str]


def answer_token(value: int | None) -> str:
    return "" if value is None else str(value)


def token(item: Item, raw) -> str:
    """The token of a value as posted for one field (the autosave), once stored as the
    service stores it."""
    answers, remarks, _ = item.kind.collect(item, raw, free_text)
    return item.kind.token(item, {k: v for k, v in answers.items() if v is not None},
                           remarks)


def of_draft(q: Questionnaire, answers: dict[int, int], remarks: dict[str, str]) -> Basis:
    return {item.field_name: item.kind.token(item, answers, remarks) for item in q.items}


def encode(basis: Basis) -> str:
    return json.dumps(basis, separators=(",", ":"), sort_keys=True)


def decode(raw: str | None) -> Basis | None:
    """The basis a page posted, or None (an old page, or a value that is not one): then
    the save writes what was posted, as before there was a basis."""
    if not raw or len(raw) > 100_000:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return None
    return data


@dataclass(frozen=True)
class Conflict:
    """One field changed both in this tab and elsewhere: the value stored meanwhile and the
    one this tab posted (a statement's code, or a remark's text)."""

    item: Item
    stored: int | str | None
    posted: int | str | None

    @property
    def stored_text(self) -> str:
        return in_words(self.item, self.stored)

    @property
    def posted_text(self) -> str:
        return in_words(self.item, self.posted)


def in_words(item: Item, value: int | str | None) -> str:
    """A conflicting value as the school reads it: a code's label, a number with its unit,
    the answer in words (multi, an "anders" text), or "geen antwoord"."""
    if value is None or value == "":
        return gettext("geen antwoord")
    if isinstance(value, str):
        return value
    label = item.codes.get(value)
    if label is not None:
        return str(label)
    return f"{value} {item.unit}" if item.unit else str(value)


def merge(q: Questionnaire, basis: Basis, answers: dict[int, int | None],
          remarks: dict[str, str], stored_answers: dict[int, int],
          stored_remarks: dict[str, str]
          ) -> tuple[dict[int, int | None], dict[str, str], list[Conflict]]:
    """What of a whole-page save to write, and the items both tabs changed. An item is
    compared as a whole (a multi's options and its other text together), by its token."""
    write_answers, write_remarks, conflicts = {}, {}, []
    for item in q.items:
        if _single_slot(item):
            # One stored code and the base token (the code as text): compared directly,
            # which is most items of most questionnaires and the whole of a submit's path.
            slot = item.slots[0]
            if slot not in answers:
                continue
            posted, stored = answers[slot], stored_answers.get(slot)
            seen = basis.get(item.field_name)
            if seen is not None:
                now, new = answer_token(stored), answer_token(posted)
                if new in (seen, now):
                    continue
                if now != seen:
                    conflicts.append(Conflict(item, stored, posted))
                    continue
            write_answers[slot] = posted
            continue
        posted_slots = {s: answers[s] for s in item.slots if s in answers}
        posted_texts = {k: remarks[k] for k in item.remark_keys if k in remarks}
        if not posted_slots and not posted_texts:
            continue
        kind = item.kind
        stored_view = ({s: stored_answers[s] for s in item.slots if s in stored_answers},
                       {k: stored_remarks[k] for k in item.remark_keys if k in stored_remarks})
        posted_view = ({**stored_view[0], **posted_slots}, {**stored_view[1], **posted_texts})
        posted_view = ({s: v for s, v in posted_view[0].items() if v is not None},
                       posted_view[1])
        seen = basis.get(item.field_name)
        now, new = kind.token(item, *stored_view), kind.token(item, *posted_view)
        if seen is not None:  # without one (an old page) the posted value is written
            if new in (seen, now):
                continue  # unchanged in this tab, or already stored
            if now != seen:
                conflicts.append(Conflict(item, _shown(item, *stored_view),
                                          _shown(item, *posted_view)))
                continue
        write_answers.update(posted_slots)
        write_remarks.update(posted_texts)
    return write_answers, write_remarks, conflicts


def _single_slot(item: Item) -> bool:
    """An item stored in one slot, without texts, whose type keeps the base token."""
    return len(item.slots) == 1 and not item.remark_keys and \
        type(item.kind).token is ItemType.token


def _shown(item: Item, answers: dict[int, int], remarks: dict[str, str]):
    """A conflicting value as the page shows it: a single-slot item's code, a text's
    text, or the item's answer in words."""
    if item.type == "text":
        return remarks.get(item.key, "")
    if len(item.slots) == 1 and not item.other:
        return answers.get(item.slots[0])
    return item.kind.display(item, answers, remarks)
