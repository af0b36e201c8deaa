"""A round's schedule: its opening, closing and reminders taking effect by themselves.

The plan is rows of ScheduledStep (models/schedule.py). The console and the round form
plan, move and cancel steps here (plan_defaults, add_reminder, move_step, cancel_step,
follow_round_dates: they write in the caller's write_transaction and open none of their
own, so that a view can audit in the same one). The job queue calls run_due() every
minute (services/schedule_run.py, re-exported here), which carries out the steps whose
time has come. Times are typed and shown in Brussels and stored in UTC
(services/schedule_time.py).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from instrument.domain import (
    STEP_STATE_NAMES,
    ReminderAudience,
    RoundState,
    StepKind,
    StepState,
)

from ..models import Invitation, MessageSend, Round, utcnow
from ..models.schedule import ScheduledStep
from . import mailing
from .rounds import STATE_NAMES
from .schedule_run import KIND_ORDER, STALE, run_due
from .schedule_time import (
    ScheduleError,
    form_value,
    is_ambiguous,
    local_days_before,
    local_label,
    to_utc,
)

__all__ = ["STALE", "ScheduleError", "add_reminder", "cancel_step", "check_movable",
           "check_plannable", "check_remindable", "follow_round_dates", "form_value",
           "is_ambiguous", "local_days_before", "local_label", "move_step", "plan_defaults",
           "run_due", "steps", "to_utc"]

DEFAULT_REMINDERS = (7, 2)          # local days before the close, to schools not submitted
MAX_REMINDERS = 9                   # mailing.REMINDER_KEY knows reminder-1 .. reminder-9
_ACTIVE = (StepState.PLANNED, StepState.RUNNING)
_CHANGEABLE = (StepState.PLANNED, StepState.FAILED)   # a failed step is retried by moving it


# --- Reading the plan ------------------------------------------------------------------

def steps(session: Session, round_id: int) -> list[ScheduledStep]:
    """A round's steps in the order they happen (cancelled ones included)."""
    return list(session.scalars(select(ScheduledStep)
                                .where(ScheduledStep.round_id == round_id)
                                .order_by(ScheduledStep.due_at, KIND_ORDER,
                                          ScheduledStep.id)))


def step_of(session: Session, round_id: int, step_id: int) -> ScheduledStep | None:
    step = session.get(ScheduledStep, step_id)
    return step if step is not None and step.round_id == round_id else None


def _active_steps(session: Session, round_id: int, kind: StepKind) -> list[ScheduledStep]:
    return list(session.scalars(select(ScheduledStep).where(
        ScheduledStep.round_id == round_id, ScheduledStep.kind == kind,
        ScheduledStep.state.in_(_ACTIVE)).order_by(ScheduledStep.due_at)))


# --- Planning (in the caller's write_transaction) ---------------------------------------

def next_reminder_key(session: Session, rnd: Round) -> str:
    """The first reminder number no step of the round holds and no mail of it used (a
    reminder sent by hand from the round page counts: a school never gets it twice)."""
    used = set(session.scalars(select(ScheduledStep.message_key).where(
        ScheduledStep.round_id == rnd.id, ScheduledStep.kind == StepKind.REMINDER,
        ScheduledStep.state != StepState.CANCELLED)))
    used |= set(session.scalars(select(MessageSend.message_key).distinct()
                                .join(Invitation, Invitation.id == MessageSend.invitation_id)
                                .where(Invitation.round_id == rnd.id)))
    for number in range(1, MAX_REMINDERS + 1):
        if mailing.reminder_key(number) not in used:
            return mailing.reminder_key(number)
    raise ScheduleError(gettext("Een bevraging heeft hoogstens %(count)s herinneringen.",
                                count=MAX_REMINDERS))


def _add(session: Session, rnd: Round, kind: StepKind, due: datetime, **fields) -> ScheduledStep:
    step = ScheduledStep(round_id=rnd.id, kind=kind.value, due_at=due,
                         state=StepState.PLANNED.value, **fields)
    session.add(step)
    session.flush()
    return step


def plan_defaults(session: Session, rnd: Round, *, now: datetime | None = None
                  ) -> list[ScheduledStep]:
    """Plan what a round is missing: its opening at opens_at (a draft round), its closing at
    closes_at, and, when it has no reminders yet, one 7 and one 2 local days before the close
    to the schools that have not submitted (not those before the opening). A coded round
    gets its opening and closing only: nobody of it is mailed.

    Nothing is planned in the past, with one exception: the close of an open round whose
    closing time has passed (it takes no answers since then; the state follows within a
    minute). An opening already past is left to the inspector: planning it would open the
    round and mail every school at once, before anyone looked at it again.
    Planning twice adds nothing. Runs in the caller's write_transaction."""
    now = now or utcnow()
    added = []
    if rnd.state == RoundState.DRAFT and rnd.opens_at is not None and rnd.opens_at > now \
            and not _active_steps(session, rnd.id, StepKind.OPEN):
        added.append(_add(session, rnd, StepKind.OPEN, rnd.opens_at))
    running = rnd.state in (RoundState.DRAFT, RoundState.OPEN)
    if running and rnd.closes_at is not None \
            and (rnd.closes_at > now or rnd.state == RoundState.OPEN) \
            and not _active_steps(session, rnd.id, StepKind.CLOSE):
        added.append(_add(session, rnd, StepKind.CLOSE, rnd.closes_at))
    any_reminder = session.scalar(select(func.count()).where(
        ScheduledStep.round_id == rnd.id, ScheduledStep.kind == StepKind.REMINDER,
        ScheduledStep.state != StepState.CANCELLED))
    if running and rnd.closes_at is not None and not any_reminder and not rnd.uses_codes:
        for days in DEFAULT_REMINDERS:
            due = local_days_before(rnd.closes_at, days)
            if due <= now or (rnd.opens_at is not None and due <= rnd.opens_at):
                continue
            added.append(_add(session, rnd, StepKind.REMINDER, due,
                              audience=ReminderAudience.NOT_SUBMITTED.value,
                              message_key=next_reminder_key(session, rnd),
                              days_before_close=days))
    return added


