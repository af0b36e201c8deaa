"""Invitations and reminders against a real SMTP server on 127.0.0.1 (aiosmtpd): the mails
that arrive, their links, resuming after a crash, never twice, failures retried."""

from __future__ import annotations

import email
import os
import re
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from smtp_inbox import served
from sqlalchemy import select

from helpers import FormPage, Invited, all_answers
from survey.extensions import db
from survey.mailer import MailError, OutboxTransport, SmtpTransport, transport_for
from survey.models import Invitation, MessageSend, Round
from survey.services import answers as svc
from survey.services import mailing
from survey.services.rounds import revoke

SENDER = "Onderwijsinspectie <noreply@survey.test>"


@pytest.fixture
def smtp():
    with served() as inbox:
        yield inbox


@pytest.fixture
def schools(app, make_round, make_invited):
    round_id = make_round()
    invited = [make_invited(round_id) for _ in range(4)]
    with app.app_context():
        for n, inv in enumerate(invited):
            school = db.session.get(Invitation, inv.invitation_id).school
            school.email = f"directie{n}@school.example.org"
        db.session.commit()
    return round_id, invited


def _send(app, round_id, key, transport, **kw):
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        return mailing.send(db.session, rnd, key, transport, base_url="http://survey.test",
                            sender=SENDER, **kw)


def test_invitations_arrive_with_a_personal_working_link(app, smtp, schools):
    round_id, invited = schools
    report = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (report.sent, report.failed, report.skipped) == (4, 0, 0)
    assert sorted(smtp.to()) == [f"directie{n}@school.example.org" for n in range(4)]
    message = smtp.messages[0]
    assert message["Subject"] == "Bevraging over de samenwerking met uw CLB"
    body = message.get_content()
    assert "Testschool" in body and "Vrij CLB Test 100001" in body
    token = re.search(r"http://survey.test/s/([\w-]+)", body).group(1)
    page = FormPage(app.test_client(), Invited(0, round_id, token))
    html = page.open().get_data(as_text=True)
    assert message["To"].addresses[0].display_name in html, "the link opens that school's form"
    tokens = {re.search(r"/s/([\w-]+)", m.get_content()).group(1) for m in smtp.messages}
    assert len(tokens) == 4


def test_sending_again_mails_nobody_twice(app, smtp, schools):
    round_id, _ = schools
    _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    again = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (again.sent, again.skipped) == (0, 0)
    assert len(smtp.messages) == 4


class CrashAfter(SmtpTransport):
    """A real SMTP transport whose process 'dies' after n mails."""

    def __init__(self, port, n):
        super().__init__("127.0.0.1", port)
        self.left = n

    def send(self, message):
        if self.left == 0:
            raise SystemExit("killed")
        super().send(message)
        self.left -= 1


def test_a_crash_between_mails_resumes_without_duplicates(app, smtp, schools):
    round_id, _ = schools

    class DiesBetweenMails(SmtpTransport):
        sent = 0

        def send(self, message):
            super().send(message)
            DiesBetweenMails.sent += 1

    def crash_after_two(_):
        if DiesBetweenMails.sent == 2:
            raise SystemExit("killed between two mails")

    with pytest.raises(SystemExit):
        _send(app, round_id, "invitation", DiesBetweenMails("127.0.0.1", smtp.port),
              progress=crash_after_two)
    assert len(smtp.messages) == 2
    resumed = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert resumed.sent == 2
    assert len(smtp.messages) == 4 and len(set(smtp.to())) == 4


def test_a_crash_during_a_mail_leaves_it_uncertain_until_the_inspector_decides(
        app, smtp, schools):
    round_id, _ = schools
    with pytest.raises(SystemExit):
        _send(app, round_id, "invitation", CrashAfter(smtp.port, 2))
    again = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert again.sent == 1, "the uncertain one is not resent on its own"
    with app.app_context():
        status = mailing.overview(db.session, db.session.get(Round, round_id))[0]
        assert (status.sent, status.uncertain, status.to_go) == (3, 1, 0)
        assert mailing.release_uncertain(db.session, db.session.get(Round, round_id),
                                         "invitation") == 1
    last = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert last.sent == 1 and len(set(smtp.to())) == 4


