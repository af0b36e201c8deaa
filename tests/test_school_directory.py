"""The console's school directory: search, one school's invitations, mails and links (never
its answers), fixing its address, new links, resending its invitation with every attempt
kept."""

from __future__ import annotations

import re
import socket

import pytest
from conftest import csrf_in
from smtp_inbox import Inbox, served
from sqlalchemy import select

from helpers import FormPage, Invited
from survey.extensions import db
from survey.models import AuditEvent, Centre, Invitation, MessageSend, Round, School
from survey.services import answers as answer_service
from survey.services import mailing
from survey.services import school_directory as directory
from survey.services.rounds import revoke


@pytest.fixture
def smtp(app):
    with served(Inbox(refusal="550 5.1.1 mailbox unavailable")) as inbox:
        app.config.update(SURVEY_SMTP_HOST="127.0.0.1", SURVEY_SMTP_PORT=inbox.port)
        yield inbox


def _school_of(app, invited: Invited) -> int:
    with app.app_context():
        return db.session.get(Invitation, invited.invitation_id).school_id


def _sends(app, invitation_id: int) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [(s.message_key.split("~")[0] + ("~" if "~" in s.message_key else ""),
                 s.status, s.error) for s in db.session.scalars(
            select(MessageSend).where(MessageSend.invitation_id == invitation_id)
            .order_by(MessageSend.id))]


def _post(client, path: str, **data):
    page = client.get(path.split("/uitnodigingen")[0].removesuffix("/e-mail"))
    return client.post(path, data={"csrf_token": csrf_in(page.get_data(as_text=True)),
                                   **data})


@pytest.fixture
def sector(app):
    """60 schools of two CLBs; school i is 'Basisschool i' in Gent or Brugge."""
    with app.app_context():
        a = Centre(number="100001", name="Vrij CLB Noord", network="vclb")
        b = Centre(number="100002", name="GO! CLB Zuid", network="go")
        db.session.add_all([a, b])
        db.session.flush()
        db.session.add_all([School(
            number=f"2{i:05d}", name=f"Basisschool {i:02d}", level="bao",
            centre_id=(a if i % 2 else b).id, email=f"directie{i}@school{i}.be",
            municipality="Gent" if i < 10 else "Brugge") for i in range(60)])
        db.session.add(School(number="300000", name="School 100% zeker_", level="so",
                              centre_id=a.id, email="x@y.be", municipality="Gent"))
        db.session.commit()


@pytest.mark.parametrize(("query", "expected"), [
    ("basisschool 07", ["Basisschool 07"]),         # name, any case
    ("200042", ["Basisschool 42"]),                 # number
    ("DIRECTIE5@", ["Basisschool 05"]),             # e-mail address
    ("gent", [f"Basisschool {i:02d}" for i in range(10)] + ["School 100% zeker_"]),
    ("100%", ["School 100% zeker_"]),               # % is a character, not a wildcard
    ("l 1_", []),                                   # and so is _
    ("  zeker_  ", ["School 100% zeker_"]),
])
def test_search_by_name_number_email_or_municipality(app, sector, query, expected):
    with app.app_context():
        found = directory.search(db.session, query)
    assert [s.name for s in found.schools] == expected and found.total == len(expected)


def test_the_directory_pages_through_thousands(app, sector, inspector_client):
    with app.app_context():
        first, second = (directory.search(db.session, "basisschool", page) for page in (1, 2))
    assert (first.total, first.pages, len(first.schools), len(second.schools)) == (60, 2, 50, 10)
    assert second.schools[-1].name == "Basisschool 59"
    html = inspector_client.get("/beheer/scholen?zoek=basisschool&pagina=2").get_data(
        as_text=True)
    assert "60 scholen gevonden" in html and "pagina 2 van 2" in html
    assert "Basisschool 59" in html and "Basisschool 00" not in html
    one = inspector_client.get("/beheer/scholen?zoek=200042").get_data(as_text=True)
    assert "1 school gevonden" in one