def check_plannable(rnd: Round) -> None:
    """Refuse planning anything new in a round that is closed or published."""
    if rnd.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise ScheduleError(gettext("De bevraging is %(state)s: er valt niets meer te "
                                    "plannen.", state=str(STATE_NAMES[rnd.state])))


def check_remindable(rnd: Round) -> None:
    """Refuse a reminder in a coded round: its respondents are anonymous, nobody to mail."""
    if rnd.uses_codes:
        raise ScheduleError(gettext(
            "Deze bevraging werkt met codes: er worden geen uitnodigingen of herinneringen "
            "gemaild, dus een herinnering kan niet gepland worden. Wie nog niet antwoordde, "
            "herinnert u via de school."))


def check_movable(step: ScheduledStep) -> None:
    """Refuse moving a step that was carried out, cancelled, skipped or is running."""
    if step.state == StepState.PLANNED or step.state == StepState.FAILED:
        return
    if step.state == StepState.RUNNING:
        message = gettext("Deze stap is bezig; ze kan niet meer verplaatst worden.")
    elif step.state == StepState.CANCELLED:
        message = gettext("Deze stap is geannuleerd; ze kan niet meer verplaatst worden. "
                          "Plan zo nodig een nieuwe.")
    elif step.state == StepState.SKIPPED:
        message = gettext("Deze stap is al overgeslagen; ze kan niet meer verplaatst "
                          "worden.")
    else:
        message = gettext("Deze stap is al uitgevoerd; ze kan niet meer verplaatst worden.")
    raise ScheduleError(message)


def _check_reminder(rnd: Round, due: datetime, now: datetime) -> None:
    check_plannable(rnd)
    check_remindable(rnd)
    if due <= now:
        raise ScheduleError(gettext("%(time)s ligt in het verleden. Kies een later tijdstip.",
                                    time=local_label(due)))
    if rnd.closes_at is not None and due >= rnd.closes_at:
        raise ScheduleError(gettext(
            "Een herinnering moet vóór de sluiting vallen (%(close)s).",
            close=local_label(rnd.closes_at)))
    if rnd.state == RoundState.DRAFT and rnd.opens_at is not None and due <= rnd.opens_at:
        raise ScheduleError(gettext(
            "Een herinnering moet na de opening vallen (%(open)s).",
            open=local_label(rnd.opens_at)))


def add_reminder(session: Session, rnd: Round, due: datetime, audience: str, *,
                 now: datetime | None = None) -> ScheduledStep:
    """Plan one more reminder at `due` (aware) for `audience`. In the caller's transaction."""
    audience = ReminderAudience(audience)
    _check_reminder(rnd, due, now or utcnow())
    return _add(session, rnd, StepKind.REMINDER, due, audience=audience.value,
                message_key=next_reminder_key(session, rnd))


def _check_in_future(due: datetime, now: datetime) -> None:
    if due <= now:
        raise ScheduleError(gettext("%(time)s ligt in het verleden. Kies een later tijdstip.",
                                    time=local_label(due)))


def _reminders_follow(session: Session, rnd: Round, opens: datetime | None,
                      closes: datetime | None, now: datetime) -> list[ScheduledStep]:
    """Move the default reminders ("n days before the close") to the close `closes`, and
    refuse when a reminder would then fall outside the round's time (nothing is changed:
    the caller's transaction rolls back). The reminders whose time changed."""
    moved = []
    for step in _active_steps(session, rnd.id, StepKind.REMINDER):
        if step.state != StepState.PLANNED:
            continue
        due = step.due_at
        if step.days_before_close is not None and closes is not None:
            due = local_days_before(closes, step.days_before_close)
        if due <= now or (closes is not None and due >= closes) \
                or (rnd.state == RoundState.DRAFT and opens is not None and due <= opens):
            raise ScheduleError(gettext(
                "De herinnering van %(time)s valt dan niet meer tussen de opening en de "
                "sluiting: verplaats of annuleer ze eerst.", time=local_label(step.due_at)))
        if due != step.due_at:
            moved.append(step)
        step.due_at = due
    return moved


