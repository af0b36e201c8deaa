"""Console routes for mails to schools: send in batches, release uncertain mails, and the
links list for a mail merge."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from reports import xlsx

from ..cleanforms import CleanForm
from ..database import write_transaction
from ..extensions import db
from ..mailer import MailError, transport_for
from ..models import Centre, Invitation, School
from ..results import xlsx_download
from ..services import accounts, mailing
from ..services.rounds import link, new_link
from . import bp
from .forms import SendForm, UncertainForm
from .rounds import posted, round_or_404

BATCH = 200  # per click: a request stays well within any proxy's time limit


@bp.post("/rondes/<int:round_id>/versturen")
def round_send(round_id: int):
    rnd = round_or_404(round_id)
    form = posted(SendForm())
    if rnd.state != "open":
        flash(gettext("Uitnodigingen en herinneringen gaan alleen uit voor een open bevraging."),
              "error")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    config = current_app.config
    try:
        report = mailing.send(db.session, rnd, form.message.data,
                              transport_for(config, current_app.instance_path),
                              base_url=config["SURVEY_BASE_URL"],
                              sender=config["SURVEY_MAIL_FROM"],
                              only_not_started=form.not_started.data, limit=BATCH)
    except MailError as exc:
        flash(gettext("De mailserver is niet bereikbaar: %(error)s. Er is niets verstuurd.",
                      error=str(exc)), "error")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, f"{form.message.data} sent", rnd.name,
                       sent=report.sent, failed=report.failed)
    left = mailing.recipients_count(db.session, rnd, form.message.data,
                                    form.not_started.data)
    if left:
        message = gettext("%(sent)d verstuurd, %(failed)d mislukt. Nog %(left)d te versturen: "
                          "klik opnieuw om verder te gaan.",
                          sent=report.sent, failed=report.failed, left=left)
    else:
        message = gettext("%(sent)d verstuurd, %(failed)d mislukt. Nog 0 te versturen.",
                          sent=report.sent, failed=report.failed)
    flash(message, "success")
    return redirect(url_for(".round_detail", round_id=rnd.id))


@bp.post("/rondes/<int:round_id>/onzeker")
def round_release_uncertain(round_id: int):
    rnd = round_or_404(round_id)
    form = posted(UncertainForm())
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
