"""A round's codebook of themes: list, add, change, delete (with what it removes said
first), copy from an earlier round, the seed report's three themes; and theme_counts(), the
plain figures the reports show. Tagging remarks is in services/tagging.py.

Every change is one write transaction with its audit row."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..cleantext import free_text, single_line
from ..database import write_transaction
from ..models import Centre, Invitation, Remark, Round, User
from ..models.themes import RemarkTheme, Theme
from . import accounts
from .remarks import reviewable
from .suggestions import RuleError, check_rules

MAX_NAME = 120
MAX_DESCRIPTION = 2000
MAX_KEYWORDS = 8000

# The three themes that schools raised in the first survey, in the sector report's own
# words (seed 003: "Factoren van invloed op de antwoorden op de stellingen"), with rules
# an inspector can start from. Data of the codebook, not texts of the interface.
SEED_CODEBOOK = (
    ("Persoonsgebonden verschillen",
     "Persoonsgebonden verschillen werden vaak door scholen vermeld: de samenwerking hangt "
     "af van de CLB-medewerker.",
     "persoon*\npersoonsgebonden\nhangt af van\nhangt sterk af van\n"
     "afhankelijk van de medewerker\nvaste clb-medewerker*\nvaste medewerker*\n"
     "verschil* tussen medewerker*\nverschil* tussen clb-medewerker*\nde ene medewerker"),
    ("Arbeidsorganisatie en discontinuïteit van personeel",
     "De invloed van de arbeidsorganisatie en discontinuïteit van personeel op de "
     "samenwerking.",
     "arbeidsorganisatie\nwerkorganisatie\ndiscontinu*\ncontinuiteit\npersoneelswissel*\n"
     "wissels\ngewisseld\nwisselend*\nwissel van*\nverloop\nvervang*\nopnieuw beginnen\n"
     "telkens iemand anders\nsteeds iemand anders\nnieuwe medewerker*\n"
     "nieuwe clb-medewerker*"),
    ("Begrip voor de beperkingen van het CLB",
     "Begrip voor de beperkingen van het CLB: meer vragen/noden bij scholen dan het CLB "
     "aankan.",
     "beperking*\naankan\naan kan\naankunnen\nmeer vragen\nte veel vragen\nnoden\n"
     "capaciteit\nwachttijd*\nwachtlijst*\nlange wacht*\noverbevraagd\nwerkdruk\n"
     "te weinig personeel\nte weinig tijd\nbegrijpen dat\nbegrip voor"),
)


class ThemeError(ValueError):
    """A codebook change that cannot be made; the message is for the user (Dutch). `field`
    names the form field it is about (name, description, keywords), None for the whole."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def codebook(session: Session, round_: Round) -> list[Theme]:
    """The round's themes in their order."""
    return list(session.scalars(select(Theme).where(Theme.round_id == round_.id)
                                .order_by(Theme.position, Theme.name, Theme.id)))


def theme_of(session: Session, round_: Round, theme_id: int) -> Theme | None:
    theme = session.get(Theme, theme_id)
    return theme if theme is not None and theme.round_id == round_.id else None


def usage(session: Session, round_: Round) -> dict[int, int]:
    """theme id -> the remarks tagged with it (every review state)."""
    return dict(session.execute(
        select(RemarkTheme.theme_id, func.count()).join(Theme, Theme.id == RemarkTheme.theme_id)
        .where(Theme.round_id == round_.id).group_by(RemarkTheme.theme_id)).all())


