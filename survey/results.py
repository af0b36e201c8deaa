"""What the CLB portal and the inspectors' preview share: file types, the download
header and the context of the results page."""

from __future__ import annotations

from reports.content import LEVEL_NAMES, SUPPRESSED_TEXT, Feedback, reading_guide

from .services.reports import section_charts

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def page_context(fb: Feedback) -> dict:
    return {"fb": fb, "charts": section_charts(fb), "guide": reading_guide(fb),
            "level_names": LEVEL_NAMES, "suppressed_text": SUPPRESSED_TEXT}
