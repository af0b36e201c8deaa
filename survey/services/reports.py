"""From the database to the reports package: gather a round's plain inputs (the counts
cube, turnout, reviewed remarks, earlier rounds) with a handful of aggregate queries, then
build one CLB's feedback or every file of a round, in parallel processes (each with the
translator of the files' language installed, as the parent has its own)."""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel.support import Translations
from flask import current_app, has_app_context
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from instrument import i18n
from reports import content, sheet_data, typeset, workbook
from reports.feedback import Cube
from reports.layout import Layout, from_snapshot
from reports.sector_themes import Theme, Themes

from ..formatting import BRUSSELS, MONTHS
from ..models import NETWORKS, Centre, Invitation, Remark, Response, Round
from ..translations import catalogues
from . import exports
from .counts import counted
from .counts import cube as counts_cube
from .follow_up import previous_actions_by_centre
from .monitoring import round_figures
from .themes import theme_counts

# Past this many responses the sector workbook leaves its "Antwoorden" sheet to the
# separate streamed download: openpyxl writes about 4,000 such rows a second.
SECTOR_RESPONSE_ROWS = 100_000
# The sector report (for the inspectorate to publish) and the data behind it, in a build.
SECTOR_REPORT_PDF, SECTOR_REPORT_XLSX = "sectorrapport.pdf", "sectorrapport.xlsx"


@dataclass(frozen=True)
class RoundData:
    """Everything the reports need of a round, as plain data (picklable for workers)."""

    info: content.RoundInfo
    layout: Layout
    cube: Cube
    sector_cube: Cube | None            # the reference round's cube, if there is one
    inputs: dict[str, content.CentreInput]   # per CLB number, in CLB-number order
    themes: Themes | None = None       # the remarks' themes, when the round has a codebook


def dutch_date(moment: datetime) -> str:
    local = moment.astimezone(BRUSSELS)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def round_data(session: Session, rnd: Round, *, only: str | None = None,
               today: datetime | None = None) -> RoundData:
    """The round's inputs, for every CLB or, with `only`, for one CLB number."""
    reference = rnd.reference_round
    info = content.RoundInfo(
        rnd.id, rnd.name, rnd.school_year, rnd.min_group_size,
        dutch_date(today or datetime.now(BRUSSELS)),
        reference.name if reference else None, rnd.min_benchmark_centres)
    cube = counts_cube(session, rnd.id)
    sector_cube = counts_cube(session, reference.id) if reference else None
    figures = round_figures(session, rnd.id)
    remarks = approved_remarks(session, rnd, only)
    earlier = earlier_rounds(session, rnd)
    networks = dict(session.execute(select(Centre.number, Centre.network)).all())
    answers = previous_answers(session, rnd)
    inputs = {}
    for row in sorted(figures.centres, key=lambda r: r.number):
        if only is not None and row.number != only:
            continue
        centre = content.CentreInfo(row.number, row.name,
                                    NETWORKS.get(networks.get(row.number), ""))
        inputs[row.number] = content.CentreInput(
            centre,
            {lv: c.invited for lv, c in row.levels.items()},
            {lv: c.submitted for lv, c in row.levels.items()},
            remarks.get(row.number, []),
            [e for e, numbers in earlier if row.number in numbers],
            answers.get(row.number))
    return RoundData(info, from_snapshot(rnd.definition), cube, sector_cube, inputs,
                     remark_themes(session, rnd))


def remark_themes(session: Session, rnd: Round) -> Themes | None:
    """The remarks' themes (services/themes.theme_counts: approved remarks per theme and
    per (CLB number, level), and all approved remarks as the base); None when the round
    has no codebook. The reports decide what is shown."""
    counted = theme_counts(session, rnd)
    if not counted.themes:
        return None
    return Themes([Theme(t.name, t.counts) for t in counted.themes], counted.remarks)


def previous_answers(session: Session, rnd: Round) -> dict[str, content.PreviousAnswer]:
    """Per CLB number: its submitted answer to the previous published round of the same
    questionnaire, as the sheet shows it beside the trend."""
    return {number: content.PreviousAnswer(
                given.round_name, given.reaction,
                tuple(content.PreviousAction(action.statement, action.text,
                                             dutch_day(action.due_on) if action.due_on else "",
                                             str(action.state))
                      for action in given.actions))
            for number, given in previous_actions_by_centre(session, rnd).items()}


