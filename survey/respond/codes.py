"""The anonymous respondent's journey: type or scan a single-use code, answer, resume with
the same code elsewhere, submit (the code is then spent)."""

from . import bp  # noqa: F401
