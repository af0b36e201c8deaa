"""The bundled questionnaire files (questionnaires/ beside the package in a checkout,
inside it when installed). Everything else about questionnaires is the engine's: the
`instrument` package, re-exported here for the app's modules."""

from __future__ import annotations

from pathlib import Path

from instrument.errors import QuestionnaireError
from instrument.loader import from_dict, load, loads
from instrument.model import Item, Questionnaire, Section

__all__ = ["Item", "Questionnaire", "QuestionnaireError", "Section", "bundled",
           "bundled_dir", "bundled_files", "from_dict", "load", "loads"]


def bundled_dir() -> Path:
    here = Path(__file__).resolve().parent
    inside = here / "questionnaires"
    return inside if inside.is_dir() else here.parent / "questionnaires"


def bundled_files() -> list[Path]:
    return sorted(bundled_dir().glob("*.toml"))


def bundled(qid: str) -> Questionnaire:
    """The newest bundled file with this id (files are named <id>-<version>.toml)."""
    found = [load(p) for p in sorted(bundled_dir().glob(f"{qid}-*.toml"))]
    found = [q for q in found if q.id == qid]
    if not found:
        raise LookupError(f"no bundled questionnaire with id {qid!r} in {bundled_dir()}")
    return found[-1]
