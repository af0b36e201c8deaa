"""The round page's checklist: every step of a round in order, with its state and where
to do it. Built from what the page reads anyway (the response figures and the mails'
overview), plus the remarks' counts and the last test mail: a few aggregate queries.
A coded round mails nobody: its "send" and "remind" steps are one "codes" step instead
(how many schools have codes, made on the codes page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import select

from ..extensions import db
from ..formatting import local_datetime
from ..models import AuditEvent, Round
from ..services import access_codes, remarks

TEST_MAIL = "round test mail"    # the audit action of a test mail (its detail: round)
DONE, NOW, LATER, OPTIONAL = "done", "now", "later", "optional"


@dataclass
class Step:
    key: str
    title: str
    state: str                      # done, now (the next thing to do), later, optional
    status: str                     # what is known about it, in words
    links: list[tuple[str, str]] = field(default_factory=list)   # (label, url)


def schedule_url(rnd: Round) -> str | None:
    """The round's planning page, when the console has one."""
    if "admin.round_schedule" in current_app.view_functions:
        return url_for("admin.round_schedule", round_id=rnd.id)
    return None


def last_test_mail(rnd: Round) -> AuditEvent | None:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == TEST_MAIL)
                                .order_by(AuditEvent.at.desc()).limit(200))
    return next((e for e in events if (e.detail or {}).get("round") == rnd.id), None)


def checklist(rnd: Round, figures, messages) -> list[Step]:
    state = rnd.state
    after = {"draft": 0, "open": 1, "closed": 2, "published": 3}[state]
    by_key = {m.key: m for m in messages}
    invitation = by_key.get("invitation")
    reminders = [m for m in messages if m.key.startswith("reminder-")]
    total = figures.total
    steps = []

    coded = rnd.uses_codes
    tested = None if coded else last_test_mail(rnd)
    preview_links = [] if coded else [(gettext("Voorbeeld van de mails en testmail"),
                                       url_for("admin.round_preview", round_id=rnd.id))]
    if rnd.questionnaire_version_id:
        preview_links.append((gettext("Vragenlijst bekijken"), url_for(
            "admin.questionnaire_preview", version_id=rnd.questionnaire_version_id)))
    if state == "draft":
        preview_links.append((gettext("Instellingen wijzigen"),
                              url_for("admin.round_edit", round_id=rnd.id)))
    if coded:
        steps.append(Step("preview", gettext("Vragenlijst nakijken"),
                          DONE if after else NOW,
                          gettext("Met codes: er worden geen mails verstuurd."),
                          preview_links))
    else:
        steps.append(Step("preview", gettext("Vragenlijst en mailteksten nakijken"),
                          DONE if tested or after else NOW,
                          gettext("Testmail verstuurd op %(when)s naar %(to)s.",
                                  when=local_datetime(tested.at),
                                  to=tested.detail.get("to", ""))
                          if tested else gettext("Nog geen testmail verstuurd."),
                          preview_links))

    steps.append(Step("open", gettext("Openen"), DONE if after else (
        NOW if tested or coded else LATER),
        (gettext("Geopend; de codes werken van %(opens)s tot %(closes)s.", opens=local_datetime(
            rnd.opens_at), closes=local_datetime(rnd.closes_at)) if coded else
         gettext("Geopend; scholen kunnen antwoorden van %(opens)s tot %(closes)s.",
                 opens=local_datetime(rnd.opens_at), closes=local_datetime(rnd.closes_at)))
        if after else gettext("In voorbereiding: scholen kunnen nog niet antwoorden.")))

    if coded:
        steps.append(codes_step(rnd, after))
    else:
        steps.append(send_step(invitation, total, state))

    steps.append(Step("monitor", gettext("Respons volgen"),
                      NOW if state == "open" else (DONE if after > 1 else LATER),
                      ngettext("%(num)d antwoord ingediend, van %(invited)d school.",
                               "%(num)d antwoorden ingediend, van %(invited)d scholen.",
                               total.submitted, invited=total.invited) if coded else
                      ngettext("%(num)d van %(invited)d school diende in.",
                               "%(num)d van %(invited)d scholen dienden in.",
                               total.submitted, invited=total.invited),
                      [(gettext("Respons per dag en per CLB"),
                        url_for("admin.round_live", round_id=rnd.id))]))

    if not coded:
        steps.append(remind_step(rnd, reminders))
    steps.extend(closing_steps(rnd, after))
    return steps