def test_a_school_page_shows_state_never_answers(app, inspector_client, invited,
                                                 questionnaire):
    with app.app_context():
        answer_service.save(db.session, invited.invitation_id, {4: 3},
                            {"opmerking-algemeen": "Geheime opmerking"})
        db.session.commit()
    html = inspector_client.get(f"/beheer/scholen/{_school_of(app, invited)}").get_data(
        as_text=True)
    assert "Testbevraging" in html and "begonnen" in html and "Nog geen mail" in html
    assert "Geheime opmerking" not in html
    assert "Werkende links</dt><dd>1<" in html
    assert inspector_client.get("/beheer/scholen/999999").status_code == 404


def test_a_clbs_schools_in_a_round_link_to_their_directory_page(app, inspector_client,
                                                                 invited):
    with app.app_context():
        invitation = db.session.get(Invitation, invited.invitation_id)
        path = f"/beheer/rondes/{invitation.round_id}/clb/{invitation.centre_id}"
    html = inspector_client.get(path).get_data(as_text=True)
    assert f'href="/beheer/scholen/{_school_of(app, invited)}"' in html


@pytest.mark.parametrize("bad", ["", "geen adres", "a@b", "directie@école.be",
                                 "a b@c.be", "x@y.be, z@y.be", "a" * 250 + "@x.be"])
def test_a_wrong_address_is_refused_and_nothing_changes(app, inspector_client, invited, bad):
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/e-mail", email=bad)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(School, school_id).email == "directie@example.org"


def test_fixing_an_address_is_stored_and_logged(app, inspector_client, invited):
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/e-mail",
                     email="  Nieuwe.Directie@School.be ")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(School, school_id).email == "nieuwe.directie@school.be"
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "school e-mail changed"))
        assert event.detail["old"] == "directie@example.org"
        assert event.detail["new"] == "nieuwe.directie@school.be"


def test_resend_is_the_invitation_first_then_a_row_of_its_own(app, inspector_client,
                                                              invited, smtp):
    school_id = _school_of(app, invited)
    path = f"/beheer/scholen/{school_id}/uitnodigingen/{invited.invitation_id}/opnieuw"
    asked = _post(inspector_client, path)
    assert asked.status_code == 200 and "Ja, opnieuw versturen" in asked.get_data(
        as_text=True)
    assert smtp.messages == [], "nothing is sent before the confirmation"
    assert _post(inspector_client, path, confirmed="yes").status_code == 302
    assert _sends(app, invited.invitation_id) == [("invitation", "sent", None)]
    with app.app_context():
        rnd = db.session.get(Round, invited.round_id)
        assert mailing.recipients(db.session, rnd, "invitation") == [], \
            "the batch does not mail the school a second time"
    _post(inspector_client, path, confirmed="yes")
    assert _sends(app, invited.invitation_id) == [("invitation", "sent", None),
                                                  ("resend-1", "sent", None)]
    assert len(smtp.messages) == 2
    links = [re.search(r"http://survey.test(/s/\S+)", m.get_content()).group(1)
             for m in smtp.messages]
    for path_ in links:   # both links work: a resend does not break the first mail's link
        assert FormPage(app.test_client(), Invited(invited.invitation_id, invited.round_id,
                                                   path_[3:])).open().status_code == 200
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert "Uitnodiging opnieuw verstuurd (1)" in html and html.count(">verstuurd<") == 2
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "invitation resent").order_by(AuditEvent.id.desc())) == {
            "round": invited.round_id, "sent": True, "message": "resend-1"}


