"""Console routes for rounds: create one, its page (the checklist of its steps), open it,
follow its response, its schools. What asks for confirmation first (close, publish,
reopen, withdraw a school) is in round_confirm.py; a draft's settings, deleting, copying
and the mail preview in round_drafts.py; the checklist itself in round_steps.py."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from instrument.domain import RoundAccess
from reports import xlsx

from ..database import write_transaction
from ..extensions import db
from ..formatting import BRUSSELS, local_datetime
from ..jobs import records
from ..models import Centre, Invitation, QuestionnaireVersion, Round, School, utcnow
from ..results import xlsx_download
from ..routing import DATABASE_INT_MAX
from ..services import accounts, library, mailing, monitoring, schedule, schedule_time
from ..services import reports as report_service
from ..services import rounds as round_service
from ..translations import lazy_gettext
from . import bp
from .forms import (
    AddSchoolConfirmForm,
    AddSchoolForm,
    InvitationForm,
    RoundForm,
    RoundStateForm,
    SendForm,
    UncertainForm,
)


def posted(form):
    """The form when a valid POST (CSRF included) came with it; 400 otherwise."""
    if not form.validate_on_submit():
        abort(400)
    return form


def _utc(local: datetime) -> datetime:
    """A date-time typed in the form, in Brussels time, as aware UTC (the form's
    brussels_time validator has refused a time the clock skips)."""
    return schedule_time.to_utc(local)


def _published_versions() -> dict[str, QuestionnaireVersion]:
    """The library's published versions by form value (the bundled files included)."""
    library.ensure_bundled(db.session)
    return {str(version.id): version for version in library.published(db.session)}


def chosen_round(value: str | None) -> Round | None:
    """The round a select posted (absent from a bare POST; anything but a plain number
    that a database integer holds is no round: never a 500)."""
    value = value or ""
    if not (value.isascii() and value.isdigit() and len(value) <= 10
            and int(value) <= DATABASE_INT_MAX):
        return None
    return db.session.get(Round, int(value))


def reference_choices(form, exclude: int | None = None) -> None:
    """Every other round as a possible reference round (newest first)."""
    others = db.session.scalars(select(Round).where(Round.id != (exclude or 0))
                                .order_by(Round.created_at.desc())).all()
    form.reference_round.choices = [SelectChoice("", "— geen —")] + [
        SelectChoice(str(r.id), f"{r.name} ({r.school_year})") for r in others]


