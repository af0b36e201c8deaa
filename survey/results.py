"""What the CLB portal and the inspectors' console share: one CLB's feedback or a 404,
its files as downloads, the context of the results page."""

from __future__ import annotations

import tempfile

from flask import Response, abort

from reports import pdf, workbook
from reports.content import LEVEL_NAMES, SUPPRESSED_TEXT, Feedback, reading_guide

from .extensions import db
from .models import Round
from .services.reports import feedback, section_charts

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def xlsx_download(data: bytes, filename: str) -> Response:
    return download(data, XLSX_TYPE, filename)


def spooled_xlsx_download(write, filename: str) -> Response:
    """An .xlsx too large to hold in memory: write(file) fills an unnamed temporary file,
    which is then sent in chunks and disappears when the answer is closed."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the answer closes)
    try:
        write(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    answer = download(iter(lambda: spool.read(1 << 16), b""), XLSX_TYPE, filename)
    answer.content_length = size
    answer.call_on_close(spool.close)
    return answer


def feedback_or_404(rnd: Round, centre_number: str) -> Feedback:
    fb = feedback(db.session, rnd, centre_number)
    if fb is None:
        abort(404)
    return fb


def sheet_download(fb: Feedback) -> Response:
    return download(pdf.render(fb), PDF_TYPE,
                    f"feedbackrapport-{fb.centre.number}-{fb.round.id}.pdf")


def workbook_download(fb: Feedback) -> Response:
    return xlsx_download(workbook.centre_workbook(fb),
                         f"werkboek-{fb.centre.number}-{fb.round.id}.xlsx")


def page_context(fb: Feedback) -> dict:
    return {"fb": fb, "charts": section_charts(fb), "guide": reading_guide(fb),
            "level_names": LEVEL_NAMES, "suppressed_text": SUPPRESSED_TEXT}
