"""The round's workflow in the console: what asks first (close, reopen, withdraw), a
draft edited, deleted and copied, the mails previewed with a test mail to oneself, a
school of another CLB added only when confirmed, and the checklist's states."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_in
from sqlalchemy import func, select

from helpers import all_answers
from survey.extensions import db
from survey.models import (
    AuditEvent,
    Centre,
    Invitation,
    InvitationLink,
    InvitationTally,
    Round,
    School,
)
from survey.services import access_codes, round_drafts, schedule
from survey.services import answers as answer_service


def _state(app, round_id: int) -> str:
    with app.app_context():
        return db.session.get(Round, round_id).state


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_closing_now_says_what_it_does_then_does_it(app, inspector_client, make_round,
                                                   make_invited, questionnaire):
    round_id = make_round()
    done, busy, _idle = (make_invited(round_id) for _ in range(3))
    with app.app_context():
        answer_service.save(db.session, done.invitation_id, all_answers(questionnaire),
                            submit=True)
        answer_service.save(db.session, busy.invitation_id, {4: 1})
        db.session.commit()
    path = f"/beheer/rondes/{round_id}/afsluiten"
    html = inspector_client.get(path).get_data(as_text=True)
    assert ("De bevraging sluit nu; 2 scholen die niet indienden kunnen niet meer "
            "antwoorden.") in html
    assert "1 school is begonnen maar diende niet in" in html
    assert _state(app, round_id) == "open"          # the page itself changes nothing
    # the round page's old button leads here and changes nothing either
    detail = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    old = inspector_client.post(f"/beheer/rondes/{round_id}/status",
                                data={"csrf_token": csrf_in(detail), "action": "close"})
    assert old.status_code == 303 and old.headers["Location"].endswith(path)
    assert _state(app, round_id) == "open"
    closed = inspector_client.post(path, data={"csrf_token": csrf_in(html)})
    assert closed.status_code == 302 and _state(app, round_id) == "closed"
    # closing twice: the page says why not
    again = inspector_client.get(path).get_data(as_text=True)
    assert "alleen een open bevraging kan worden afgesloten" in again


def test_reopening_asks_for_a_new_date_in_the_future(app, inspector_client, make_round,
                                                     make_invited):
    round_id = make_round(state="closed")
    make_invited(round_id)
    path = f"/beheer/rondes/{round_id}/heropenen"
    html = inspector_client.get(path).get_data(as_text=True)
    assert "1 school die niet indiende kan dan weer antwoorden" in html
    missing = inspector_client.post(path, data={"csrf_token": csrf_in(html)})
    assert missing.status_code == 400
    assert "Kies een nieuwe sluitingsdatum." in missing.get_data(as_text=True)
    past = inspector_client.post(path, data={"csrf_token": csrf_in(html),
                                             "closes_at": "2020-01-01T12:00"})
    assert past.status_code == 302 and _state(app, round_id) == "closed"
    assert "moet in de toekomst liggen" in inspector_client.get(
        past.headers["Location"]).get_data(as_text=True)
    future = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    reopened = inspector_client.post(path, data={"csrf_token": csrf_in(html),
                                                 "closes_at": future})
    assert reopened.status_code == 302 and _state(app, round_id) == "open"


def test_withdrawing_a_school_is_confirmed_first(app, inspector_client, make_invited,
                                                 questionnaire):
    school = make_invited()
    with app.app_context():
        answer_service.save(db.session, school.invitation_id, all_answers(questionnaire),
                            submit=True)
        db.session.commit()
        centre_id = db.session.get(Invitation, school.invitation_id).centre_id
    listing = inspector_client.get(f"/beheer/rondes/{school.round_id}/clb/{centre_id}")
    confirm = (f"/beheer/rondes/{school.round_id}/uitnodigingen/{school.invitation_id}"
               "/intrekken")
    assert confirm in listing.get_data(as_text=True)
    assert 'value="withdraw"' not in listing.get_data(as_text=True)   # no one-click button
    html = inspector_client.get(confirm).get_data(as_text=True)
    assert "Haar antwoorden blijven bewaard, maar tellen niet meer mee" in html
    with app.app_context():
        assert db.session.get(Invitation, school.invitation_id).revoked_at is None
    action = f"/beheer/rondes/{school.round_id}/uitnodigingen/{school.invitation_id}"
    assert f'action="{action}"' in html
    inspector_client.post(action, data={"csrf_token": csrf_in(html), "action": "withdraw"})
    with app.app_context():
        assert db.session.get(Invitation, school.invitation_id).revoked_at is not None
    assert "is al ingetrokken" in inspector_client.get(confirm).get_data(as_text=True)


def _edit_form(html: str, **changes) -> dict:
    values = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)
              for name in ("name", "school_year", "opens_at", "closes_at", "min_group_size",
                           "min_benchmark_centres", "invitation_subject",
                           "reminder_subject")}
    for name in ("invitation_body", "reminder_body"):
        values[name] = re.search(rf'name="{name}"[^>]*>\s*([^<]*)</textarea>', html).group(1)
    values.update(csrf_token=csrf_in(html), reference_round="")
    values.update(changes)
    return values


def test_a_draft_is_edited_and_an_open_round_is_not(app, inspector_client, make_round,
                                                    make_invited):
    draft = make_round(state="draft")
    make_invited(draft)
    path = f"/beheer/rondes/{draft}/bewerken"
    html = inspector_client.get(path).get_data(as_text=True)
    form = _edit_form(html, name="Nieuwe naam", min_group_size="7",
                      invitation_body="Beste {school}, klik {link}",
                      opens_at="2036-02-01T08:00", closes_at="2036-02-28T18:00")
    refused = inspector_client.post(path, data={**form, "closes_at": "2036-01-01T08:00"})
    assert refused.status_code == 400 and "na de openingsdatum" in refused.get_data(
        as_text=True)
    saved = inspector_client.post(path, data=form)
    assert saved.status_code == 302
    with app.app_context():
        rnd = db.session.get(Round, draft)
        assert (rnd.name, rnd.min_group_size, rnd.invitation_body) == \
            ("Nieuwe naam", 7, "Beste {school}, klik {link}")
        # typed in Brussels time (winter: UTC+1)
        assert rnd.opens_at == datetime(2036, 2, 1, 7, 0, tzinfo=UTC)
    opened = make_round()
    page = inspector_client.get(f"/beheer/rondes/{opened}/bewerken")
    assert page.status_code == 200
    assert "Alleen een bevraging in voorbereiding kan nog worden gewijzigd" in page.get_data(
        as_text=True)


def test_a_round_cannot_be_its_own_reference(app, make_round):
    first, second = make_round(state="draft"), make_round(state="draft")
    with app.app_context():
        db.session.get(Round, first).reference_round_id = second
        db.session.commit()
        import pytest

        from survey.services.rounds import RoundStateError
        with pytest.raises(RoundStateError):
            round_drafts.update_draft(db.session, db.session.get(Round, second),
                                      reference_round_id=first)


def test_deleting_a_draft_takes_everything_with_it(app, inspector_client, make_round,
                                                   make_invited):
    draft = make_round(state="draft")
    schools = [make_invited(draft) for _ in range(2)]
    kept = make_invited()                       # another round's school stays
    path = f"/beheer/rondes/{draft}/verwijderen"
    html = inspector_client.get(path).get_data(as_text=True)
    assert "met haar uitnodigingen van 2 scholen" in html
    assert _count(app, InvitationLink) == 3
    done = inspector_client.post(path, data={"csrf_token": csrf_in(html)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Round, draft) is None
    assert _count(app, Invitation) == 1 and _count(app, InvitationLink) == 1
    assert _count(app, InvitationTally, InvitationTally.round_id == draft) == 0
    assert _count(app, School) == 3 and len(schools) == 2
    assert _count(app, AuditEvent, AuditEvent.action == "round deleted") == 1
    # an open round, or a draft with an answer, is not deleted
    refused = inspector_client.get(f"/beheer/rondes/{kept.round_id}/verwijderen")
    assert "Alleen een bevraging in voorbereiding kan worden verwijderd." in \
        refused.get_data(as_text=True)
    inspector_client.post(f"/beheer/rondes/{kept.round_id}/verwijderen",
                          data={"csrf_token": csrf_in(html)})
    assert _state(app, kept.round_id) == "open"
    answered = make_round(state="draft")
    started = make_invited(answered)
    with app.app_context():
        rnd = db.session.get(Round, answered)
        rnd.state = "open"
        db.session.flush()
        answer_service.save(db.session, started.invitation_id, {4: 2})
        db.session.get(Round, answered).state = "draft"
        db.session.commit()
    html = inspector_client.get(f"/beheer/rondes/{answered}/verwijderen").get_data(
        as_text=True)
    assert "Er zijn al antwoorden in deze bevraging" in html
    inspector_client.post(f"/beheer/rondes/{answered}/verwijderen",
                          data={"csrf_token": csrf_in(html)})
    assert _state(app, answered) == "draft"


def test_copying_keeps_the_settings_and_the_clbs(app, inspector_client, make_round,
                                                 make_invited):
    source = make_round()
    make_invited(source, "bao", "100001")
    make_invited(source, "so", "100001")
    other = make_invited(make_round(), "bao", "100002")   # CLB 100002: not in `source`
    with app.app_context():
        rnd = db.session.get(Round, source)
        rnd.min_group_size, rnd.invitation_subject = 8, "Onze eigen onderwerpregel"
        centre = db.session.scalar(select(Centre).where(Centre.number == "100001"))
        db.session.add(School(number="700001", name="Nieuw dit jaar", level="bao",
                              centre_id=centre.id))
        db.session.commit()
        opens = rnd.opens_at
    path = f"/beheer/rondes/{source}/kopie"
    html = inspector_client.get(path).get_data(as_text=True)
    assert 'value="Testbevraging (kopie)"' in html and 'value="2027-2028"' in html
    assert "Vrij CLB Test 100001" in html and "(3 scholen)" in html
    done = inspector_client.post(path, data={"csrf_token": csrf_in(html),
                                             "name": "Volgend jaar",
                                             "school_year": "2027-2028"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/bewerken")
    with app.app_context():
        copy = db.session.scalar(select(Round).where(Round.name == "Volgend jaar"))
        original = db.session.get(Round, source)
        assert copy.state == "draft" and copy.definition == original.definition
        assert (copy.min_group_size, copy.invitation_subject) == \
            (8, "Onze eigen onderwerpregel")
        assert copy.opens_at == opens + timedelta(days=364)
        invited = set(db.session.scalars(select(School.name).join(
            Invitation, Invitation.school_id == School.id).where(
            Invitation.round_id == copy.id)))
        # the CLB's schools as they are now, the new one included; not CLB 100002's
        assert invited == {"Testschool 1", "Testschool 2", "Nieuw dit jaar"}
        assert other.invitation_id not in set(db.session.scalars(
            select(Invitation.id).where(Invitation.round_id == copy.id)))


def test_a_school_of_another_clb_needs_a_confirmation(app, inspector_client, make_invited):
    school = make_invited(centre_number="100001")
    with app.app_context():
        stranger = Centre(number="100005", name="CLB Elders", network="go")
        db.session.add(stranger)
        db.session.flush()
        db.session.add(School(number="600001", name="School elders", level="so",
                              centre_id=stranger.id))
        db.session.commit()
    path = f"/beheer/rondes/{school.round_id}"
    html = inspector_client.get(path).get_data(as_text=True)
    asked = inspector_client.post(path + "/scholen",
                                  data={"csrf_token": csrf_in(html), "number": "600001"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "School elders hoort bij CLB Elders, dat niet aan deze bevraging meedoet." in page
    assert _count(app, Invitation) == 1
    confirmed = inspector_client.post(path + "/scholen", data={
        "csrf_token": csrf_in(page), "number": "600001", "with_centre": "1"})
    assert "School elders is uitgenodigd." in inspector_client.get(
        confirmed.headers["Location"]).get_data(as_text=True)
    assert _count(app, Invitation) == 2


def test_preview_and_test_mail_to_oneself(app, inspector_client, make_invited):
    from email import message_from_bytes
    from email.utils import parseaddr
    from pathlib import Path

    school = make_invited()
    path = f"/beheer/rondes/{school.round_id}"
    html = inspector_client.get(path + "/voorbeeld").get_data(as_text=True)
    assert "Testschool 1" in html and "/s/voorbeeldlink" in html
    checklist = inspector_client.get(path).get_data(as_text=True)
    assert "Nog geen testmail verstuurd." in checklist
    sent = inspector_client.post(path + "/testmail", data={"csrf_token": csrf_in(html)})
    assert sent.status_code == 302
    outbox = Path(app.instance_path) / "outbox"
    mails = [message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]
    assert len(mails) == 2
    # to the inspector's own address, with the inspector's own name (or none), never
    # the example school's
    assert [parseaddr(m["To"]) for m in mails] == [("", "inspector1@example.org")] * 2
    assert sorted(m["Subject"].startswith("[Test] ") for m in mails) == [True, True]
    assert "Testmail verstuurd op" in inspector_client.get(path).get_data(as_text=True)


def test_the_checklist_follows_the_round(app, inspector_client, make_round, make_invited):
    draft = make_round(state="draft")
    make_invited(draft)
    html = inspector_client.get(f"/beheer/rondes/{draft}").get_data(as_text=True)
    steps = re.findall(r'<li class="step step-(\w+)">\s*<strong>([^<]+)</strong>', html)
    assert [title for _, title in steps] == [
        "Vragenlijst en mailteksten nakijken", "Openen", "Uitnodigingen versturen",
        "Respons volgen", "Herinneren", "Afsluiten", "Opmerkingen beoordelen",
        "Rapporten opbouwen en nakijken", "Publiceren"]
    assert steps[0][0] == "now" and steps[1][0] == "later" and steps[-1][0] == "later"
    closed = make_round(state="closed")
    make_invited(closed)
    html = inspector_client.get(f"/beheer/rondes/{closed}").get_data(as_text=True)
    states = dict((t, s) for s, t in re.findall(
        r'<li class="step step-(\w+)">\s*<strong>([^<]+)</strong>', html))
    assert states["Openen"] == "done" and states["Afsluiten"] == "done"
    assert states["Publiceren"] == "now"
    assert f"/beheer/rondes/{closed}/publiceren" in html
    assert f"/beheer/rondes/{closed}/heropenen" in html
    assert f"/beheer/rondes/{closed}/versies" not in html
    published = make_round(state="published")
    make_invited(published)
    html = inspector_client.get(f"/beheer/rondes/{published}").get_data(as_text=True)
    assert f"/beheer/rondes/{published}/versies" in html
    assert f"/beheer/rondes/{published}/publiceren" not in html


def test_a_new_round_is_planned_and_its_plan_goes_with_it(app, inspector_client,
                                                          make_invited):
    from survey.models.schedule import ScheduledStep

    make_invited()
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    version = re.search(r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie',
                        page).group(1)
    created = inspector_client.post("/beheer/rondes/nieuw", data={
        "csrf_token": csrf_in(page), "name": "Gepland", "school_year": "2036-2037",
        "questionnaire": version, "opens_at": "2036-03-02T08:00",
        "closes_at": "2036-03-30T18:00", "min_group_size": "5",
        "min_benchmark_centres": "1", "reference_round": "", "without_benchmark": "y",
        "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
        "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"})
    assert created.status_code == 302
    with app.app_context():
        new = db.session.scalar(select(Round).where(Round.name == "Gepland"))
        kinds = sorted(db.session.scalars(select(ScheduledStep.kind).where(
            ScheduledStep.round_id == new.id)))
    # the opening, the closing and the default reminders, planned in the same transaction
    assert kinds[:2] == ["close", "open"] and set(kinds[2:]) == {"reminder"}
    html = inspector_client.get(f"/beheer/rondes/{new.id}/verwijderen").get_data(
        as_text=True)
    assert inspector_client.post(f"/beheer/rondes/{new.id}/verwijderen",
                                 data={"csrf_token": csrf_in(html)}).status_code == 302
    assert _count(app, ScheduledStep) == 0 and _count(app, Round) == 1


@pytest.mark.parametrize(("opens", "closes", "stored"), [
    # winter time: UTC+1; summer time: UTC+2
    ("2036-03-02T08:00", "2036-03-30T18:00", ("2036-03-02 07:00", "2036-03-30 16:00")),
    # 02:30 on the last Sunday of March does not exist in Brussels
    ("2036-03-30T02:30", "2036-04-20T18:00", None),
])
def test_a_new_rounds_times_are_brussels_time(app, inspector_client, make_invited, opens,
                                              closes, stored):
    make_invited()
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    version = re.search(r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie',
                        page).group(1)
    answer = inspector_client.post("/beheer/rondes/nieuw", data={
        "csrf_token": csrf_in(page), "name": "Tijden", "school_year": "2035-2036",
        "questionnaire": version, "opens_at": opens, "closes_at": closes,
        "min_group_size": "5", "min_benchmark_centres": "1", "reference_round": "",
        "without_benchmark": "y", "invitation_subject": "Uitnodiging",
        "invitation_body": "Klik {link}", "reminder_subject": "Herinnering",
        "reminder_body": "Nog even: {link}"})
    with app.app_context():
        new = db.session.scalar(select(Round).where(Round.name == "Tijden"))
        times = new and (f"{new.opens_at:%Y-%m-%d %H:%M}", f"{new.closes_at:%Y-%m-%d %H:%M}")
    if stored is None:
        assert answer.status_code == 400 and new is None
        assert "bestaat niet in Brussel" in answer.get_data(as_text=True)
    else:
        assert answer.status_code == 302 and times == stored
        page = inspector_client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "Ze opent vanzelf op 2 maart 2036 om 08:00" in page


def test_a_strange_reference_round_is_no_round_and_never_a_500(app, inspector_client,
                                                                make_round, make_invited):
    draft = make_round(state="draft")
    make_invited(draft)
    path = f"/beheer/rondes/{draft}/bewerken"
    html = inspector_client.get(path).get_data(as_text=True)
    for value in ("²", "99999999999999999999", "-1", "abc", "99999"):
        answer = inspector_client.post(path, data=_edit_form(html, reference_round=value,
                                                             name="Anders"))
        assert answer.status_code == 400, value
        assert "Kies een referentiebevraging uit de lijst." in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Round, draft).reference_round_id is None
        assert db.session.get(Round, draft).name == "Testbevraging"
    # an empty value stays "no reference round"
    assert inspector_client.post(path, data=_edit_form(
        html, reference_round="")).status_code == 302
    # its own id is not offered: refused like any other value off the list, nothing stored
    own = inspector_client.post(path, data=_edit_form(html, reference_round=str(draft),
                                                      name="Anders"))
    assert own.status_code == 400
    assert "Kies een referentiebevraging uit de lijst." in own.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Round, draft).name == "Testbevraging"


def _new_round(inspector_client, **changes):
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    version = re.search(r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie',
                        page).group(1)
    data = {"csrf_token": csrf_in(page), "name": "Nieuw", "school_year": "2036-2037",
            "questionnaire": version, "opens_at": "2036-03-02T08:00",
            "closes_at": "2036-03-30T18:00", "min_group_size": "5",
            "min_benchmark_centres": "1", "reference_round": "", "without_benchmark": "y",
            "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
            "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"}
    data.update(changes)
    return inspector_client.post("/beheer/rondes/nieuw", data=data)


def test_a_new_round_with_one_centre_says_one_clb(app, inspector_client, make_invited):
    make_invited()
    answer = _new_round(inspector_client, without_benchmark="", min_benchmark_centres="3")
    text = answer.get_data(as_text=True)
    assert "ze telt 1 CLB, en" in text and "CLB(&#39;s)" not in text and "CLB('s)" not in text


def test_an_unknown_centre_or_reference_round_is_refused(app, inspector_client,
                                                         make_invited):
    make_invited()
    before = _count(app, Round)
    answer = _new_round(inspector_client, centres="99999")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "Dit CLB bestaat niet" in text and "Er zijn geen scholen" not in text
    for value in ("abc", "99999"):
        answer = _new_round(inspector_client, reference_round=value)
        assert answer.status_code == 400, value
        assert "Kies een referentiebevraging uit de lijst." in answer.get_data(as_text=True)
    assert _count(app, Round) == before


@pytest.mark.parametrize("text", ["Beste {schol}, {link}", "{0} {link}",
                                  "{link.__class__}", "{school!r} {link}",
                                  "{deadline:%Y} {link}"])
def test_unknown_placeholders_are_refused(app, inspector_client, make_invited, text):
    make_invited()
    before = _count(app, Round)
    answer = _new_round(inspector_client, invitation_body=text)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    unknown = re.search(r"\{[^{}\s]*\}", text.replace("{link}", "")).group(0)
    assert f"Onbekende plaatshouder: {unknown}" in page
    assert "{school}, {clb}, {link}, {deadline}, {round}" in page
    subject = _new_round(inspector_client, reminder_subject="Nog even {schol}")
    assert subject.status_code == 400 and "{schol}" in subject.get_data(as_text=True)
    assert _count(app, Round) == before


def test_lone_braces_and_known_placeholders_stay(app, inspector_client, make_invited):
    from survey.admin.forms import PLACEHOLDERS
    from survey.services import mailing

    make_invited()
    answer = _new_round(inspector_client, name="Accolades",
                        invitation_body="Een { alleen en { met spatie } en {link}",
                        invitation_subject="{round} voor {school} van {clb} tot {deadline}")
    assert answer.status_code == 302
    # the form's list is what compose() replaces
    with app.app_context():
        rnd = db.session.scalar(select(Round).where(Round.name == "Accolades"))
        inv = db.session.scalars(select(Invitation).where(Invitation.round_id == rnd.id)).first()
        rnd.invitation_body = " ".join(PLACEHOLDERS)
        message = mailing.compose(rnd, inv, mailing.INVITATION, "https://x/s/t", "a@b.be")
        assert "{" not in message.get_content()


# --- Coded rounds (codes instead of personal links) ---

def _plan(app, round_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(s.kind, s.state) for s in schedule.steps(db.session, round_id)]


def test_copying_a_coded_round_keeps_its_audience_and_codes(app, inspector_client,
                                                            make_round, make_invited):
    source = make_round()
    make_invited(source)
    with app.app_context():
        rnd = db.session.get(Round, source)
        rnd.audience, rnd.access = "pupils", "codes"
        db.session.commit()
    path = f"/beheer/rondes/{source}/kopie"
    html = inspector_client.get(path).get_data(as_text=True)
    done = inspector_client.post(path, data={"csrf_token": csrf_in(html),
                                             "name": "Leerlingen volgend jaar",
                                             "school_year": "2027-2028"})
    assert done.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Round).where(Round.name == "Leerlingen volgend jaar"))
        assert (copy.audience, copy.access) == ("pupils", "codes")
        copy_id = copy.id
    # its default plan: opening and closing, no reminders (nobody is mailed)
    assert _plan(app, copy_id) == [("open", "planned"), ("close", "planned")]
    edit = inspector_client.get(f"/beheer/rondes/{copy_id}/bewerken").get_data(as_text=True)
    assert re.search(r'<option selected value="pupils">|<option value="pupils" selected',
                     edit)
    assert "checked" in re.search(r'<input[^>]*name="with_codes"[^>]*>', edit).group(0)


def test_a_draft_is_turned_into_a_coded_round_and_keeps_its_codes(
        app, inspector_client, make_round, make_invited):
    draft = make_round(state="draft", opens_in=timedelta(days=2),
                       closes_in=timedelta(days=30))
    invited = make_invited(draft)
    with app.app_context():
        schedule.plan_defaults(db.session, db.session.get(Round, draft))
        db.session.commit()
    assert _plan(app, draft) == [("open", "planned"), ("reminder", "planned"),
                                 ("reminder", "planned"), ("close", "planned")]
    path = f"/beheer/rondes/{draft}/bewerken"
    form = _edit_form(inspector_client.get(path).get_data(as_text=True),
                      audience="parents", with_codes="y")
    assert inspector_client.post(path, data=form).status_code == 302
    with app.app_context():
        rnd = db.session.get(Round, draft)
        assert (rnd.audience, rnd.access) == ("parents", "codes")
        access_codes.make_codes(db.session, rnd, db.session.get(
            Invitation, invited.invitation_id), [(None, 2)])
        db.session.commit()
    # the reminders are gone with the mails; the opening and closing stay
    assert _plan(app, draft) == [("open", "planned"), ("reminder", "cancelled"),
                                 ("reminder", "cancelled"), ("close", "planned")]
    # codes made: it cannot go back to personal links (the slips may be printed)
    form = _edit_form(inspector_client.get(path).get_data(as_text=True),
                      audience="directors")
    back = inspector_client.post(path, data=form)
    assert "Voor deze bevraging zijn al codes gemaakt" in back.get_data(as_text=True)
    with app.app_context():
        rnd = db.session.get(Round, draft)
        assert (rnd.audience, rnd.access) == ("parents", "codes")