@bp.route("/rondes/nieuw", methods=["GET", "POST"])
def round_new():
    versions = _published_versions()
    form = RoundForm()
    form.questionnaire.choices = [SelectChoice("", "— kies een vragenlijst —")] + [
        SelectChoice(value, f"{version.title} ({version.questionnaire_id}, versie "
                            f"{version.version})") for value, version in versions.items()]
    reference_choices(form)
    centres = db.session.scalars(select(Centre).order_by(Centre.name)).all()
    form.centres.choices = [SelectChoice(str(c.id), f"{c.name} ({c.number})") for c in centres]
    if form.validate_on_submit():
        chosen = {int(c) for c in form.centres.data if c.isdigit()}
        query = select(School).order_by(School.id)
        if chosen:
            query = query.where(School.centre_id.in_(chosen))
        schools = db.session.scalars(query).all()
        reference = chosen_round(form.reference_round.data)
        needed = form.min_benchmark_centres.data
        taking_part = len({school.centre_id for school in schools})
        if not schools:
            form.centres.errors.append(gettext("Er zijn geen scholen om uit te nodigen. Lees "
                                               "eerst de CLB's en scholen in."))
        elif reference is None and taking_part < needed + 1 \
                and not form.without_benchmark.data:
            # a CLB's sector is every other CLB: with too few, it is one CLB's own figure
            candidates = report_service.reference_candidates(db.session, needed)
            offer = (gettext("Kies een referentiebevraging, bijvoorbeeld: %(rounds)s.",
                             rounds="; ".join(f"{r.name} ({r.school_year})"
                                              for r in candidates[:3]))
                     if candidates else
                     gettext("Er is nog geen bevraging met genoeg CLB's om als "
                             "referentiebevraging te dienen."))
            warning = " ".join((
                ngettext("Deze ronde kan geen sectorvergelijking tonen: ze telt %(num)s "
                         "CLB, en een sectorcijfer vraagt antwoorden van minstens "
                         "%(needed)s andere CLB's.",
                         "Deze ronde kan geen sectorvergelijking tonen: ze telt %(num)s "
                         "CLB's, en een sectorcijfer vraagt antwoorden van minstens "
                         "%(needed)s andere CLB's.", taking_part, needed=needed),
                offer,
                gettext("Of vink ‘Toch aanmaken, zonder sectorvergelijking’ aan.")))
            return render_template("admin/round_new.html", form=form,
                                   warning=warning), 200
        else:
            reference_id = reference.id if reference else None
            with write_transaction(db.session):
                rnd = round_service.create_round(
                    db.session, name=form.name.data, school_year=form.school_year.data,
                    version=versions[form.questionnaire.data],
                    opens_at=_utc(form.opens_at.data), closes_at=_utc(form.closes_at.data),
                    min_group_size=form.min_group_size.data,
                    min_benchmark_centres=form.min_benchmark_centres.data)
                rnd.reference_round_id = reference_id
                # a coded round is answered anonymously, by whom the audience says
                rnd.audience = form.audience.data
                rnd.access = RoundAccess.CODES if form.with_codes.data else RoundAccess.LINK
                for name in ("invitation_subject", "invitation_body", "reminder_subject",
                             "reminder_body"):
                    setattr(rnd, name, getattr(form, name).data)
                round_service.invite(db.session, rnd, schools, with_links=False)
                # the default opening, closing and reminders, planned with the round (a
                # coded round: opening and closing only; its opening mails nobody)
                schedule.plan_defaults(db.session, rnd)
                accounts.audit(db.session, current_user, "round created", rnd.name,
                               schools=len(schools), questionnaire=rnd.questionnaire_id,
                               version=rnd.questionnaire_version)
            if rnd.uses_codes:
                flash(gettext("De bevraging is aangemaakt met %(count)s scholen. Maak de "
                              "codes per school; ze opent en sluit vanzelf op haar data "
                              "(de planning toont ze), en er worden geen uitnodigingen "
                              "gemaild.", count=len(schools)), "success")
            elif rnd.opens_at > utcnow():   # plan_defaults planned the opening
                flash(gettext("De bevraging is aangemaakt met %(count)s scholen. Ze opent "
                              "vanzelf op %(when)s en verstuurt dan de uitnodigingen; de "
                              "planning toont wat volgt.", count=len(schools),
                              when=local_datetime(rnd.opens_at)), "success")
            else:
                flash(gettext("De bevraging is aangemaakt met %(count)s scholen. Ze is nog "
                              "in voorbereiding: open ze wanneer alles klaar is.",
                              count=len(schools)), "success")
            return redirect(url_for(".round_detail", round_id=rnd.id))
    status = 400 if form.errors else 200
    return render_template("admin/round_new.html", form=form, warning=None), status


def round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    return rnd


@bp.get("/rondes/<int:round_id>")
def round_detail(round_id: int):
    rnd = round_or_404(round_id)
    sort = request.args.get("sorteer", "clb")
    figures = monitoring.round_figures(db.session, rnd.id, sort)
    messages = mailing.overview(db.session, rnd)
    # while a mail job runs, its claimed mails are on their way, not uncertain
    sending = records.active(db.session, records.MAIL, rnd.id, utcnow(),
                             records.lease(current_app.config))
    return render_template("admin/round.html", rnd=rnd, figures=figures, sort=sort,
                           sending=sending,
                           state_form=RoundStateForm(), add_form=AddSchoolForm(),
                           send_form=SendForm(), uncertain_form=UncertainForm(),
                           messages=messages, sort_keys=monitoring.SORT_KEYS,
                           steps=round_steps.checklist(rnd, figures, messages),
                           schedule_url=round_steps.schedule_url(rnd),
                           wide=round_service.sector_wide(db.session, rnd.id),
                           message_name=mailing.message_name)


# Close, publish and reopen each have a page saying what they will do (round_confirm.py);
# a POST here for them (an old form, a bookmarked button) leads there and does nothing.
CONFIRMED_ELSEWHERE = {"close": ("open", ".round_close"),
                       "publish": ("closed", ".round_publish"),
                       "reopen": ("closed", ".round_reopen")}


@bp.post("/rondes/<int:round_id>/status")
def round_state(round_id: int):
    form = posted(RoundStateForm())
    action = form.action.data
    if action != "open" and action not in CONFIRMED_ELSEWHERE:
        abort(400)
    rnd = round_or_404(round_id)
    if action in CONFIRMED_ELSEWHERE:
        needed, endpoint = CONFIRMED_ELSEWHERE[action]
        if rnd.state == needed:
            return redirect(url_for(endpoint, round_id=rnd.id), 303)
        flash(round_confirm.wrong_state_message(rnd, action), "error")
        return redirect(url_for(".round_detail", round_id=round_id))
    try:
        with write_transaction(db.session):
            rnd = round_or_404(round_id)
            round_service.open_round(db.session, rnd)
            accounts.audit(db.session, current_user, "round open", rnd.name)
    except round_service.RoundStateError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".round_detail", round_id=round_id))
    flash(gettext("De bevraging is geopend."), "success")
    return redirect(url_for(".round_detail", round_id=round_id))


