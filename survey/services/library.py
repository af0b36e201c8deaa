"""The questionnaire library: check an uploaded file (every fault with its place, nothing
stored), keep a valid one as a concept, publish it as an immutable version, download any
version as TOML or .xlsx. The bundled files are published into it on first use.

A published version is never changed or deleted by any function here; a round copies its
definition (services/rounds.create_round), so even a deleted concept could not change a
round's meaning. Every state change writes an audit event in its own transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from instrument import tomlwrite, xlsform
from instrument.diff import Change, diff
from instrument.loader import MAX_FILE_BYTES

from ..database import dialect_insert, write_transaction
from ..models import QuestionnaireVersion, Round, User, utcnow
from ..questionnaire import (
    Questionnaire,
    QuestionnaireError,
    bundled_files,
    from_dict,
    load,
    loads,
)
from . import accounts

MAX_BYTES = MAX_FILE_BYTES
FORMATS = {".toml": "toml", ".xlsx": "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LibraryError(ValueError):
    """An upload or action the library refuses (message in Dutch)."""


def source_format(filename: str) -> str:
    """'toml' or 'xlsx' from the file's name; anything else is refused."""
    format_ = FORMATS.get(Path(filename).suffix.lower())
    if format_ is None:
        raise LibraryError(gettext("Alleen een .toml- of .xlsx-bestand kan een vragenlijst "
                                   "zijn; ‘%(name)s’ is geen van beide.", name=filename))
    return format_


def check(data: bytes, filename: str) -> Questionnaire:
    """The questionnaire in an uploaded file. LibraryError for a wrong kind of file or one
    too large; QuestionnaireError with every fault (each with its place) otherwise."""
    source_format(filename)
    if len(data) > MAX_BYTES:
        raise LibraryError(gettext("Het bestand is te groot (hoogstens 2 MB)."))
    if not data:
        raise LibraryError(gettext("Het bestand is leeg."))
    q = loads(data, filename)
    # the column's limit (the loader keeps an id to 32): longer would be a database error
    if len(q.version) > 40:
        raise LibraryError(gettext("De versie is te lang (hoogstens 40 tekens): %(version)s",
                                   version=q.version[:60]))
    return q


def _stored_format(data: bytes, filename: str) -> str:
    """What the file is: the loader reads a zip as a workbook whatever its name."""
    return "xlsx" if data[:4] == b"PK\x03\x04" else source_format(filename)


def questionnaire(version: QuestionnaireVersion) -> Questionnaire:
    return from_dict(version.definition, source=f"{version.questionnaire_id} {version.version}")


def get(session: Session, version_id: int) -> QuestionnaireVersion | None:
    return session.get(QuestionnaireVersion, version_id)


def versions(session: Session) -> list[QuestionnaireVersion]:
    """Every version: per questionnaire, the newest first."""
    return list(session.scalars(select(QuestionnaireVersion).order_by(
        QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.created_at.desc(),
        QuestionnaireVersion.id.desc())))


def published(session: Session) -> list[QuestionnaireVersion]:
    """The versions a round can be created on, newest first."""
    return list(session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.state == "published")
        .order_by(QuestionnaireVersion.published_at.desc(), QuestionnaireVersion.id.desc())))


def rounds_using(session: Session) -> dict[int, int]:
    """version id -> the number of rounds created on it."""
    return dict(session.execute(
        select(Round.questionnaire_version_id, func.count())
        .where(Round.questionnaire_version_id.is_not(None))
        .group_by(Round.questionnaire_version_id)).all())


def previous(session: Session, version: QuestionnaireVersion) -> QuestionnaireVersion | None:
    """The newest published version of the same questionnaire other than this one."""
    return session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == version.questionnaire_id,
            QuestionnaireVersion.state == "published",
            QuestionnaireVersion.id != version.id)
        .order_by(QuestionnaireVersion.published_at.desc(), QuestionnaireVersion.id.desc())
        .limit(1))


def changes(session: Session, version: QuestionnaireVersion) -> tuple[
        QuestionnaireVersion | None, list[Change]]:
    """What publishing this version changes against the newest published one (None and
    no changes for a first version)."""
    before = previous(session, version)
    if before is None:
        return None, []
    return before, diff(questionnaire(before), questionnaire(version))


def upload(session: Session, user: User | None, data: bytes, filename: str
           ) -> QuestionnaireVersion:
    """Keep a valid file as a concept, or replace the concept of the same id and version.
    Nothing is stored when the file has a fault or its version is already published."""
    q = check(data, filename)
    definition = q.to_dict(storage=True)
    try:
        with write_transaction(session):
            existing = session.scalar(select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == q.id,
                QuestionnaireVersion.version == q.version).with_for_update())
            if existing is not None and existing.published:
                raise LibraryError(gettext(
                    "Versie %(version)s van %(id)s is al gepubliceerd; geef het bestand een "
                    "nieuwe versie.", version=q.version, id=q.id))
            if existing is None:
                existing = QuestionnaireVersion(questionnaire_id=q.id, version=q.version,
                                                state="concept", created_by=_id(user))
                session.add(existing)
                action = "questionnaire uploaded"
            else:
                action = "questionnaire concept replaced"
                existing.created_at, existing.created_by = utcnow(), _id(user)
            existing.title = str(q.title)[:300]
            existing.definition = definition
            existing.source_name = Path(filename).name[:255]
            existing.source_format = _stored_format(data, filename)
            session.flush()
            accounts.audit(session, user, action, f"{q.id} {q.version}",
                           file=existing.source_name)
    except IntegrityError as exc:   # the same id and version uploaded at the same moment
        raise LibraryError(gettext("Dezelfde versie werd op hetzelfde moment opgeladen. "
                                   "Probeer het opnieuw.")) from exc
    return existing


