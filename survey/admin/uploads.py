"""Uploaded import files kept between the dry run and the confirmation (at most an hour),
in the instance folder under a random name. A file is deleted once it is applied or the
dry run is cancelled; files left by a dry run nobody finished are deleted by the next
upload or confirmation once they are an hour old."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext

from . import bp
from .forms import ConfirmImportForm

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
    _clean()
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
        try:
            stale = time.time() - path.stat().st_mtime > MAX_AGE
        except FileNotFoundError:       # another worker deleted it meanwhile
            continue
        if stale:
            path.unlink(missing_ok=True)


@bp.post("/inlezen/annuleren")
def import_cancel():
    """Abandon a dry run: its file is deleted at once (not an hour later)."""
    form = ConfirmImportForm()
    if form.validate_on_submit():
        discard(form.upload.data)
    flash(gettext("Het inlezen is geannuleerd; het bestand is verwijderd."), "success")
    return redirect(url_for(".import_upload"))