def _checked(session: Session, round_: Round, name: str, description: str, keywords: str,
             theme_id: int | None = None) -> tuple[str, str, str]:
    name, description = single_line(name or ""), free_text(description or "")
    keywords = free_text(keywords or "")
    if not name:
        raise ThemeError(gettext("Geef het thema een naam."), "name")
    if len(name) > MAX_NAME:
        raise ThemeError(gettext("Een naam heeft hoogstens %(maximum)s tekens.",
                                 maximum=MAX_NAME), "name")
    if len(description) > MAX_DESCRIPTION:
        raise ThemeError(gettext("Een omschrijving heeft hoogstens %(maximum)s tekens.",
                                 maximum=MAX_DESCRIPTION), "description")
    if len(keywords) > MAX_KEYWORDS:
        raise ThemeError(gettext("De regels hebben samen hoogstens %(maximum)s tekens.",
                                 maximum=MAX_KEYWORDS), "keywords")
    taken = {theme.name.casefold() for theme in codebook(session, round_)
             if theme.id != theme_id}
    if name.casefold() in taken:
        raise ThemeError(gettext("Er is al een thema %(name)s in deze bevraging.", name=name),
                         "name")
    try:
        check_rules(keywords)
    except RuleError as exc:
        raise ThemeError(str(exc), "keywords") from exc
    return name, description, keywords


@contextmanager
def _unique_names(session: Session):
    """A write transaction in which a name that another inspector took meanwhile (the
    unique index, past the check in _checked) is a message, not an error page."""
    try:
        with write_transaction(session):
            yield
    except IntegrityError as exc:
        raise ThemeError(gettext("Intussen kreeg een ander thema dezelfde naam. Bekijk het "
                                 "codeboek en probeer opnieuw.")) from exc


def add_theme(session: Session, round_: Round, user: User | None, name: str,
              description: str = "", keywords: str = "") -> Theme:
    """A new theme at the end of the codebook."""
    with _unique_names(session):
        name, description, keywords = _checked(session, round_, name, description, keywords)
        last = session.scalar(select(func.max(Theme.position))
                              .where(Theme.round_id == round_.id))
        theme = Theme(round_id=round_.id, name=name, description=description,
                      keywords=keywords, position=(last or 0) + 1)
        session.add(theme)
        accounts.audit(session, user, "theme added", round_.name, theme=name)
    return theme


def update_theme(session: Session, round_: Round, theme_id: int, user: User | None, *,
                 name: str, description: str, keywords: str,
                 position: int | None = None) -> Theme:
    """Rename, describe, change the rules or the place of a theme; the audit row says what
    changed (the old and new name on a rename)."""
    with _unique_names(session):
        theme = theme_of(session, round_, theme_id)
        if theme is None:
            raise ThemeError(gettext("Dit thema bestaat niet (meer) in deze bevraging."))
        name, description, keywords = _checked(session, round_, name, description, keywords,
                                               theme.id)
        changed = {}
        if name != theme.name:
            changed["renamed_from"] = theme.name
        if description != theme.description:
            changed["description"] = True
        if keywords != theme.keywords:
            changed["keywords"] = True
        if position is not None and position != theme.position:
            changed["position"] = position
        theme.name, theme.description, theme.keywords = name, description, keywords
        if position is not None:
            theme.position = position
        if changed:
            accounts.audit(session, user, "theme changed", round_.name, theme=name, **changed)
    return theme


def delete_theme(session: Session, round_: Round, theme_id: int,
                 user: User | None) -> tuple[str, int]:
    """Delete a theme and its tags (the view asks first, naming how many). Returns the
    name and the number of tags removed."""
    with write_transaction(session):
        theme = theme_of(session, round_, theme_id)
        if theme is None:
            raise ThemeError(gettext("Dit thema bestaat niet (meer) in deze bevraging."))
        name = theme.name
        removed = session.execute(delete(RemarkTheme).where(
            RemarkTheme.theme_id == theme.id)).rowcount
        session.delete(theme)
        accounts.audit(session, user, "theme deleted", round_.name, theme=name,
                       tags_removed=removed)
    return name, removed


def source_rounds(session: Session, round_: Round) -> list[tuple[int, str, str, int]]:
    """(id, name, school year, themes) of the other rounds that have a codebook, newest
    first: where a codebook can be copied from."""
    return [tuple(row) for row in session.execute(
        select(Round.id, Round.name, Round.school_year, func.count(Theme.id))
        .join(Theme, Theme.round_id == Round.id).where(Round.id != round_.id)
        .group_by(Round.id, Round.name, Round.school_year, Round.created_at)
        .order_by(Round.created_at.desc(), Round.id.desc()))]


