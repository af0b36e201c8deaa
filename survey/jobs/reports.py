"""A job's body: build every file of a round (each CLB's sheet and workbook, the sector's
files) into instance/reports/round-N, as `survey reports build` does.

Each file is written beside and renamed (services/reports._write), so a worker killed in
the middle leaves whole files only; the half-written temporary ones it left are removed
when the build starts again. The console offers the .zip only once a build is done.
"""

from __future__ import annotations

import threading

from flask import Flask
from flask_babel import gettext, ngettext

from ..extensions import db
from ..models import Round
from ..services import report_versions
from ..services import reports as report_service
from .queue import JobRefused, Progress
from .records import Claimed

# The in-process build keeps its inputs in a module global (services/reports._shared):
# with thread workers, two builds in one process take turns.
_ONE_AT_A_TIME = threading.Lock()


def run(app: Flask, job: Claimed, progress: Progress) -> str:
    rnd = db.session.get(Round, job.round_id) if job.round_id else None
    if rnd is None or rnd.state == "draft":
        raise JobRefused(gettext("Niet opgebouwd: de bevraging bestaat niet meer of is "
                                 "nog een ontwerp."))
    folder = report_service.build_dir(app.instance_path, rnd.id)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".*.tmp"):     # from a worker that died mid-file
        leftover.unlink(missing_ok=True)
    with _ONE_AT_A_TIME:
        # a published round: its newest published version, so the .zip is what CLBs see
        data = report_versions.build_data(db.session, rnd)
        progress.total, progress.done = len(data.inputs), 0
        progress.write()
        report_service.build_round(db.session, rnd, folder, progress=progress.advance,
                                   data=data)
    return ngettext("De rapporten van %(num)d CLB zijn opgebouwd.",
                    "De rapporten van %(num)d CLB's zijn opgebouwd.", len(data.inputs))
