"""A job's body: write one large export of a round (all answers as CSV, .xlsx or .sav)
into the instance folder, for the console to offer as a download once it is done
(services/export_files.py: where, the names, what is kept).

The file is written beside its final name and renamed when whole; a worker killed in the
middle leaves only a temporary file, which the next attempt removes before it starts the
file again. The console offers a file only once its job is done. A finished export
deletes the older files of its kind and round, and every export file older than
SURVEY_EXPORT_KEEP_DAYS (which the minute's tick deletes too, jobs/queue.tick).
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import gettext, ngettext

from ..extensions import db
from ..models import Round
from ..services import export_files, exports
from .queue import JobRefused, Progress
from .records import Claimed

log = logging.getLogger(__name__)


def run(app: Flask, job: Claimed, progress: Progress) -> str:
    rnd = db.session.get(Round, job.round_id) if job.round_id else None
    if rnd is None or rnd.state == "draft":
        raise JobRefused(gettext("Geen export gemaakt: de bevraging bestaat niet meer of "
                                 "is nog een ontwerp."))
    export = export_files.EXPORTS.get(job.params.get("export", ""))
    path = export_files.path_of(app.instance_path, job)
    if export is None or path is None:
        raise JobRefused(gettext("Geen export gemaakt: deze taak zegt niet welk bestand."))
    export_files.remove_leftovers(path)        # an earlier attempt's half file
    # a restarted job starts the file again: its progress too
    progress.total, progress.done = exports.count(db.session, rnd), 0
    progress.write()
    export_files.write(db.session, rnd, export, path, progress.advance)
    return outcome(app, export, path, progress.done)


def outcome(app: Flask, export: export_files.Export, path, rows: int) -> str:
    """Older files of this export go (the newest per round and kind stays), and any
    export file past its days; the message says what the file holds."""
    removed = []
    try:
        removed = export_files.remove_older(path, export)
        removed += export_files.remove_expired(
            app.instance_path, float(app.config["SURVEY_EXPORT_KEEP_DAYS"]), kept=path)
    except OSError:       # the file is whole and done: a failed clean-up is no failure
        log.exception("export files: clean-up after %s failed", path.name)
    text = ngettext("Klaar: %(num)d ingediend antwoord, zonder schoolnamen.",
                    "Klaar: %(num)d ingediende antwoorden, zonder schoolnamen.", rows)
    if removed:
        text += " " + ngettext("%(num)d ouder exportbestand verwijderd.",
                               "%(num)d oudere exportbestanden verwijderd.", len(removed))
    return text
