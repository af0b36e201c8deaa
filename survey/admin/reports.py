"""Console routes for a round's results: preview any CLB's sheet, download its files and
the sector workbook, build everything as a background job (survey/jobs/reports.py), the
analysts' codebook. The large exports of every answer are jobs too: exports.py (imported
at the end). The review of schools' remarks is in remarks.py."""

from __future__ import annotations

import io
import zipfile

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from instrument.domain import JobState
from reports import codebook

from .. import jobs
from ..extensions import db
from ..jobs import records
from ..models import Round
from ..results import (
    CODEBOOK,
    PDF_TYPE,
    SECTOR_REPORT,
    SECTOR_REPORT_DATA,
    SECTOR_WORKBOOK,
    XLSX_TYPE,
    ZIP,
    download,
    feedback_or_404,
    page_context,
    sheet_download,
    spooled_xlsx_download,
    workbook_download,
)
from ..services import accounts, analysis_export, remarks, reports, sector_report
from ..services.monitoring import round_figures
from . import bp
from .forms import BuildForm
from .jobs import job_view, keep_days
from .rounds import posted, round_or_404


def _reportable(round_id: int) -> Round:
    rnd = round_or_404(round_id)
    if rnd.state == "draft":
        abort(404)
    return rnd


@bp.get("/rondes/<int:round_id>/rapporten")
def round_reports(round_id: int):
    rnd = _reportable(round_id)
    build = records.latest(db.session, records.REPORTS, rnd.id)
    return render_template("admin/reports.html", rnd=rnd,
                           centres=round_figures(db.session, rnd.id).centres,
                           build=job_view(build) if build else None, build_form=BuildForm(),
                           review_counts=remarks.counts(db.session, rnd),
                           exports=exports.export_rows(rnd), keep_days=keep_days())


@bp.get("/rondes/<int:round_id>/rapporten/<number>")
def report_preview(round_id: int, number: str):
    rnd = _reportable(round_id)
    return render_template("admin/report_preview.html", rnd=rnd,
                           **page_context(feedback_or_404(rnd, number)))


@bp.get("/rondes/<int:round_id>/rapporten/<number>/feedbackrapport.pdf")
def report_pdf(round_id: int, number: str):
    return sheet_download(feedback_or_404(_reportable(round_id), number))


@bp.get("/rondes/<int:round_id>/rapporten/<number>/werkboek.xlsx")
def report_xlsx(round_id: int, number: str):
    return workbook_download(feedback_or_404(_reportable(round_id), number))


@bp.get("/rondes/<int:round_id>/sectorwerkboek.xlsx")
def report_sector(round_id: int):
    rnd = _reportable(round_id)
    return spooled_xlsx_download(lambda spool: reports.sector_workbook(
        db.session, rnd, target=spool), f"sector-{round_id}.xlsx", kind=SECTOR_WORKBOOK,
        round_id=rnd.id, round_name=rnd.name)


@bp.get("/rondes/<int:round_id>/sectorrapport.pdf")
def sector_report_pdf(round_id: int):
    """The sector report for the inspectorate to publish: no CLB or school named."""
    rnd = _reportable(round_id)
    return download(sector_report.render_pdf(db.session, rnd), PDF_TYPE,
                    f"sectorrapport-{round_id}.pdf", kind=SECTOR_REPORT, round_id=rnd.id,
                    round_name=rnd.name)


@bp.get("/rondes/<int:round_id>/sectorrapport.xlsx")
def sector_report_xlsx(round_id: int):
    """The tables behind the sector report."""
    rnd = _reportable(round_id)
    return download(sector_report.render_xlsx(db.session, rnd), XLSX_TYPE,
                    f"sectorrapport-{round_id}.xlsx", kind=SECTOR_REPORT_DATA,
                    round_id=rnd.id, round_name=rnd.name)


@bp.get("/rondes/<int:round_id>/codeboek.csv")
def codebook_csv(round_id: int):
    """Every variable of the analysts' files: its question, type, codes and labels."""
    rnd = _reportable(round_id)
    return download(lambda: _text_file(lambda out: codebook.write_codebook_csv(
        analysis_export.analysis_table(db.session, rnd), out)), "text/csv",
        f"codeboek-{round_id}.csv", kind=CODEBOOK, round_id=rnd.id, round_name=rnd.name)


def _text_file(write) -> bytes:
    out = io.StringIO()
    write(out)
    return out.getvalue().encode("utf-8")


@bp.post("/rondes/<int:round_id>/rapporten/bouwen")
def report_build(round_id: int):
    """A job that builds every file of the round; the page shows its progress."""
    rnd = _reportable(round_id)
    posted(BuildForm())
    try:
        jobs.start(current_app._get_current_object(), records.REPORTS, rnd.id,
                   current_user.id, audit=lambda session: accounts.audit(
                       session, current_user, "reports built", rnd.name),
                   unless_active={})
    except jobs.AlreadyActive:
        flash(gettext("Er loopt al een opbouw voor deze bevraging."), "error")
    else:
        flash(gettext("De rapporten worden opgebouwd; deze pagina toont de voortgang."),
              "success")
    return redirect(url_for(".round_reports", round_id=rnd.id))


@bp.get("/rondes/<int:round_id>/rapporten/alles.zip")
def report_zip(round_id: int):
    rnd = _reportable(round_id)
    folder = reports.build_dir(current_app.instance_path, rnd.id)
    build = records.latest(db.session, records.REPORTS, rnd.id)
    if build is None or build.state != JobState.DONE:
        flash(gettext("Bouw eerst alle rapporten op."), "error")
        return redirect(url_for(".round_reports", round_id=rnd.id))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix in (".pdf", ".xlsx") and not path.name.startswith("."):
                archive.write(path, path.name)
    return download(buf.getvalue(), "application/zip", f"rapporten-{rnd.id}.zip", kind=ZIP,
                    round_id=rnd.id, round_name=rnd.name)


from . import exports  # noqa: E402  (its routes on bp; it reads _reportable above)
