"""The model written back as the raw format-2 dict: the JSON a round stores (with its
slots) or the file an author downloads (without them: they are assigned the same way)."""

from __future__ import annotations

from typing import Any

from .model import FORMAT, Questionnaire, Scale, Section


def dump(q: Questionnaire, *, storage: bool = True) -> dict[str, Any]:
    """The raw format-2 dict of a questionnaire (see Questionnaire.to_dict)."""
    language = q.languages[0]
    out: dict[str, Any] = {"format": FORMAT, "id": q.id, "version": q.version,
                           "title": q.title.raw(language)}
    if q.intro:
        out["intro"] = q.intro.raw(language)
    if q.languages != ("nl",):
        out["languages"] = list(q.languages)

    def scale(s: Scale) -> dict:
        return {"agree": list(s.agree), "options": [
            {"code": o.code, "label": o.label.raw(language),
             **({} if o.substantive else {"substantive": False})} for o in s.options]}

    if "scale" in q.scales:
        out["scale"] = scale(q.scales["scale"])
    named = {name: scale(s) for name, s in q.scales.items() if name != "scale"}
    if named:
        out["scales"] = named
    if q.choice_lists:
        out["choices"] = {name: {"options": [{"code": c.code, "label": c.label.raw(language)}
                                             for c in choices]}
                          for name, choices in q.choice_lists.items()}
    if q.aspects:
        out["aspects"] = [{"id": a.id, "name": a.name.raw(language),
                           **({"code": a.code} if a.code is not None else {}),
                           **({"code_inferred": True} if a.code_inferred else {})}
                          for a in q.aspects]
    out["sections"] = [_dump_section(s, storage, language) for s in q.sections]
    return out


def _dump_section(section: Section, storage: bool, language: str) -> dict[str, Any]:
    out: dict[str, Any] = {"key": section.key, "title": section.title.raw(language)}
    if section.intro:
        out["intro"] = section.intro.raw(language)
    if section.scale:
        out["scale"] = section.scale
    if section.show_if:
        out["show_if"] = section.show_if.to_dict()
    out["items"] = []
    for item in section.items:
        entry: dict[str, Any] = {"type": item.type, "key": item.key}
        if item.number is not None:
            entry["number"] = item.number
        if item.text:
            entry["text"] = item.text.raw(language)
        if item.label and (item.label != item.text or item.type == "text"):
            entry["label"] = item.label.raw(language)
        if item.required:
            entry["required"] = True
        if item.show_if:
            entry["show_if"] = item.show_if.to_dict()
        entry.update(item.kind.dump(item, storage, language))
        if storage and item.slot is not None and item.slot != item.number:
            entry["slot"] = item.slot
        out["items"].append(entry)
    return out
