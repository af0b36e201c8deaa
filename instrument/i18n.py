"""The engine's messages in the reader's language, without the engine knowing Flask.

Every message is written as `_("veld '%(name)s' ontbreekt", name=name)`: the Dutch text is
the catalogue's msgid (docs/translations.md), values are named parameters, never f-strings
inside _(). By default a message stays Dutch; the app installs its translator at start
(survey.create_app), which uses the request's language inside a request.
"""

from __future__ import annotations

from collections.abc import Callable


def _same(message: str) -> str:
    return message


_translate: Callable[[str], str] = _same


def install(translate: Callable[[str], str] | None) -> None:
    """Use `translate` (msgid -> text) for every message from now on; None: Dutch again."""
    global _translate
    _translate = translate or _same


def _(message: str, /, **values) -> str:
    """The message in the current language, its %(name)s parameters filled in."""
    text = _translate(message)
    return text % values if values else text


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; _() translates it where used."""
    return message