def test_a_refused_address_fails_and_is_tried_again(app, smtp, schools):
    round_id, _ = schools
    smtp.refuse.add("directie2@school.example.org")
    first = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (first.sent, first.failed) == (3, 1)
    with app.app_context():
        error = db.session.scalar(select(MessageSend.error).where(
            MessageSend.status == "failed"))
    assert "550" in error
    smtp.refuse.clear()
    retry = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (retry.sent, retry.failed) == (1, 0) and len(smtp.messages) == 4


@pytest.mark.parametrize(("only_not_started", "expected"), [(False, 3), (True, 2)])
def test_reminders_go_only_to_schools_that_have_not_submitted(
        app, smtp, schools, questionnaire, only_not_started, expected):
    round_id, invited = schools
    with app.app_context():
        svc.save(db.session, invited[0].invitation_id, all_answers(questionnaire),
                 submit=True)
        svc.save(db.session, invited[1].invitation_id, {4: 2})  # started, not submitted
    report = _send(app, round_id, mailing.reminder_key(1),
                   SmtpTransport("127.0.0.1", smtp.port), only_not_started=only_not_started)
    assert report.sent == expected
    assert all(m["Subject"].startswith("Herinnering") for m in smtp.messages)
    assert "directie0@school.example.org" not in smtp.to()
    first_link_still_works = FormPage(app.test_client(), invited[2])
    assert first_link_still_works.open().status_code == 200


def test_without_a_mail_server_mails_go_to_the_outbox(app, schools, tmp_path):
    round_id, _ = schools
    transport = transport_for({"SURVEY_SMTP_HOST": ""}, str(tmp_path))
    assert isinstance(transport, OutboxTransport)
    assert _send(app, round_id, "invitation", transport).sent == 4
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 4 and b"http://survey.test/s/" in files[0].read_bytes()


def test_an_unreachable_mail_server_is_a_clear_error(app, schools):
    round_id, _ = schools
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MailError, match=f"127.0.0.1:{port}"):
        _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", port, timeout=2))
    with app.app_context():
        assert db.session.scalar(select(MessageSend.id)) is None, "nothing was claimed"


def test_command_line_send_status_and_reminder(app, runner, smtp, schools):
    """`survey invitations send` starts the mail job (here run at once: the tests'
    immediate queue; tests/test_cli_mail.py has a real one) and prints its outcome."""
    round_id, _ = schools
    app.config.update(SURVEY_SMTP_HOST="127.0.0.1", SURVEY_SMTP_PORT=smtp.port)
    sent = runner.invoke(args=["invitations", "send", str(round_id)])
    assert sent.exit_code == 0, sent.output
    assert "Job 1 started: invitation to 4 schools (at most 600 a minute)." in sent.output
    assert "Job 1 done: 4 verstuurd, 0 mislukt, 0 overgeslagen." in sent.output
    status = runner.invoke(args=["invitations", "status", str(round_id)])
    assert "invitation   sent     4" in status.output and "to go     0" in status.output
    reminder = runner.invoke(args=["invitations", "send", str(round_id), "--reminder", "1"])
    assert "Job 2 done: 4 verstuurd" in reminder.output and len(smtp.messages) == 8
    app.config.update(SURVEY_SMTP_PORT=1)
    down = runner.invoke(args=["invitations", "send", str(round_id), "--reminder", "2"])
    assert down.exit_code == 1 and "Job 3 failed: De mailserver is niet bereikbaar" \
        in down.output and "127.0.0.1:1" in down.output


