"""text: a free-text answer (the school questionnaire's remarks). Stored as a remark under
the item's key; an inspector reviews it before a CLB sees it."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from .base import ItemType, Variable, text_token


class Text(ItemType):
    name = "text"
    title = "Open vraag"
    fields = frozenset({"max_length"})
    macro = "text"
    answerable = False

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        limit = entry.get("max_length", 4000)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20000:
            v.fail(at, _("veld 'max_length' moet een geheel getal van 1 tot 20000 zijn"),
                   "max_length")
            limit = 4000
        return {"max_length": limit}

    def dump(self, item, storage, language) -> dict[str, Any]:
        return {"max_length": item.max_length} if item.max_length != 4000 else {}

    def field_name(self, item) -> str:
        return f"t_{item.key}"

    def slots(self, item) -> tuple[int, ...]:
        return ()

    def remark_keys(self, item) -> tuple[str, ...]:
        return (item.key,)

    def value_labels(self, item) -> dict[int, str]:
        return {}

    def form_fields(self, item):
        from wtforms import TextAreaField
        from wtforms.validators import Length, Optional
        return {self.field_name(item): TextAreaField(
            item.label, validators=[Optional(), Length(max=item.max_length)])}

    def initial(self, item, answers, remarks):
        return {self.field_name(item): remarks[item.key]} if item.key in remarks else {}

    def collect(self, item, formdata, clean):
        value = formdata.get(self.field_name(item))
        # posted empty clears the remark; not posted leaves it alone
        return {}, ({item.key: clean(value)} if value is not None else {}), []

    def form_values(self, item, answers, remarks) -> list[tuple[str, str]]:
        return [(self.field_name(item), remarks[item.key])] if item.key in remarks else []

    def answered(self, item, answers, remarks) -> bool:
        return bool(remarks.get(item.key))

    def display(self, item, answers, remarks) -> str | None:
        return remarks.get(item.key) or None

    def token(self, item, answers, remarks) -> str:
        return text_token(remarks.get(item.key, ""))

    def variables(self, item) -> list[Variable]:
        return [Variable(item.key, str(item.label), "string", "nominal", {}, (), self.name,
                         item.key)]

    def values(self, item, answers, remarks) -> list:
        return [remarks.get(item.key) or None]
