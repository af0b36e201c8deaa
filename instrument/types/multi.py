"""multi: several choices from a list, optionally with an "anders, namelijk" text.

Each option has a slot of its own: 1 ticked, 0 not. Once one option is ticked every option
is written (so "not ticked" is an answer and the share choosing an option has the schools
that answered the question as its denominator); nothing ticked clears them all (the
question is then unanswered). The form posts a marker with the group so that "nothing
ticked" can be told from "not on this page"."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from .base import Variable, whole_number
from .choice import Single

MARKER = "__getoond"
CHOSEN, NOT_CHOSEN = 1, 0


class Multi(Single):
    name = "multi"
    title = "Meerdere keuzes"
    fields = frozenset({"choices", "other", "min_choices", "max_choices", "slots"})
    routable = True
    macro = "multi"

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        out = super().parse(v, at, entry, context)
        count = len(out["choices"])
        low = v.integer(at, entry, "min_choices", required=False, low=1)
        high = v.integer(at, entry, "max_choices", required=False, low=1)
        if high is not None and count and high > count:
            v.fail(at, _("veld 'max_choices' is groter dan het aantal keuzes (%(count)s)",
                         count=count),
                   "max_choices")
        if low is not None and high is not None and low > high:
            v.fail(at, _("veld 'min_choices' is groter dan 'max_choices'"), "min_choices")
        out.update(min_choices=low, max_choices=high)
        return out

    def dump(self, item, storage, language) -> dict[str, Any]:
        out = super().dump(item, storage, language)
        if item.min_choices is not None:
            out["min_choices"] = item.min_choices
        if item.max_choices is not None:
            out["max_choices"] = item.max_choices
        if storage:
            out["slots"] = [c.slot for c in item.choices]
        return out

    def slots(self, item) -> tuple[int, ...]:
        return tuple(c.slot for c in item.choices)

    def slot_of(self, item, code: int) -> int | None:
        return next((c.slot for c in item.choices if c.code == code), None)

    def form_fields(self, item):
        from wtforms import SelectMultipleField, StringField, widgets
        from wtforms.fields.choices import SelectChoice
        from wtforms.validators import Length, Optional
        name = self.field_name(item)
        fields = {name: SelectMultipleField(
            item.display_label(), validators=[Optional()], coerce=str,
            choices=[SelectChoice(str(c.code), c.label) for c in item.choices],
            widget=widgets.ListWidget(prefix_label=False),
            option_widget=widgets.CheckboxInput())}
        if item.other:
            fields[f"{name}__anders"] = StringField(
                _("Anders, namelijk"), validators=[Optional(), Length(max=500)])
        return fields

    def initial(self, item, answers, remarks):
        name = self.field_name(item)
        out = {name: [str(c.code) for c in item.choices if answers.get(c.slot) == CHOSEN]}
        if item.other and item.other_key in remarks:
            out[f"{name}__anders"] = remarks[item.other_key]
        return out

    def collect(self, item, formdata, clean):
        name = self.field_name(item)
        answers, remarks, problems = {}, {}, []
        ticked = formdata.getlist(name) if hasattr(formdata, "getlist") else (
            [formdata[name]] if name in formdata else [])
        if len(ticked) > len(item.choices):
            # Only a hostile or broken client posts more boxes than the question has: one
            # message, not one per box.
            problems.append(_("%(question)s: er werden %(sent)s keuzes doorgestuurd, de vraag "
                              "heeft er %(count)s.", question=self.reference(item),
                              sent=len(ticked), count=len(item.choices)))
        elif ticked or formdata.get(name + MARKER) is not None:
            codes = set()
            for value in ticked:
                code = whole_number(value)
                if code is None:
                    problems.append(_("%(question)s: %(value)r is geen van de keuzes.",
                                      question=self.reference(item), value=value[:20]))
                elif code in codes:
                    problems.append(_("%(question)s: keuze %(code)s is twee keer aangeduid.",
                                      question=self.reference(item), code=code))
                else:
                    codes.add(code)
            known = {c.code for c in item.choices}
            problems += [_("%(question)s: %(value)r is geen van de keuzes.",
                           question=self.reference(item), value=code)
                         for code in sorted(codes - known)]
            for choice in item.choices:
                answers[choice.slot] = (CHOSEN if choice.code in codes else NOT_CHOSEN
                                        ) if codes else None
        self.collect_other(item, formdata, clean, remarks)
        return answers, remarks, problems

    def form_values(self, item, answers, remarks) -> list[tuple[str, str]]:
        name = self.field_name(item)
        out = [(name + MARKER, "1")] + [(name, str(code)) for code in self.chosen(item, answers)]
        if item.other and item.other_key in remarks:
            out.append((f"{name}__anders", remarks[item.other_key]))
        return out

    def check(self, item, slot, value) -> str | None:
        if value not in (CHOSEN, NOT_CHOSEN):
            return _("%(question)s: %(value)r is geen geldige keuze.",
                     question=self.reference(item), value=value)
        return None

    def check_complete(self, item, answers) -> str | None:
        chosen = sum(answers.get(c.slot) == CHOSEN for c in item.choices)
        if not chosen:
            return None
        if item.max_choices is not None and chosen > item.max_choices:
            return _("%(question)s: kies hoogstens %(count)s antwoorden.",
                     question=self.reference(item), count=item.max_choices)
        if item.min_choices is not None and chosen < item.min_choices:
            return _("%(question)s: kies minstens %(count)s antwoorden.",
                     question=self.reference(item), count=item.min_choices)
        return None

    def chooses(self, item, answers, codes) -> bool:
        return any(answers.get(c.slot) == CHOSEN for c in item.choices if c.code in codes)

    def answered(self, item, answers, remarks) -> bool:
        return any(answers.get(c.slot) == CHOSEN for c in item.choices)

    def chosen(self, item, answers) -> list[int]:
        return [c.code for c in item.choices if answers.get(c.slot) == CHOSEN]

    def display(self, item, answers, remarks) -> str | None:
        labels = [str(c.label) for c in item.choices if answers.get(c.slot) == CHOSEN]
        if not labels:
            return None
        other = remarks.get(item.other_key) if item.other else None
        return "; ".join(labels) + (f" (anders: {other})" if other else "")

    def variables(self, item) -> list[Variable]:
        out = [Variable(f"{item.key}_{c.code}", f"{item.display_label()}: {c.label}",
                        "numeric", "nominal", {CHOSEN: "gekozen", NOT_CHOSEN: "niet gekozen"},
                        (), self.name, item.key) for c in item.choices]
        if item.other:
            out.append(self.other_variable(item))
        return out