def test_console_sends_to_the_outbox_and_lists_links_for_a_mail_merge(
        app, inspector_client, schools, questionnaire):
    import io

    from conftest import csrf_in
    from openpyxl import load_workbook

    round_id, invited = schools
    page = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    # the first POST only asks for confirmation, saying what it will do
    asked = inspector_client.post(f"/beheer/rondes/{round_id}/versturen",
                                  data={"csrf_token": csrf_in(page), "message": "invitation"})
    assert "4 scholen krijgen de uitnodiging." in asked.get_data(as_text=True)
    assert not (Path(app.instance_path) / "outbox").exists()
    sent = inspector_client.post(f"/beheer/rondes/{round_id}/versturen",
                                 data={"csrf_token": csrf_in(page), "message": "invitation",
                                       "confirmed": "1"})
    # one job for the whole round (in tests the queue runs it at once: immediate mode)
    after = inspector_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "4 verstuurd, 0 mislukt, 0 overgeslagen" in after
    outbox = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(outbox) == 4

    with app.app_context():
        svc.save(db.session, invited[0].invitation_id, all_answers(questionnaire),
                 submit=True)
    sheet = load_workbook(io.BytesIO(inspector_client.post(
        f"/beheer/rondes/{round_id}/links.xlsx", data={"csrf_token": csrf_in(page)}).data)
    )["Links"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("school_number", "school_name", "level", "centre_number",
                       "centre_name", "email", "link")
    assert len(rows) == 1 + 3, "schools that submitted get no new link"
    token = rows[1][6].rsplit("/s/", 1)[1]
    assert FormPage(app.test_client(), Invited(0, round_id, token)).open().status_code == 200
    mailed = re.search(rb"/s/([\w-]+)", outbox[1].read_bytes()).group(1).decode()
    assert app.test_client().get(f"/s/{mailed}").status_code == 303, "mailed links still work"


def test_overview_counts_what_is_left_like_the_recipient_lists(app, smtp, schools,
                                                               questionnaire):
    """Sent, failed, claimed, withdrawn and submitted schools mixed: what the overview
    says is still to go equals the length of each message's recipient list."""
    round_id, invited = schools
    smtp.refuse.add("directie2@school.example.org")
    _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        svc.save(db.session, invited[0].invitation_id, all_answers(questionnaire),
                 submit=True)
        revoke(db.session, db.session.get(Invitation, invited[3].invitation_id))
        db.session.commit()
    _send(app, round_id, "reminder-1", SmtpTransport("127.0.0.1", smtp.port))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        statuses = {s.key: s for s in mailing.overview(db.session, rnd)}
        assert set(statuses) == {"invitation", "reminder-1"}
        for key, status in statuses.items():
            assert status.to_go == len(mailing.recipients(db.session, rnd, key))
        assert (statuses["invitation"].sent, statuses["invitation"].failed) == (3, 1)
        assert statuses["invitation"].to_go == 1          # the refused one, not withdrawn
        assert (statuses["reminder-1"].sent, statuses["reminder-1"].failed,
                statuses["reminder-1"].to_go) == (1, 1, 1)


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028",
                                 "\u2029", "\x1c"])
def test_a_name_with_a_line_break_or_control_stops_no_mail(app, smtp, schools, brk):
    """Names stored before the import cleaned them (any character splitlines() splits on)
    become one clean line in the headers; every school still gets its mail. (A NUL cannot
    be stored on PostgreSQL at all: test_a_header_is_one_line_whatever_the_name.)"""
    round_id, invited = schools
    with app.app_context():
        inv = db.session.get(Invitation, invited[1].invitation_id)
        inv.school.name = f"School{brk}Bcc: victim@example.org"
        inv.centre.name = f"CLB{brk}Naam"
        rnd = db.session.get(Round, round_id)
        rnd.invitation_subject = f"Uitnodiging{brk}{{school}}"
        db.session.commit()
    report = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (report.sent, report.failed) == (4, 0)
    assert sorted(smtp.to()) == [f"directie{n}@school.example.org" for n in range(4)]
    hostile = next(m for m in smtp.messages if "Bcc" in str(m["To"]))
    assert hostile["Bcc"] is None and len(hostile["To"].addresses) == 1
    assert hostile["To"].addresses[0].display_name == "School Bcc: victim@example.org"
    assert hostile["Subject"] == "Uitnodiging School Bcc: victim@example.org"


def _links_and_audits(app) -> tuple[int, int]:
    from sqlalchemy import func

    from survey.models import AuditEvent, InvitationLink

    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(InvitationLink)),
                db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "links downloaded")))


