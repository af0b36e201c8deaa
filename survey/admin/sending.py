"""Console routes for mails to schools: send a message to the whole round as one
background job (after a confirmation page saying what it will do), release uncertain
mails, and the links list for a mail merge. A coded round mails nobody and has no
personal links: its POSTs here are refused (its respondents get codes from the school)."""

from __future__ import annotations

from math import ceil

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import format_number, gettext, ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField

from reports import xlsx

from .. import jobs
from ..cleanforms import CleanForm
from ..database import write_transaction
from ..extensions import db
from ..jobs import records
from ..models import Centre, Invitation, School, utcnow
from ..results import xlsx_download
from ..services import accounts, mailing
from ..services.rounds import link, new_link
from . import bp
from .forms import SendForm, UncertainForm
from .rounds import posted, round_or_404


class SendConfirmForm(SendForm):
    """The round page's send form, and the same again from the confirmation page with
    confirmed=1: only that second POST starts the job."""

    confirmed = HiddenField()


def message_name(key: str) -> str:
    """The message as the sentences here name it: "de uitnodiging", "herinnering 2" (the
    names themselves are mailing.message_name's)."""
    name = mailing.message_name(key)
    return gettext("de %(message)s", message=name) if key == mailing.INVITATION else name


def refused_for_codes(rnd):
    """For a coded round: the round page again with the reason (nothing sent or made)."""
    if not rnd.uses_codes:
        return None
    flash(gettext("Deze bevraging werkt met codes: er worden geen uitnodigingen, "
                  "herinneringen of persoonlijke links verstuurd. Maak de codes per school "
                  "en laat de school ze uitdelen."), "error")
    return redirect(url_for(".round_detail", round_id=rnd.id))


@bp.post("/rondes/<int:round_id>/versturen")
def round_send(round_id: int):
    rnd = round_or_404(round_id)
    form = posted(SendConfirmForm())
    if (refusal := refused_for_codes(rnd)) is not None:
        return refusal
    if rnd.state != "open":
        flash(gettext("Uitnodigingen en herinneringen gaan alleen uit voor een open bevraging."),
              "error")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    key = form.message.data
    only_not_started = bool(form.not_started.data) and key != mailing.INVITATION
    config = current_app.config
    running = records.active(db.session, records.MAIL, rnd.id, utcnow(),
                             records.lease(config), params={"message": key})
    if running is not None:
        flash(gettext("Dit bericht wordt al verstuurd: zie de voortgang hieronder."), "error")
        return redirect(url_for(".job_detail", job_id=running.id))
    count = mailing.recipients_count(db.session, rnd, key, only_not_started)
    if count == 0:
        flash(gettext("Er is geen school meer die %(message)s nog moet krijgen.",
                      message=message_name(key)), "success")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    if form.confirmed.data != "1":
        per_minute = int(config["SURVEY_MAIL_PER_MINUTE"] or 0)
        return render_template(
            "admin/send_confirm.html", rnd=rnd, form=form, key=key,
            only_not_started=only_not_started,
            what=ngettext("%(count)s school krijgt %(message)s.",
                          "%(count)s scholen krijgen %(message)s.", count,
                          count=format_number(count), message=message_name(key)),
            minutes=ceil(count / per_minute) if per_minute else None, per_minute=per_minute)
    try:
        job_id = jobs.start(current_app._get_current_object(), records.MAIL, rnd.id,
                            current_user.id, {"message": key,
                                              "only_not_started": only_not_started},
                            total=count, unless_active={"message": key})
    except jobs.AlreadyActive as running:       # a second click at the same moment
        flash(gettext("Dit bericht wordt al verstuurd: zie de voortgang hieronder."), "error")
        return redirect(url_for(".job_detail", job_id=running.job_id))
    flash(gettext("De mails worden op de achtergrond verstuurd; deze pagina toont de "
                  "voortgang."), "success")
    return redirect(url_for(".job_detail", job_id=job_id))


@bp.post("/rondes/<int:round_id>/onzeker")
def round_release_uncertain(round_id: int):
    rnd = round_or_404(round_id)
    form = posted(UncertainForm())
    running = records.active(db.session, records.MAIL, rnd.id, utcnow(),
                             records.lease(current_app.config))
    if running is not None:
        # its claims are mails on their way, not uncertain ones: released now, the next
        # send could mail those schools a second time
        flash(gettext("Er wordt nu verstuurd (taak %(id)s): wat onderweg is, is niet "
                      "onzeker. Wacht tot die taak klaar is.", id=running.id), "error")
        return redirect(url_for(".job_detail", job_id=running.id))
    released = mailing.release_uncertain(db.session, rnd, form.message.data)
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, "uncertain mails released", rnd.name,
                       message=form.message.data, count=released)
    flash(ngettext("%(num)d onzeker bericht wordt bij de volgende verzending opnieuw "
                   "verstuurd.",
                   "%(num)d onzekere berichten worden bij de volgende verzending opnieuw "
                   "verstuurd.", released), "success")
    return redirect(url_for(".round_detail", round_id=rnd.id))


@bp.post("/rondes/<int:round_id>/links.xlsx")
def round_links(round_id: int):
    """A new personal link for every school that has not submitted, for a mail merge.
    Earlier links keep working. A POST (it writes links and an audit row): the round page
    holds the form. The links, the audit row and the file are made in one transaction, so
    a file that cannot be written leaves no links behind that nobody received."""
    rnd = round_or_404(round_id)
    posted(CleanForm())          # nothing to fill in: the CSRF token is the form
    if (refusal := refused_for_codes(rnd)) is not None:
        return refusal
    with write_transaction(db.session):
        rows = db.session.execute(
            select(Invitation, School, Centre)
            .join(School, School.id == Invitation.school_id)
            .join(Centre, Centre.id == Invitation.centre_id)
            .where(Invitation.id.in_(mailing.not_submitted(db.session, rnd)))
            .order_by(Centre.number, School.number)).all()
        base = current_app.config["SURVEY_BASE_URL"]
        table = [[school.number, school.name, inv.level, centre.number, centre.name,
                  school.email or "", link(base, new_link(db.session, inv))]
                 for inv, school, centre in rows]
        accounts.audit(db.session, current_user, "links downloaded", rnd.name,
                       links=len(table))
        data = xlsx.workbook([("Links", ["school_number", "school_name", "level",
                                         "centre_number", "centre_name", "email", "link"],
                               table)])
    return xlsx_download(data, f"links-ronde-{rnd.id}.xlsx")
