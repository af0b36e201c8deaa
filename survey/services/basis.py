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
(respond.js). Pure Python on plain values; the answer service applies it under its write
lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..cleantext import free_text
from ..questionnaire import Item, Questionnaire

Basis = dict[str, str]


def answer_token(value: int | None) -> str:
    return "" if value is None else str(value)


def text_token(text: str) -> str:
    """A remark's token: a hash, so the page does not carry every remark twice."""
    return "#" + hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def token(item: Item, raw: str) -> str:
    """The token of a value as posted for one field, once stored as the service stores it."""
    if item.type == "statement":
        return raw.strip()
    return text_token(free_text(raw))


def of_draft(q: Questionnaire, answers: dict[int, int], remarks: dict[str, str]) -> Basis:
    out = {}
    for item in q.items:
        if item.type == "statement":
            out[item.field_name] = answer_token(answers.get(item.number))
        else:
            out[item.field_name] = text_token(remarks.get(item.key, ""))
    return out


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


def merge(q: Questionnaire, basis: Basis, answers: dict[int, int | None],
          remarks: dict[str, str], stored_answers: dict[int, int],
          stored_remarks: dict[str, str]
          ) -> tuple[dict[int, int | None], dict[str, str], list[Conflict]]:
    """What of a whole-page save to write, and the fields both tabs changed."""
    write_answers, write_remarks, conflicts = {}, {}, []
    for item in q.items:
        if item.type == "statement":
            if item.number not in answers:
                continue
            posted, stored = answers[item.number], stored_answers.get(item.number)
            seen, now, new = basis.get(item.field_name), answer_token(stored), \
                answer_token(posted)
        else:
            if item.key not in remarks:
                continue
            posted, stored = remarks[item.key], stored_remarks.get(item.key, "")
            seen, now, new = basis.get(item.field_name), text_token(stored), \
                text_token(posted)
        if seen is not None:  # without one (an old page) the posted value is written
            if new in (seen, now):
                continue  # unchanged in this tab, or already stored
            if now != seen:
                conflicts.append(Conflict(item, stored, posted))
                continue
        if item.type == "statement":
            write_answers[item.number] = posted
        else:
            write_remarks[item.key] = posted
    return write_answers, write_remarks, conflicts
