"""A round before it opens: its settings changed, the draft deleted (confirmed), any round
copied into a new draft, and the invitation and reminder previewed as a school gets them,
with a test mail to the signed-in inspector (through the app's own mail transport)."""

from __future__ import annotations

from email.utils import formataddr
from types import SimpleNamespace

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from instrument.domain import RoundAccess

from ..database import write_transaction
from ..extensions import db
from ..formatting import BRUSSELS
from ..mailer import MailError, can_address, header_text, transport_for
from ..models import Centre, Invitation, Round, School
from ..services import accounts, mailing, round_drafts, schedule
from ..services import rounds as round_service
from . import bp
from .forms import ConfirmForm, CopyRoundForm, RoundEditForm
from .round_confirm import refused
from .round_steps import TEST_MAIL
from .rounds import _utc, chosen_round, reference_choices, round_or_404

MAIL_FIELDS = ("invitation_subject", "invitation_body", "reminder_subject", "reminder_body")
EXAMPLE_TOKEN = "voorbeeldlink"     # in previews: the school's own link goes here


def _local(moment):
    return moment.astimezone(BRUSSELS).replace(tzinfo=None) if moment else None


@bp.route("/rondes/<int:round_id>/bewerken", methods=["GET", "POST"])
def round_edit(round_id: int):
    rnd = round_or_404(round_id)
    if rnd.state != "draft":
        return refused(rnd, gettext("Instellingen wijzigen"), gettext(
            "Alleen een bevraging in voorbereiding kan nog worden gewijzigd; deze is "
            "%(state)s. Kopieer ze naar een nieuwe bevraging om het anders te doen.",
            state=str(round_service.STATE_NAMES[rnd.state])))
    form = RoundEditForm(data=None if _posted() else {
        "name": rnd.name, "school_year": rnd.school_year, "opens_at": _local(rnd.opens_at),
        "closes_at": _local(rnd.closes_at), "min_group_size": rnd.min_group_size,
        "min_benchmark_centres": rnd.min_benchmark_centres,
        "reference_round": str(rnd.reference_round_id or ""),
        "audience": rnd.audience, "with_codes": rnd.uses_codes,
        **{name: getattr(rnd, name) for name in MAIL_FIELDS}})
    reference_choices(form, exclude=rnd.id)
    if form.validate_on_submit():
        reference = chosen_round(form.reference_round.data)
        try:
            with write_transaction(db.session):
                draft = round_or_404(round_id)
                changed = round_drafts.update_draft(
                    db.session, draft, name=form.name.data,
                    school_year=form.school_year.data,
                    opens_at=_utc(form.opens_at.data), closes_at=_utc(form.closes_at.data),
                    min_group_size=form.min_group_size.data,
                    min_benchmark_centres=form.min_benchmark_centres.data,
                    reference_round_id=reference.id if reference else None,
                    audience=form.audience.data,
                    access=RoundAccess.CODES if form.with_codes.data else RoundAccess.LINK,
                    **{name: getattr(form, name).data for name in MAIL_FIELDS})
                if {"opens_at", "closes_at", "access"} & set(changed):
                    # the planned steps move with the dates (ScheduleError, a
                    # RoundStateError, when a reminder would fall outside them); a
                    # round that now takes codes loses its reminders
                    schedule.follow_round_dates(db.session, draft)
                accounts.audit(db.session, current_user, "round edited", draft.name,
                               changed=changed)
        except round_service.RoundStateError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext("De instellingen zijn bewaard.") if changed
                  else gettext("Er was niets veranderd."), "success")
            return redirect(url_for(".round_detail", round_id=round_id))
    status = 400 if form.errors else 200
    return render_template("admin/round_edit.html", rnd=rnd, form=form), status


def _posted() -> bool:
    from flask import request

    return request.method == "POST"


@bp.route("/rondes/<int:round_id>/verwijderen", methods=["GET", "POST"])
def round_delete(round_id: int):
    rnd = round_or_404(round_id)
    form = ConfirmForm()
    reason = round_drafts.deletable(db.session, rnd)
    if form.validate_on_submit() and reason is None:
        name = rnd.name
        try:
            with write_transaction(db.session):
                round_drafts.delete_draft(db.session, round_or_404(round_id))
                accounts.audit(db.session, current_user, "round deleted", name,
                               round=round_id)
        except round_service.RoundStateError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".round_detail", round_id=round_id))
        flash(gettext("De bevraging %(name)s is verwijderd.", name=name), "success")
        return redirect(url_for(".dashboard"))
    invited = db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.round_id == rnd.id))
    return render_template("admin/round_delete.html", rnd=rnd, form=form, reason=reason,
                           invited=invited)


