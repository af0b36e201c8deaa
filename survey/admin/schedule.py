"""Console page of a round's planning: what is planned (opening, closing, reminders), its
state and outcome, and forms to move a step, cancel it, add a reminder, or plan the
defaults. Times are typed and shown in Brussels; the service checks and stores them.

Every refusal says why: beside the form when the form is on the page, at the top when it
is not (a step carried out or cancelled has no form, nor has a closed round's reminder)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from wtforms import Field, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateTimeLocalInput

from instrument.domain import (
    AUDIENCE_NAMES,
    STEP_KIND_NAMES,
    STEP_STATE_NAMES,
    ReminderAudience,
    RoundState,
    StepKind,
    StepState,
)

from ..cleanforms import CleanForm
from ..database import write_transaction
from ..extensions import db
from ..models import utcnow
from ..services import accounts, mailing
from ..services import schedule as service
from ..translations import lazy_gettext as _l
from . import bp
from .rounds import round_or_404

# What a browser's datetime-local control sends, and what people type without one.
FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M",
           "%d/%m/%Y %H:%M")


class BrusselsTimeField(Field):
    """A date and time typed in Brussels, kept as typed (naive) in .data; every fault is
    one Dutch message. The service turns it into UTC (and refuses a time the clock skips)."""

    widget = DateTimeLocalInput()

    def _value(self):
        return self.raw_data[0] if self.raw_data else (self.data or "")

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            raise ValueError(gettext("Kies een datum en uur."))
        for pattern in FORMATS:
            try:
                self.data = datetime.strptime(raw, pattern)
                return
            except ValueError:
                continue
        raise ValueError(gettext("‘%(value)s’ is geen datum met uur. Kies ze in de kalender, "
                                 "of schrijf ze als 28-03-2027 09:00.", value=raw[:40]))

    def pre_validate(self, form):
        if self.data is None and not self.errors:
            raise ValueError(gettext("Kies een datum en uur."))


class StepTimeForm(CleanForm):
    due = BrusselsTimeField(_l("Nieuw tijdstip (Brusselse tijd)"))


class StepCancelForm(CleanForm):
    """Cancel one step (CSRF only)."""


class PlanDefaultsForm(CleanForm):
    """Plan the round's defaults (CSRF only)."""


class ReminderForm(CleanForm):
    due = BrusselsTimeField(_l("Tijdstip (Brusselse tijd)"))
    audience = SelectField(_l("Aan"), choices=[
        SelectChoice(audience.value, _l(AUDIENCE_NAMES[audience]))
        for audience in ReminderAudience], default=ReminderAudience.NOT_SUBMITTED.value)


CHANGEABLE = (StepState.PLANNED, StepState.FAILED)     # the steps the page has a form for


def _page(rnd, *, status: int = 200, refused_step: int | None = None, time_form=None,
          reminder_form=None, refusal: str = ""):
    """The planning page; a refused form is shown again with its errors beside its step,
    or, when the page shows no such form (any more), the errors as `refusal` on top."""
    steps = service.steps(db.session, rnd.id)
    if not refusal and time_form is not None and time_form.due.errors and not any(
            s.id == refused_step and s.state in CHANGEABLE for s in steps):
        refusal = " ".join(time_form.due.errors)       # e.g. started meanwhile
    if not refusal and reminder_form is not None and reminder_form.errors \
            and rnd.state not in (RoundState.DRAFT, RoundState.OPEN):
        refusal = " ".join(e for errors in reminder_form.errors.values() for e in errors)
    return render_template(
        "admin/schedule.html", rnd=rnd, steps=steps, refusal=refusal,
        refused_step=refused_step, time_form=time_form or StepTimeForm(formdata=None),
        cancel_form=StepCancelForm(), defaults_form=PlanDefaultsForm(),
        reminder_form=reminder_form or ReminderForm(formdata=None),
        kind_names=STEP_KIND_NAMES, state_names=STEP_STATE_NAMES,
        audience_names=AUDIENCE_NAMES, changeable=CHANGEABLE,
        when=service.local_label, form_value=service.form_value,
        message_name=mailing.message_name,
        now=utcnow()), status


def _checked(form):
    """Whether the posted form is valid; a missing or wrong CSRF token is a 400."""
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)
    return valid


def _step_or_404(rnd, step_id: int):
    step = service.step_of(db.session, rnd.id, step_id)
    if step is None:
        abort(404)
    return step


def _ambiguity_note(moment: datetime) -> str:
    if not service.is_ambiguous(moment):
        return ""
    return " " + gettext("Dat uur komt die nacht twee keer voor (de klok gaat terug naar "
                         "wintertijd): de planning neemt de eerste keer, nog in zomertijd.")


