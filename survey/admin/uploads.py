"""Uploaded import files kept between the dry run and the confirmation (at most an hour),
in the instance folder under a random name."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app

MAX_AGE = 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data: bytes, filename: str) -> str:
    _clean()
    upload = secrets.token_hex(16)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    (_folder() / f"{upload}{suffix}").write_bytes(data)
    return upload


def fetch(upload: str) -> tuple[bytes, str] | None:
    if len(upload) != 32 or not all(c in "0123456789abcdef" for c in upload):
        return None
    for path in _folder().glob(f"{upload}.*"):
        if time.time() - path.stat().st_mtime < MAX_AGE:
            return path.read_bytes(), path.name
    return None


def discard(upload: str) -> None:
    for path in _folder().glob(f"{upload}.*"):
        path.unlink(missing_ok=True)


def _clean() -> None:
    for path in _folder().glob("*.*"):
        if time.time() - path.stat().st_mtime > MAX_AGE:
            path.unlink(missing_ok=True)