def dutch_day(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def reference_candidates(session: Session, min_centres: int) -> list[Round]:
    """Rounds that can give a round of a few CLBs its sector figures: not drafts, with
    invitations of more than `min_centres` CLBs (so that every CLB has that many others),
    newest first."""
    centres = (select(Invitation.round_id)
               .where(Invitation.revoked_at.is_(None))
               .group_by(Invitation.round_id)
               .having(func.count(distinct(Invitation.centre_id)) > min_centres))
    return list(session.scalars(select(Round).where(Round.state != "draft",
                                                    Round.id.in_(centres))
                                .order_by(Round.created_at.desc())))


def approved_remarks(session: Session, rnd: Round,
                     only: str | None = None) -> dict[str, list[content.Remark]]:
    """Reviewed and approved remarks of submitted, not withdrawn responses, per CLB; the
    redacted text where an inspector redacted one. Nothing that names the school."""
    layout = from_snapshot(rnd.definition)
    query = (select(Centre.number, Remark.key, Remark.text, Remark.redacted_text)
             .join(Response, Response.id == Remark.response_id)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .join(Centre, Centre.id == Invitation.centre_id)
             .where(*counted(rnd.id), Remark.review == "approved",
                    Remark.hidden.is_(False)))
    if only is not None:
        query = query.where(Centre.number == only)
    out: dict[str, list[content.Remark]] = defaultdict(list)
    for number, key, text, redacted in session.execute(query):
        section = layout.section_of_remark(key)
        shown = (text if redacted is None else redacted).strip()
        if section is not None and shown:
            out[number].append(content.Remark(section.key, shown))
    return out


def earlier_rounds(session: Session, rnd: Round) -> list[tuple[content.Earlier, set[str]]]:
    """Published rounds of the same questionnaire before this one, oldest first, each with
    the CLB numbers that took part."""
    rounds = session.scalars(
        select(Round).where(Round.state == "published", Round.id != rnd.id,
                            Round.questionnaire_id == rnd.questionnaire_id,
                            Round.created_at < rnd.created_at)
        .order_by(Round.created_at)).all()
    out = []
    for other in rounds:
        cube = counts_cube(session, other.id)
        numbers = {number for number, *_ in cube}
        out.append((content.Earlier(other.name, cube, other.min_group_size,
                                    other.school_year), numbers))
    return out


def feedback(session: Session, rnd: Round, centre_number: str, *,
             data: RoundData | None = None) -> content.Feedback | None:
    """One CLB's feedback, or None when the CLB had no invitation in the round: from the
    live data, or from `data` (a published version's frozen inputs:
    services/report_versions.centre_feedback)."""
    data = data or round_data(session, rnd, only=centre_number)
    given = data.inputs.get(centre_number)
    if given is None:
        return None
    return content.build(data.info, data.layout, data.cube, given, data.sector_cube,
                         data.themes)


def sector_workbook(session: Session, rnd: Round, data: RoundData | None = None,
                    feedbacks: list[content.Feedback] | None = None,
                    target=None) -> bytes | None:
    """The sector workbook as bytes, or written to target (a path or a binary file)."""
    data = data or round_data(session, rnd)
    if feedbacks is None:
        feedbacks = [content.build(data.info, data.layout, data.cube, given,
                                   data.sector_cube, data.themes)
                     for given in data.inputs.values()]
    labels = {n: s.title for n, s in data.layout.statements.items()}
    responses = None
    if sum(fb.respondents for fb in feedbacks) <= SECTOR_RESPONSE_ROWS:
        responses = exports.response_rows(session, rnd)
    return workbook.sector_workbook(rnd.name, data.layout.numbers, labels, feedbacks,
                                    responses, target, data.layout.slots,
                                    themes=data.themes)


# --- Building every file of a round -----------------------------------------------------


@dataclass(frozen=True)
class Language:
    """The language a round's files are written in: its code and the folders of the
    catalogues (the app's BABEL_TRANSLATION_DIRECTORIES), plain data for the workers."""

    code: str
    directories: tuple[str, ...]


def report_language(code: str | None = None) -> Language:
    """`code`, or the app's default language (Dutch), with the app's catalogues; outside an
    app the package's own."""
    config = current_app.config if has_app_context() else {}
    folders = config.get("BABEL_TRANSLATION_DIRECTORIES") or str(catalogues.HERE)
    return Language(code or config.get("BABEL_DEFAULT_LOCALE") or catalogues.SOURCE_LANGUAGE,
                    tuple(folder for folder in folders.split(";") if folder))


def translator(language: Language) -> Callable[[str], str]:
    """msgid -> text in the language, from its compiled catalogues (as Flask-Babel merges
    them); a text the catalogue lacks, or a language without one, stays Dutch."""
    translations = Translations()
    for folder in language.directories:
        translations.merge(Translations.load(folder, [language.code], catalogues.DOMAIN))
    return translations.gettext


_shared: dict = {}


def _init_worker(data: RoundData, out: str, language: Language | None = None) -> None:
    """A worker's start: the round's inputs, the folder, and the translator of the files'
    language, installed for the engine and the reports (instrument.i18n) as create_app
    installs the app's in the parent. None: the process keeps the one it has (in-process)."""
    _shared["data"], _shared["out"] = data, Path(out)
    if language is not None:
        i18n.install(translator(language))


def _workers_context():
    """How the workers start. Forked from this process while it has never rendered a PDF
    (the CLI, a fresh build: the quickest start); else from a clean server process: the
    renderer (Typst) keeps a thread pool, and a process forked while it exists waits
    forever on work its threads would have done (seen here: a second build hung). The
    server imports the report modules once."""
    if not typeset.started():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["survey.services.reports"])
    return context


