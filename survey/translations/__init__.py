"""The message catalogues: messages.pot (every text), <language>/LC_MESSAGES/messages.po and
its compiled .mo; catalogues.py keeps them current (docs/translations.md)."""

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class LazyText(LazyString):
    """flask_babel's lazy string, but escaped when a template or WTForms renders it (its own
    __html__ hands the text over raw, so "CLB's" in a label would not be escaped)."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables) -> LazyText:
    """flask_babel.lazy_gettext, escaped in HTML like any other text."""
    return LazyText(gettext, string, **variables)
