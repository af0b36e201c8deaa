"""What the CLB portal and the inspectors' console share: one CLB's feedback (live, or
from a published version) or a 404, its files as downloads (every one of them written to
the audit log here, and only here), the context of the results page."""

from __future__ import annotations

import tempfile

from flask import Response, abort
from flask_babel import gettext
from flask_login import current_user

from instrument.domain import ACTION_STATE_NAMES
from reports import sheet_bars, sheet_data, workbook
from reports.content import LEVEL_NAMES, SUPPRESSED_TEXT, Feedback, reading_guide

from .database import write_transaction
from .extensions import db
from .models import Round
from .models.versions import ReportVersion
from .services import accounts
from .services.report_versions import centre_feedback

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The kinds of results file, as the audit log names them.
SHEET, WORKBOOK, SECTOR_WORKBOOK = "sheet", "workbook", "sector workbook"
SECTOR_REPORT, SECTOR_REPORT_DATA = "sector report", "sector report data"
ANSWERS_CSV, ANSWERS_XLSX, ZIP = "all answers csv", "all answers xlsx", "all reports zip"
ANSWERS_SAV, ANALYSIS_CSV, CODEBOOK = "all answers sav", "analysis csv", "codebook csv"
SAV_TYPE = "application/x-spss-sav"


def log_download(kind: str, round_id: int, round_name: str,
                 centre_number: str | None = None, version: int | None = None) -> None:
    """One audit row per results file handed out: who, which kind, round and CLB (and the
    published version, when the file is of one). Written (and committed) before the file
    is made, so a download cut off halfway is still in the log."""
    detail = {"version": version} if version is not None else {}
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, "results downloaded", round_name,
                       kind=kind, round=round_id, centre=centre_number, **detail)


def download(data, mimetype: str, filename: str, *, kind: str, round_id: int,
             round_name: str, centre_number: str | None = None,
             version: int | None = None) -> Response:
    """A results file as an attachment; every call leaves its audit row. `data` is the
    bytes, or a function that makes the body (bytes or chunks) once the row is written:
    a stream must be set up after the audit commit, which expires what it reads."""
    log_download(kind, round_id, round_name, centre_number, version)
    return attachment(data() if callable(data) else data, mimetype, filename)


def attachment(data, mimetype: str, filename: str) -> Response:
    """A file as an attachment, without an audit row: for the files that are not results
    (links, response figures), whose views log their own."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def xlsx_download(data: bytes, filename: str) -> Response:
    return attachment(data, XLSX_TYPE, filename)


def spooled_xlsx_download(write, filename: str, *, kind: str, round_id: int,
                          round_name: str) -> Response:
    """An .xlsx too large to hold in memory: write(file) fills an unnamed temporary file,
    which is then sent in chunks and disappears when the answer is closed."""
    log_download(kind, round_id, round_name)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the answer closes)
    try:
        write(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    answer = attachment(iter(lambda: spool.read(1 << 16), b""), XLSX_TYPE, filename)
    answer.content_length = size
    answer.call_on_close(spool.close)
    return answer


def feedback_or_404(rnd: Round, centre_number: str,
                    version: ReportVersion | None = None) -> Feedback:
    """The CLB's feedback: live, or from a published version's frozen data."""
    fb = centre_feedback(db.session, rnd, centre_number, version)
    if fb is None:
        abort(404)
    return fb


def _feedback_file(fb: Feedback, kind: str, make, mimetype: str, filename: str,
                   version: ReportVersion | None) -> Response:
    return download(lambda: make(fb), mimetype, filename, kind=kind, round_id=fb.round.id,
                    round_name=fb.round.name, centre_number=fb.centre.number,
                    version=version.number if version else None)


def _suffix(version: ReportVersion | None) -> str:
    return f"-versie{version.number}" if version else ""


def sheet_download(fb: Feedback, version: ReportVersion | None = None) -> Response:
    return _feedback_file(fb, SHEET, sheet_data.render, PDF_TYPE,
                          f"feedbackrapport-{fb.centre.number}-{fb.round.id}"
                          f"{_suffix(version)}.pdf", version)


def workbook_download(fb: Feedback, version: ReportVersion | None = None) -> Response:
    return _feedback_file(fb, WORKBOOK, workbook.centre_workbook, XLSX_TYPE,
                          f"werkboek-{fb.centre.number}-{fb.round.id}{_suffix(version)}.xlsx",
                          version)


def page_context(fb: Feedback) -> dict:
    # The reports' constants are Dutch msgids: shown in the request's language.
    return {"fb": fb, "bars": sheet_bars.statement_bars(fb), "guide": reading_guide(fb),
            "level_names": {level: gettext(name) for level, name in LEVEL_NAMES.items()},
            "suppressed_text": gettext(SUPPRESSED_TEXT),
            "action_states": {state: gettext(name) for state, name in ACTION_STATE_NAMES.items()}}