def publish(session: Session, user: User | None, version_id: int) -> QuestionnaireVersion:
    """Make a concept an immutable published version."""
    with write_transaction(session):
        # decides and locks in one statement: a second publish finds nothing to do
        done = session.execute(
            update(QuestionnaireVersion)
            .where(QuestionnaireVersion.id == version_id,
                   QuestionnaireVersion.state == "concept")
            .values(state="published", published_at=utcnow(), published_by=_id(user))
            .returning(QuestionnaireVersion.id)).first()
        version = session.get(QuestionnaireVersion, version_id)
        if version is None:
            raise LibraryError(gettext("Deze versie bestaat niet (meer)."))
        session.refresh(version)
        if done is None:
            raise LibraryError(gettext("Versie %(version)s van %(id)s is al gepubliceerd.",
                                       version=version.version, id=version.questionnaire_id))
        accounts.audit(session, user, "questionnaire published",
                       f"{version.questionnaire_id} {version.version}")
    return version


def delete(session: Session, user: User | None, version_id: int) -> str:
    """Delete a concept; a published version or one a round uses is refused. Returns the
    deleted version's name."""
    with write_transaction(session):
        version = session.scalar(select(QuestionnaireVersion).where(
            QuestionnaireVersion.id == version_id).with_for_update())
        if version is None:
            raise LibraryError(gettext("Deze versie bestaat niet (meer)."))
        name = f"{version.questionnaire_id} {version.version}"
        used = session.scalar(select(func.count()).select_from(Round).where(
            Round.questionnaire_version_id == version.id))
        if used:
            raise LibraryError(gettext(
                "Versie %(version)s van %(id)s wordt gebruikt door een bevraging en kan niet "
                "worden verwijderd.", version=version.version, id=version.questionnaire_id))
        if version.published:
            raise LibraryError(gettext(
                "Versie %(version)s van %(id)s is gepubliceerd en kan niet meer worden "
                "verwijderd.", version=version.version, id=version.questionnaire_id))
        session.delete(version)
        accounts.audit(session, user, "questionnaire concept deleted", name)
    return name


# -- the bundled files ----------------------------------------------------------------

_BUNDLED: dict[tuple, list[Questionnaire]] = {}


def _bundled() -> list[Questionnaire]:
    """The bundled files, parsed once per process (and again when one changes)."""
    files = bundled_files()
    key = tuple((str(path), path.stat().st_mtime_ns) for path in files)
    if key not in _BUNDLED:
        _BUNDLED.clear()
        _BUNDLED[key] = [load(path) for path in files]
    return _BUNDLED[key]


def ensure_bundled(session: Session) -> int:
    """Publish every bundled file not yet in the library; how many were added. Idempotent
    and safe when two workers do it at once: the unique (id, version) decides, and an
    existing row (a concept uploaded under the same name included) is left as it is."""
    wanted = {(q.id, q.version): q for q in _bundled()}
    present = {tuple(row) for row in session.execute(
        select(QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version))}
    missing = [q for key, q in wanted.items() if key not in present]
    if not missing:
        return 0
    now, added = utcnow(), 0
    table = QuestionnaireVersion.__table__
    with write_transaction(session):
        for q in missing:
            inserted = session.execute(
                dialect_insert(session, table).values(
                    questionnaire_id=q.id, version=q.version, title=str(q.title)[:300],
                    definition=q.to_dict(storage=True), source_name=f"{q.id}-{q.version}.toml",
                    source_format="toml", state="published", created_at=now,
                    published_at=now)
                .on_conflict_do_nothing(index_elements=["questionnaire_id", "version"])
                .returning(table.c.id)).first()
            if inserted is not None:
                added += 1
                accounts.audit(session, None, "questionnaire published",
                               f"{q.id} {q.version}", bundled=True)
    return added


# -- downloads ------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    mimetype: str


def download(version: QuestionnaireVersion, format_: str) -> Download:
    """The version as a file an author can edit and upload again: loads() of it gives the
    same questionnaire."""
    raw = questionnaire(version).to_dict(storage=False)
    # a version is any string: keep the file name to safe characters
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", f"{version.questionnaire_id}-{version.version}")
    if format_ == "toml":
        return Download(tomlwrite.dumps(raw).encode("utf-8"), f"{stem}.toml",
                        "application/toml")
    if format_ == "xlsx":
        return Download(xlsform.write_workbook(raw), f"{stem}.xlsx", XLSX_TYPE)
    raise LookupError(format_)


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


__all__ = ["MAX_BYTES", "Download", "LibraryError", "QuestionnaireError", "changes", "check",
           "delete", "download", "ensure_bundled", "get", "previous", "publish", "published",
           "questionnaire", "rounds_using", "upload", "versions"]
