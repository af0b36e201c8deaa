"""Console routes of the school directory: search, one school's invitations, mails and
links (never its answers), fix its e-mail address, a new link, resend its invitation.

Renewing a link and resending ask for confirmation first (the POST without `confirmed`
shows what will happen; the confirmation page posts again with it). A new link is shown
once, on the page that answers the POST: only its hash is stored.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from ..cleanforms import CleanForm
from ..extensions import db
from ..mailer import MailError, transport_for
from ..routing import page_number
from ..services import mailing
from ..services import school_directory as directory
from ..services.rounds import link
from ..translations import lazy_gettext as _l
from . import bp


class EmailForm(CleanForm):
    email = StringField(_l("E-mailadres van de school"), validators=[Length(max=400)])


class InvitationActionForm(CleanForm):
    """Resend or a new link (CSRF; `action` says which link, `confirmed` that it was)."""

    action = HiddenField()
    confirmed = HiddenField()


def _base_url() -> str:
    return current_app.config["SURVEY_BASE_URL"]


@bp.get("/scholen")
def schools():
    query = request.args.get("zoek", "")
    found = directory.search(db.session, query, page_number(request.args))
    return render_template("admin/schools.html", found=found)


def _page(school_id: int, *, email_form=None, link_text=None, link_renewed=False,
          status=200):
    shown = directory.detail(db.session, school_id)
    if shown is None:
        abort(404)
    if email_form is None:
        email_form = EmailForm(formdata=None, email=shown.school.email or "")
    return render_template("admin/school.html", shown=shown, email_form=email_form,
                           action_form=InvitationActionForm(formdata=None),
                           link_text=link_text, link_renewed=link_renewed), status


@bp.get("/scholen/<int:school_id>")
def school(school_id: int):
    return _page(school_id)


@bp.post("/scholen/<int:school_id>/e-mail")
def school_email(school_id: int):
    form = EmailForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        # as typed, not as the form cleaned it: a control character in an address is
        # refused with the reason rather than silently dropped
        address = directory.change_email(db.session, current_user, school_id,
                                         request.form.get("email", ""))
    except directory.DirectoryError as exc:
        form.email.errors = [str(exc)]
        return _page(school_id, email_form=form, status=400)
    flash(gettext("Het e-mailadres is nu %(email)s. Een volgende mail gaat naar dit adres.",
                  email=address), "success")
    return redirect(url_for(".school", school_id=school_id))


def _confirm(school_id: int, invitation_id: int, action: str):
    shown = directory.detail(db.session, school_id)
    if shown is None:
        abort(404)
    invitation = next((i for i in shown.invitations if i.id == invitation_id), None)
    if invitation is None:
        abort(404)
    if reason := directory.refusal(invitation, action):
        flash(reason, "error")
        return redirect(url_for(".school", school_id=school_id))
    return render_template("admin/school_confirm.html", shown=shown, invitation=invitation,
                           action=action, form=InvitationActionForm(formdata=None))


@bp.post("/scholen/<int:school_id>/uitnodigingen/<int:invitation_id>/link")
def school_link(school_id: int, invitation_id: int):
    form = InvitationActionForm()
    if not form.validate_on_submit() or form.action.data not in ("renew", "extra"):
        abort(400)
    renew = form.action.data == "renew"
    if renew and form.confirmed.data != "yes":
        return _confirm(school_id, invitation_id, "renew")
    try:
        token = directory.make_link(db.session, current_user, school_id, invitation_id,
                                    renew=renew)
    except directory.DirectoryError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".school", school_id=school_id))
    return _page(school_id, link_text=link(_base_url(), token), link_renewed=renew)


@bp.post("/scholen/<int:school_id>/uitnodigingen/<int:invitation_id>/opnieuw")
def school_resend(school_id: int, invitation_id: int):
    form = InvitationActionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "yes":
        return _confirm(school_id, invitation_id, "resend")
    config = current_app.config
    try:
        outcome = directory.resend(
            db.session, current_user, school_id, invitation_id,
            transport_for(config, current_app.instance_path), base_url=_base_url(),
            sender=config["SURVEY_MAIL_FROM"])
    except (directory.DirectoryError, mailing.ResendError) as exc:
        flash(str(exc), "error")
    except MailError as exc:
        flash(gettext("De mailserver is niet bereikbaar: %(error)s. Er is niets verstuurd.",
                      error=str(exc)), "error")
    else:
        if outcome.sent:
            flash(gettext("De uitnodiging is opnieuw verstuurd, met een nieuwe link (eerdere "
                          "links blijven werken)."), "success")
        else:
            flash(gettext("De mailserver weigerde de uitnodiging: %(error)s",
                          error=outcome.error), "error")
    return redirect(url_for(".school", school_id=school_id))
