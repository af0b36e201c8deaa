"""The registry of item types: one class per type, one module per class. Adding a type is
one module here (registered below), its macro in templates/respond/_macros.html, its
summary in reports/questions.py, and its test (docs/architecture.md lists the files)."""

from __future__ import annotations

from .base import ItemType, Variable
from .choice import Single, YesNo
from .likert import Likert
from .multi import Multi
from .number import Number
from .text import Text

registry: dict[str, ItemType] = {t.name: t for t in (
    Likert(), Single(), Multi(), YesNo(), Number(), Text())}

__all__ = ["ItemType", "Variable", "registry"]