def test_the_links_list_is_a_post_that_says_what_it_does(app, inspector_client, schools):
    """A GET (a prefetch, a crawler, a link opened twice) creates nothing; the round page
    has the form, which says how many new links it makes and that old ones keep
    working; the post makes the links, the audit row and the file together."""
    import io

    from conftest import csrf_in
    from openpyxl import load_workbook

    round_id, invited = schools
    with app.app_context():
        inv = db.session.get(Invitation, invited[2].invitation_id)
        inv.school.name = "School\x0bmet\x1b controle\u2028tekens"
        inv.centre.name = "CLB\x0c\x07"
        db.session.commit()
    before = _links_and_audits(app)
    assert inspector_client.get(f"/beheer/rondes/{round_id}/links.xlsx").status_code == 405
    assert _links_and_audits(app) == before
    page = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert "nieuwe persoonlijke link voor 4 scholen" in page
    assert "eerdere links blijven werken" in page
    refused = inspector_client.post(f"/beheer/rondes/{round_id}/links.xlsx")
    assert refused.status_code == 400 and _links_and_audits(app) == before
    answer = inspector_client.post(f"/beheer/rondes/{round_id}/links.xlsx",
                                   data={"csrf_token": csrf_in(page)})
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.data))["Links"].iter_rows(values_only=True))
    assert len(rows) == 5 and "Schoolmet controle\u2028tekens" in {r[1] for r in rows}
    assert _links_and_audits(app) == (before[0] + 4, before[1] + 1)


def test_an_address_that_cannot_be_a_header_fails_alone(app, smtp, schools):
    """A non-ASCII address (stored by an import before it refused them) made compose()
    raise after the claim: the batch stopped with a 500. Now that school fails, the
    others get their mail."""
    round_id, invited = schools
    with app.app_context():
        inv = db.session.get(Invitation, invited[0].invitation_id)
        inv.school.email = "directie@école.example.org"
        db.session.commit()
    report = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    assert (report.sent, report.failed) == (3, 1)
    assert "directie@école.example.org" not in smtp.to()


@pytest.mark.parametrize(("name", "line"), [
    ("Basisschool\x00 De Linde", "Basisschool De Linde"),
    ("Basisschool\r\nBcc: evil@example.org", "Basisschool Bcc: evil@example.org"),
    ("School\u2028\t\x1b Noord ", "School Noord"),
])
def test_a_header_is_one_line_whatever_the_name(name, line):
    from email.message import EmailMessage

    from survey.mailer import header_text

    assert header_text(name) == line
    message = EmailMessage()
    message["Subject"] = header_text(name)   # the email package refuses a line break
    parsed = email.message_from_string(message.as_string())
    assert parsed.keys() == ["Subject"] and str(parsed["Subject"]) == line


def test_a_failed_mail_tried_again_keeps_its_first_outcome(app, smtp, schools):
    """The retry is a new row; the refusal stays as the earlier attempt (key `~<id>`),
    outside the round's counts."""
    round_id, invited = schools
    smtp.refuse.add("directie2@school.example.org")
    _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
    smtp.refuse.clear()
    assert _send(app, round_id, "invitation",
                 SmtpTransport("127.0.0.1", smtp.port)).sent == 1
    with app.app_context():
        rows = db.session.execute(select(MessageSend.message_key, MessageSend.status,
                                         MessageSend.error)
                                  .where(MessageSend.invitation_id == invited[2].invitation_id)
                                  .order_by(MessageSend.id)).all()
        status = mailing.overview(db.session, db.session.get(Round, round_id))
    assert [(key.partition("~")[0], state) for key, state, _ in rows] == [
        ("invitation", "failed"), ("invitation", "sent")]
    assert rows[0][0] != "invitation" and "550" in rows[0][2]
    assert rows[0][2].startswith("adres geweigerd door de mailserver: 550")
    assert [(s.key, s.sent, s.failed, s.to_go) for s in status] == [("invitation", 4, 0, 0)]


# --- The rate limit of mail jobs (mailer.RateLimited, SURVEY_MAIL_PER_MINUTE) -----------

