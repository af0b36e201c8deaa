"""The checks of single fields of a questionnaire file (a text, a slug, a whole number,
a boolean, a list of tables), each reporting its fault with the place it is at; the loader
reads the parts of a questionnaire with them."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .i18n import _
from .text import LocalText

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_KEY = 32    # a key plus "-anders" fits the remark key column (40 characters)


class FieldChecks:
    def __init__(self, place=None):
        self.problems: list[str] = []
        self.place = place
        self.names: dict[str, str] = {}
        self.languages: tuple[str, ...] = ("nl",)
        self.legacy = False

    # -- the helpers every part uses --
    def fail(self, path: str, message: str, field: str | None = None) -> None:
        where = self.place(path, field) if self.place else None
        if where is None:
            where = path + (f" ({self.names[path]})" if path in self.names else "")
        self.problems.append(f"{where}: {message}")

    def keys(self, path: str, data: Mapping, allowed) -> None:
        for key in sorted(set(data) - set(allowed)):
            self.fail(path, _("onbekend veld '%(key)s'", key=key), key)

    def text(self, path: str, data: Mapping, name: str, *, required=True) -> LocalText:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, _("veld '%(name)s' ontbreekt", name=name), name)
            return LocalText("")
        if isinstance(value, Mapping):
            default = self.languages[0]
            extra = sorted(set(value) - set(self.languages))
            if extra:
                self.fail(path, _("veld '%(name)s': taal %(extra)s staat niet in 'languages'",
                                  name=name, extra=repr(extra[0])),
                          name)
            texts = {k: v.strip() for k, v in value.items() if isinstance(v, str)}
            if len(texts) != len(value):
                self.fail(path, _("veld '%(name)s': elke taal moet een tekst hebben",
                                  name=name), name)
            if not texts.get(default):
                if required or texts:
                    self.fail(path, _("veld '%(name)s' mist de tekst in de standaardtaal "
                                    "%(default)s", name=name, default=repr(default)), name)
                return LocalText("")
            return LocalText(texts[default], {k: t for k, t in texts.items() if k != default})
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, _("veld '%(name)s' moet een niet-lege tekst zijn", name=name), name)
            return LocalText("")
        return LocalText(value.strip())

    def slug(self, path: str, data: Mapping, name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            self.fail(path, _("veld '%(name)s' ontbreekt", name=name), name)
            return ""
        if not SLUG.match(value):
            self.fail(path, _("veld '%(name)s' = %(value)s mag alleen kleine letters, cijfers en "
                            "- bevatten", name=name, value=repr(value)), name)
        elif len(value) > MAX_KEY:
            self.fail(path, _("veld '%(name)s' is hoogstens %(max_key)s tekens lang",
                              name=name, max_key=MAX_KEY), name)
        return value

    def integer(self, path: str, data: Mapping, name: str, *, required: bool,
                low: int | None = None, high: int | None = None) -> int | None:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, _("veld '%(name)s' ontbreekt", name=name), name)
            return None
        if not isinstance(value, int) or isinstance(value, bool) or (
                low is not None and value < low) or (high is not None and value > high):
            if low is None and high is None:
                message = _("veld '%(name)s' moet een geheel getal zijn", name=name)
            elif high is None:
                message = _("veld '%(name)s' moet een geheel getal van %(low)s zijn",
                            name=name, low=low)
            elif low is None:
                message = _("veld '%(name)s' moet een geheel getal tot en met %(high)s zijn",
                            name=name, high=high)
            else:
                message = _("veld '%(name)s' moet een geheel getal van %(low)s tot en met "
                            "%(high)s zijn", name=name, low=low, high=high)
            self.fail(path, message, name)
            return None
        return value

    def boolean(self, path: str, data: Mapping, name: str, default: bool) -> bool:
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.fail(path, _("veld '%(name)s' moet true of false zijn", name=name), name)
            return default
        return value

    def table_list(self, path: str, data: Mapping, name: str, *, required=True) -> list:
        value = data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(path, _("'%(name)s' moet een niet-lege lijst van tabellen zijn",
                              name=name), name)
            return []
        good = [x for x in value if isinstance(x, Mapping)]
        if len(good) != len(value):
            self.fail(path, _("elk element van '%(name)s' moet een tabel zijn", name=name), name)
        return good
