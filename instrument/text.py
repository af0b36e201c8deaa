"""Texts in more than one language: a LocalText is the text in the questionnaire's default
language (it *is* that str, so templates and reports use it as any string) and carries the
other languages beside it."""

from __future__ import annotations


class LocalText(str):
    translations: dict[str, str]

    def __new__(cls, text: str, translations: dict[str, str] | None = None):
        obj = super().__new__(cls, text)
        obj.translations = dict(translations or {})
        return obj

    def get(self, language: str | None) -> str:
        """The text in `language`, or in the default language when there is none."""
        return self.translations.get(language, str(self)) if language else str(self)

    def raw(self, default_language: str):
        """As written in a file: a plain string, or a table of languages."""
        if not self.translations:
            return str(self)
        return {default_language: str(self), **self.translations}

    def __reduce__(self):  # pickles (report workers) keep the translations
        return (LocalText, (str(self), self.translations))