class _Clock:
    """A fake monotonic clock that sleeping moves on; each send takes `cost` seconds."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


class _Recorder:
    def __init__(self, clock, cost=0.0):
        self.clock, self.cost, self.at = clock, cost, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, message):
        self.at.append(self.clock.now)
        self.clock.now += self.cost


def test_the_rate_limit_spaces_sends_evenly_within_the_limit():
    from survey.mailer import RateLimited

    clock = _Clock()
    inner = _Recorder(clock, cost=0.01)
    with RateLimited(inner, 120, clock=clock, sleep=clock.sleep) as limited:
        for _ in range(5):
            limited.send(None)
    # 120 a minute: one every 0.5 s, the first at once; a send's own time counts in
    assert [round(t - 100, 6) for t in inner.at] == [0, 0.5, 1.0, 1.5, 2.0]
    assert clock.slept == [0.49] * 4
    # any 60 seconds hold at most 120 sends
    many = _Recorder(clock)
    with RateLimited(many, 120, clock=clock, sleep=clock.sleep) as limited:
        for _ in range(300):
            limited.send(None)
    window = [t for t in many.at if many.at[0] <= t < many.at[0] + 60]
    assert len(window) == 120


def test_a_slow_server_is_not_slowed_further():
    from survey.mailer import RateLimited

    clock = _Clock()
    inner = _Recorder(clock, cost=2.0)        # slower than the 1 s the limit allows
    with RateLimited(inner, 60, clock=clock, sleep=clock.sleep) as limited:
        for _ in range(3):
            limited.send(None)
    assert clock.slept == [] and [t - 100 for t in inner.at] == [0, 2.0, 4.0]


def test_job_transport_follows_the_setting(tmp_path):
    from survey.mailer import RateLimited, job_transport

    config = {"SURVEY_SMTP_HOST": "", "SURVEY_MAIL_PER_MINUTE": 300}
    limited = job_transport(config, str(tmp_path))
    assert isinstance(limited, RateLimited) and limited.interval == 0.2
    assert isinstance(limited.transport, OutboxTransport)
    config["SURVEY_MAIL_PER_MINUTE"] = 0
    assert isinstance(job_transport(config, str(tmp_path)), OutboxTransport)
    with pytest.raises(ValueError):
        RateLimited(OutboxTransport(tmp_path), 0)


def test_a_rate_limited_smtp_batch_arrives_whole(app, smtp, schools):
    import time

    from survey.mailer import RateLimited

    round_id, _ = schools
    started = time.monotonic()
    report = _send(app, round_id, "invitation",
                   RateLimited(SmtpTransport("127.0.0.1", smtp.port), 600))
    took = time.monotonic() - started
    assert report.sent == 4 and len(smtp.messages) == 4
    assert took >= 0.3, "600 a minute: 0.1 s between the 4 sends"


def test_a_long_batch_opens_a_new_smtp_connection_every_n_mails(app, schools):
    """A whole round is one batch: after per_connection mails the transport reconnects
    (between two mails), and a connection the server dropped is made again."""

    class Sessions:
        def __init__(self):
            self.per_session: dict[int, int] = {}

        async def handle_DATA(self, server, session, envelope):
            self.per_session[id(session)] = self.per_session.get(id(session), 0) + 1
            return "250 Message accepted"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Sessions()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        round_id, _ = schools
        transport = SmtpTransport("127.0.0.1", port, per_connection=3)
        report = _send(app, round_id, "invitation", transport)
        assert report.sent == 4
        assert sorted(handler.per_session.values()) == [1, 3]
        config = {"SURVEY_SMTP_HOST": "127.0.0.1", "SURVEY_SMTP_PORT": port,
                  "SURVEY_SMTP_USER": "", "SURVEY_SMTP_PASSWORD": "",
                  "SURVEY_SMTP_STARTTLS": False, "SURVEY_SMTP_PER_CONNECTION": 7}
        assert transport_for(config, app.instance_path).per_connection == 7
    finally:
        controller.stop()


# --- Batches: claimed in one commit, confirmed in one (mail_claims.BATCH) ---------------

def _rows(app) -> dict[int, tuple[str, str | None]]:
    """Invitation id -> (status, error) of the round's invitation mails."""
    with app.app_context():
        return {i: (status, error) for i, status, error in db.session.execute(
            select(MessageSend.invitation_id, MessageSend.status, MessageSend.error)
            .where(MessageSend.message_key == "invitation"))}


