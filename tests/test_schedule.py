"""A round's schedule: due times in Brussels across summer time, run_due opening a round and
mailing its invitations, reminders to the right schools, closing, failures recorded, never
twice (two workers at once, a worker dying), and the console's planning page."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from conftest import csrf_in
from sqlalchemy import select, update

from helpers import all_answers, in_threads
from survey.admin.audit_labels import action_label
from survey.extensions import db
from survey.mailer import MailError, OutboxTransport
from survey.models import AuditEvent, Centre, Invitation, MessageSend, Round, School, utcnow
from survey.models.schedule import ScheduledStep
from survey.services import answers, rounds, schedule

SENDER = "Onderwijsinspectie <noreply@survey.test>"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# a round in 2027: opens Monday 1 March 09:00 (08:00 UTC), closes Sunday 28 March 12:00
# (10:00 UTC); planned now, so the opening, two reminders and the close are all ahead
OPENS, CLOSES = utc(2027, 3, 1, 8, 0), utc(2027, 3, 28, 10, 0)


# --- Brussels time ---------------------------------------------------------------------

def test_typed_brussels_times_become_utc_across_summer_time(app):
    with app.app_context():
        # winter (+1), summer (+2); 2027's changes: Sunday 28 March and Sunday 31 October
        assert schedule.to_utc(datetime(2027, 3, 27, 12, 0)) == utc(2027, 3, 27, 11, 0)
        assert schedule.to_utc(datetime(2027, 3, 28, 12, 0)) == utc(2027, 3, 28, 10, 0)
        assert schedule.to_utc(datetime(2027, 3, 28, 1, 59)) == utc(2027, 3, 28, 0, 59)
        assert schedule.to_utc(datetime(2027, 3, 28, 3, 0)) == utc(2027, 3, 28, 1, 0)
        with pytest.raises(schedule.ScheduleError, match="bestaat niet in Brussel"):
            schedule.to_utc(datetime(2027, 3, 28, 2, 30))     # the clock skips 02:00-03:00
        # 02:30 comes twice on 31 October: the first pass, still summer time
        first = schedule.to_utc(datetime(2027, 10, 31, 2, 30))
        assert first == utc(2027, 10, 31, 0, 30)
        assert schedule.is_ambiguous(first) and schedule.is_ambiguous(utc(2027, 10, 31, 1, 30))
        assert schedule.local_label(first) == \
            "31 oktober 2027 om 02:30 (zomertijd, de eerste keer)"
        assert schedule.local_label(utc(2027, 10, 31, 1, 30)) == \
            "31 oktober 2027 om 02:30 (wintertijd, de tweede keer)"
        assert schedule.to_utc(datetime(2027, 10, 31, 3, 30)) == utc(2027, 10, 31, 2, 30)
        assert not schedule.is_ambiguous(utc(2027, 10, 31, 2, 30))
        assert schedule.form_value(utc(2027, 3, 28, 10, 0)) == "2027-03-28T12:00"
        with pytest.raises(schedule.ScheduleError, match="tussen 2000 en 2100"):
            schedule.to_utc(datetime(1, 1, 1, 0, 0))


def test_days_before_are_brussels_calendar_days():
    # closing Sunday 28 March 2027 12:00 summer time (10:00 UTC): a week earlier it is
    # 12:00 winter time, 11:00 UTC: 6 days 23 hours before, not 7 * 24 hours
    assert schedule.local_days_before(utc(2027, 3, 28, 10, 0), 7) == utc(2027, 3, 21, 11, 0)
    assert schedule.local_days_before(utc(2027, 3, 28, 10, 0), 2) == utc(2027, 3, 26, 11, 0)
    # closing Sunday 31 October 2027 12:00 winter time (11:00 UTC): a week earlier 10:00 UTC
    assert schedule.local_days_before(utc(2027, 10, 31, 11, 0), 7) == utc(2027, 10, 24, 10, 0)
    # closing at 03:30 just after the spring jump (01:30 UTC); a week earlier 02:30 UTC
    assert schedule.local_days_before(utc(2027, 3, 28, 1, 30), 7) == utc(2027, 3, 21, 2, 30)
    # a week before 4 April 02:30 is 28 March 02:30, which the clock skips: 03:30 summer
    assert schedule.local_days_before(utc(2027, 4, 4, 0, 30), 7) == utc(2027, 3, 28, 1, 30)
    # a week before 7 November 02:30 (winter, 01:30 UTC) is 31 October 02:30, first pass
    assert schedule.local_days_before(utc(2027, 11, 7, 1, 30), 7) == utc(2027, 10, 31, 0, 30)


# --- Rounds and schools for these tests -------------------------------------------------

@pytest.fixture
def make_scheduled(app, questionnaire):
    """make_scheduled(opens_at, closes_at, schools=3, state="draft", plan_at=None)
    -> (round id, [invitation ids]); planned with plan_defaults(now=plan_at) unless
    plan_at is False. Schools have addresses school<n>@example.org."""
    counter = {"n": 0}

    def make(opens_at, closes_at, schools=3, state="draft", plan_at=None):
        with app.app_context():
            centre = db.session.scalar(select(Centre).where(Centre.number == "100001"))
            if centre is None:
                centre = Centre(number="100001", name="Vrij CLB Test", network="vclb")
                db.session.add(centre)
                db.session.flush()
            made = []
            for _ in range(schools):
                counter["n"] += 1
                school = School(number=f"8{counter['n']:05d}", name=f"School {counter['n']}",
                                level="bao", centre_id=centre.id,
                                email=f"school{counter['n']}@example.org")
                db.session.add(school)
                made.append(school)
            db.session.flush()
            rnd = rounds.create_round(db.session, name="Geplande bevraging",
                                      school_year="2026-2027", questionnaire=questionnaire,
                                      opens_at=opens_at, closes_at=closes_at)
            issued = rounds.invite(db.session, rnd, made, with_links=False)
            rnd.state = state
            if plan_at is not False:
                schedule.plan_defaults(db.session, rnd, now=plan_at or opens_at - timedelta(
                    days=1))
            db.session.commit()
            return rnd.id, [i.invitation.id for i in issued]

    return make


class Mailbox(OutboxTransport):
    """The development transport (one .eml per mail), read back as (to, subject) pairs."""

    def mails(self) -> list[tuple[str, str]]:
        if not self.folder.exists():
            return []
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            found.append((message["To"].addresses[0].addr_spec, message["Subject"]))
        return found

    def to(self) -> list[str]:
        return sorted(to for to, _ in self.mails())


@pytest.fixture
def mailbox(tmp_path):
    return Mailbox(tmp_path / "mails")


def run(app, now, transport, **kw):
    with app.app_context():
        return schedule.run_due(db.session, now, transport=transport,
                                base_url="http://survey.test", sender=SENDER, **kw)


def plan_of(app, round_id):
    with app.app_context():
        return [(s.kind, s.due_at, s.state, s.message_key, s.audience, s.outcome)
                for s in schedule.steps(db.session, round_id)]


def round_state(app, round_id):
    with app.app_context():
        return db.session.get(Round, round_id).state


def test_defaults_are_planned_in_brussels_days_and_only_once(app, make_scheduled):
    # opens Monday 1 March 2027 09:00 (winter: 08:00 UTC), closes Sunday 28 March 12:00
    # (summer: 10:00 UTC), the day the clocks go forward
    round_id, _ = make_scheduled(utc(2027, 3, 1, 8, 0), utc(2027, 3, 28, 10, 0),
                                 plan_at=utc(2027, 2, 1, 0, 0))
    expected = [
        ("open", utc(2027, 3, 1, 8, 0), "planned", None, None, ""),
        ("reminder", utc(2027, 3, 21, 11, 0), "planned", "reminder-1", "not_submitted", ""),
        ("reminder", utc(2027, 3, 26, 11, 0), "planned", "reminder-2", "not_submitted", ""),
        ("close", utc(2027, 3, 28, 10, 0), "planned", None, None, "")]
    assert plan_of(app, round_id) == expected
    with app.app_context():
        assert schedule.plan_defaults(db.session, db.session.get(Round, round_id),
                                      now=utc(2027, 2, 1)) == []
        db.session.commit()
    assert plan_of(app, round_id) == expected


def test_reminders_already_past_are_not_planned(app, make_scheduled):
    # closes Sunday 31 October 2027 12:00 winter time (11:00 UTC); planned on 25 October,
    # after the 7-day reminder (24 October 12:00 summer = 10:00 UTC); the 2-day one is on
    # Friday 29 October 12:00, still summer time: 10:00 UTC, 2 days and 1 hour before
    round_id, _ = make_scheduled(utc(2027, 10, 1, 7, 0), utc(2027, 10, 31, 11, 0),
                                 state="open", plan_at=utc(2027, 10, 25, 0, 0))
    assert plan_of(app, round_id) == [
        ("reminder", utc(2027, 10, 29, 10, 0), "planned", "reminder-1", "not_submitted", ""),
        ("close", utc(2027, 10, 31, 11, 0), "planned", None, None, "")]


def test_nothing_is_planned_in_the_past_but_an_overdue_close(app, make_scheduled):
    now = utcnow()
    # a draft whose opening has passed: opening it now would mail every school at once
    draft, _ = make_scheduled(now - timedelta(hours=2), now + timedelta(days=1),
                              plan_at=now)
    assert [s[0] for s in plan_of(app, draft)] == ["close"]
    # an open round past its closing time takes no answers: its state follows
    late, _ = make_scheduled(now - timedelta(days=9), now - timedelta(hours=1),
                             state="open", plan_at=now)
    assert plan_of(app, late) == [("close", now - timedelta(hours=1), "planned", None, None,
                                   "")]


def test_edited_dates_move_the_plan(app, make_scheduled):
    # planned for 1-28 March 2027, then the draft is edited to 8 March 09:00 - 4 April
    # 12:00 (summer time: 10:00 UTC); a reminder added by hand keeps its own time
    round_id, _ = make_scheduled(OPENS, CLOSES, plan_at=utc(2027, 2, 1))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        schedule.add_reminder(db.session, rnd, utc(2027, 3, 15, 8, 0), "not_started",
                              now=utc(2027, 2, 1))
        rnd.opens_at, rnd.closes_at = utc(2027, 3, 8, 8, 0), utc(2027, 4, 4, 10, 0)
        schedule.follow_round_dates(db.session, rnd, now=utc(2027, 2, 1))
        db.session.commit()
    assert [s[:4] for s in plan_of(app, round_id)] == [
        ("open", utc(2027, 3, 8, 8, 0), "planned", None),
        ("reminder", utc(2027, 3, 15, 8, 0), "planned", "reminder-3"),
        ("reminder", utc(2027, 3, 28, 10, 0), "planned", "reminder-1"),   # 12:00 summer
        ("reminder", utc(2027, 4, 2, 10, 0), "planned", "reminder-2"),
        ("close", utc(2027, 4, 4, 10, 0), "planned", None)]
    before = plan_of(app, round_id)
    with app.app_context():   # an opening after the hand-made reminder: refused, as a
        rnd = db.session.get(Round, round_id)   # round form's RoundStateError
        rnd.opens_at = utc(2027, 3, 20, 8, 0)
        with pytest.raises(rounds.RoundStateError, match="valt dan niet meer tussen"):
            schedule.follow_round_dates(db.session, rnd, now=utc(2027, 2, 1))
        db.session.rollback()
    assert plan_of(app, round_id) == before


def test_a_reopened_round_gets_a_new_close(app, make_scheduled, mailbox):
    now = utcnow()
    round_id, _ = make_scheduled(now - timedelta(days=9), now - timedelta(hours=1),
                                 state="open", plan_at=now)
    run(app, now, mailbox)
    assert round_state(app, round_id) == "closed"
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        rounds.reopen_round(db.session, rnd, now + timedelta(days=3), now=now)
        schedule.follow_round_dates(db.session, rnd, now=now)
        db.session.commit()
    # the round never had a reminder (both defaults were past): now the 2-day one fits
    assert [s[:3] for s in plan_of(app, round_id)] == [
        ("close", now - timedelta(hours=1), "done"),
        ("reminder", schedule.local_days_before(now + timedelta(days=3), 2), "planned"),
        ("close", now + timedelta(days=3), "planned")]


# --- run_due ---------------------------------------------------------------------------

def test_a_draft_round_opens_at_its_time_and_its_invitations_go_out(app, make_scheduled,
                                                                    mailbox):
    opens = utcnow() - timedelta(minutes=5)
    round_id, _ = make_scheduled(opens, opens + timedelta(days=20))
    assert run(app, opens - timedelta(seconds=1), mailbox) == []
    assert round_state(app, round_id) == "draft" and mailbox.mails() == []
    done = run(app, opens + timedelta(seconds=30), mailbox)
    assert done == [f"round {round_id} open: done (opened; invitations sent 3, failed 0)"]
    assert round_state(app, round_id) == "open"
    assert mailbox.to() == [f"school{n}@example.org" for n in (1, 2, 3)]
    assert {subject for _, subject in mailbox.mails()} == \
        {"Bevraging over de samenwerking met uw CLB"}
    step = plan_of(app, round_id)[0]
    assert step[:3] == ("open", opens, "done")
    assert step[5] == "De bevraging is geopend. Uitnodigingen: 3 verstuurd, 0 mislukt."
    assert run(app, opens + timedelta(minutes=1), mailbox) == []
    assert len(mailbox.mails()) == 3


def test_reminders_reach_only_the_right_schools_and_the_round_closes(
        app, make_scheduled, mailbox, questionnaire):
    now = utcnow()
    closes = now + timedelta(days=10)
    round_id, (a, b, c, d) = make_scheduled(now - timedelta(hours=1), closes, schools=4)
    run(app, now, mailbox)                                      # opens, 4 invitations
    with app.app_context():
        answers.save(db.session, a, all_answers(questionnaire), submit=True)   # school 1
        first_statement = questionnaire.statements[0].number
        answers.save(db.session, b, {first_statement: 3})                       # school 2
        db.session.commit()
        not_started = schedule.add_reminder(
            db.session, db.session.get(Round, round_id), now + timedelta(days=5),
            "not_started", now=now)
        db.session.commit()
        assert not_started.message_key == "reminder-3"
    first, second = [s for s in plan_of(app, round_id) if s[3] == "reminder-1"][0], \
        [s for s in plan_of(app, round_id) if s[3] == "reminder-2"][0]
    sent_before = len(mailbox.mails())
    run(app, first[1] + timedelta(minutes=1), mailbox)          # 7 days before: not submitted
    reminded = sorted(to for to, subject in mailbox.mails()[sent_before:])
    assert reminded == ["school2@example.org", "school3@example.org", "school4@example.org"]
    with app.app_context():
        answers.save(db.session, c, all_answers(questionnaire), submit=True)   # school 3
        db.session.commit()
    count = len(mailbox.mails())
    run(app, now + timedelta(days=5, minutes=1), mailbox)       # only those not started
    with app.app_context():
        keys = db.session.execute(select(Invitation.id, MessageSend.message_key).join(
            MessageSend, MessageSend.invitation_id == Invitation.id)
            .where(MessageSend.message_key == "reminder-3")).all()
    assert sorted(keys) == [(d, "reminder-3")], "school 2 started, school 3 submitted"
    assert len(mailbox.mails()) == count + 1
    run(app, second[1] + timedelta(minutes=1), mailbox)         # 2 days before
    assert len(mailbox.mails()) == count + 3                    # schools 2 and 4
    assert round_state(app, round_id) == "open"
    done = run(app, closes + timedelta(seconds=5), mailbox)
    assert done == [f"round {round_id} close: done (closed)"]
    assert round_state(app, round_id) == "closed"
    assert [s[2] for s in plan_of(app, round_id)] == ["done"] * 5


def _schedule_audit(app):
    with app.app_context():
        return [(e.action, e.user_id, e.subject, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("% (schedule)"))
            .order_by(AuditEvent.id))]


def test_every_step_carried_out_is_in_the_audit_log_as_the_system(app, make_scheduled,
                                                                  mailbox):
    now = utcnow()
    closes = now + timedelta(days=10)
    round_id, _ = make_scheduled(now - timedelta(minutes=5), closes)
    steps = _steps(app, round_id)
    run(app, now, mailbox)
    assert _schedule_audit(app) == [("round open (schedule)", None, "Geplande bevraging",
                                     {"step": steps["open"].id, "sent": 3, "failed": 0})]
    run(app, steps["reminderreminder-1"].due_at + timedelta(minutes=1), mailbox)
    # at the close reminder 2 is too late (skipped: nothing done, nothing logged)
    run(app, closes + timedelta(seconds=5), mailbox)
    assert _steps(app, round_id)["reminderreminder-2"].state == "skipped"
    assert _schedule_audit(app)[1:] == [
        ("reminder-1 sent (schedule)", None, "Geplande bevraging",
         {"step": steps["reminderreminder-1"].id, "sent": 3, "failed": 0}),
        ("round close (schedule)", None, "Geplande bevraging", {"step": steps["close"].id})]
    with app.test_request_context():
        assert [action_label(a) for a, *_ in _schedule_audit(app)] == [
            "bevraging geopend (planning)", "herinnering 1 verstuurd (planning)",
            "bevraging afgesloten (planning)"]
        assert action_label("invitation sent (schedule)") == "uitnodigingen verstuurd (planning)"


def test_an_open_whose_invitations_fail_still_logs_the_opening(app, make_scheduled,
                                                                mailbox):
    class Down(OutboxTransport):
        def __enter__(self):
            raise MailError("mailserver mail.test:25: Connection refused")

    opens = utcnow() - timedelta(minutes=5)
    round_id, _ = make_scheduled(opens, opens + timedelta(days=20))
    run(app, opens + timedelta(seconds=30), Down(mailbox.folder))
    assert round_state(app, round_id) == "open"
    assert [a[:2] for a in _schedule_audit(app)] == [("round open (schedule)", None)]


def test_a_failed_open_is_recorded_and_the_loop_goes_on(app, make_scheduled, mailbox):
    now = utcnow()
    empty, _ = make_scheduled(now - timedelta(minutes=3), now + timedelta(days=9), schools=0)
    closed, _ = make_scheduled(now - timedelta(minutes=2), now + timedelta(days=9),
                               schools=1, state="closed", plan_at=False)
    good, _ = make_scheduled(now - timedelta(minutes=1), now + timedelta(days=9), schools=2)
    with app.app_context():   # an opening planned for a round closed since, and a step
        # that cannot work at all: an unknown message
        db.session.add(ScheduledStep(round_id=closed, kind="open",
                                     due_at=now - timedelta(minutes=2)))
        db.session.add(ScheduledStep(round_id=good, kind="reminder", due_at=now,
                                     audience="not_submitted", message_key="reminder-0"))
        db.session.commit()
    done = run(app, now, mailbox)
    assert [line.split(":")[1].strip() for line in done] == \
        ["failed (no invited schools, not opened)", "failed (not opened",
         "done (opened; invitations sent 2, failed 0)", "failed (unexpected error"]
    assert plan_of(app, empty)[0][2:3] == ("failed",)
    assert plan_of(app, empty)[0][5] == \
        "De bevraging heeft geen uitgenodigde scholen: ze is niet geopend."
    assert plan_of(app, closed)[0][5] == (
        f"Bevraging {closed} is afgesloten: alleen een bevraging in voorbereiding kan "
        "worden geopend.")
    assert round_state(app, empty) == "draft" and round_state(app, good) == "open"
    assert len(mailbox.mails()) == 2
    assert run(app, now + timedelta(minutes=1), mailbox) == [], "failed steps wait"


def test_a_mail_server_that_cannot_be_reached_fails_the_step_which_can_be_retried(
        app, make_scheduled, mailbox):
    class Down(OutboxTransport):
        def __enter__(self):
            raise MailError("mailserver mail.test:25: Connection refused")

    now = utcnow()
    round_id, _ = make_scheduled(now - timedelta(minutes=1), now + timedelta(days=9))
    run(app, now, Down(mailbox.folder))
    step = plan_of(app, round_id)[0]
    assert step[2] == "failed" and "Connection refused" in step[5]
    assert round_state(app, round_id) == "open"
    with app.app_context():   # the inspector moves the failed step: a retry
        first = schedule.steps(db.session, round_id)[0]
        schedule.move_step(db.session, first, now + timedelta(minutes=5), now=now)
        db.session.commit()
    run(app, now + timedelta(minutes=6), mailbox)
    assert len(mailbox.mails()) == 3
    assert plan_of(app, round_id)[0][5] == \
        "De bevraging was al open. Uitnodigingen: 3 verstuurd, 0 mislukt."


def test_two_workers_at_once_act_once(app, make_scheduled, mailbox):
    now = utcnow()
    round_id, _ = make_scheduled(now - timedelta(minutes=1), now + timedelta(days=9),
                                 schools=6)

    def worker():
        return schedule.run_due(db.session, now, transport=mailbox,
                                base_url="http://survey.test", sender=SENDER)

    results = in_threads(app, [worker, worker])
    assert sorted(len(r) for r in results) == [0, 1], results
    assert mailbox.to() == [f"school{n}@example.org" for n in range(1, 7)]
    assert plan_of(app, round_id)[0][2] == "done"


def test_a_worker_dying_mid_batch_leaves_the_step_to_be_taken_again_without_doubles(
        app, make_scheduled, mailbox):
    class DiesAfterTwo(OutboxTransport):
        left = 2

        def send(self, message):
            if DiesAfterTwo.left == 0:
                raise SystemExit("worker killed")
            DiesAfterTwo.left -= 1
            super().send(message)

    now = utcnow()
    round_id, _ = make_scheduled(now - timedelta(minutes=1), now + timedelta(days=9),
                                 schools=5)
    with pytest.raises(SystemExit):
        run(app, now, DiesAfterTwo(mailbox.folder))
    assert plan_of(app, round_id)[0][2] == "running" and len(mailbox.mails()) == 2
    assert run(app, now + timedelta(minutes=5), mailbox) == [], "still within its claim"
    done = run(app, now + schedule.STALE + timedelta(minutes=1), mailbox)
    assert done == [f"round {round_id} open: done (was open, resumed; invitations sent 2, "
                    "failed 0)"]
    to = mailbox.to()
    assert len(to) == 4 and len(set(to)) == 4, "the mail in flight stays uncertain, unsent"
    assert plan_of(app, round_id)[0][5] == (
        "De bevraging was al open. Uitnodigingen: 2 verstuurd, 0 mislukt. 1 bericht is "
        "onzeker na een onderbreking: de pagina van de bevraging laat het opnieuw versturen.")
    with app.app_context():
        assert db.session.scalar(select(MessageSend.status).where(
            MessageSend.status == "claimed")) == "claimed"


def test_a_long_batch_keeps_its_claim_alive(app, make_scheduled, mailbox, monkeypatch):
    from survey.services import schedule_run

    monkeypatch.setattr(schedule_run, "HEARTBEAT_SECONDS", 0)   # a beat after every mail

    class Slow(OutboxTransport):
        def send(self, message):
            super().send(message)
            with app.app_context():   # what another worker sees meanwhile
                seen.append(db.session.scalar(select(ScheduledStep.claimed_at).where(
                    ScheduledStep.kind == "open")))
                db.session.remove()

    seen = []
    now = utcnow()
    make_scheduled(now - timedelta(minutes=1), now + timedelta(days=9), schools=3)
    run(app, now, Slow(mailbox.folder))
    assert seen[0] == now and seen[1] > now and seen[2] >= seen[1]


def test_a_step_moved_or_cancelled_is_not_done_at_its_old_time(app, make_scheduled, mailbox):
    now = utcnow()
    round_id, _ = make_scheduled(now + timedelta(hours=1), now + timedelta(days=9))
    with app.app_context():
        opening = schedule.steps(db.session, round_id)[0]
        schedule.move_step(db.session, opening, now + timedelta(hours=3), now=now)
        db.session.commit()
        assert db.session.get(Round, round_id).opens_at == now + timedelta(hours=3)
    assert run(app, now + timedelta(hours=2), mailbox) == []
    with app.app_context():
        schedule.cancel_step(db.session, schedule.steps(db.session, round_id)[0], now=now)
        db.session.commit()
    assert run(app, now + timedelta(hours=4), mailbox) == []
    assert round_state(app, round_id) == "draft" and mailbox.mails() == []


def test_reminders_and_close_of_a_round_closed_by_hand_are_skipped(app, make_scheduled,
                                                                   mailbox):
    now = utcnow()
    round_id, _ = make_scheduled(now - timedelta(hours=1), now + timedelta(days=9),
                                 state="open", plan_at=now - timedelta(hours=2))
    with app.app_context():
        rounds.close_round(db.session, db.session.get(Round, round_id), now)
        db.session.commit()
    done = run(app, now + timedelta(days=10), mailbox)
    assert [line.split(": ")[1] for line in done] == [
        "skipped (round not taking answers (closed), nothing sent)"] * 2 + [
        "skipped (already closed)"]
    assert mailbox.mails() == []


# --- The console's planning page -------------------------------------------------------



@pytest.fixture
def planned(make_scheduled):
    return make_scheduled(OPENS, CLOSES, plan_at=utcnow())[0]


def _steps(app, round_id):
    with app.app_context():
        return {s.kind + (s.message_key or ""): s for s in schedule.steps(db.session, round_id)}


def _post(client, round_id, path, **data):
    page = client.get(f"/beheer/rondes/{round_id}/planning")
    return client.post(f"/beheer/rondes/{round_id}/planning/{path}",
                       data={"csrf_token": csrf_in(page.get_data(as_text=True)), **data})


def test_only_inspectors_see_the_planning(app, client, centre_client, inspector_client,
                                         planned):
    path = f"/beheer/rondes/{planned}/planning"
    assert client.get(path).status_code == 302
    assert centre_client.get(path).status_code == 403
    page = inspector_client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("1 maart 2027 om 09:00: openen en uitnodigen",
                 "21 maart 2027 om 12:00: herinnering (herinnering 1)",
                 "26 maart 2027 om 12:00: herinnering (herinnering 2)",
                 "28 maart 2027 om 12:00: afsluiten", "scholen die nog niet indienden",
                 'value="2027-03-28T12:00"'):
        assert text in html, text
    assert inspector_client.get("/beheer/rondes/999/planning").status_code == 404
    step = _steps(app, planned)["close"].id
    token = csrf_in(centre_client.get("/").get_data(as_text=True))
    assert centre_client.post(f"/beheer/rondes/{planned}/planning/{step}/tijd",
                              data={"csrf_token": token, "due": "2027-03-27T12:00"}
                              ).status_code == 403
    assert _steps(app, planned)["close"].due_at == CLOSES


def test_moving_the_close_moves_the_round_and_its_default_reminders(app, inspector_client,
                                                                    planned):
    close = _steps(app, planned)["close"].id
    answer = _post(inspector_client, planned, f"{close}/tijd", due="2027-03-20T10:00")
    assert answer.status_code == 302
    steps = _steps(app, planned)
    # Saturday 20 March 10:00 winter time; the reminders 7 and 2 Brussels days before
    assert steps["close"].due_at == utc(2027, 3, 20, 9, 0)
    assert steps["reminderreminder-1"].due_at == utc(2027, 3, 13, 9, 0)
    assert steps["reminderreminder-2"].due_at == utc(2027, 3, 18, 9, 0)
    with app.app_context():
        assert db.session.get(Round, planned).closes_at == utc(2027, 3, 20, 9, 0)
    page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(as_text=True)
    # the reminders that follow the close are named with their new time
    assert ("De sluiting is verplaatst naar 20 maart 2027 om 10:00; herinnering 1 schuift "
            "mee naar 13 maart 2027 om 10:00; herinnering 2 schuift mee naar 18 maart 2027 "
            "om 10:00.") in page
    with app.app_context():
        moved = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "schedule step moved")).one()
        assert moved.detail["changed"] == ["reminder-1", "reminder-2"]


def test_moving_a_reminder_or_the_opening_names_no_follower(app, inspector_client, planned):
    steps = _steps(app, planned)
    for path, typed, said in (
            (f"{steps['reminderreminder-1'].id}/tijd", "2027-03-10T10:00",
             "De herinnering is verplaatst naar 10 maart 2027 om 10:00."),
            (f"{steps['open'].id}/tijd", "2027-03-02T09:00",
             "De opening is verplaatst naar 2 maart 2027 om 09:00.")):
        assert _post(inspector_client, planned, path, due=typed).status_code == 302
        page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(
            as_text=True)
        assert said in page and "schuift mee" not in page
    # reminder 1 is now at the inspector's own time: moving the close leaves it alone
    _post(inspector_client, planned, f"{steps['close'].id}/tijd", due="2027-03-27T12:00")
    page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(as_text=True)
    assert ("De sluiting is verplaatst naar 27 maart 2027 om 12:00; herinnering 2 schuift "
            "mee naar 25 maart 2027 om 12:00.") in page


def test_moving_a_cancelled_or_executed_step_says_why(app, inspector_client, planned,
                                                      make_scheduled, mailbox):
    reminder = _steps(app, planned)["reminderreminder-1"]
    _post(inspector_client, planned, f"{reminder.id}/annuleren")
    before = plan_of(app, planned)
    for typed in ("2027-03-10T10:00", "morgen"):
        refused = _post(inspector_client, planned, f"{reminder.id}/tijd", due=typed)
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert "Deze stap is geannuleerd; ze kan niet meer verplaatst worden." in html
        assert "geen datum met uur" not in html
    assert plan_of(app, planned) == before
    opens = utcnow() - timedelta(minutes=5)
    round_id, _ = make_scheduled(opens, opens + timedelta(days=20))
    run(app, opens + timedelta(seconds=30), mailbox)
    opened = _steps(app, round_id)["open"]
    assert opened.state == "done"
    refused = _post(inspector_client, round_id, f"{opened.id}/tijd", due="2027-03-10T10:00")
    assert refused.status_code == 400
    assert "Deze stap is al uitgevoerd; ze kan niet meer verplaatst worden." in \
        refused.get_data(as_text=True)
    assert _steps(app, round_id)["open"].due_at == opens


@pytest.mark.parametrize("state, name", [("published", "gepubliceerd"),
                                         ("closed", "afgesloten")])
def test_planning_a_reminder_in_a_finished_round_says_why(app, inspector_client, planned,
                                                          state, name):
    with app.app_context():
        db.session.get(Round, planned).state = state
        db.session.commit()
    for typed in ("2027-03-10T10:00", "morgen"):
        refused = _post(inspector_client, planned, "herinnering", due=typed,
                        audience="not_submitted")
        assert refused.status_code == 400
        assert f"De bevraging is {name}: er valt niets meer te plannen." in \
            refused.get_data(as_text=True)
    assert len(_steps(app, planned)) == 4


@pytest.mark.parametrize("typed, message", [
    ("morgen", "‘morgen’ is geen datum met uur"),
    ("", "Kies een datum en uur."),
    ("2027-02-30T10:00", "is geen datum met uur"),
    ("2026-01-05T10:00", "ligt in het verleden"),
    ("2027-03-28T02:30", "bestaat niet in Brussel"),
    ("2027-02-26T10:00", "De sluiting moet na de opening liggen"),
    # 7 days before 4 March is before the opening on 1 March
    ("2027-03-04T10:00", "valt dan niet meer tussen de opening en de sluiting"),
])
def test_a_bad_time_is_explained_and_nothing_changes(app, inspector_client, planned, typed,
                                                     message):
    before = plan_of(app, planned)
    close = _steps(app, planned)["close"].id
    answer = _post(inspector_client, planned, f"{close}/tijd", due=typed)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert plan_of(app, planned) == before
    with app.app_context():
        assert db.session.get(Round, planned).closes_at == CLOSES


def test_a_reminder_is_added_and_checked(app, inspector_client, planned):
    answer = _post(inspector_client, planned, "herinnering", due="2027-03-28T11:59",
                   audience="not_started")
    assert answer.status_code == 302
    added = _steps(app, planned)["reminderreminder-3"]
    assert (added.due_at, added.audience, added.state) == \
        (utc(2027, 3, 28, 9, 59), "not_started", "planned")
    for typed, message in (("2027-03-28T12:00", "Een herinnering moet vóór de sluiting vallen "
                                                "(28 maart 2027 om 12:00)"),
                           ("2027-03-01T08:00", "Een herinnering moet na de opening vallen"),
                           ("28/03", "is geen datum met uur")):
        refused = _post(inspector_client, planned, "herinnering", due=typed,
                        audience="not_submitted")
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), typed
    assert len(_steps(app, planned)) == 5
    bad_audience = _post(inspector_client, planned, "herinnering", due="2027-03-10T10:00",
                         audience="everyone")
    assert bad_audience.status_code == 400 and len(_steps(app, planned)) == 5


def test_cancelling_a_reminder_but_not_the_close(app, inspector_client, planned):
    steps = _steps(app, planned)
    assert _post(inspector_client, planned,
                 f"{steps['reminderreminder-1'].id}/annuleren").status_code == 302
    assert _steps(app, planned)["reminderreminder-1"].state == "cancelled"
    _post(inspector_client, planned, f"{steps['close'].id}/annuleren")
    page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(as_text=True)
    assert "De sluiting kan niet geannuleerd worden" in page
    assert _steps(app, planned)["close"].state == "planned"
    again = _post(inspector_client, planned, f"{steps['reminderreminder-1'].id}/annuleren")
    assert again.status_code == 302
    page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(as_text=True)
    assert "Deze stap is geannuleerd: ze kan niet meer geannuleerd worden." in page


def test_posts_without_csrf_or_for_another_rounds_step_are_refused(
        app, inspector_client, planned, make_scheduled):
    close = _steps(app, planned)["close"].id
    no_token = inspector_client.post(f"/beheer/rondes/{planned}/planning/{close}/tijd",
                                     data={"due": "2027-03-27T12:00"})
    assert no_token.status_code == 400
    other, _ = make_scheduled(OPENS, CLOSES, plan_at=False)
    assert _post(inspector_client, other, f"{close}/tijd",
                 due="2027-03-27T12:00").status_code == 404
    assert _steps(app, planned)["close"].due_at == CLOSES


def test_the_defaults_button_plans_a_round_without_steps(app, inspector_client,
                                                         make_scheduled):
    round_id, _ = make_scheduled(OPENS, CLOSES, plan_at=False)
    page = inspector_client.get(f"/beheer/rondes/{round_id}/planning").get_data(as_text=True)
    assert "Voor deze bevraging is niets gepland" in page
    assert _post(inspector_client, round_id, "standaard").status_code == 302
    assert [s[0] for s in plan_of(app, round_id)] == ["open", "reminder", "reminder", "close"]
    _post(inspector_client, round_id, "standaard")
    assert len(plan_of(app, round_id)) == 4
    page = inspector_client.get(f"/beheer/rondes/{round_id}/planning").get_data(as_text=True)
    assert "Er was niets bij te plannen" in page


# --- A coded round (codes handed out by the schools: nobody is mailed) -----------------

def _coded(app, round_id):
    with app.app_context():
        db.session.get(Round, round_id).access = "codes"
        db.session.commit()


def test_a_coded_round_opens_and_closes_by_its_plan_without_mails(app, make_scheduled,
                                                                  mailbox):
    opens = utcnow() - timedelta(minutes=5)
    closes = opens + timedelta(days=20)
    round_id, _ = make_scheduled(opens, closes, plan_at=False)
    _coded(app, round_id)
    with app.app_context():
        added = schedule.plan_defaults(db.session, db.session.get(Round, round_id),
                                       now=opens - timedelta(days=1))
        db.session.commit()
        assert [(s.kind, s.due_at) for s in added] == [("open", opens), ("close", closes)]
    done = run(app, opens + timedelta(seconds=30), mailbox)
    assert done == [f"round {round_id} open: done (opened, coded: nothing mailed)"]
    assert round_state(app, round_id) == "open" and mailbox.mails() == []
    assert plan_of(app, round_id)[0][5] == \
        "De bevraging is geopend. Ze werkt met codes: er zijn geen uitnodigingen gemaild."
    assert run(app, closes + timedelta(seconds=30), mailbox) == \
        [f"round {round_id} close: done (closed)"]
    assert round_state(app, round_id) == "closed" and mailbox.mails() == []


def test_a_planned_reminder_of_a_coded_round_is_skipped_with_its_reason(app, make_scheduled,
                                                                       mailbox):
    opens = utcnow() - timedelta(days=10)
    round_id, _ = make_scheduled(opens, opens + timedelta(days=20), state="open",
                                 plan_at=opens - timedelta(days=1))
    _coded(app, round_id)        # planned as a link round, then turned into a coded one
    with app.app_context():
        db.session.execute(update(ScheduledStep).where(
            ScheduledStep.round_id == round_id, ScheduledStep.kind == "reminder",
            ScheduledStep.message_key == "reminder-1").values(due_at=utcnow()))
        db.session.commit()
    done = run(app, utcnow() + timedelta(seconds=1), mailbox)
    assert f"round {round_id} reminder reminder-1: skipped (coded round, nothing sent)" in done
    assert mailbox.mails() == []
    reminder = [s for s in plan_of(app, round_id) if s[3] == "reminder-1"][0]
    assert reminder[2:4] == ("skipped", "reminder-1")
    assert reminder[5] == "De bevraging werkt met codes: er is geen herinnering gemaild."


def test_a_reminder_is_refused_for_a_coded_round(app, inspector_client, planned):
    _coded(app, planned)
    before = plan_of(app, planned)
    answer = _post(inspector_client, planned, "herinnering", due="2027-03-10T10:00",
                   audience="not_submitted")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Deze bevraging werkt met codes" in html and "kan niet gepland worden" in html
    assert plan_of(app, planned) == before
    page = inspector_client.get(f"/beheer/rondes/{planned}/planning").get_data(as_text=True)
    assert "Herinnering plannen</button>" not in page
    assert "1 maart 2027 om 09:00: openen (met codes: er wordt niemand gemaild)" in page
    assert "openen en uitnodigen" not in page and "7 en 2 dagen" not in page
    with app.app_context(), pytest.raises(schedule.ScheduleError):
        schedule.add_reminder(db.session, db.session.get(Round, planned),
                              utc(2027, 3, 10, 9, 0), "not_submitted", now=utc(2027, 2, 1))
