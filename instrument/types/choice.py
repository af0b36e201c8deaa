"""single (one choice from a list, optionally with an "anders, namelijk" text) and yesno
(ja = 1, nee = 2). Both can steer routing."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from ..model import Choice
from ..text import LocalText
from .base import ItemType

YES, NO = 1, 2


class Single(ItemType):
    name = "single"
    title = "Eén keuze"
    fields = frozenset({"choices", "other"})
    categorical = True
    routable = True
    macro = "single"

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        choices, list_name = context.choices(v, at, entry.get("choices"))
        return {"choices": choices, "choice_list": list_name,
                "other": v.boolean(at, entry, "other", False)}

    def dump(self, item, storage, language) -> dict[str, Any]:
        out: dict[str, Any] = {"choices": item.choice_list or [
            {"code": c.code, "label": c.label.raw(language)} for c in item.choices]}
        if item.other:
            out["other"] = True
        return out

    def form_fields(self, item):
        from wtforms import RadioField, StringField
        from wtforms.fields.choices import SelectChoice
        from wtforms.validators import Length, Optional
        name = self.field_name(item)
        fields = {name: RadioField(item.display_label(), validators=[Optional()], coerce=str,
                                   choices=[SelectChoice(str(c.code), c.label)
                                            for c in item.choices])}
        if item.other:
            fields[f"{name}__anders"] = StringField(
                _("Anders, namelijk"), validators=[Optional(), Length(max=500)])
        return fields


class YesNo(Single):
    name = "yesno"
    title = "Ja of nee"
    fields = frozenset()
    macro = "yesno"
    CHOICES = (Choice(YES, LocalText("Ja")), Choice(NO, LocalText("Nee")))

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        return {"choices": self.CHOICES}

    def dump(self, item, storage, language) -> dict[str, Any]:
        return {}
