"""A job's body: send one message of a round (the invitation or a reminder) to every school
it is still for, through services/mailing.send() and its claim-then-send rule, within the
mail server's rate (mailer.RateLimited, SURVEY_MAIL_PER_MINUTE).

Safe to run again after a worker died: every school that was mailed, or whose mail was
claimed just before the death (uncertain: it may have left), is skipped by send(); only
the rest go out. The uncertain ones wait for the inspector's decision (round page).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from ..database import write_transaction
from ..extensions import db
from ..mailer import job_transport
from ..models import Round, User
from ..services import accounts, mailing
from .queue import JobRefused, Progress
from .records import Claimed


def run(app: Flask, job: Claimed, progress: Progress) -> str:
    rnd = db.session.get(Round, job.round_id) if job.round_id else None
    if rnd is None or rnd.state != "open":
        raise JobRefused(gettext("Niet verstuurd: uitnodigingen en herinneringen gaan "
                                 "alleen uit voor een open bevraging."))
    if rnd.uses_codes:
        raise JobRefused(gettext("Niet verstuurd: deze bevraging wordt met codes "
                                 "ingevuld; er zijn geen uitnodigingen te mailen."))
    key = job.params["message"]
    only_not_started = bool(job.params.get("only_not_started"))
    todo = mailing.recipients_count(db.session, rnd, key, only_not_started)
    # a restarted job keeps counting from where the first attempt began
    progress.total = job.total if job.total is not None else todo
    progress.done = max(progress.total - todo, 0)
    progress.write()
    config = app.config
    report = mailing.send(db.session, rnd, key, job_transport(config, app.instance_path),
                          base_url=config["SURVEY_BASE_URL"],
                          sender=config["SURVEY_MAIL_FROM"],
                          only_not_started=only_not_started, progress=progress.advance)
    with write_transaction(db.session):
        user = db.session.get(User, job.started_by) if job.started_by else None
        # "(command line)": started by `survey invitations send` (cli_mail.ORIGIN)
        origin = job.params.get("origin")
        accounts.audit(db.session, user, f"{key} sent ({origin})" if origin else f"{key} sent",
                       rnd.name, sent=report.sent, failed=report.failed, job=job.id)
    return outcome(rnd, key, only_not_started, progress)


def outcome(rnd: Round, key: str, only_not_started: bool, progress: Progress) -> str:
    """The whole message to the round, whatever attempt this is: a run after a worker
    died only mails the rest, so its own counts would hide what the first run sent.
    Counted from the round's MessageSend rows of the key: sent, uncertain (claimed,
    never confirmed); failed are those the message is still for (their row failed, or
    the school has no usable address)."""
    status = {m.key: m for m in mailing.overview(db.session, rnd)}.get(key)
    sent = status.sent if status else 0
    uncertain = status.uncertain if status else 0
    failed = mailing.recipients_count(db.session, rnd, key, only_not_started)
    if progress.total is not None:      # every school it was for has been dealt with
        progress.done = progress.total
    text = gettext("%(sent)d verstuurd, %(failed)d mislukt, %(uncertain)d overgeslagen.",
                   sent=sent, failed=failed, uncertain=uncertain)
    if uncertain:
        text += " " + gettext("Overgeslagen zijn onzeker: de worker stopte terwijl ze "
                              "vertrokken; beslis op de pagina van de bevraging of ze "
                              "opnieuw gaan.")
    return text