def move_step(session: Session, step: ScheduledStep, due: datetime, *,
              now: datetime | None = None) -> list[ScheduledStep]:
    """Give a planned (or failed: a retry) step a new time. Moving the opening or closing
    moves the round's own date with it (which decides when answers are taken) and the
    default reminders with the close: those reminders are returned (with their new time),
    so that the inspector is told. In the caller's write_transaction."""
    now = now or utcnow()
    rnd = session.get(Round, step.round_id)
    check_movable(step)
    _check_in_future(due, now)
    followed: list[ScheduledStep] = []
    if step.kind == StepKind.REMINDER:
        _check_reminder(rnd, due, now)
        step.days_before_close = None       # now at the inspector's own time
    elif step.kind == StepKind.OPEN:
        # an open round's failed opening is retried for its invitations only
        retry = rnd.state == RoundState.OPEN and step.state == StepState.FAILED
        if rnd.state != RoundState.DRAFT and not retry:
            raise ScheduleError(gettext("De bevraging is al geopend."))
        if rnd.closes_at is not None and due >= rnd.closes_at:
            raise ScheduleError(gettext("De opening moet vóór de sluiting liggen (%(close)s).",
                                        close=local_label(rnd.closes_at)))
        if not retry:
            followed = _reminders_follow(session, rnd, due, rnd.closes_at, now)
            rnd.opens_at = due
    else:
        if rnd.state not in (RoundState.DRAFT, RoundState.OPEN):
            raise ScheduleError(gettext("De bevraging is al afgesloten."))
        if rnd.opens_at is not None and due <= rnd.opens_at:
            raise ScheduleError(gettext("De sluiting moet na de opening liggen (%(open)s).",
                                        open=local_label(rnd.opens_at)))
        followed = _reminders_follow(session, rnd, rnd.opens_at, due, now)
        rnd.closes_at = due
    # the state in the WHERE: a worker that claimed the step meanwhile wins
    moved = session.execute(update(ScheduledStep).where(
        ScheduledStep.id == step.id, ScheduledStep.state.in_(_CHANGEABLE))
        .values(due_at=due, state=StepState.PLANNED.value, claimed_at=None, done_at=None,
                outcome="").execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise ScheduleError(gettext("Deze stap is intussen gestart: ze kan niet meer "
                                    "verplaatst worden."))
    session.flush()
    session.refresh(step)
    return followed


def cancel_step(session: Session, step: ScheduledStep, *, now: datetime | None = None) -> None:
    """Cancel a planned (or failed) opening or reminder. The closing cannot be cancelled:
    the schools were told the date, and the round's own date stops answers anyway; it can
    be moved. In the caller's write_transaction."""
    if step.kind == StepKind.CLOSE:
        raise ScheduleError(gettext("De sluiting kan niet geannuleerd worden: de scholen "
                                    "kennen die datum. Verplaats ze als de bevraging langer "
                                    "moet lopen."))
    cancelled = session.execute(update(ScheduledStep).where(
        ScheduledStep.id == step.id, ScheduledStep.state.in_(_CHANGEABLE))
        .values(state=StepState.CANCELLED.value, done_at=now or utcnow())
        .execution_options(synchronize_session=False))
    if cancelled.rowcount != 1:
        raise ScheduleError(gettext("Deze stap is %(state)s: ze kan niet meer geannuleerd "
                                    "worden.", state=_state_name(step.state)))
    session.refresh(step)


def follow_round_dates(session: Session, rnd: Round, *, now: datetime | None = None) -> None:
    """After the round's dates or access changed (a draft edited, a closed round
    reopened): the planned opening and closing take the round's dates, the default
    reminders follow the close, and what is missing is planned (plan_defaults). Raises
    ScheduleError when a reminder would fall outside the new dates. A round that now takes
    codes loses its planned reminders (it mails nobody). In the caller's
    write_transaction."""
    now = now or utcnow()
    if rnd.uses_codes:
        for step in _active_steps(session, rnd.id, StepKind.REMINDER):
            if step.state == StepState.PLANNED:
                step.state, step.done_at = StepState.CANCELLED.value, now
                step.outcome = gettext("Vervallen: de bevraging werkt met codes en mailt "
                                       "niemand.")
    _reminders_follow(session, rnd, rnd.opens_at, rnd.closes_at, now)
    for step in _active_steps(session, rnd.id, StepKind.OPEN):
        if step.state != StepState.PLANNED:
            continue
        if rnd.state != RoundState.DRAFT or rnd.opens_at is None or rnd.opens_at <= now:
            # as in plan_defaults: an opening in the past is the inspector's to do by hand
            step.state, step.done_at = StepState.CANCELLED.value, now
            step.outcome = gettext("Vervallen: de bevraging heeft geen openingsdatum meer "
                                   "in de toekomst.")
        else:
            step.due_at = rnd.opens_at
    for step in _active_steps(session, rnd.id, StepKind.CLOSE):
        if step.state == StepState.PLANNED and rnd.closes_at is not None:
            step.due_at = rnd.closes_at
    session.flush()
    plan_defaults(session, rnd, now=now)


def _state_name(state: str) -> str:
    return gettext(STEP_STATE_NAMES[StepState(state)])