@bp.route("/rondes/<int:round_id>/kopie", methods=["GET", "POST"])
def round_copy(round_id: int):
    rnd = round_or_404(round_id)
    form = CopyRoundForm(data=None if _posted() else {
        "name": gettext("%(name)s (kopie)", name=rnd.name)[:200],
        "school_year": _next_year(rnd.school_year)})
    wide = round_service.sector_wide(db.session, rnd.id)
    centres = sorted(db.session.scalars(select(Centre).where(
        Centre.id.in_(round_service.round_centres(db.session, rnd.id)))),
        key=lambda c: c.name)
    if form.validate_on_submit():
        with write_transaction(db.session):
            copied = round_drafts.copy_round(db.session, round_or_404(round_id),
                                             name=form.name.data,
                                             school_year=form.school_year.data)
            schedule.plan_defaults(db.session, copied)
            invited = db.session.scalar(select(func.count()).select_from(Invitation).where(
                Invitation.round_id == copied.id))
            accounts.audit(db.session, current_user, "round copied", copied.name,
                           source=round_id, schools=invited)
        flash(gettext("De kopie is aangemaakt met %(count)s scholen. Kijk de data en de "
                      "teksten na.", count=invited), "success")
        return redirect(url_for(".round_edit", round_id=copied.id))
    schools = db.session.scalar(select(func.count()).select_from(School).where(
        *([] if wide else [School.centre_id.in_([c.id for c in centres])])))
    status = 400 if form.errors else 200
    return render_template("admin/round_copy.html", rnd=rnd, form=form, wide=wide,
                           centres=centres, schools=schools), status


def _next_year(school_year: str) -> str:
    first, _, second = school_year.partition("-")
    if first.isdigit() and second.isdigit():
        return f"{int(first) + 1}-{int(second) + 1}"
    return school_year


def _example(rnd: Round, email: str | None = None) -> SimpleNamespace:
    """What compose() reads of an invitation: a real school of the round (the first by
    name), or a made-up one when it has none yet; its address the given one."""
    row = db.session.execute(
        select(School.name, School.email, Centre.name)
        .join(Invitation, Invitation.school_id == School.id)
        .join(Centre, Centre.id == Invitation.centre_id)
        .where(Invitation.round_id == rnd.id).order_by(School.name).limit(1)).first()
    name, address, centre = row if row else (gettext("Voorbeeldschool"),
                                             "school@example.org", gettext("Voorbeeld-CLB"))
    return SimpleNamespace(school=SimpleNamespace(name=name, email=email or address or ""),
                           centre=SimpleNamespace(name=centre))


def _previews(rnd: Round, email: str | None = None):
    config = current_app.config
    url = round_service.link(config["SURVEY_BASE_URL"], EXAMPLE_TOKEN)
    example = _example(rnd, email)
    return [(key, mailing.compose(rnd, example, key, url, config["SURVEY_MAIL_FROM"]))
            for key in (mailing.INVITATION, mailing.reminder_key(1))]


@bp.get("/rondes/<int:round_id>/voorbeeld")
def round_preview(round_id: int):
    rnd = round_or_404(round_id)
    return render_template("admin/round_preview.html", rnd=rnd, form=ConfirmForm(),
                           previews=_previews(rnd), example=EXAMPLE_TOKEN,
                           email=current_user.email)


@bp.post("/rondes/<int:round_id>/testmail")
def round_test_mail(round_id: int):
    """Both mails to the inspector's own address, marked as a test."""
    rnd = round_or_404(round_id)
    form = ConfirmForm()
    back = redirect(url_for(".round_preview", round_id=rnd.id))
    if not form.validate_on_submit():
        flash(gettext("Het formulier was verlopen; probeer opnieuw."), "error")
        return back
    email = current_user.email
    if not can_address(email):
        flash(gettext("Naar uw adres %(email)s kan geen mail vertrekken.", email=email),
              "error")
        return back
    try:
        with transport_for(current_app.config, current_app.instance_path) as transport:
            for _key, message in _previews(rnd, email):
                subject = message["Subject"]
                message.replace_header("Subject", gettext("[Test] %(subject)s",
                                                          subject=subject))
                # compose() names the example school: this copy goes to the inspector
                message.replace_header("To", formataddr(
                    (header_text(current_user.name or ""), email)))
                transport.send(message)
    except MailError as exc:
        flash(gettext("De testmail is niet vertrokken: %(error)s", error=str(exc)), "error")
        return back
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, TEST_MAIL, rnd.name, round=rnd.id,
                       to=email)
    flash(gettext("De uitnodiging en de herinnering zijn als test naar %(email)s "
                  "verstuurd.", email=email), "success")
    return back