def test_a_refused_address_shows_why_and_every_attempt_is_kept(app, inspector_client,
                                                               invited, smtp):
    school_id = _school_of(app, invited)
    smtp.refuse.add("directie@example.org")
    path = f"/beheer/scholen/{school_id}/uitnodigingen/{invited.invitation_id}/opnieuw"
    failed = _post(inspector_client, path, confirmed="yes")
    assert failed.status_code == 302
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert "De mailserver weigerde de uitnodiging" in html
    assert "adres geweigerd door de mailserver: 550 5.1.1 mailbox unavailable" in html
    _post(inspector_client, f"/beheer/scholen/{school_id}/e-mail", email="goed@school.be")
    _post(inspector_client, path, confirmed="yes")
    sends = _sends(app, invited.invitation_id)
    assert [(k, s) for k, s, _ in sends] == [("invitation~", "failed"), ("invitation", "sent")]
    assert "550" in sends[0][2]
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert "Uitnodiging, eerdere poging" in html and "directie@example.org" in html
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["goed@school.be"]
    with app.app_context():
        overview = mailing.overview(db.session, db.session.get(Round, invited.round_id))
    assert [(s.key, s.sent, s.failed, s.to_go) for s in overview] == [
        ("invitation", 1, 0, 0)], "the round counts the invitation once"


def test_resend_refuses_a_withdrawn_invitation_or_a_closed_round(app, inspector_client,
                                                                 invited, smtp):
    school_id = _school_of(app, invited)
    path = f"/beheer/scholen/{school_id}/uitnodigingen/{invited.invitation_id}/opnieuw"
    with app.app_context():
        revoke(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    response = _post(inspector_client, path, confirmed="yes")
    html = inspector_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ingetrokken" in html and smtp.messages == []
    assert _sends(app, invited.invitation_id) == []


def test_resend_to_an_unreachable_server_claims_nothing(app, inspector_client, invited):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(SURVEY_SMTP_HOST="127.0.0.1", SURVEY_SMTP_PORT=port)
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/uitnodigingen/"
                     f"{invited.invitation_id}/opnieuw", confirmed="yes")
    html = inspector_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De mailserver is niet bereikbaar" in html
    assert _sends(app, invited.invitation_id) == []


def test_an_extra_link_works_beside_the_others(app, inspector_client, invited):
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/uitnodigingen/"
                     f"{invited.invitation_id}/link", action="extra")
    html = response.get_data(as_text=True)
    token = re.search(r'value="http://survey.test/s/([^"]+)"', html).group(1)
    assert "eerdere links blijven werken" in html
    extra = Invited(invited.invitation_id, invited.round_id, token)
    assert FormPage(app.test_client(), extra).open().status_code == 200
    assert FormPage(app.test_client(), invited).open().status_code == 200


def test_renewing_a_link_asks_first_then_stops_the_old_ones(app, inspector_client, invited):
    school_id = _school_of(app, invited)
    path = f"/beheer/scholen/{school_id}/uitnodigingen/{invited.invitation_id}/link"
    asked = _post(inspector_client, path, action="renew").get_data(as_text=True)
    assert "Dit kan niet ongedaan gemaakt worden" in asked
    assert FormPage(app.test_client(), invited).open().status_code == 200, "not yet"
    html = _post(inspector_client, path, action="renew", confirmed="yes").get_data(
        as_text=True)
    token = re.search(r'value="http://survey.test/s/([^"]+)"', html).group(1)
    assert app.test_client().get(invited.path).status_code != 303, "the old link stopped"
    renewed = Invited(invited.invitation_id, invited.round_id, token)
    assert FormPage(app.test_client(), renewed).open().status_code == 200
    with app.app_context():
        assert "link renewed" in set(db.session.scalars(select(AuditEvent.action)))


def test_a_link_for_another_schools_invitation_is_refused(app, inspector_client,
                                                         make_invited, invited):
    other = make_invited(invited.round_id)
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/uitnodigingen/"
                     f"{other.invitation_id}/link", action="extra")
    assert response.status_code == 302
    assert "hoort niet bij deze school" in inspector_client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_the_menu_links_the_directory_and_the_footer_is_for_schools(app, inspector_client,
                                                                    client, invited):
    console = inspector_client.get("/beheer/").get_data(as_text=True)
    assert '<a href="/beheer/scholen">Scholen</a>' in console
    assert '<a href="/beheer/taken">Taken</a>' in console
    assert '<a href="/beheer/uitgaande-post">Uitgaande post</a>' in console, "no mail server"
    assert "clb@onderwijsinspectie.be" not in console
    assert "clb@onderwijsinspectie.be" not in client.get("/account/aanmelden").get_data(
        as_text=True)
    FormPage(client, invited).open()
    assert "clb@onderwijsinspectie.be" in client.get("/vragenlijst").get_data(as_text=True)
    app.config.update(SURVEY_SMTP_HOST="127.0.0.1")
    assert "Uitgaande post" not in inspector_client.get("/beheer/").get_data(as_text=True)


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>@example.org", "a\x00b@example.org",
                                 "a..b@example.org", ".a@example.org", "a.@example.org",
                                 "a(b)@example.org", 'a"b@example.org', "a@-school.be",
                                 "a@school-.be", "a@sch_ool.be", "a@school..be",
                                 "a@school.be\x07", "a\tb@school.be", "a@" + "x" * 64 + ".be",
                                 "a@school.123"])
