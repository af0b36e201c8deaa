"""The checks of single fields of a questionnaire file (a text, a slug, a whole number,
a boolean, a list of tables), each reporting its fault with the place it is at; the loader
reads the parts of a questionnaire with them."""

from __future__ import annotations

import re
from collections.abc import Mapping

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
            self.fail(path, f"onbekend veld '{key}'", key)

    def text(self, path: str, data: Mapping, name: str, *, required=True) -> LocalText:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, f"veld '{name}' ontbreekt", name)
            return LocalText("")
        if isinstance(value, Mapping):
            default = self.languages[0]
            extra = sorted(set(value) - set(self.languages))
            if extra:
                self.fail(path, f"veld '{name}': taal {extra[0]!r} staat niet in 'languages'",
                          name)
            texts = {k: v.strip() for k, v in value.items() if isinstance(v, str)}
            if len(texts) != len(value):
                self.fail(path, f"veld '{name}': elke taal moet een tekst hebben", name)
            if not texts.get(default):
                if required or texts:
                    self.fail(path, f"veld '{name}' mist de tekst in de standaardtaal "
                                    f"{default!r}", name)
                return LocalText("")
            return LocalText(texts[default], {k: t for k, t in texts.items() if k != default})
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, f"veld '{name}' moet een niet-lege tekst zijn", name)
            return LocalText("")
        return LocalText(value.strip())

    def slug(self, path: str, data: Mapping, name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            self.fail(path, f"veld '{name}' ontbreekt", name)
            return ""
        if not SLUG.match(value):
            self.fail(path, f"veld '{name}' = {value!r} mag alleen kleine letters, cijfers en "
                            f"- bevatten", name)
        elif len(value) > MAX_KEY:
            self.fail(path, f"veld '{name}' is hoogstens {MAX_KEY} tekens lang", name)
        return value

    def integer(self, path: str, data: Mapping, name: str, *, required: bool,
                low: int | None = None, high: int | None = None) -> int | None:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, f"veld '{name}' ontbreekt", name)
            return None
        if not isinstance(value, int) or isinstance(value, bool) or (
                low is not None and value < low) or (high is not None and value > high):
            bounds = ("" if low is None else f" van {low}") + (
                "" if high is None else f" tot en met {high}")
            self.fail(path, f"veld '{name}' moet een geheel getal{bounds} zijn", name)
            return None
        return value

    def boolean(self, path: str, data: Mapping, name: str, default: bool) -> bool:
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.fail(path, f"veld '{name}' moet true of false zijn", name)
            return default
        return value

    def table_list(self, path: str, data: Mapping, name: str, *, required=True) -> list:
        value = data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(path, f"'{name}' moet een niet-lege lijst van tabellen zijn", name)
            return []
        good = [x for x in value if isinstance(x, Mapping)]
        if len(good) != len(value):
            self.fail(path, f"elk element van '{name}' moet een tabel zijn", name)
        return good
