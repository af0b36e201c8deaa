"""What every item type knows, with the defaults most types share.

An item type reads and validates its own fields of a questionnaire file (parse), writes them
back (dump), says where its answers are stored (slots: integer codes in `answer`;
remark_keys: texts in `remark`), builds its WTForms fields, turns a posted form into stored
values (collect) and checks stored values (check), says whether it is answered, how it
reads on the printable copy, and which variables it gives an analyst (variables/values).
Answers travel as two plain dicts everywhere: `answers` {slot: code} and `remarks`
{key: text}; None in `answers` (or "" in `remarks`) clears a stored value.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..i18n import _

if TYPE_CHECKING:
    from ..loader import Context, Validator
    from ..model import Item

Answers = dict[int, int | None]
Remarks = dict[str, str]


@dataclass(frozen=True)
class Variable:
    """One column of the analysts' export (and one row of the codebook)."""

    name: str                   # from the item's key; the writer makes it SPSS-safe
    label: str                  # the question (multi: "question: option")
    kind: str                   # "numeric" or "string"
    measure: str                # "nominal", "ordinal" or "scale"
    value_labels: dict[int, str]
    missing: tuple[int, ...]
    question_type: str
    question_key: str


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,15}", re.ASCII)


def whole_number(value: str) -> int | None:
    """A posted whole number, or None: plain ASCII digits only (Python's int() would also
    take "1_0" as 10, Arabic-Indic digits or a thousand-digit string)."""
    value = value.strip()
    return int(value) if _WHOLE_NUMBER.fullmatch(value) else None


def text_token(text: str) -> str:
    """A text's token in a page's basis: a hash, so the page does not carry it twice."""
    return "#" + hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


class ItemType:
    name: ClassVar[str]
    title: ClassVar[str]            # Dutch, for the console and the codebook
    fields: ClassVar[frozenset[str]] = frozenset()   # its own keys in a file
    categorical: ClassVar[bool] = False   # counted by code in the counts cube
    routable: ClassVar[bool] = False      # may be the subject of a show_if
    answerable: ClassVar[bool] = True     # counts as a question to answer (texts do not)
    macro: ClassVar[str]                  # macro in templates/respond/_macros.html

    # -- the file --
    def parse(self, v: Validator, at: str, entry: dict, context: Context) -> dict[str, Any]:
        """The Item fields of this type read from `entry` (faults go to v.fail)."""
        return {}

    def dump(self, item: Item, storage: bool, language: str) -> dict[str, Any]:
        return {}

    def field_name(self, item: Item) -> str:
        return f"q_{item.key}"

    # -- storage --
    def slots(self, item: Item) -> tuple[int, ...]:
        return (item.slot,) if item.slot is not None else ()

    def remark_keys(self, item: Item) -> tuple[str, ...]:
        return (item.other_key,) if item.other else ()

    def value_labels(self, item: Item) -> dict[int, str]:
        return {c.code: c.label for c in item.choices}

    # -- the form --
    def form_fields(self, item: Item) -> dict[str, Any]:
        raise NotImplementedError

    def initial(self, item: Item, answers: dict[int, int], remarks: Remarks) -> dict[str, Any]:
        out = {}
        if item.slot is not None and item.slot in answers:
            out[self.field_name(item)] = str(answers[item.slot])
        if item.other and item.other_key in remarks:
            out[f"{self.field_name(item)}__anders"] = remarks[item.other_key]
        return out

    def collect(self, item: Item, formdata, clean) -> tuple[Answers, Remarks, list[str]]:
        """The stored values for what was posted. A field not posted is not touched; a
        radio posted empty is not touched either (nothing chosen); `clean` is the app's
        text rule for free text."""
        answers, remarks, problems = {}, {}, []
        value = formdata.get(self.field_name(item))
        if value is not None and value != "":
            code = whole_number(value)
            if code is None:
                problems.append(_("%(question)s: %(value)r is geen antwoord.",
                                  question=self.reference(item), value=value[:20]))
            else:
                answers[item.slot] = code
        self.collect_other(item, formdata, clean, remarks)
        return answers, remarks, problems

    def collect_other(self, item: Item, formdata, clean, remarks: Remarks) -> None:
        if item.other:
            text = formdata.get(f"{self.field_name(item)}__anders")
            if text is not None:
                remarks[item.other_key] = clean(text)

    def check(self, item: Item, slot: int, value: int) -> str | None:
        """A Dutch problem when `value` cannot be stored in `slot`, else None."""
        if value not in self.value_labels(item):
            return _("%(question)s: %(value)r is geen van de antwoorden.",
                     question=self.reference(item), value=value)
        return None

    def check_text(self, item: Item, key: str, text: str) -> str | None:
        limit = item.max_length if key == item.key else 500
        if len(text) > limit:
            return _("%(question)s: een antwoord mag hoogstens %(limit)s tekens lang zijn (nu "
                     "%(length)s).", question=self.reference(item), limit=limit, length=len(text))
        return None

    def chooses(self, item: Item, answers, codes: tuple[int, ...]) -> bool:
        """Whether the answers give this (routable) item one of `codes`: a show_if holds."""
        return answers.get(item.slot) in codes

    def check_complete(self, item: Item, answers: dict[int, int]) -> str | None:
        """A Dutch problem with the item's answers taken together (at submit), or None."""
        return None

    def answered(self, item: Item, answers: dict[int, int], remarks: Remarks) -> bool:
        return any(s in answers for s in self.slots(item)) or any(
            remarks.get(k) for k in self.remark_keys(item) if k == item.key)

    def display(self, item: Item, answers: dict[int, int], remarks: Remarks) -> str | None:
        """The answer as the printable copy shows it, or None when unanswered."""
        if item.slot is None or item.slot not in answers:
            return None
        text = self.value_labels(item).get(answers[item.slot], str(answers[item.slot]))
        other = remarks.get(item.other_key) if item.other else None
        return f"{text}: {other}" if other else text

    def token(self, item: Item, answers: dict[int, int], remarks: Remarks) -> str:
        """What the item shows on a page, as a short string: the page's draft basis."""
        parts = [str(answers.get(s, "")) for s in self.slots(item)]
        parts += [text_token(remarks.get(k, "")) for k in self.remark_keys(item)]
        return "|".join(parts)

    def form_values(self, item: Item, answers: dict[int, int], remarks: Remarks
                    ) -> list[tuple[str, str]]:
        """The inverse of collect(): the fields a browser posts for these stored values
        (tests, the benchmarks' simulated schools)."""
        name = self.field_name(item)
        out = [(name, str(answers[item.slot]))] if item.slot in answers else []
        if item.other and item.other_key in remarks:
            out.append((f"{name}__anders", remarks[item.other_key]))
        return out

    # -- the analysts' export --
    def variables(self, item: Item) -> list[Variable]:
        out = [Variable(item.key, str(item.text), "numeric", "nominal",
                        dict(self.value_labels(item)), (), self.name, item.key)]
        if item.other:
            out.append(self.other_variable(item))
        return out

    def other_variable(self, item: Item) -> Variable:
        return Variable(f"{item.key}_anders", f"{item.text}: anders, namelijk", "string",
                        "nominal", {}, (), self.name, item.key)

    def values(self, item: Item, answers: dict[int, int], remarks: Remarks) -> list:
        out: list = [answers.get(s) for s in self.slots(item)]
        if item.other:
            out.append(remarks.get(item.other_key) or None)
        return out

    @staticmethod
    def reference(item: Item) -> str:
        return _("Vraag %(number)s", number=item.number) if item.number is not None else \
            _("Vraag '%(label)s'", label=item.label)
