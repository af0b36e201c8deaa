"""number: a whole number within bounds (a count, a 0-10 rating). Stored as the number
itself; reports give median and quartiles from the kept counts per value, which the
bounds keep small (at most 100,001 values, in practice a few dozen)."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from .base import ItemType, Variable, whole_number

MAX_SPAN = 100_000


class Number(ItemType):
    name = "number"
    title = "Getal"
    fields = frozenset({"min", "max", "unit"})
    categorical = True     # counted per value: the summary's quantiles need no more
    macro = "number"

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        low = v.integer(at, entry, "min", required=True)
        high = v.integer(at, entry, "max", required=True)
        if low is not None and high is not None:
            if low > high:
                v.fail(at, _("veld 'min' moet kleiner zijn dan of gelijk aan 'max'"), "min")
            elif high - low > MAX_SPAN:
                v.fail(at, _("'min' en 'max' liggen hoogstens %(span)s uit elkaar",
                             span=MAX_SPAN), "max")
        return {"minimum": low, "maximum": high,
                "unit": v.text(at, entry, "unit", required=False) or None}

    def dump(self, item, storage, language) -> dict[str, Any]:
        out: dict[str, Any] = {"min": item.minimum, "max": item.maximum}
        if item.unit:
            out["unit"] = item.unit.raw(language)
        return out

    def value_labels(self, item) -> dict[int, str]:
        return {}

    def form_fields(self, item):
        from wtforms import IntegerField
        from wtforms.validators import NumberRange, Optional
        return {self.field_name(item): IntegerField(
            item.display_label(),
            validators=[Optional(), NumberRange(item.minimum, item.maximum)])}

    def collect(self, item, formdata, clean):
        answers, problems = {}, []
        value = formdata.get(self.field_name(item))
        if value is not None:
            value = value.strip()
            if value == "":
                answers[item.slot] = None     # the box emptied: the answer is cleared
            else:
                number = whole_number(value)
                if number is None:
                    problems.append(_("%(question)s: %(value)r is geen geheel getal.",
                                      question=self.reference(item), value=value[:20]))
                else:
                    answers[item.slot] = number
        return answers, {}, problems

    def check(self, item, slot, value) -> str | None:
        if not item.minimum <= value <= item.maximum:
            return _("%(question)s: geef een geheel getal van %(minimum)s tot en met %(maximum)s.",
                     question=self.reference(item), minimum=item.minimum, maximum=item.maximum)
        return None

    def display(self, item, answers, remarks) -> str | None:
        if item.slot not in answers:
            return None
        return f"{answers[item.slot]} {item.unit}" if item.unit else str(answers[item.slot])

    def variables(self, item) -> list[Variable]:
        return [Variable(item.key, item.display_label(), "numeric", "scale", {}, (),
                         self.name, item.key)]
