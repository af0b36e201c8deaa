"""The sector report of a round (for the inspectorate to publish), from the database: the
same aggregate inputs as the CLB sheets (services/reports.round_data: the counts cube and
the kept turnout per CLB and level), the earlier published rounds of the same
questionnaire for the trend, the networks' names and the remarks' themes. Returns the content
(reports/sector.py), its PDF and its workbook; nothing in them names a CLB."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from reports import sector, sector_pdf, sector_tables

from ..models import NETWORKS, Round
from . import reports


def content(session: Session, rnd: Round, *, today: datetime | None = None,
            data: reports.RoundData | None = None) -> sector.SectorReport:
    """The round's sector report as plain content. The sector is the round's own answers
    (a reference round gives CLB sheets their benchmark; it is not this round's sector).
    `data`: the round's inputs when the caller has them already (a build)."""
    data = data or reports.round_data(session, rnd, today=today)
    earlier = [entry for entry, _numbers in reports.earlier_rounds(session, rnd)]
    return sector.build(data.info, data.layout, data.cube, data.inputs.values(),
                        list(NETWORKS.values()), earlier, data.themes)


def build_files(session: Session, rnd: Round, *, today: datetime | None = None,
                data: reports.RoundData | None = None) -> tuple[bytes, bytes]:
    """(PDF, .xlsx) of the round's sector report."""
    report = content(session, rnd, today=today, data=data)
    return sector_pdf.render(report), sector_tables.workbook(report)


def render_pdf(session: Session, rnd: Round) -> bytes:
    return sector_pdf.render(content(session, rnd))


def render_xlsx(session: Session, rnd: Round) -> bytes:
    return sector_tables.workbook(content(session, rnd))
