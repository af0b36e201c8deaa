"""The coded remarks of a round as an .xlsx for the inspectorate's own analysis: every
remark that is not hidden, with its CLB number, level, section, review state and themes
(one 0/1 column per theme and one column naming them all), and the codebook beside it.

Never a school's name or number, nor a response id; a redacted remark is exported as
its redacted text (what an inspector shortened stays shortened); text never becomes a
formula (reports/xlsx.py's safe_text, through its workbook())."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.xlsx import workbook

from ..models import Centre, Invitation, Remark, Round
from ..models.themes import RemarkTheme, Theme
from .remarks import REVIEW_NAMES, RemarkRef, remark_sections, reviewable
from .themes import codebook, usage

KIND = "coded remarks xlsx"          # as the audit log names the download


def _tags(session: Session, round_: Round) -> dict[RemarkRef, set[int]]:
    """Every tag of the round's themes, by remark (one query, whatever the size)."""
    out: dict[RemarkRef, set[int]] = {}
    for response_id, key, theme_id in session.execute(
            select(RemarkTheme.response_id, RemarkTheme.key, RemarkTheme.theme_id)
            .join(Theme, Theme.id == RemarkTheme.theme_id)
            .where(Theme.round_id == round_.id)):
        out.setdefault((response_id, key), set()).add(theme_id)
    return out


def rows(session: Session, round_: Round) -> tuple[list[str], list[list]]:
    """(header, rows) of the remarks sheet, by CLB, level, section and text (never in the
    order schools answered)."""
    themes = codebook(session, round_)
    sections = remark_sections(session, round_)
    place = {key: (index, section.title)
             for index, section in enumerate(sections) for key in section.remark_keys}
    tags = _tags(session, round_)
    header = [gettext("Opmerking"), gettext("CLB-nummer"), gettext("Niveau"),
              gettext("Deel van de vragenlijst"), gettext("Beoordeling"),
              gettext("Ingekort"), *(theme.name for theme in themes), gettext("Thema's")]
    found = session.execute(
        reviewable(round_, Remark.response_id, Remark.key, Remark.text, Remark.redacted_text,
                   Remark.review, Centre.number, Invitation.level)
        .where(Remark.review != "hidden"))
    body = []
    for response_id, key, text, redacted, review, number, level in found:
        own = tags.get((response_id, key), set())
        index, title = place.get(key, (len(sections), key))
        body.append((number, level, index, text, [
            redacted if redacted is not None else text, number, level, title,
            str(REVIEW_NAMES[review]), int(redacted is not None),
            *(int(theme.id in own) for theme in themes),
            "; ".join(theme.name for theme in themes if theme.id in own)]))
    body.sort(key=lambda row: row[:4])
    return header, [row for *_, row in body]


def coded_remarks(session: Session, round_: Round) -> bytes:
    """The workbook: sheet "Opmerkingen" (rows()) and sheet "Thema's" (the codebook with
    the number of remarks tagged)."""
    header, body = rows(session, round_)
    used = usage(session, round_)
    codebook_rows = [(theme.name, theme.description, theme.keywords, used.get(theme.id, 0))
                     for theme in codebook(session, round_)]
    return workbook([
        (gettext("Opmerkingen"), header, body),
        (gettext("Thema's"), [gettext("Thema"), gettext("Omschrijving"),
                              gettext("Regels voor voorstellen"),
                              gettext("Opmerkingen met dit thema")], codebook_rows),
    ])
