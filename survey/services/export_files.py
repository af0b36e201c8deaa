"""A round's large exports as files: every answer of the round as CSV, .xlsx, .sav or the
analysts' CSV, written whole by the export job (survey/jobs/exports.py) into the instance
folder, and offered by the console (admin/exports.py) once that job is done.

Where: instance/exports/round-N/<export>-<job id>-<random token><suffix>. The name is
never a URL: the console serves a file only through an inspector-only route by job id,
and the token makes the name unguessable besides. A file is written beside its final name
and renamed when whole (as services/reports._write does), so a worker killed halfway
leaves a hidden temporary file, never a half file under the final name; the job's next
attempt removes it and starts again.

What stays: the newest file per round and export (a finished export deletes the older ones
of its kind and round), and no file older than SURVEY_EXPORT_KEEP_DAYS (deleted when any
export finishes and by the minute's tick, remove_expired(); never offered once that old).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from instrument.domain import JobState
from reports import spss
from reports.analysis import Table
from reports.layout import from_snapshot

from ..models import Round
from ..models.jobs import Job
from . import analysis_export, exports

FOLDER = "exports"
EXPORT_KIND = "export"            # survey/jobs/records.EXPORT (the services import no jobs)
Advance = Callable[[], None]


@dataclass(frozen=True)
class Export:
    """One kind of export: its key (in the job's params and the URL), its name on the
    page, the suffix of its file and the function that writes it to a path."""

    key: str
    label: Any                    # a lazy Dutch text
    suffix: str
    write: Callable[[Session, Round, Path, Advance], None]


def _counting(rows: Iterable, advance: Advance) -> Iterator:
    """The rows, each counted as the writer takes it (the job's progress)."""
    for row in rows:
        yield row
        advance()


def _answers_csv(session: Session, rnd: Round, path: Path, advance: Advance) -> None:
    rows = _counting(exports.response_rows(session, rnd), advance)
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in exports.csv_chunks(rows, from_snapshot(rnd.definition).slots):
            out.write(chunk)


def _answers_xlsx(session: Session, rnd: Round, path: Path, advance: Advance) -> None:
    rows = _counting(exports.response_rows(session, rnd), advance)
    with path.open("wb") as out:
        for chunk in exports.xlsx_chunks(rows, from_snapshot(rnd.definition).slots):
            out.write(chunk)


def _analysis_table(session: Session, rnd: Round, advance: Advance) -> Table:
    table = analysis_export.analysis_table(session, rnd)
    return Table(table.variables, _counting(table.rows, advance))


def _answers_sav(session: Session, rnd: Round, path: Path, advance: Advance) -> None:
    spss.write_sav(_analysis_table(session, rnd, advance), path,
                   file_label=analysis_export.file_label(rnd))


def _analysis_csv(session: Session, rnd: Round, path: Path, advance: Advance) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        spss.write_csv(_analysis_table(session, rnd, advance), out)


EXPORTS = {export.key: export for export in (
    Export("antwoorden-csv", _l("Alle antwoorden (.csv)"), ".csv", _answers_csv),
    Export("antwoorden-xlsx", _l("Alle antwoorden (.xlsx)"), ".xlsx", _answers_xlsx),
    Export("antwoorden-sav", _l("Voor analisten: SPSS-bestand (.sav)"), ".sav",
           _answers_sav),
    Export("analyse-csv", _l("Voor analisten: dezelfde gegevens als .csv"), ".csv",
           _analysis_csv),
)}


def new_params(key: str) -> dict[str, str]:
    """The params of a new export job: which export, and the random part of its name."""
    return {"export": key, "token": secrets.token_hex(16)}


def folder(instance_path: str, round_id: int) -> Path:
    return Path(instance_path) / FOLDER / f"round-{round_id}"


def path_of(instance_path: str, job) -> Path | None:
    """Where an export job's file is (job: the row or the claimed job); None for a job that
    is no export, or has no round or name."""
    params = job.params or {}
    export = EXPORTS.get(params.get("export", ""))
    token = params.get("token", "")
    if export is None or not job.round_id or not token.isalnum():
        return None
    return folder(instance_path, job.round_id) / f"{export.key}-{job.id}-{token}{export.suffix}"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_leftovers(path: Path) -> None:
    """The temporary files an earlier attempt of this job left when its worker died."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def write(session: Session, rnd: Round, export: Export, path: Path,
          advance: Advance) -> None:
    """The export's file at path, whole: written beside it, renamed once complete; on any
    error the temporary file goes and nothing appears at path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        export.write(session, rnd, tmp, advance)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _expired(path: Path, keep_days: float, now: float) -> bool:
    return keep_days > 0 and path.stat().st_mtime < now - keep_days * 86400


def remove_older(kept: Path, export: Export) -> list[Path]:
    """The other files of this export in kept's round folder (never a temporary one: an
    export of the same kind may be running)."""
    removed = []
    for path in kept.parent.glob(f"{export.key}-*{export.suffix}"):
        if path != kept and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def remove_expired(instance_path: str, keep_days: float, now: float | None = None,
                   kept: Path | None = None) -> list[Path]:
    """Every export file (any round; temporary ones left by dead workers too) older than
    keep_days; kept is never removed. keep_days 0: no limit of age."""
    now = time.time() if now is None else now
    removed = []
    for path in (Path(instance_path) / FOLDER).glob("round-*/*"):
        try:
            if path != kept and path.is_file() and _expired(path, keep_days, now):
                path.unlink()
                removed.append(path)
        except FileNotFoundError:      # removed by another worker meanwhile
            continue
    return removed


@dataclass(frozen=True)
class Offered:
    """A finished export's file as the console offers it."""

    job: Job
    export: Export
    path: Path
    size: int
    made: datetime | None
    by: str | None                 # who started the export (None: the system)


def offered(instance_path: str, job: Job, keep_days: float,
            now: float | None = None) -> Offered | None:
    """The job's file, if it is one to hand out: an export job that is done, whose file
    is there and not older than keep_days. Anything else: None (not downloadable)."""
    if job.kind != EXPORT_KIND or job.state != JobState.DONE.value:
        return None
    path = path_of(instance_path, job)
    if path is None:
        return None
    try:
        if _expired(path, keep_days, time.time() if now is None else now):
            return None
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    return Offered(job, EXPORTS[job.params["export"]], path, size, job.finished_at,
                   job.user.email if job.user else None)


def open_offered(instance_path: str, job: Job,
                 keep_days: float) -> tuple[Offered, BinaryIO] | None:
    """The job's offered file, opened for reading (an open file stays readable when a
    newer export deletes it meanwhile); None as offered() says, or when it went just now."""
    found = offered(instance_path, job, keep_days)
    if found is None:
        return None
    try:
        return found, found.path.open("rb")
    except FileNotFoundError:
        return None


def round_jobs(session: Session, round_id: int, limit: int = 100) -> list[Job]:
    """The round's export jobs, newest first."""
    return list(session.scalars(select(Job).where(Job.kind == EXPORT_KIND,
                                                  Job.round_id == round_id)
                                .order_by(Job.id.desc()).limit(limit)))
