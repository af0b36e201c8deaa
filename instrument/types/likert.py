"""likert: a statement answered on a scale (the school questionnaire's statements). The
scale is the item's own, its section's, or the questionnaire's default; its codes 1..N are
scores, codes outside them (0: "geen zicht") are non-substantive and declared missing for
analysts."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from .base import ItemType, Variable


class Likert(ItemType):
    name = "likert"
    title = "Stelling op een schaal"
    fields = frozenset({"scale", "aspects"})
    categorical = True
    macro = "likert"

    def parse(self, v, at, entry, context) -> dict[str, Any]:
        scale_name = entry.get("scale", context.section_scale)
        if scale_name is None:
            scale_name = "scale"
        scale = context.scales.get(scale_name) if isinstance(scale_name, str) else None
        if scale is None:
            if scale_name == "scale":
                v.fail(at, _("er is geen schaal: geef [scale] of een 'scale' bij de vraag "
                             "of het deel"), "scale")
            else:
                v.fail(at, _("veld 'scale': onbekende schaal %(scale)r", scale=scale_name),
                       "scale")
        aspects = entry.get("aspects", [])
        if not isinstance(aspects, list) or not all(isinstance(a, str) for a in aspects):
            v.fail(at, _("veld 'aspects' moet een lijst van aspect-id's zijn"), "aspects")
            aspects = []
        for aspect in aspects:
            if aspect not in context.aspect_ids:
                v.fail(at, _("veld 'aspects': onbekend aspect %(aspect)r", aspect=aspect),
                       "aspects")
        return {"scale": scale, "aspects": tuple(aspects)}

    def dump(self, item, storage, language) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if item.scale is not None and item.scale.name != "scale":
            out["scale"] = item.scale.name
        if item.aspects:
            out["aspects"] = list(item.aspects)
        return out

    def field_name(self, item) -> str:
        return f"s{item.number}" if item.number is not None else f"q_{item.key}"

    def value_labels(self, item) -> dict[int, str]:
        return item.scale.labels if item.scale else {}

    def check(self, item, slot, value) -> str | None:
        if value not in item.scale.codes:
            return _("%(question)s: %(value)r is geen antwoord op de schaal.",
                     question=self.reference(item), value=value)
        return None

    @staticmethod
    def reference(item) -> str:
        return _("Stelling %(number)s", number=item.number) if item.number is not None else \
            _("Stelling '%(label)s'", label=item.label)

    def form_fields(self, item):
        from wtforms import RadioField
        from wtforms.fields.choices import SelectChoice
        from wtforms.validators import Optional
        choices = [SelectChoice(str(o.code), o.label) for o in item.scale.options]
        return {self.field_name(item): RadioField(item.display_label(), choices=choices,
                                                  validators=[Optional()], coerce=str)}

    def variables(self, item) -> list[Variable]:
        scale = item.scale
        missing = tuple(o.code for o in scale.options if not o.substantive)
        return [Variable(item.key, item.display_label(), "numeric", "ordinal",
                         dict(scale.labels), missing, self.name, item.key)]