def _build_one(number: str) -> content.Feedback:
    data: RoundData = _shared["data"]
    out: Path = _shared["out"]
    fb = content.build(data.info, data.layout, data.cube, data.inputs[number],
                       data.sector_cube, data.themes)
    _write(out / f"{number}.pdf", sheet_data.render(fb))
    _write(out / f"{number}.xlsx", workbook.centre_workbook(fb))
    return fb


def _build_in_worker(number: str) -> str:
    """_build_one in a worker: only the number goes back (a feedback is large to pickle,
    and the parent reads every CLB itself for the sector's files)."""
    _build_one(number)
    return number


def _write(path: Path, payload: bytes) -> None:
    """Write beside and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


def build_dir(instance_path: str, round_id: int) -> Path:
    return Path(instance_path) / "reports" / f"round-{round_id}"


def _sector_files(session: Session, rnd: Round, data: RoundData, out: Path,
                  feedbacks: list[content.Feedback] | None = None) -> None:
    """DIR/sector.xlsx and the sector report (PDF and its tables)."""
    from .sector_report import build_files  # it builds on this module's inputs

    sector = out / "sector.xlsx"
    tmp = sector.with_name(f".{sector.name}.{os.getpid()}.tmp")
    sector_workbook(session, rnd, data, feedbacks, target=tmp)
    os.replace(tmp, sector)
    report_pdf, report_xlsx = build_files(session, rnd, data=data)
    _write(out / SECTOR_REPORT_PDF, report_pdf)
    _write(out / SECTOR_REPORT_XLSX, report_xlsx)


def build_round(session: Session, rnd: Round, out: Path, *, jobs: int = 1,
                progress: Callable[[int], None] | None = None,
                data: RoundData | None = None, language: str | None = None) -> list[Path]:
    """DIR/<number>.pdf and DIR/<number>.xlsx for every CLB, then DIR/sector.xlsx and the
    sector report, DIR/sectorrapport.pdf and .xlsx (for the inspectors: in the app's
    language). With jobs > 1 the CLBs are built in that many
    processes. The CLBs' files are in `language` (default: the app's): each worker
    installs its translator. In the default language one job builds in this process, whose
    translator (create_app's, outside a request) gives the same texts; another language
    always goes to a worker, since this process's translator serves every thread."""
    out.mkdir(parents=True, exist_ok=True)
    data = data or round_data(session, rnd)
    numbers = list(data.inputs)
    feedbacks: dict[str, content.Feedback] = {}
    wanted, default = report_language(language), report_language()
    if jobs <= 1 and wanted == default:
        _init_worker(data, str(out))
        for number in numbers:
            feedbacks[number] = _build_one(number)
            if progress:
                progress(1)
        _sector_files(session, rnd, data, out, [feedbacks[n] for n in numbers])
    else:
        with ProcessPoolExecutor(max(jobs, 1), mp_context=_workers_context(),
                                 initializer=_init_worker,
                                 initargs=(data, str(out), wanted)) as pool:
            built = pool.map(_build_in_worker, numbers)
            # The workers have started: the sector's files are made here meanwhile, from
            # this process's own reading of every CLB (in the app's language).
            _sector_files(session, rnd, data, out)
            for _number in built:
                if progress:
                    progress(1)
    return [out / f"{n}.{ext}" for n in numbers for ext in ("pdf", "xlsx")] + \
        [out / "sector.xlsx", out / SECTOR_REPORT_PDF, out / SECTOR_REPORT_XLSX]
