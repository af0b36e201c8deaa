"""The one error a questionnaire file or snapshot raises: every fault found, each with its
place, so that an author fixes them all in one go."""

from __future__ import annotations


class QuestionnaireError(ValueError):
    """A file that is not a valid questionnaire; .problems lists every fault (Dutch, each
    starting with its place)."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = [str(p) for p in problems]
        super().__init__(f"{source}: " + "; ".join(self.problems))