def test_a_batch_is_two_commits_whatever_its_size(app, smtp, schools):
    """Claims (with their links) in one write transaction, outcomes in one: 2 for the 4
    mails, where one per claim and one per outcome made 8."""
    from sqlalchemy import event

    from survey.database import WRITE_OPTION

    round_id, _ = schools
    writes = []

    def count(conn):
        if conn.get_execution_options().get(WRITE_OPTION):
            writes.append(conn)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)
    try:
        report = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port))
        assert report.sent == 4 and len(writes) == 2
        two_batches = _send(app, round_id, "reminder-1",
                            SmtpTransport("127.0.0.1", smtp.port), batch=3)
        assert two_batches.sent == 4 and len(writes) == 2 + 4
    finally:
        event.remove(engine, "commit", count)
    assert len(smtp.messages) == 8


def test_a_refused_address_mid_batch_keeps_its_reason_and_the_batch_goes_on(
        app, smtp, schools):
    round_id, invited = schools
    smtp.refuse.add("directie1@school.example.org")
    report = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port),
                   batch=4)
    assert (report.sent, report.failed, report.skipped) == (3, 1, 0)
    assert sorted(smtp.to()) == ["directie0@school.example.org",
                                 "directie2@school.example.org",
                                 "directie3@school.example.org"]
    rows = _rows(app)
    refused = invited[1].invitation_id
    assert rows[refused] == ("failed", "adres geweigerd door de mailserver: 550 mailbox "
                                       "unavailable")
    assert {rows[inv.invitation_id] for inv in invited if inv.invitation_id != refused} \
        == {("sent", None)}
    with app.app_context():
        sent_at = db.session.scalars(select(MessageSend.sent_at).where(
            MessageSend.status == "sent")).all()
    assert len(sent_at) == 3 and None not in sent_at


class DiesAt(SmtpTransport):
    """A real SMTP transport whose process dies (os._exit: no finally, no cleanup, as a
    SIGKILL) when it is about to hand mail number n to the server."""

    def __init__(self, port, n):
        super().__init__("127.0.0.1", port)
        self.count = 0
        self.n = n

    def send(self, message):
        self.count += 1
        if self.count == self.n:
            os._exit(0)
        super().send(message)


def test_a_death_between_claim_and_confirm_leaves_exactly_that_batch_uncertain(
        app, smtp, make_round, make_invited):
    """8 schools in batches of 3: the first batch goes out and is confirmed; the process
    dies in the second, after its first mail left. Those three stay claimed (uncertain:
    one of them did get its mail), the rest goes out on the restart, nobody twice."""
    round_id = make_round()
    ids = [make_invited(round_id).invitation_id for _ in range(8)]
    with app.app_context():
        for n, invitation_id in enumerate(ids):
            db.session.get(Invitation, invitation_id).school.email = f"s{n}@example.org"
        db.session.commit()
    pid = os.fork()
    if pid == 0:                                # the worker that dies
        try:
            with app.app_context():
                db.engine.dispose(close=False)  # the parent's connections stay its own
                mailing.send(db.session, db.session.get(Round, round_id), "invitation",
                             DiesAt(smtp.port, 5), base_url="http://survey.test",
                             sender=SENDER, batch=3)
        finally:
            os._exit(1)                         # it must not live on: a test failure
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "died at the fifth mail"
    assert sorted(smtp.to()) == [f"s{n}@example.org" for n in range(4)]
    rows = _rows(app)
    assert rows == {**{i: ("sent", None) for i in ids[:3]},
                    **{i: ("claimed", None) for i in ids[3:6]}}
    again = _send(app, round_id, "invitation", SmtpTransport("127.0.0.1", smtp.port),
                  batch=3)
    assert (again.sent, again.failed, again.skipped) == (2, 0, 0)
    assert sorted(smtp.to()) == sorted(f"s{n}@example.org" for n in (0, 1, 2, 3, 6, 7))
    assert max(smtp.deliveries.values()) == 1, "no school mailed twice"
    with app.app_context():
        (status,) = mailing.overview(db.session, db.session.get(Round, round_id))
    assert (status.sent, status.failed, status.uncertain, status.to_go) == (5, 0, 3, 0)
