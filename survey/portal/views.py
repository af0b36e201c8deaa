"""Portal routes: the CLB's published rounds, its results page, its PDF and workbook.

A round published with versions (services/report_versions.py) is shown as the version
asked for (?versie=N), by default the newest published one; a round published before
versions existed is shown live. Every query is filtered by the user's own CLB."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Centre, Invitation, Round
from ..results import feedback_or_404, page_context, sheet_download, workbook_download
from ..services import report_versions
from . import bp


def _own_centre() -> Centre:
    return db.session.get(Centre, current_user.centre_id)


def _published_round(round_id: int) -> Round:
    """A published round in which the user's own CLB took part; 404 for anything else,
    so nobody learns whether another CLB's round or file exists."""
    rnd = db.session.scalar(
        select(Round).where(Round.id == round_id, Round.state == "published",
                            Round.invitations.any(Invitation.centre_id ==
                                                  current_user.centre_id)))
    if rnd is None:
        abort(404)
    return rnd


def _shown(rnd: Round, centre: Centre) -> report_versions.Shown:
    """The version asked for (?versie=N) or the newest; 404 for one that is not there."""
    shown = report_versions.shown(db.session, rnd, centre.number,
                                  request.args.get("versie"))
    if shown is None:
        abort(404)
    return shown


@bp.get("/")
def home():
    rounds = db.session.scalars(
        select(Round).where(Round.state == "published",
                            Round.invitations.any(Invitation.centre_id ==
                                                  current_user.centre_id))
        .order_by(Round.created_at.desc())).all()
    newest = report_versions.newest_numbers(db.session, [r.id for r in rounds])
    return render_template("portal/home.html", centre=_own_centre(), rounds=rounds,
                           versions={rid: report_versions.label(v)
                                     for rid, v in newest.items()})


@bp.get("/rondes/<int:round_id>")
def results(round_id: int):
    rnd, centre = _published_round(round_id), _own_centre()
    shown = _shown(rnd, centre)
    fb = feedback_or_404(rnd, centre.number, shown.version)
    return render_template("portal/results.html", rnd=rnd, shown=shown,
                           label=report_versions.label, version_args=_version_args(shown),
                           **page_context(fb))


def _version_args(shown: report_versions.Shown) -> dict:
    """The version in a file's link: only when it is not the newest (the link stays the
    same for the newest)."""
    version = shown.version
    return {"versie": version.number} if version and version is not shown.newest else {}


@bp.get("/rondes/<int:round_id>/feedbackrapport.pdf")
def sheet(round_id: int):
    rnd, centre = _published_round(round_id), _own_centre()
    shown = _shown(rnd, centre)
    return sheet_download(feedback_or_404(rnd, centre.number, shown.version), shown.version)


@bp.get("/rondes/<int:round_id>/werkboek.xlsx")
def workbook_file(round_id: int):
    rnd, centre = _published_round(round_id), _own_centre()
    shown = _shown(rnd, centre)
    return workbook_download(feedback_or_404(rnd, centre.number, shown.version),
                             shown.version)
