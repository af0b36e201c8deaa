"""An online, consistent copy of the embedded SQLite database, taken with SQLite's backup
API while the app keeps running (readers and writers carry on; the copy is one point in
time). PostgreSQL has its own tools: pg_dump (see docs/deployment.md)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup that cannot be made; the message says why."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"`survey backup` copies the embedded SQLite database; this one is "
            f"{url.get_backend_name()}. For PostgreSQL use pg_dump, e.g. "
            f"pg_dump --format=custom --file=survey.dump {url.database}")
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup(database_url: str, target: str | Path, pages_per_step: int = 1024) -> int:
    """Copy the database to `target` (written beside it, then renamed into place);
    returns the size in bytes."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        # in steps, so that writers are held up for a moment at a time, not for the copy
        source.backup(copy, pages=pages_per_step)
        copy.execute("PRAGMA journal_mode=DELETE")   # one self-contained file
    finally:
        copy.close()
        source.close()
    check = sqlite3.connect(partial)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed SQLite's integrity check.")
    finally:
        check.close()
    os.replace(partial, target)
    return target.stat().st_size