def codes_step(rnd: Round, after: int) -> Step:
    """A coded round's codes: made per school on the codes page, handed out by the school.
    Done once every school still in the round has codes (or the round has closed)."""
    schools = [f for f in access_codes.figures(db.session, rnd.id) if not f.withdrawn]
    with_codes = sum(1 for f in schools if f.made)
    made = sum(f.made for f in schools)
    complete = bool(schools) and with_codes == len(schools)
    return Step("codes", gettext("Codes maken en uitdelen"),
                DONE if complete or after > 1 else NOW,
                ngettext("%(count)d van %(num)d school heeft codes (%(made)d codes "
                         "gemaakt); de school deelt ze uit, er wordt niets gemaild.",
                         "%(count)d van %(num)d scholen hebben codes (%(made)d codes "
                         "gemaakt); de scholen delen ze uit, er wordt niets gemaild.",
                         len(schools), count=with_codes, made=made),
                [(gettext("Codes per school"), url_for("admin.round_codes", round_id=rnd.id))])


def send_step(invitation, total, state: str) -> Step:
    sent = invitation.sent if invitation else 0
    to_go = invitation.to_go if invitation else total.invited
    return Step("send", gettext("Uitnodigingen versturen"),
                DONE if sent and not to_go else (NOW if state == "open" else LATER),
                ngettext("%(num)d uitnodiging verstuurd, nog %(left)d te versturen.",
                         "%(num)d uitnodigingen verstuurd, nog %(left)d te versturen.",
                         sent, left=to_go),
                [(gettext("Naar het verzenden"), "#versturen")])


def remind_step(rnd: Round, reminders) -> Step:
    reminded = sum(m.sent for m in reminders)
    return Step("remind", gettext("Herinneren"),
                DONE if reminded else OPTIONAL,
                ngettext("%(num)d herinnering verstuurd.",
                         "%(num)d herinneringen verstuurd.", reminded),
                [(gettext("Naar het verzenden"), "#versturen")]
                + ([(gettext("Planning"), schedule_url(rnd))] if schedule_url(rnd) else []))


def closing_steps(rnd: Round, after: int) -> list[Step]:
    """Closing, reviewing the remarks, building the reports and publishing."""
    state = rnd.state
    steps = []
    close_links = ([(gettext("Nu afsluiten…"), url_for("admin.round_close", round_id=rnd.id))]
                   if state == "open" else [])
    if state == "closed":
        close_links = [(gettext("Heropenen…"), url_for("admin.round_reopen", round_id=rnd.id))]
    steps.append(Step("close", gettext("Afsluiten"),
                      DONE if after > 1 else (NOW if state == "open" else LATER),
                      gettext("Afgesloten op %(when)s.", when=local_datetime(rnd.closes_at))
                      if after > 1 else gettext("Sluit op %(when)s.",
                                                when=local_datetime(rnd.closes_at)),
                      close_links))

    pending = remarks.counts(db.session, rnd)["pending"] if after else 0
    steps.append(Step("review", gettext("Opmerkingen beoordelen"),
                      DONE if after > 1 and not pending else (NOW if after > 1 else LATER),
                      ngettext("%(num)d opmerking nog te beoordelen.",
                               "%(num)d opmerkingen nog te beoordelen.", pending),
                      [(gettext("Opmerkingen beoordelen"),
                        url_for("admin.remarks_review", round_id=rnd.id))] if after else []))

    steps.append(Step("build", gettext("Rapporten opbouwen en nakijken"),
                      DONE if after > 2 else (NOW if after > 1 and not pending else LATER),
                      gettext("Bekijk de rapporten van enkele CLB's voor u publiceert."),
                      [(gettext("Rapporten"), url_for("admin.round_reports", round_id=rnd.id))]
                      if after else []))

    steps.append(Step("publish", gettext("Publiceren"),
                      DONE if after > 2 else (NOW if after > 1 else LATER),
                      gettext("Gepubliceerd: de CLB's zien hun resultaten.") if after > 2
                      else gettext("De CLB's zien hun resultaten pas na het publiceren."),
                      [(gettext("Publiceren…"), url_for("admin.round_publish",
                                                         round_id=rnd.id))]
                      if state == "closed" else
                      # after publication: what CLBs see, and changes since (a new version)
                      [(gettext("Versies van de rapporten"),
                        url_for("admin.round_versions", round_id=rnd.id))]
                      if state == "published" else []))
    return steps
