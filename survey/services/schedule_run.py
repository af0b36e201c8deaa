"""Carrying out a round's steps whose time has come (services/schedule.py plans them).

run_due() is what the job queue calls every minute. Each due step is claimed (planned ->
running, committed) before anything is done, so two workers never both act on it; then
the action runs and the step ends done, failed (with the reason: the loop goes on) or
skipped. Every action is resumable: opening a round that is open already only sends the
invitations still to go, and mails are claimed one by one by mailing.send. So a step left
running by a worker that died is simply taken again once it is stale, and no school is
mailed twice.

What a step did is written to the audit log (actor: the system, action "... (schedule)")
in the transaction that records the step's outcome, so the log and the plan agree.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from instrument.domain import ReminderAudience, RoundState, StepKind, StepState

from ..database import write_transaction
from ..mailer import MailError
from ..models import Invitation, MessageSend, Round
from ..models.schedule import ScheduledStep
from . import accounts, mailing
from .rounds import RoundStateError, close_round, open_round
from .schedule_time import local_label

log = logging.getLogger(__name__)

STALE = timedelta(minutes=10)       # a step running this long without a sign of life: died
HEARTBEAT_SECONDS = 60              # how often a long mail batch says it is alive
# the order of steps due at the same moment: open first, close last
KIND_ORDER = case({StepKind.OPEN.value: 0, StepKind.REMINDER.value: 1,
                   StepKind.CLOSE.value: 2}, value=ScheduledStep.kind)


@dataclass
class _Result:
    state: StepState
    outcome: str        # Dutch, shown in the console
    summary: str        # English, for the worker's log
    # what to write to the audit log with the outcome: (action, round name, details)
    audit: tuple[str, str, dict] | None = field(default=None)


AUDIT_SUFFIX = " (schedule)"        # audit_labels shows it as "(planning)"


def _audited(action: str, rnd: Round, **details) -> tuple[str, str, dict]:
    return action + AUDIT_SUFFIX, rnd.name, details


def run_due(session: Session, now: datetime, *, transport, base_url: str,
            sender: str, stale: timedelta = STALE) -> list[str]:
    """Carry out every planned step whose time has come; what was done, in English.

    A step's failure is recorded on the step (failed, with the reason) and the loop goes
    on; only the process dying stops it, and then the step, left running, is taken again
    `stale` later by whichever worker runs next."""
    done = []
    for step_id in list(session.scalars(_due(now, stale))):
        claim = _claim(session, step_id, now, stale)
        if claim is None:
            continue        # another worker has it
        step, resumed = claim
        label = f"round {step.round_id} {step.kind}" + (
            f" {step.message_key}" if step.message_key else "")
        beat = _Heartbeat(session, step_id, now)
        try:
            result = _ACTIONS[step.kind](session, step, now, resumed, beat, transport,
                                         base_url, sender)
        except Exception as exc:  # noqa: BLE001 - one step's fault never stops the others
            session.rollback()
            log.exception("scheduled step %s failed", step_id)
            result = _Result(StepState.FAILED,
                             gettext("Onverwachte fout: %(error)s", error=str(exc))[:2000],
                             f"unexpected error: {exc}")
        _finish(session, step_id, result, now)
        done.append(f"{label}: {result.state.value} ({result.summary})")
    return done


def _due(now: datetime, stale: timedelta):
    return (select(ScheduledStep.id)
            .where(or_((ScheduledStep.state == StepState.PLANNED)
                       & (ScheduledStep.due_at <= now),
                       (ScheduledStep.state == StepState.RUNNING)
                       & (ScheduledStep.claimed_at <= now - stale)))
            .order_by(ScheduledStep.due_at, KIND_ORDER, ScheduledStep.id))


def _claim(session: Session, step_id: int, now: datetime, stale: timedelta
           ) -> tuple[ScheduledStep, bool] | None:
    """Take the step (committed before anything is done); whether it is taken again after
    a worker died with it. None: someone else has it, or it was moved or cancelled."""
    with write_transaction(session):
        fresh = session.execute(update(ScheduledStep).where(
            ScheduledStep.id == step_id, ScheduledStep.state == StepState.PLANNED,
            ScheduledStep.due_at <= now)
            .values(state=StepState.RUNNING.value, claimed_at=now)
            .execution_options(synchronize_session=False)).rowcount == 1
        again = not fresh and session.execute(update(ScheduledStep).where(
            ScheduledStep.id == step_id, ScheduledStep.state == StepState.RUNNING,
            ScheduledStep.claimed_at <= now - stale)
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)).rowcount == 1
    if not (fresh or again):
        return None
    return session.get(ScheduledStep, step_id, populate_existing=True), again


class _Heartbeat:
    """Called after each mail of a long batch: at most once a minute it moves the claim's
    time on, so that no other worker takes the step as abandoned while it runs."""

    def __init__(self, session: Session, step_id: int, now: datetime):
        self.session, self.step_id, self.now = session, step_id, now
        self.started = self.last = time.monotonic()

    def __call__(self, _count: int) -> None:
        tick = time.monotonic()
        if tick - self.last < HEARTBEAT_SECONDS:
            return
        self.last = tick
        with write_transaction(self.session):
            self.session.execute(update(ScheduledStep).where(
                ScheduledStep.id == self.step_id, ScheduledStep.state == StepState.RUNNING)
                .values(claimed_at=self.now + timedelta(seconds=tick - self.started))
                .execution_options(synchronize_session=False))


def _finish(session: Session, step_id: int, result: _Result, now: datetime) -> None:
    with write_transaction(session):
        session.execute(update(ScheduledStep).where(
            ScheduledStep.id == step_id, ScheduledStep.state == StepState.RUNNING)
            .values(state=result.state.value, done_at=now, outcome=result.outcome)
            .execution_options(synchronize_session=False))
        if result.audit is not None:
            action, subject, details = result.audit
            accounts.audit(session, None, action, subject, step=step_id, **details)


def _send(session, rnd, key, beat, transport, base_url, sender, only_not_started=False):
    return mailing.send(session, rnd, key, transport, base_url=base_url, sender=sender,
                        only_not_started=only_not_started, progress=beat)


def _uncertain(session: Session, rnd: Round, key: str) -> str:
    """Mails of this message claimed by a worker that died: perhaps sent, so never sent
    again by themselves (the inspector decides on the round's page)."""
    count = session.scalar(select(func.count()).select_from(MessageSend).join(
        Invitation, Invitation.id == MessageSend.invitation_id).where(
        Invitation.round_id == rnd.id, MessageSend.message_key == key,
        MessageSend.status == "claimed"))
    if not count:
        return ""
    return " " + ngettext(
        "%(num)d bericht is onzeker na een onderbreking: de pagina van de bevraging laat het "
        "opnieuw versturen.",
        "%(num)d berichten zijn onzeker na een onderbreking: de pagina van de bevraging laat "
        "ze opnieuw versturen.", count)


def _open(session, step, now, resumed, beat, transport, base_url, sender) -> _Result:
    rnd = session.get(Round, step.round_id)
    was_open = rnd.state == RoundState.OPEN
    if rnd.state == RoundState.DRAFT:
        if rnd.closes_at is not None and rnd.closes_at <= now:
            return _Result(StepState.SKIPPED, gettext(
                "De sluitingsdatum (%(close)s) is al voorbij: de bevraging is niet geopend.",
                close=local_label(rnd.closes_at)), "closing time already past, not opened")
        invited = session.scalar(select(func.count()).where(
            Invitation.round_id == rnd.id, Invitation.revoked_at.is_(None)))
        if not invited:
            return _Result(StepState.FAILED, gettext(
                "De bevraging heeft geen uitgenodigde scholen: ze is niet geopend."),
                "no invited schools, not opened")
    if not was_open:
        # open_round holds the round's checks; its refusal is the step's reason
        try:
            with write_transaction(session):
                open_round(session, session.get(Round, step.round_id))
        except RoundStateError as exc:
            return _Result(StepState.FAILED, str(exc), f"not opened: {exc}")
    elif rnd.phase(now) == "closed":
        return _Result(StepState.SKIPPED, gettext(
            "De sluitingsdatum is al voorbij: er zijn geen uitnodigingen verstuurd."),
            "closing time already past, no invitations sent")
    rnd = session.get(Round, step.round_id)
    if rnd.uses_codes:
        # a coded round's respondents get their codes from the school: nothing is mailed
        return _Result(StepState.DONE, " ".join((
            gettext("De bevraging was al open.") if was_open
            else gettext("De bevraging is geopend."),
            gettext("Ze werkt met codes: er zijn geen uitnodigingen gemaild."))),
            f"{'was open' if was_open else 'opened'}, coded: nothing mailed",
            None if was_open else _audited("round open", rnd, sent=0, failed=0))
    try:
        report = _send(session, rnd, mailing.INVITATION, beat, transport, base_url, sender)
    except MailError as exc:
        # the round did open (its own transaction): that much is in the log
        return _Result(StepState.FAILED, gettext(
            "De bevraging is open, maar de uitnodigingen konden niet vertrekken: %(error)s. "
            "Verplaats deze stap om het opnieuw te proberen.", error=str(exc)),
            f"open, invitations not sent: {exc}",
            None if was_open else _audited("round open", rnd, sent=0, failed=0))
    opened = gettext("De bevraging was al open.") if was_open else \
        gettext("De bevraging is geopend.")
    return _Result(StepState.DONE, " ".join((opened, gettext(
        "Uitnodigingen: %(sent)d verstuurd, %(failed)d mislukt.", sent=report.sent,
        failed=report.failed))) + _uncertain(session, rnd, mailing.INVITATION),
        f"{'was open' if was_open else 'opened'}{', resumed' if resumed else ''}; "
        f"invitations sent {report.sent}, failed {report.failed}",
        _audited(f"{mailing.INVITATION} sent" if was_open else "round open", rnd,
                 sent=report.sent, failed=report.failed))


def _close(session, step, now, resumed, beat, transport, base_url, sender) -> _Result:
    rnd = session.get(Round, step.round_id)
    if rnd.state in (RoundState.CLOSED, RoundState.PUBLISHED):
        return _Result(StepState.SKIPPED, gettext("De bevraging was al afgesloten."),
                       "already closed")
    try:
        with write_transaction(session):
            close_round(session, session.get(Round, step.round_id), now)
    except RoundStateError as exc:
        return _Result(StepState.FAILED, str(exc), f"not closed: {exc}")
    return _Result(StepState.DONE, gettext("De bevraging is afgesloten."), "closed",
                   _audited("round close", rnd))


def _remind(session, step, now, resumed, beat, transport, base_url, sender) -> _Result:
    rnd = session.get(Round, step.round_id)
    if rnd.uses_codes:     # planned before the round took codes: nobody to mail
        return _Result(StepState.SKIPPED, gettext(
            "De bevraging werkt met codes: er is geen herinnering gemaild."),
            "coded round, nothing sent")
    if rnd.state != RoundState.OPEN or rnd.phase(now) != "open":
        return _Result(StepState.SKIPPED, gettext(
            "De bevraging neemt nu geen antwoorden aan: er is geen herinnering verstuurd."),
            f"round not taking answers ({rnd.state}), nothing sent")
    try:
        report = _send(session, rnd, step.message_key, beat, transport, base_url, sender,
                       only_not_started=step.audience == ReminderAudience.NOT_STARTED)
    except MailError as exc:
        return _Result(StepState.FAILED, gettext(
            "De herinnering kon niet vertrekken: %(error)s. Verplaats deze stap om het "
            "opnieuw te proberen.", error=str(exc)), f"not sent: {exc}")
    return _Result(StepState.DONE, gettext(
        "%(sent)d verstuurd, %(failed)d mislukt.", sent=report.sent, failed=report.failed)
        + _uncertain(session, rnd, step.message_key),
        f"sent {report.sent}, failed {report.failed}, skipped {report.skipped}",
        _audited(f"{step.message_key} sent", rnd, sent=report.sent, failed=report.failed))


_ACTIONS = {StepKind.OPEN.value: _open, StepKind.CLOSE.value: _close,
            StepKind.REMINDER.value: _remind}
