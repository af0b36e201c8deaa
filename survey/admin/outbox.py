"""The outbox in the console: without a mail server (no SURVEY_SMTP_HOST) mails are .eml
files in the instance folder (mailer.OutboxTransport); this page shows them, newest first,
so that a demo or a test round can be followed without a mail client. With a mail server
there is no outbox and the page does not exist (404).

The folder is the one mailer.transport_for() chooses, so the page always shows where the
mails really went. Only the files of the page asked for are read.
"""

from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from pathlib import Path

from flask import abort, current_app, render_template, request

from ..mailer import OutboxTransport, transport_for
from ..routing import page_number
from . import bp

PER_PAGE = 25


@dataclass(frozen=True)
class OutboxMail:
    name: str
    written_at: datetime
    subject: str
    to: str
    sender: str
    body: str


def outbox_folder() -> Path | None:
    """Where the app writes its mails, or None when it sends them to a mail server."""
    transport = transport_for(current_app.config, current_app.instance_path)
    return transport.folder if isinstance(transport, OutboxTransport) else None


def _read(path: Path, written: float) -> OutboxMail:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    try:
        body = part.get_content() if part is not None else ""
    except (LookupError, ValueError):      # an unknown charset: show what can be shown
        body = part.get_payload(decode=True).decode("utf-8", "replace")
    return OutboxMail(path.name, datetime.fromtimestamp(written, UTC),
                      str(message.get("Subject", "")), str(message.get("To", "")),
                      str(message.get("From", "")), body)


def _newest_first(folder: Path) -> list[tuple[float, Path]]:
    files = []
    for path in folder.glob("*.eml"):
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:          # deleted while listing
            continue
    return sorted(files, key=lambda pair: (pair[0], pair[1].name), reverse=True)


@bp.get("/uitgaande-post")
def outbox():
    folder = outbox_folder()
    if folder is None:
        abort(404)
    page = page_number(request.args)
    files = _newest_first(folder) if folder.is_dir() else []
    shown = []
    for written, path in files[(page - 1) * PER_PAGE:page * PER_PAGE]:
        try:
            shown.append(_read(path, written))
        except FileNotFoundError:
            continue
    pages = max(1, -(-len(files) // PER_PAGE))
    return render_template("admin/outbox.html", folder=folder, mails=shown, total=len(files),
                           page=page, pages=pages)


@bp.app_context_processor
def _outbox_in_use():
    """For the console's menu: a link to the outbox only when there is one (lazy: the
    menu asks only on inspectors' pages)."""
    return {"outbox_in_use": lambda: outbox_folder() is not None}
