"""Console pages of the background jobs: every job with its progress and outcome
(/beheer/taken), and one job's page, which refreshes itself while the job runs; an export
job's page offers its file once it is done (export_file: what the pages show of it)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from instrument.domain import JobState

from ..extensions import db
from ..jobs import records
from ..models import Round, utcnow
from ..models.jobs import Job
from ..routing import page_number
from ..services import export_files, mailing
from . import bp

PER_PAGE = 50

KIND_NAMES = {records.REPORTS: _l("Rapporten opbouwen"), records.MAIL: _l("Mails versturen"),
              records.EXPORT: _l("Export maken")}
STATE_NAMES = {JobState.QUEUED: _l("wacht"), JobState.RUNNING: _l("bezig"),
               JobState.DONE: _l("klaar"), JobState.FAILED: _l("mislukt")}
INTERRUPTED = _l("onderbroken")


def job_view(job: Job, now=None) -> dict:
    """What a page shows of a job: its state in words (a running job whose worker has not
    been heard of within the lease is "onderbroken", before the tick restarts it)."""
    now = now or utcnow()
    stopped = records.stopped(job, now, records.lease(current_app.config))
    state = JobState(job.state)
    return {"job": job, "kind": KIND_NAMES.get(job.kind, job.kind),
            "state": state.value, "stopped": stopped,
            "state_name": INTERRUPTED if stopped else STATE_NAMES[state],
            "active": state in (JobState.QUEUED, JobState.RUNNING) and not stopped,
            "percent": (100 * job.done // job.total) if job.total else None,
            # a mail job's message in words ("uitnodiging"), never its key
            "message_name": (mailing.message_name(job.params.get("message", ""))
                             if job.kind == records.MAIL else None),
            # an export job: which file, in words
            "export": (export_files.EXPORTS.get(job.params.get("export", ""))
                       if job.kind == records.EXPORT else None)}


def keep_days() -> float:
    return float(current_app.config["SURVEY_EXPORT_KEEP_DAYS"])


def export_file(job: Job) -> dict | None:
    """A done export job's file as the pages offer it (size in words, when it was made,
    by whom); None when there is none to download (not done, gone, too old)."""
    found = export_files.offered(current_app.instance_path, job, keep_days())
    if found is None:
        return None
    return {"job": job, "export": found.export, "size": size_text(found.size),
            "made": found.made, "by": found.by}


def size_text(size: int) -> str:
    """A file's size as people read it: 830 bytes, 12 kB, 3,4 MB (the locale's comma)."""
    if size < 1000:
        return f"{size} bytes"
    unit, factor = next(((unit, factor) for unit, factor in (("GB", 10**9), ("MB", 10**6))
                         if size >= factor), ("kB", 1000))
    value = size / factor
    return f"{format_decimal(round(value, 1) if value < 10 else round(value))} {unit}"


@bp.get("/taken")
def jobs():
    page = page_number(request.args)
    round_id = request.args.get("ronde", type=int)
    if round_id is not None and not 0 < round_id < 2**31:   # the database's integers
        abort(404)
    rows = records.recent(db.session, PER_PAGE, (page - 1) * PER_PAGE, round_id=round_id)
    names = dict(db.session.execute(db.select(Round.id, Round.name).where(
        Round.id.in_({j.round_id for j in rows if j.round_id}))).all())
    views = [job_view(job) for job in rows]
    return render_template("admin/jobs.html", jobs=views, names=names, page=page,
                           per_page=PER_PAGE, round_id=round_id,
                           refresh=any(v["active"] for v in views))


@bp.get("/taken/<int:job_id>")
def job_detail(job_id: int):
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    rnd = db.session.get(Round, job.round_id) if job.round_id else None
    return render_template("admin/job.html", rnd=rnd, **job_view(job),
                           export_file=export_file(job))
