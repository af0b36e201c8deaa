"""What cannot be undone, or stops schools, asks first: closing now, publishing (after the
readiness list: services/readiness.py), reopening, withdrawing a school. The GET page
says what will happen, with the figures; the POST from that page does it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from ..database import write_transaction
from ..extensions import db
from ..models import Invitation
from ..services import accounts, monitoring, readiness, schedule
from ..services import rounds as round_service
from ..translations import lazy_gettext
from . import bp
from .forms import ConfirmForm, InvitationForm, PublishForm, ReopenForm
from .rounds import _utc, round_or_404

NEEDED = {"close": "open", "publish": "closed", "reopen": "closed"}
TITLES = {"close": lazy_gettext("Nu afsluiten"), "publish": lazy_gettext("Publiceren"),
          "reopen": lazy_gettext("Heropenen")}


def refused(rnd, title: str, reason: str, back: str | None = None):
    """A confirmation page that cannot confirm: why not, and the way back."""
    return render_template("admin/round_refused.html", rnd=rnd, title=title,
                           reason=reason, back=back)


def wrong_state_message(rnd, action: str) -> str:
    """Why the round cannot take this step now (the services' own messages)."""
    state = str(round_service.STATE_NAMES[rnd.state])
    return {
        "close": gettext("Bevraging %(round)s is %(state)s: alleen een open bevraging kan "
                         "worden afgesloten.", round=rnd.id, state=state),
        "publish": gettext("Bevraging %(round)s is %(state)s: alleen een afgesloten "
                           "bevraging kan worden gepubliceerd.", round=rnd.id, state=state),
        "reopen": gettext("Bevraging %(round)s is %(state)s: alleen een afgesloten (niet "
                          "gepubliceerde) bevraging kan heropenen.", round=rnd.id,
                          state=state),
    }[action]


def _in_state(round_id: int, action: str):
    """The round, or the page saying why it cannot take the step now."""
    rnd = round_or_404(round_id)
    if rnd.state != NEEDED[action]:
        return rnd, refused(rnd, str(TITLES[action]), wrong_state_message(rnd, action))
    return rnd, None


def _do(round_id: int, action: str, change, done: str):
    """One state change in one transaction, with its audit row; back to the round."""
    try:
        with write_transaction(db.session):
            rnd = round_or_404(round_id)
            change(rnd)
            accounts.audit(db.session, current_user, f"round {action}", rnd.name)
    except round_service.RoundStateError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".round_detail", round_id=round_id))


def close_effects(figures) -> str:
    """The sentence the close page leads with."""
    left = figures.total.invited - figures.total.submitted
    return ngettext(
        "De bevraging sluit nu; %(num)d school die niet indiende kan niet meer antwoorden.",
        "De bevraging sluit nu; %(num)d scholen die niet indienden kunnen niet meer "
        "antwoorden.", left)


@bp.route("/rondes/<int:round_id>/afsluiten", methods=["GET", "POST"])
def round_close(round_id: int):
    rnd, refusal = _in_state(round_id, "close")
    if refusal:
        return refusal
    form = ConfirmForm()
    if form.validate_on_submit():
        return _do(round_id, "close",
                   lambda r: round_service.close_round(db.session, r),
                   gettext("De bevraging is afgesloten."))
    figures = monitoring.round_figures(db.session, rnd.id)
    return render_template("admin/round_close.html", rnd=rnd, form=form, figures=figures,
                           effect=close_effects(figures))


@bp.route("/rondes/<int:round_id>/heropenen", methods=["GET", "POST"])
def round_reopen(round_id: int):
    rnd, refusal = _in_state(round_id, "reopen")
    if refusal:
        return refusal
    form = ReopenForm()
    if form.validate_on_submit():
        closes = _utc(form.closes_at.data)
        def reopen(r):
            round_service.reopen_round(db.session, r, closes)
            schedule.follow_round_dates(db.session, r)   # the close moves, reminders too

        return _do(round_id, "reopen", reopen, gettext("De bevraging is heropend."))
    figures = monitoring.round_figures(db.session, rnd.id)
    status = 400 if form.errors else 200
    return render_template("admin/round_reopen.html", rnd=rnd, form=form,
                           figures=figures), status


@bp.route("/rondes/<int:round_id>/publiceren", methods=["GET", "POST"])
def round_publish(round_id: int):
    rnd, refusal = _in_state(round_id, "publish")
    if refusal:
        return refusal
    form = PublishForm()
    ready = None
    if form.validate_on_submit():
        # ticked: the inspector read the list (about 2 s for 40 CLBs): not made again
        if form.confirmed.data or (ready := readiness.check(db.session, rnd)).ready:
            def publish(r):
                round_service.publish_round(db.session, r, current_user)

            return _do(round_id, "publish", publish, gettext("De bevraging is gepubliceerd."))
        form.confirmed.errors.append(gettext(
            "Vink aan dat u de punten hierboven gelezen hebt, of werk ze eerst af."))
    ready = ready or readiness.check(db.session, rnd)
    figures = monitoring.round_figures(db.session, rnd.id)
    status = 400 if form.errors else 200
    return render_template("admin/round_publish.html", rnd=rnd, form=form, ready=ready,
                           figures=figures), status


@bp.get("/rondes/<int:round_id>/uitnodigingen/<int:invitation_id>/intrekken")
def round_withdraw(round_id: int, invitation_id: int):
    """What withdrawing one school means; the button posts to round_invitation."""
    rnd = round_or_404(round_id)
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.round_id != rnd.id:
        abort(404)
    back = url_for(".round_centre", round_id=rnd.id, centre_id=inv.centre_id)
    if inv.revoked_at is not None:
        return refused(rnd, gettext("Intrekken"),
                       gettext("%(school)s is al ingetrokken.", school=inv.school.name), back)
    if rnd.state not in ("draft", "open"):
        return refused(rnd, gettext("Intrekken"), gettext(
            "Scholen intrekken kan alleen zolang de bevraging in voorbereiding of open is."),
            back)
    status = inv.response.status if inv.response else None
    return render_template("admin/round_withdraw.html", rnd=rnd, inv=inv, status=status,
                           form=InvitationForm())