def test_an_address_off_the_rule_is_refused_not_cleaned(app, inspector_client, invited, bad):
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/e-mail", email=bad)
    assert response.status_code == 400
    assert "Dit is geen bruikbaar e-mailadres" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(School, school_id).email == "directie@example.org"


@pytest.mark.parametrize("good", ["o'brien+clb@school.be", "a.b-c_d@sub-1.school.be",
                                  "x!#$%&*/=?^`{|}~@school.be"])
def test_every_dot_atom_address_is_taken(app, inspector_client, invited, good):
    school_id = _school_of(app, invited)
    response = _post(inspector_client, f"/beheer/scholen/{school_id}/e-mail", email=good)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(School, school_id).email == good


def test_the_import_and_the_directory_share_one_rule():
    from survey.email_address import is_address
    from survey.services import sector_import

    for address in ("<script>alert(1)</script>@example.org", "a..b@x.be", "a@x_y.be"):
        assert not is_address(address)
        with pytest.raises(directory.DirectoryError):
            directory.check_email(address)
        _, faults = sector_import._check({
            "school_number": "012345", "school_name": "S", "level": "bao",
            "centre_number": "114983", "centre_name": "C", "network": "go!",
            "email": address})
        assert any("ongeldig e-mailadres" in str(f) for f in faults), address
    assert is_address("directie@school.be")


def _submit(app, invited: Invited) -> None:
    from survey.models import Response
    from survey.models.core import utcnow

    with app.app_context():
        answer_service.save(db.session, invited.invitation_id, {4: 3}, {})
        response = db.session.scalar(select(Response).where(
            Response.invitation_id == invited.invitation_id))
        response.status, response.submitted_at = "submitted", utcnow()
        db.session.commit()


def test_a_school_that_submitted_gets_no_resend(app, inspector_client, invited, smtp):
    _submit(app, invited)
    school_id = _school_of(app, invited)
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert "Uitnodiging opnieuw versturen" not in html
    assert "Deze school heeft al ingediend. Een nieuwe uitnodiging is dus niet nodig." in html
    path = f"/beheer/scholen/{school_id}/uitnodigingen/{invited.invitation_id}/opnieuw"
    for data in ({}, {"confirmed": "yes"}):
        response = _post(inspector_client, path, **data)
        assert response.status_code == 302
        page = inspector_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Deze school heeft al ingediend." in page
    assert smtp.messages == [] and _sends(app, invited.invitation_id) == []


@pytest.mark.parametrize("state", ["closed", "published"])
def test_no_extra_link_once_a_round_is_over(app, inspector_client, make_round,
                                             make_invited, state):
    from survey.models import InvitationLink

    invited = make_invited(make_round(state=state))
    school_id = _school_of(app, invited)
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert "Extra link" not in html and "Link vernieuwen" not in html
    assert "een link werkt niet meer" in html
    for action in ("extra", "renew"):
        response = _post(inspector_client, f"/beheer/scholen/{school_id}/uitnodigingen/"
                         f"{invited.invitation_id}/link", action=action, confirmed="yes")
        assert response.status_code == 302, action
        page = inspector_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "een link werkt niet meer" in page
    with app.app_context():
        assert len(db.session.scalars(select(InvitationLink).where(
            InvitationLink.invitation_id == invited.invitation_id)).all()) == 1
