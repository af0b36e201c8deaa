"""The school's journey over HTTP: link, form, save, resume, submit, replay, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpers import BrowserTab, FormPage, all_answers
from survey.extensions import db
from survey.models import Answer, Invitation, Response
from survey.services import answers as svc
from survey.services.rounds import renew_link, revoke


def _draft(app, invitation_id):
    with app.app_context():
        return svc.load_draft(db.session, invitation_id)


def _checked(html: str) -> dict[str, str]:
    """The radio buttons that are checked, as {name: value}."""
    found = {}
    for tag in re.findall(r"<input [^>]*>", html):
        attrs = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', tag[7:-1]))
        if attrs.get("type") == "radio" and "checked" in attrs:
            found[attrs["name"]] = attrs["value"]
    return found


def test_link_is_exchanged_for_a_session_and_leaves_no_token(client, invited):
    response = client.get(invited.path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/vragenlijst"
    assert invited.token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/vragenlijst")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and invited.token not in html
    assert page.headers["Cache-Control"] == "no-store"


def test_form_shows_school_centre_and_accessible_statements(form_page, questionnaire):
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    assert "Testschool" in html and "Vrij CLB Test 100001" in html
    assert html.count("<fieldset") == len(questionnaire.statements) == 21
    assert html.count("<legend>") == 21
    assert html.count('type="radio"') == 21 * 5
    assert "<table" not in html, "statements are fieldsets, not a matrix table"
    assert "Geen zicht / niet van toepassing" in html
    assert "0 van 21 stellingen beantwoord" in re.sub(r"<[^>]+>", "", html)
    assert "<script>" not in html, "no inline script (CSP)"


def test_save_then_resume_in_a_new_session(app, form_page, invited):
    response = form_page.post({4: 4, 5: 2}, action="save:algemeen",
                              **{"t_opmerking-algemeen": "Prima samenwerking"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/vragenlijst#deel-algemeen")

    other_device = FormPage(app.test_client(), invited)
    html = other_device.open().get_data(as_text=True)
    assert _checked(html) == {"s4": "4", "s5": "2"}
    assert "Prima samenwerking" in html
    assert "2 van 21 stellingen beantwoord" in re.sub(r"<[^>]+>", "", html)


def test_save_for_later_page(form_page):
    response = form_page.post({4: 3}, action="later")
    assert response.headers["Location"].endswith("/vragenlijst/bewaard")
    page = form_page.client.get("/vragenlijst/bewaard").get_data(as_text=True)
    assert "1 van de 21 stellingen" in page


def test_submit_with_unanswered_statements_asks_for_confirmation(app, form_page, invited):
    response = form_page.post({4: 4, 5: 4}, action="submit")
    assert response.headers["Location"].endswith("/vragenlijst/indienen")
    page = form_page.client.get("/vragenlijst/indienen").get_data(as_text=True)
    assert "19 van de 21 stellingen" in page
    assert "6. De CLB-medewerkers zijn goed bereikbaar" in page
    assert _draft(app, invited.invitation_id).status == "draft"

    done = form_page.submit_confirmed()
    assert done.headers["Location"].endswith("/vragenlijst/bevestiging")
    draft = _draft(app, invited.invitation_id)
    assert draft.submitted and draft.answers == {4: 4, 5: 4}


def test_complete_submit_goes_straight_to_confirmation(app, form_page, invited, questionnaire):
    response = form_page.post(all_answers(questionnaire, 3), action="submit")
    assert response.headers["Location"].endswith("/vragenlijst/bevestiging")
    page = form_page.client.get("/vragenlijst/bevestiging").get_data(as_text=True)
    assert "Bedankt, uw antwoorden zijn ingediend" in page
    copy = form_page.client.get("/vragenlijst/kopie").get_data(as_text=True)
    assert copy.count("Eerder akkoord") >= 21 and "Ingediend op" in copy


def test_replayed_submit_gives_one_response_and_the_confirmation(app, form_page, invited,
                                                                 questionnaire):
    first = form_page.post(all_answers(questionnaire, 4), action="submit")
    replay = form_page.post(all_answers(questionnaire, 1), action="submit")
    again = form_page.submit_confirmed()
    for response in (first, replay, again):
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/vragenlijst/bevestiging")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert set(db.session.scalars(select(Answer.value))) == {4}


def test_submitted_form_is_read_only(app, form_page, invited, questionnaire):
    form_page.post(all_answers(questionnaire, 2), action="submit")
    assert form_page.client.get("/vragenlijst").headers["Location"].endswith("/bevestiging")
    assert form_page.autosave("s4", "4").status_code == 409
    assert _draft(app, invited.invitation_id).answers[4] == 2


def test_autosave_stores_one_answer_or_remark(app, form_page, invited):
    assert form_page.autosave("s7", "1").get_json() == {"status": "saved", "basis": "1"}
    reply = form_page.autosave("t_opmerking-schoolgericht", "Tekst").get_json()
    assert reply["status"] == "saved" and reply["basis"].startswith("#")
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {7: 1} and draft.remarks == {"opmerking-schoolgericht": "Tekst"}


@pytest.mark.parametrize(("field", "value"), [
    ("s3", "4"), ("s4", "9"), ("s4", "abc"), ("x", "1"), ("", ""),
])
def test_autosave_rejects_what_is_not_in_the_questionnaire(app, form_page, invited, field, value):
    response = form_page.autosave(field, value)
    assert response.status_code == 422 and response.get_json()["status"] == "invalid"
    assert _draft(app, invited.invitation_id).status is None


def test_invalid_form_values_are_refused_without_writing(app, form_page, invited):
    response = form_page.post({4: 4, 5: 7})
    assert response.status_code == 422
    assert "Controleer uw antwoorden" in response.get_data(as_text=True)
    assert _draft(app, invited.invitation_id).status is None


def test_post_without_ticket_is_refused_in_dutch(app, form_page, invited):
    response = form_page.client.post("/vragenlijst", data={"csrf_token": form_page.csrf,
                                                           "s4": "4", "action": "save"})
    assert response.status_code == 400
    assert "kon niet worden verwerkt" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert _draft(app, invited.invitation_id).status is None


def test_expired_session_still_saves_what_the_school_typed(app, form_page, invited):
    with form_page.client.session_transaction() as sess:
        sess.clear()  # the session expired while the page stayed open
    response = form_page.post({4: 1, 10: 4}, action="save")
    assert response.status_code == 303
    assert _draft(app, invited.invitation_id).answers == {4: 1, 10: 4}
    page = form_page.client.get("/vragenlijst").get_data(as_text=True)
    assert "Uw sessie was verlopen. Uw antwoorden zijn toch bewaard." in page


def test_expired_session_without_a_form_sends_back_to_the_link(app, form_page, invited):
    form_page.post({4: 2})
    fresh = app.test_client()
    page = fresh.get("/vragenlijst")
    assert page.status_code == 403
    assert "Open uw persoonlijke link opnieuw" in page.get_data(as_text=True)
    back = FormPage(fresh, invited)
    assert _checked(back.open().get_data(as_text=True)) == {"s4": "2"}


def test_a_tampered_ticket_cannot_write(app, form_page, make_invited, invited):
    other = make_invited()
    form_page.ticket = form_page.ticket[:-3] + ("AAA" if form_page.ticket[-3:] != "AAA" else "BBB")
    assert form_page.post({4: 4}).status_code == 400
    for inv in (invited, other):
        assert _draft(app, inv.invitation_id).status is None


def test_ticket_decides_which_school_is_answering(app, client, make_invited):
    """Two schools opened in one browser: each page saves into its own school."""
    first, second = make_invited(), make_invited()
    page_a, page_b = FormPage(client, first), FormPage(client, second)
    page_a.open()
    page_b.open()  # the session now belongs to the second school
    page_a.post({4: 1})
    assert _draft(app, first.invitation_id).answers == {4: 1}
    assert _draft(app, second.invitation_id).status is None


@pytest.mark.parametrize(("round_kwargs", "status", "text"), [
    ({"opens_in": timedelta(days=3)}, 403, "nog niet geopend"),
    ({"state": "draft"}, 403, "nog niet geopend"),
    ({"closes_in": timedelta(seconds=-5)}, 403, "is afgesloten"),
    ({"state": "closed"}, 403, "is afgesloten"),
    ({"state": "published"}, 403, "is afgesloten"),
])
def test_round_not_accepting_answers(client, make_round, make_invited, round_kwargs, status, text):
    invited = make_invited(make_round(**round_kwargs))
    assert client.get(invited.path).status_code == 303
    page = client.get("/vragenlijst")
    assert page.status_code == status and text in page.get_data(as_text=True)


def test_closed_round_still_shows_the_submitted_copy(app, client, make_round, make_invited,
                                                     questionnaire):
    invited = make_invited(make_round())
    page = FormPage(client, invited)
    page.open()
    page.post(all_answers(questionnaire, 4), action="submit")
    with app.app_context():
        db.session.get(Invitation, invited.invitation_id).round.state = "closed"
        db.session.commit()
    html = client.get("/vragenlijst").get_data(as_text=True)
    assert "is afgesloten" in html and "kopie" in html
    assert client.get("/vragenlijst/kopie").status_code == 200
    assert page.post({4: 1}).status_code == 403
    assert _draft(app, invited.invitation_id).answers[4] == 4


def test_unknown_token_is_a_dutch_404(client):
    for path in ["/s/" + "A" * 32, "/s/kort", "/s/" + "x" * 300]:
        response = client.get(path)
        assert response.status_code == 404
        assert "Deze link werkt niet" in response.get_data(as_text=True)


def test_revoked_invitation_is_gone(app, client, invited):
    FormPage(client, invited).open()
    with app.app_context():
        revoke(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    page = client.get("/vragenlijst")
    assert page.status_code == 410 and "ingetrokken" in page.get_data(as_text=True)


def test_renewed_link_ends_old_sessions(app, client, invited):
    FormPage(client, invited).open()
    with app.app_context():
        renew_link(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    assert client.get("/vragenlijst").status_code == 403
    assert client.get(invited.path).status_code == 404


@pytest.mark.parametrize("path", ["/bestaat-niet", "/vragenlijst/kopie", "/vragenlijst/indienen"])
def test_pages_without_a_session_never_show_a_stack_trace(client, path):
    response = client.get(path)
    assert response.status_code in (403, 404)
    assert "Traceback" not in response.get_data(as_text=True)
    assert '<html lang="nl">' in response.get_data(as_text=True)


def test_a_page_opened_with_a_renewed_link_can_no_longer_save(app, form_page, invited):
    with app.app_context():
        renew_link(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    response = form_page.post({4: 4})
    assert response.status_code == 400
    assert form_page.autosave("s4", "4").status_code == 403
    assert _draft(app, invited.invitation_id).status is None


def test_saving_into_a_round_that_just_closed_says_so(app, form_page, invited):
    with app.app_context():
        db.session.get(Invitation, invited.invitation_id).round.state = "closed"
        db.session.commit()
    response = form_page.post({4: 4})
    assert response.status_code == 403
    assert "is afgesloten" in response.get_data(as_text=True)
    assert form_page.autosave("s5", "1").status_code == 403
    assert _draft(app, invited.invitation_id).status is None


def test_every_link_of_an_invitation_works_until_the_link_is_renewed(app, client, invited):
    from survey.services.rounds import new_link

    with app.app_context():
        second = new_link(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    first_page, second_page = FormPage(app.test_client(), invited), FormPage(
        app.test_client(), type(invited)(invited.invitation_id, invited.round_id, second))
    first_page.open()
    second_page.open()
    assert first_page.post({4: 1}).status_code == 303
    assert second_page.post({5: 2}).status_code == 303
    with app.app_context():
        third = renew_link(db.session, db.session.get(Invitation, invited.invitation_id))
        db.session.commit()
    for page in (first_page, second_page):
        assert page.post({6: 3}).status_code == 400
        assert page.client.get("/vragenlijst").status_code == 403
    assert client.get(invited.path).status_code == 404
    assert client.get(f"/s/{third}").status_code == 303
    assert _draft(app, invited.invitation_id).answers == {4: 1, 5: 2}


# --- Two tabs (or two devices) on one questionnaire ------------------------------------

def _two_tabs(form_page, questionnaire):
    """Tab B opened on a draft; tab A, opened later, autosaves a statement and the remark."""
    assert form_page.post({n: 3 for n in range(4, 10)},
                          **{"t_opmerking-algemeen": "oud"}).status_code == 303
    stale = BrowserTab(form_page.client)
    fresh = BrowserTab(form_page.client)
    assert fresh.autosave("s5", "1").status_code == 200
    assert fresh.autosave("t_opmerking-algemeen", "nieuw uit het andere venster").status_code \
        == 200
    return stale, fresh


def test_a_stale_tab_saving_keeps_what_another_tab_saved(app, form_page, invited,
                                                         questionnaire):
    stale, _fresh = _two_tabs(form_page, questionnaire)
    assert stale.post({"s7": "4"}).status_code == 303
    with app.app_context():
        draft = svc.load_draft(db.session, invited.invitation_id)
    assert draft.answers[5] == 1                       # not reverted to the stale 3
    assert draft.answers[7] == 4                       # the stale tab's own change is kept
    assert draft.remarks["opmerking-algemeen"] == "nieuw uit het andere venster"


def test_the_same_answer_changed_in_two_tabs_is_shown_not_overwritten(app, form_page, invited,
                                                                      questionnaire):
    stale, _fresh = _two_tabs(form_page, questionnaire)
    answer = stale.post({"s5": "2", "s8": "4"})
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "ander venster" in page and "stelling 5" in page.lower()
    with app.app_context():
        draft = svc.load_draft(db.session, invited.invitation_id)
    assert draft.answers[5] == 1 and draft.answers[8] == 4   # kept, and the rest saved
    # The page shows what is stored and lets the school choose again.
    chosen = BrowserTab(form_page.client).reload(page)
    assert chosen.field("s5") == "1"
    assert chosen.post({"s5": "2"}).status_code == 303
    with app.app_context():
        assert svc.load_draft(db.session, invited.invitation_id).answers[5] == 2


def test_a_stale_tab_cannot_submit_over_a_conflict(app, form_page, invited, questionnaire):
    stale, _fresh = _two_tabs(form_page, questionnaire)
    everything = {f"s{n}": "4" for n in all_answers(questionnaire)}
    answer = stale.post({**everything, "t_opmerking-algemeen": "uit het oude venster"},
                        action="submit")
    assert answer.status_code == 409
    assert "ander venster" in answer.get_data(as_text=True)
    with app.app_context():
        draft = svc.load_draft(db.session, invited.invitation_id)
    assert not draft.submitted
    assert draft.remarks["opmerking-algemeen"] == "nieuw uit het andere venster"
    assert draft.answers[5] == 1