def _moved_message(kind: str, due: datetime, moved: list[tuple[str, datetime]]) -> str:
    """What moved: the step, and the reminders that follow the close along with it."""
    when = service.local_label(due)
    if kind == StepKind.CLOSE:
        text = gettext("De sluiting is verplaatst naar %(when)s", when=when)
    elif kind == StepKind.OPEN:
        text = gettext("De opening is verplaatst naar %(when)s", when=when)
    else:
        text = gettext("De herinnering is verplaatst naar %(when)s", when=when)
    for key, at in moved:
        text += "; " + gettext("%(message)s schuift mee naar %(when)s",
                               message=mailing.message_name(key),
                               when=service.local_label(at))
    return text + "."


@bp.get("/rondes/<int:round_id>/planning")
def round_schedule(round_id: int):
    return _page(round_or_404(round_id))


@bp.post("/rondes/<int:round_id>/planning/<int:step_id>/tijd")
def round_schedule_move(round_id: int, step_id: int):
    rnd = round_or_404(round_id)
    step = _step_or_404(rnd, step_id)
    form = StepTimeForm()
    valid = _checked(form)
    try:
        service.check_movable(step)     # before the time: a done step has no time to fix
    except service.ScheduleError as exc:
        return _page(rnd, status=400, refusal=str(exc))
    if valid:
        try:
            due = service.to_utc(form.due.data)
            with write_transaction(db.session):
                step = _step_or_404(rnd, step_id)
                followed = service.move_step(db.session, step, due)
                moved = [(s.message_key, s.due_at) for s in followed]
                accounts.audit(db.session, current_user, "schedule step moved", rnd.name,
                               step=step.id, kind=step.kind, due_at=due.isoformat(),
                               **({"changed": [key for key, _ in moved]} if moved else {}))
        except service.ScheduleError as exc:
            form.due.errors.append(str(exc))
        else:
            flash(_moved_message(step.kind, due, moved) + _ambiguity_note(due), "success")
            return redirect(url_for(".round_schedule", round_id=rnd.id))
    return _page(round_or_404(round_id), status=400, refused_step=step.id, time_form=form)


@bp.post("/rondes/<int:round_id>/planning/<int:step_id>/annuleren")
def round_schedule_cancel(round_id: int, step_id: int):
    rnd = round_or_404(round_id)
    _step_or_404(rnd, step_id)
    if not _checked(StepCancelForm()):
        abort(400)
    try:
        with write_transaction(db.session):
            step = _step_or_404(rnd, step_id)
            service.cancel_step(db.session, step)
            accounts.audit(db.session, current_user, "schedule step cancelled", rnd.name,
                           step=step.id, kind=step.kind)
    except service.ScheduleError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("De stap is geannuleerd."), "success")
    return redirect(url_for(".round_schedule", round_id=rnd.id))


@bp.post("/rondes/<int:round_id>/planning/herinnering")
def round_schedule_add(round_id: int):
    rnd = round_or_404(round_id)
    form = ReminderForm()
    valid = _checked(form)
    try:
        service.check_plannable(rnd)
        service.check_remindable(rnd)
    except service.ScheduleError as exc:
        return _page(rnd, status=400, refusal=str(exc))
    if valid:
        try:
            due = service.to_utc(form.due.data)
            with write_transaction(db.session):
                rnd = round_or_404(round_id)
                step = service.add_reminder(db.session, rnd, due, form.audience.data)
                accounts.audit(db.session, current_user, "reminder planned", rnd.name,
                               step=step.id, due_at=due.isoformat(),
                               audience=step.audience, message=step.message_key)
        except service.ScheduleError as exc:
            form.due.errors.append(str(exc))
        else:
            flash(gettext("De herinnering is gepland op %(when)s.",
                          when=service.local_label(due)) + _ambiguity_note(due), "success")
            return redirect(url_for(".round_schedule", round_id=rnd.id))
    return _page(round_or_404(round_id), status=400, reminder_form=form)


@bp.post("/rondes/<int:round_id>/planning/standaard")
def round_schedule_defaults(round_id: int):
    rnd = round_or_404(round_id)
    if not _checked(PlanDefaultsForm()):
        abort(400)
    with write_transaction(db.session):
        rnd = round_or_404(round_id)
        added = service.plan_defaults(db.session, rnd)
        accounts.audit(db.session, current_user, "schedule planned", rnd.name,
                       steps=len(added))
    if added:
        flash(ngettext("De standaardplanning is gemaakt: %(num)d stap.",
                       "De standaardplanning is gemaakt: %(num)d stappen.", len(added)),
              "success")
    else:
        flash(gettext("Er was niets bij te plannen: de bevraging heeft al een opening, "
                      "sluiting en herinneringen, of haar datums liggen voorbij."), "success")
    return redirect(url_for(".round_schedule", round_id=rnd.id))
