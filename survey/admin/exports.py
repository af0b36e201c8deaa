"""Console routes of a round's large exports (every answer as CSV or .xlsx, the analysts'
.sav and CSV): "Export maken" starts a background job (survey/jobs/exports.py) that
writes the file; once it is done, the results page and the job's page offer it, through
a route by job id for inspectors only (never a static path), audited as every results
download is (results.log_download). The old links of the downloads streamed in the
request lead to the page with the buttons. Registered by reports.py (imported at its
end); export_rows() is what that page shows of each export."""

from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from instrument.domain import JobState

from .. import jobs
from ..extensions import db
from ..jobs import records
from ..models import Round
from ..models.jobs import Job
from ..results import (
    ANALYSIS_CSV,
    ANSWERS_CSV,
    ANSWERS_SAV,
    ANSWERS_XLSX,
    SAV_TYPE,
    XLSX_TYPE,
    log_download,
)
from ..services import export_files
from . import bp
from .forms import BuildForm
from .jobs import export_file, job_view, keep_days
from .reports import _reportable
from .rounds import posted

# Per export: the kind the audit log names it by, the file's type, its name when saved.
DOWNLOADS = {
    "antwoorden-csv": (ANSWERS_CSV, "text/csv", "antwoorden-{round}.csv"),
    "antwoorden-xlsx": (ANSWERS_XLSX, XLSX_TYPE, "antwoorden-{round}.xlsx"),
    "antwoorden-sav": (ANSWERS_SAV, SAV_TYPE, "antwoorden-{round}.sav"),
    "analyse-csv": (ANALYSIS_CSV, "text/csv", "analyse-{round}.csv"),
}


def export_rows(rnd: Round) -> list[dict]:
    """Per export of the round: the file to download (the newest done one still there),
    the job making one now, and the newest job when it is neither (failed, interrupted,
    or its file gone), so the page says what became of it."""
    by_key: dict[str, list[Job]] = {}
    for job in export_files.round_jobs(db.session, rnd.id):
        by_key.setdefault(job.params.get("export", ""), []).append(job)
    rows = []
    for export in export_files.EXPORTS.values():
        mine = by_key.get(export.key, [])
        views = [job_view(job) for job in mine]
        active = next((v for v in views if v["active"]), None)
        offered = next((found for job in mine if job.state == JobState.DONE.value
                        and (found := export_file(job)) is not None), None)
        newest = views[0] if views else None
        if newest is active or (offered and newest["job"] is offered["job"]):
            newest = None
        rows.append({"export": export, "active": active, "file": offered, "newest": newest})
    return rows


def _back(rnd: Round | None, job: Job | None = None):
    if rnd is not None and rnd.state != "draft":
        return redirect(url_for(".round_reports", round_id=rnd.id, _anchor="exports"))
    if job is not None:
        return redirect(url_for(".job_detail", job_id=job.id))
    return redirect(url_for(".jobs"))


@bp.post("/rondes/<int:round_id>/export/<key>")
def export_start(round_id: int, key: str):
    """A job that writes this export of the round; the same export already being made
    is said, not started a second time."""
    rnd = _reportable(round_id)
    export = export_files.EXPORTS.get(key)
    if export is None:
        abort(404)
    posted(BuildForm())
    try:
        jobs.start(current_app._get_current_object(), records.EXPORT, rnd.id,
                   current_user.id, params=export_files.new_params(key),
                   unless_active={"export": key})
    except jobs.AlreadyActive as running:
        flash(gettext("%(export)s wordt al gemaakt (taak %(id)s); deze pagina toont de "
                      "voortgang.", export=export.label, id=running.job_id), "info")
    else:
        flash(gettext("%(export)s wordt gemaakt; deze pagina toont de voortgang en biedt "
                      "het bestand aan zodra het klaar is.", export=export.label), "success")
    return _back(rnd)


@bp.get("/taken/<int:job_id>/bestand")
def export_download(job_id: int):
    """A finished export's file; refused (with a reason, back to the page) for a job that
    is no export, not done, or whose file is gone."""
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    rnd = db.session.get(Round, job.round_id) if job.round_id else None
    if job.kind != records.EXPORT:
        flash(gettext("Taak %(id)s maakt geen bestand om te downloaden.", id=job.id),
              "error")
        return redirect(url_for(".job_detail", job_id=job.id))
    if job.state == JobState.FAILED.value:
        flash(gettext("Deze export is mislukt en heeft geen bestand: maak een nieuwe "
                      "export."), "error")
        return _back(rnd, job)
    if job.state != JobState.DONE.value:
        flash(gettext("Deze export is nog niet klaar: download het bestand wanneer de taak "
                      "klaar is."), "error")
        return _back(rnd, job)
    # opened before the audit commit: a clean-up after it cannot take the file away
    opened = (export_files.open_offered(current_app.instance_path, job, keep_days())
              if rnd is not None else None)
    if opened is None:
        flash(gettext("Het bestand van deze export is er niet meer: een nieuwere export van "
                      "dezelfde soort verving het, of het werd na de bewaartermijn "
                      "verwijderd. Maak een nieuwe export."), "error")
        return _back(rnd, job)
    found, handle = opened
    kind, mimetype, name = DOWNLOADS[found.export.key]
    try:
        log_download(kind, rnd.id, rnd.name)
    except BaseException:
        handle.close()
        raise
    answer = send_file(handle, mimetype=mimetype, as_attachment=True,
                       download_name=name.format(round=rnd.id), max_age=0)
    answer.content_length = os.fstat(handle.fileno()).st_size
    return answer


@bp.get("/rondes/<int:round_id>/antwoorden.csv", endpoint="responses_csv")
@bp.get("/rondes/<int:round_id>/antwoorden.xlsx", endpoint="responses_xlsx")
@bp.get("/rondes/<int:round_id>/antwoorden.sav", endpoint="responses_sav")
@bp.get("/rondes/<int:round_id>/analyse.csv", endpoint="analysis_csv")
def old_export_link(round_id: int):
    """A bookmarked link of the downloads once streamed here: the page with the buttons."""
    rnd = _reportable(round_id)
    flash(gettext("Alle antwoorden worden nu op de achtergrond in een bestand gezet: kies "
                  "‘Export maken’ en download het bestand wanneer het klaar is."), "info")
    return _back(rnd)