def copy_codebook(session: Session, round_: Round, source_round_id: int,
                  user: User | None) -> tuple[int, int]:
    """Copy the names, descriptions, rules and order of another round's themes (never its
    tags). A theme whose name the round already has is left out. Returns (copied, left
    out)."""
    with _unique_names(session):
        source = session.get(Round, source_round_id)
        if source is None or source.id == round_.id:
            raise ThemeError(gettext("Kies een andere bevraging om van te kopiëren."))
        themes = codebook(session, source)
        if not themes:
            raise ThemeError(gettext("Die bevraging heeft nog geen thema's."))
        taken = {theme.name.casefold() for theme in codebook(session, round_)}
        last = session.scalar(select(func.max(Theme.position))
                              .where(Theme.round_id == round_.id)) or 0
        copied = [theme for theme in themes if theme.name.casefold() not in taken]
        for offset, theme in enumerate(copied, start=1):
            session.add(Theme(round_id=round_.id, name=theme.name,
                              description=theme.description, keywords=theme.keywords,
                              position=last + offset))
        accounts.audit(session, user, "codebook copied", round_.name, source=source.name,
                       source_round=source.id, copied=len(copied),
                       left_out=len(themes) - len(copied))
    return len(copied), len(themes) - len(copied)


def seed_codebook(session: Session, round_: Round, user: User | None = None) -> list[Theme]:
    """The seed report's three themes with their rules, for a round without a codebook
    (the demo calls this). A round that has themes keeps them as they are. Returns the
    round's codebook."""
    if not codebook(session, round_):
        for name, description, keywords in SEED_CODEBOOK:
            add_theme(session, round_, user, name, description, keywords)
    return codebook(session, round_)


@dataclass(frozen=True)
class ThemeCount:
    """One theme and its approved remarks per (CLB number, level)."""

    id: int
    name: str
    description: str
    counts: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class ThemeCounts:
    """The themes of a round in codebook order, and the base of every figure."""

    themes: tuple[ThemeCount, ...]
    remarks: dict[tuple[str, str], int]      # (CLB number, level) -> approved remarks


def theme_counts(session: Session, round_: Round) -> ThemeCounts:
    """Plain figures for the reports (no ORM objects, picklable for the build workers).

    Shape: ThemeCounts(themes=(ThemeCount(id, name, description,
    counts={(centre_number, level): n}), ...), remarks={(centre_number, level): n}).
    Only approved remarks of counted responses (submitted, not withdrawn, not hidden by
    routing) count; `remarks` is the number of such remarks per (CLB number, level),
    tagged or not, the base of a theme's share. A (CLB, level) without any is absent
    (read it as 0). A remark tagged with two themes counts once in each. Suppressing
    small groups is the reports' job."""
    approved = (Remark.review == "approved",)
    base = session.execute(reviewable(round_, Centre.number, Invitation.level, func.count())
                           .where(*approved).group_by(Centre.number, Invitation.level))
    tagged = session.execute(
        reviewable(round_, RemarkTheme.theme_id, Centre.number, Invitation.level,
                   func.count())
        .join(RemarkTheme, (RemarkTheme.response_id == Remark.response_id)
              & (RemarkTheme.key == Remark.key))
        .where(*approved)
        .group_by(RemarkTheme.theme_id, Centre.number, Invitation.level))
    per_theme: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for theme_id, number, level, count in tagged:
        per_theme[theme_id][(number, level)] = count
    themes = tuple(ThemeCount(theme.id, theme.name, theme.description,
                              per_theme.get(theme.id, {}))
                   for theme in codebook(session, round_))
    return ThemeCounts(themes, {(number, level): count for number, level, count in base})
