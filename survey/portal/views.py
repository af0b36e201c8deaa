"""Portal routes: the CLB's published rounds, its results page, its PDF and workbook."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Centre, Invitation, Round
from ..results import feedback_or_404, page_context, sheet_download, workbook_download
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


@bp.get("/")
def home():
    rounds = db.session.scalars(
        select(Round).where(Round.state == "published",
                            Round.invitations.any(Invitation.centre_id ==
                                                  current_user.centre_id))
        .order_by(Round.created_at.desc())).all()
    return render_template("portal/home.html", centre=_own_centre(), rounds=rounds)


@bp.get("/rondes/<int:round_id>")
def results(round_id: int):
    rnd = _published_round(round_id)
    fb = feedback_or_404(rnd, _own_centre().number)
    return render_template("portal/results.html", rnd=rnd, **page_context(fb))


@bp.get("/rondes/<int:round_id>/feedbackrapport.pdf")
def sheet(round_id: int):
    return sheet_download(feedback_or_404(_published_round(round_id), _own_centre().number))


@bp.get("/rondes/<int:round_id>/werkboek.xlsx")
def workbook_file(round_id: int):
    return workbook_download(feedback_or_404(_published_round(round_id),
                                             _own_centre().number))
