"""A round's report inputs as bytes and back: JSON (zlib-compressed) for the frozen
versions of a round's reports, in place of pickle, which would run code on loading.

Plain values pass as JSON; every other value is a one-key object saying what it is:
{"T": [...]} a tuple, {"D": [[key, value], ...]} a dict (any keys: the cubes' are tuples),
{"S": [...]} a set, {"L": [text, translations]} a LocalText, {"C": name, "V": {...}} one
of the reports' dataclasses, named from a fixed list (loading builds nothing else), and
{"R": n} the n-th dataclass already written again (the earlier rounds' cubes are shared by
every CLB that took part, and are kept once). No Flask, no models.
"""

from __future__ import annotations

import dataclasses
import json
import math
import zlib
from collections.abc import Iterable, Mapping

from instrument.text import LocalText

from . import content, layout, questions, sector_themes, statistics

FORMAT = 1
# Past this many bytes a frozen value is refused on loading (a zip bomb is not a round).
MAX_BYTES = 256 * 1024 * 1024

ALLOWED: tuple[type, ...] = (
    content.RoundInfo, content.CentreInfo, content.CentreInput, content.Remark,
    content.Earlier, content.PreviousAction, content.PreviousAnswer,
    layout.Layout, layout.Section, layout.Statement, layout.Aspect,
    questions.Question, questions.Option, statistics.Scale,
    sector_themes.Theme, sector_themes.Themes,
)


class FrozenError(ValueError):
    """Bytes that are not a frozen value this code can read."""


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _registry(extra: Iterable[type]) -> dict[str, type]:
    classes = (*ALLOWED, *extra)
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{_name(cls)} is not a dataclass")
    return {_name(cls): cls for cls in classes}


class _Encoder:
    def __init__(self, classes: dict[str, type]):
        self.names = {cls: name for name, cls in classes.items()}
        self.done: dict[int, int] = {}      # id(dataclass) -> its index
        self.busy: set[int] = set()
        self.keep: list = []                # the objects indexed (their ids stay theirs)

    def encode(self, value):
        if value is None or type(value) in (bool, int, str):
            return value
        if type(value) is float:
            if not math.isfinite(value):
                raise ValueError(f"not a finite number: {value!r}")
            return value
        if isinstance(value, LocalText):
            return {"L": [str(value), dict(value.translations)]}
        if type(value) is tuple:
            return {"T": [self.encode(v) for v in value]}
        if type(value) is list:
            return [self.encode(v) for v in value]
        if isinstance(value, (set, frozenset)):
            return {"S": [self.encode(v) for v in sorted(value, key=repr)]}
        if isinstance(value, Mapping):
            return {"D": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.dataclass(value)
        raise TypeError(f"cannot freeze a {type(value).__name__}")

    def dataclass(self, value):
        key = id(value)
        if key in self.done:
            return {"R": self.done[key]}
        name = self.names.get(type(value))
        if name is None:
            raise TypeError(f"cannot freeze a {_name(type(value))}")
        if key in self.busy:
            raise ValueError("a frozen value cannot contain itself")
        self.busy.add(key)
        fields = {f.name: self.encode(getattr(value, f.name))
                  for f in dataclasses.fields(value)}
        self.busy.discard(key)
        # numbered when complete, as the loader numbers what it has built
        self.done[key] = len(self.keep)
        self.keep.append(value)
        return {"C": name, "V": fields}


class _Decoder:
    def __init__(self, classes: dict[str, type]):
        self.classes = classes
        self.built: list = []

    def decode(self, value):
        if value is None or type(value) in (bool, int, float, str):
            return value
        if type(value) is list:
            return [self.decode(v) for v in value]
        if type(value) is not dict:
            raise FrozenError("unexpected value")
        if "C" in value and len(value) == 2:
            return self.dataclass(value)
        if len(value) != 1:
            raise FrozenError("unexpected value")
        ((tag, body),) = value.items()
        if tag == "T":
            return tuple(self.decode(v) for v in self._list(body))
        if tag == "D":
            return {self._key(self.decode(k)): self.decode(v)
                    for k, v in (self._pair(p) for p in self._list(body))}
        if tag == "S":
            return {self._key(self.decode(v)) for v in self._list(body)}
        if tag == "L":
            text, translations = self._pair(body)
            if type(text) is not str or type(translations) is not dict or not all(
                    type(k) is str and type(v) is str for k, v in translations.items()):
                raise FrozenError("unexpected text")
            return LocalText(text, translations)
        if tag == "R":
            if type(body) is not int or not 0 <= body < len(self.built):
                raise FrozenError("unexpected reference")
            return self.built[body]
        raise FrozenError(f"unexpected tag {tag!r}")

    def dataclass(self, value):
        cls = self.classes.get(value.get("C"))
        fields = value.get("V")
        if cls is None or type(fields) is not dict:
            raise FrozenError(f"unexpected class {value.get('C')!r}")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        if not set(fields) <= names:
            raise FrozenError(f"unexpected fields in {value['C']}")
        built = cls(**{name: self.decode(v) for name, v in fields.items()})
        self.built.append(built)
        return built

    @staticmethod
    def _list(body) -> list:
        if type(body) is not list:
            raise FrozenError("unexpected value")
        return body

    @staticmethod
    def _pair(body) -> list:
        if type(body) is not list or len(body) != 2:
            raise FrozenError("unexpected pair")
        return body

    @staticmethod
    def _key(key):
        try:
            hash(key)
        except TypeError:
            raise FrozenError("unexpected key") from None
        return key


def dumps(value, *, extra: Iterable[type] = ()) -> bytes:
    """`value` (plain data and the reports' dataclasses, plus the `extra` dataclasses) as
    compressed JSON."""
    body = _Encoder(_registry(extra)).encode(value)
    text = json.dumps({"format": FORMAT, "value": body}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    return zlib.compress(text.encode("utf-8"), 6)


def loads(blob: bytes, *, extra: Iterable[type] = ()):
    """The value that dumps() wrote; FrozenError for anything else."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(bytes(blob), MAX_BYTES)
        if inflater.unconsumed_tail:
            raise FrozenError("frozen value too large")
        document = json.loads(raw.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FrozenError(f"not a frozen value: {exc}") from None
    if type(document) is not dict or document.get("format") != FORMAT:
        raise FrozenError("unknown format")
    try:
        return _Decoder(_registry(extra)).decode(document.get("value"))
    except (TypeError, ValueError, RecursionError) as exc:   # a dataclass refusing its fields
        if isinstance(exc, FrozenError):
            raise
        raise FrozenError(f"not a frozen value: {exc}") from None