@bp.get("/rondes/<int:round_id>/live")
def round_live(round_id: int):
    rnd = round_or_404(round_id)
    sort = request.args.get("sorteer", "clb")
    figures = monitoring.round_figures(db.session, rnd.id, sort)
    now = utcnow()
    # an open round's lines run on to today (not past its closing date)
    until = None
    if rnd.state == "open":
        until = min(filter(None, (now, rnd.closes_at))).astimezone(BRUSSELS).date()
    return render_template("admin/round_live.html", rnd=rnd, sort=sort, now=now,
                           figures=figures, sort_keys=monitoring.SORT_KEYS,
                           timeline=monitoring.timeline(db.session, rnd.id, figures, until),
                           styles=monitoring.SERIES_STYLE,
                           wide=round_service.sector_wide(db.session, rnd.id))


@bp.get("/rondes/<int:round_id>/respons.xlsx")
def round_figures_xlsx(round_id: int):
    rnd = round_or_404(round_id)
    data = xlsx.workbook(monitoring.export_sheets(
        monitoring.round_figures(db.session, rnd.id),
        round_service.sector_wide(db.session, rnd.id)))
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, "response figures downloaded", rnd.name)
    return xlsx_download(data, f"respons-ronde-{rnd.id}.xlsx")


@bp.get("/rondes/<int:round_id>/clb/<int:centre_id>")
def round_centre(round_id: int, centre_id: int):
    rnd = round_or_404(round_id)
    centre = db.session.get(Centre, centre_id)
    if centre is None:
        abort(404)
    schools = monitoring.centre_schools(db.session, rnd.id, centre.id)
    return render_template("admin/round_centre.html", rnd=rnd, centre=centre, schools=schools,
                           form=InvitationForm(),
                           changeable=rnd.state in ("draft", "open"))


@bp.post("/rondes/<int:round_id>/uitnodigingen/<int:invitation_id>")
def round_invitation(round_id: int, invitation_id: int):
    """Withdraw an invitation or bring it back."""
    form = InvitationForm()
    done = {"withdraw": (round_service.withdraw, lazy_gettext(
                "%(school)s is ingetrokken; de link werkt niet meer, gegeven antwoorden "
                "blijven bewaard.")),
            "reinstate": (round_service.reinstate,
                          lazy_gettext("%(school)s is opnieuw uitgenodigd."))}
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.round_id != round_id:
        abort(404)
    if not form.validate_on_submit() or form.action.data not in done:
        abort(400)
    action, outcome = done[form.action.data]
    school, centre_id = inv.school.name, inv.centre_id
    try:
        with write_transaction(db.session):
            action(db.session, db.session.get(Invitation, invitation_id))
            accounts.audit(db.session, current_user, f"invitation {form.action.data}",
                           school, round=round_id)
    except round_service.RoundStateError as exc:
        flash(str(exc), "error")
    else:
        flash(outcome % {"school": school}, "success")
    return redirect(url_for(".round_centre", round_id=round_id, centre_id=centre_id))


@bp.post("/rondes/<int:round_id>/scholen")
def round_add_school(round_id: int):
    """Invite one school; one whose CLB is not in the round first gets a page that asks
    whether that CLB is to join (the form posted again, with with_centre)."""
    rnd = round_or_404(round_id)
    form = AddSchoolConfirmForm()
    if not form.validate_on_submit():
        flash(gettext("Geef het instellingsnummer van de school."), "error")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    school = db.session.scalar(select(School).where(School.number == form.number.data.strip()))
    if school is None:
        flash(gettext("Geen school met nummer %(number)s. Lees ze eerst in.",
                      number=form.number.data), "error")
        return redirect(url_for(".round_detail", round_id=rnd.id))
    name, school_id = school.name, school.id
    try:
        with write_transaction(db.session):
            round_service.add_school_checked(db.session, round_or_404(round_id),
                                             db.session.get(School, school_id),
                                             with_centre=form.with_centre.data == "1")
            accounts.audit(db.session, current_user, "school added", name, round=round_id,
                           centre_added=form.with_centre.data == "1")
    except round_service.OutsideRound as exc:
        school = db.session.get(School, school_id)
        centres = round_service.round_centres(db.session, rnd.id)
        return render_template("admin/round_add_school.html", rnd=rnd, school=school,
                               reason=str(exc), form=form, centres=len(centres),
                               centre_schools=_count_schools(school.centre_id))
    except round_service.RoundStateError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("%(name)s is uitgenodigd.", name=name), "success")
    return redirect(url_for(".round_detail", round_id=rnd.id))


def _count_schools(centre_id: int) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(School).where(
        School.centre_id == centre_id))


from . import round_confirm, round_drafts, round_steps  # noqa: E402,F401  (routes on bp)
