"""The portal's answer page (portal/follow_up.py): a CLB writes its reaction and actions,
saves a draft, submits after a confirmation, moves its actions' states on; nothing typed is
lost; only its own CLB's data, every other id a 404."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import csrf_in, login
from sqlalchemy import select
from test_follow_up import publish_round_with_attention

from survey.extensions import db
from survey.models.follow_up import CentreAction, CentreReaction


class PostedForm(HTMLParser):
    """The fields a browser posts for the form whose action ends with `action`: enabled
    inputs (checked boxes only, no buttons), text areas, each select's chosen option."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").endswith(self.action)
        if not self.inside or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        name = attrs["name"]
        if tag == "input" and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select, self._first = name, True

    def _option(self, attrs):
        if self._first or "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        self._first = False

    def handle_data(self, data):
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = self.fields[self._textarea].replace("\r\n", "\n")
            self.fields[self._textarea] = text.removeprefix("\n")   # as a browser reads it
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_of(html: str, action: str) -> dict[str, str]:
    parser = PostedForm(action)
    parser.feed(html)
    return parser.fields


@pytest.fixture
def round_id(app, make_round, make_invited, questionnaire) -> int:
    return publish_round_with_attention(app, make_round, make_invited, questionnaire)


@pytest.fixture
def clb_client(app, make_user):
    """clb_client(number) -> a new user of that CLB, signed in (as in test_portal.py)."""
    return lambda number="100001": _signed_in(app.test_client(),
                                              make_user("centre", centre_number=number))


def _signed_in(client, email: str):
    assert login(client, email).status_code == 302
    return client


def _page(client, round_id):
    answer = client.get(f"/clb/rondes/{round_id}/antwoord")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _stored(app):
    with app.app_context():
        reaction = db.session.scalar(select(CentreReaction))
        if reaction is None:
            return None
        return reaction.state, reaction.text, [(a.statement, a.text, str(a.due_on), a.state)
                                               for a in reaction.actions]


def test_the_page_has_a_row_ready_for_each_attention_point(app, round_id, clb_client):
    client = clb_client()
    assert f"/clb/rondes/{round_id}/antwoord" in client.get("/clb/").get_data(as_text=True)
    assert f"/clb/rondes/{round_id}/antwoord" in client.get(
        f"/clb/rondes/{round_id}").get_data(as_text=True)
    html = _page(client, round_id)
    assert "4. Stellen zich onafhankelijk op: 10 % tegenover 75 %" in html
    fields = form_of(html, "/antwoord")
    # two attention rows, then three empty ones
    assert [fields[f"actions-{i}-statement"] for i in range(5)] == ["4", "5", "", "", ""]
    assert "actions-5-statement" not in fields
    assert fields["revision"] == "0" and fields["actions-0-state"] == "planned"


def test_the_attention_points_are_those_of_the_version_the_clb_reads(app, round_id,
                                                                     clb_client):
    """A change after publication (schools' answers withdrawn) is not what the CLB reads
    until a new version is published: its answer page follows the version, not the live
    figures."""
    from survey.database import write_transaction
    from survey.models import Invitation, Round
    from survey.services import report_versions, rounds

    with app.app_context(), write_transaction(db.session):
        report_versions.freeze(db.session, db.session.get(Round, round_id), None)
    with app.app_context(), write_transaction(db.session):
        # the five schools of 100001 that disagree on 4 and give 1 to 5 (see PLAN) leave
        for invitation in db.session.scalars(select(Invitation).join(Invitation.centre)
                                             .where(Invitation.round_id == round_id)
                                             .order_by(Invitation.id)).all()[2:10]:
            if invitation.centre.number == "100001":
                rounds.revoke(db.session, invitation)
    html = _page(clb_client(), round_id)
    assert "4. Stellen zich onafhankelijk op: 10 % tegenover 75 %" in html


def test_a_draft_is_saved_and_shown_again(app, round_id, clb_client):
    client = clb_client()
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"text": "Wij bespreken dit\r\nmet het team.", "intent": "save",
                   "actions-0-text": "Afwezigheden sneller opvolgen",
                   "actions-0-due": "2027-03-31", "actions-2-text": "Nieuwsbrief",
                   "actions-2-due": "30-06-2027", "actions-2-state": "in_progress"})
    saved = client.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    assert saved.status_code == 303
    assert _stored(app) == ("draft", "Wij bespreken dit\nmet het team.", [
        (4, "Afwezigheden sneller opvolgen", "2027-03-31", "planned"),
        (None, "Nieuwsbrief", "2027-06-30", "in_progress")])
    again = form_of(_page(client, round_id), "/antwoord")
    assert again["revision"] == "1" and again["text"] == "Wij bespreken dit\nmet het team."
    # the stored two, the attention point 5 that has no action yet, three empty rows
    assert [again[f"actions-{i}-statement"] for i in range(6)] == ["4", "", "5", "", "", ""]
    assert again["actions-1-due"] == "2027-06-30"


def test_a_refused_draft_keeps_what_was_typed(app, round_id, clb_client):
    client = clb_client()
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"text": "Een lange reactie die niet verloren mag gaan", "intent": "save",
                   "actions-0-text": "Iets concreets", "actions-0-due": "31-02-2027"})
    refused = client.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Geef een bestaande datum" in html
    kept = form_of(html, "/antwoord")
    assert kept["text"] == "Een lange reactie die niet verloren mag gaan"
    assert (kept["actions-0-text"], kept["actions-0-due"]) == ("Iets concreets", "31-02-2027")
    assert _stored(app) is None


def test_submit_asks_for_a_confirmation_then_only_states_change(app, round_id, clb_client):
    client = clb_client()
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"text": "Onze reactie", "intent": "submit",
                   "actions-0-text": "Actie bij 4", "actions-0-due": "2027-03-31"})
    saved = client.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/clb/rondes/{round_id}/antwoord/indienen")
    confirm = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Bij deze aandachtspunten staat nog geen actie" in confirm
    assert "5. " in confirm[confirm.index('id="zonder-actie"'):]
    assert _stored(app)[0] == "draft"                 # saved, not yet submitted
    done = client.post(f"/clb/rondes/{round_id}/antwoord/indienen",
                       data=form_of(confirm, "/antwoord/indienen"))
    assert done.status_code == 303 and _stored(app)[0] == "submitted"
    page = _page(client, round_id)
    assert "Ingediend op" in page and f'action="/clb/rondes/{round_id}/antwoord"' not in page
    with app.app_context():
        action_id = db.session.scalar(select(CentreAction.id))
    states = form_of(page, "/antwoord/stand")
    assert states[f"state-{action_id}"] == "planned"
    states[f"state-{action_id}"] = "in_progress"
    assert client.post(f"/clb/rondes/{round_id}/antwoord/stand",
                       data=states).status_code == 303
    assert _stored(app) == ("submitted", "Onze reactie",
                            [(4, "Actie bij 4", "2027-03-31", "in_progress")])
    again = client.post(f"/clb/rondes/{round_id}/antwoord/indienen",
                        data=form_of(confirm, "/antwoord/indienen"))
    assert again.status_code == 303
    assert "al ingediend" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_submit_without_a_reaction_saves_the_draft_and_says_what_is_missing(
        app, round_id, clb_client):
    client = clb_client()
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"intent": "submit", "actions-0-text": "Zonder datum"})
    answer = client.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Schrijf eerst uw algemene reactie" in html and "Geef aan tegen wanneer." in html
    assert _stored(app) == ("draft", "", [(4, "Zonder datum", "None", "planned")])
    assert client.get(f"/clb/rondes/{round_id}/antwoord/indienen").status_code == 303


def test_a_colleagues_save_in_between_is_not_overwritten_unasked(app, round_id, clb_client):
    first, second = clb_client(), clb_client()
    old_page = form_of(_page(second, round_id), "/antwoord")
    fields = form_of(_page(first, round_id), "/antwoord")
    fields.update({"text": "Tekst van de eerste", "intent": "save"})
    assert first.post(f"/clb/rondes/{round_id}/antwoord", data=fields).status_code == 303
    old_page.update({"text": "Tekst van de tweede", "intent": "save"})
    conflict = second.post(f"/clb/rondes/{round_id}/antwoord", data=old_page)
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "Een collega bewaarde dit antwoord" in html
    assert _stored(app)[1] == "Tekst van de eerste"
    retry = form_of(html, "/antwoord")
    assert retry["text"] == "Tekst van de tweede" and retry["revision"] == "1"
    assert second.post(f"/clb/rondes/{round_id}/antwoord", data=retry).status_code == 303
    assert _stored(app)[1] == "Tekst van de tweede"


def test_another_clbs_answer_is_out_of_reach(app, round_id, clb_client):
    own = clb_client("100001")
    fields = form_of(_page(own, round_id), "/antwoord")
    fields.update({"text": "Van 100001", "intent": "save", "actions-0-text": "Eigen actie",
                   "actions-0-due": "2027-03-31"})
    own.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    other = clb_client("100002")
    html = _page(other, round_id)
    assert "Van 100001" not in html and "Eigen actie" not in html
    assert form_of(html, "/antwoord")["revision"] == "0"
    outsider = clb_client("100009")        # no school in the round
    for path in ("", "/indienen"):
        assert outsider.get(f"/clb/rondes/{round_id}/antwoord{path}").status_code == 404
        assert own.get(f"/clb/rondes/{round_id + 100}/antwoord{path}").status_code == 404
    token = csrf_in(_page(other, round_id))
    for path in ("", "/indienen", "/stand"):
        assert outsider.post(f"/clb/rondes/{round_id}/antwoord{path}",
                             data={"csrf_token": token}).status_code in (400, 404)
    assert _stored(app)[1] == "Van 100001"


def test_the_answer_page_waits_for_the_round_to_be_published(app, answered_round, clb_client):
    round_id, _ = answered_round(state="closed")
    client = clb_client()
    assert client.get(f"/clb/rondes/{round_id}/antwoord").status_code == 404
    assert client.get(f"/clb/rondes/{round_id}/antwoord/indienen").status_code == 404


def test_the_answer_pages_are_for_centre_staff_only(app, client, inspector_client, round_id):
    for path in ("", "/indienen"):
        url = f"/clb/rondes/{round_id}/antwoord{path}"
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/account/aanmelden" in \
            anonymous.headers["Location"]
        assert inspector_client.get(url).status_code == 403


def test_a_page_without_its_token_stores_nothing(app, round_id, clb_client):
    client = clb_client()
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"text": "Tekst", "intent": "save"})
    del fields["csrf_token"]
    answer = client.post(f"/clb/rondes/{round_id}/antwoord", data=fields)
    assert answer.status_code == 400 and _stored(app) is None
    assert re.search("verlopen", answer.get_data(as_text=True))


def _submitted(client, round_id, actions=1) -> str:
    """Submit an answer with `actions` actions (on 4, then general); the page it leaves."""
    fields = form_of(_page(client, round_id), "/antwoord")
    fields.update({"text": "Onze reactie", "intent": "submit"})
    for row in range(actions):
        fields.update({f"actions-{row}-text": f"Actie {row + 1}",
                       f"actions-{row}-due": "2027-03-31"})
    confirm = client.get(client.post(f"/clb/rondes/{round_id}/antwoord",
                                     data=fields).headers["Location"])
    client.post(f"/clb/rondes/{round_id}/antwoord/indienen",
                data=form_of(confirm.get_data(as_text=True), "/antwoord/indienen"))
    return _page(client, round_id)


def test_a_save_from_a_draft_tab_after_the_submit_shows_what_was_typed(
        app, round_id, clb_client):
    client = clb_client()
    old_tab = form_of(_page(client, round_id), "/antwoord")
    _submitted(client, round_id)
    old_tab.update({"text": "nieuwe tekst na indienen", "intent": "save",
                    "actions-1-text": "Een actie uit het oude tabblad",
                    "actions-1-due": "2027-05-31"})
    answer = client.post(f"/clb/rondes/{round_id}/antwoord", data=old_tab)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    unsaved = html[html.index('id="niet-bewaard"'):]
    assert "Uw antwoord was intussen al ingediend; wat u typte is niet bewaard:" in unsaved
    assert "nieuwe tekst na indienen" in unsaved
    assert "Een actie uit het oude tabblad" in unsaved and "31-05-2027" in unsaved
    # read-only: no field posts it again, and the submitted answer is unchanged
    assert "nieuwe tekst na indienen" not in "".join(form_of(html, "/antwoord/stand").values())
    assert f'action="/clb/rondes/{round_id}/antwoord"' not in html
    assert _stored(app) == ("submitted", "Onze reactie",
                            [(4, "Actie 1", "2027-03-31", "planned")])


def test_the_form_text_of_the_attention_points_is_only_beside_the_form(
        app, round_id, clb_client):
    client = clb_client()
    ready = "Het formulier heeft voor elk ervan een rij klaarstaan"
    assert ready in _page(client, round_id)
    done = _submitted(client, round_id)
    assert "Bij deze stellingen ligt uw CLB duidelijk lager" in done
    assert ready not in done and "toevoegen" not in done


def test_a_colleagues_state_change_in_between_stays_and_is_named(app, round_id, clb_client):
    first, second = clb_client(), clb_client()
    _submitted(first, round_id, actions=2)
    with app.app_context():
        one, two = db.session.scalars(select(CentreAction.id)
                                      .order_by(CentreAction.position)).all()
    mine = form_of(_page(second, round_id), "/antwoord/stand")
    colleague = form_of(_page(first, round_id), "/antwoord/stand")
    colleague[f"state-{one}"] = "in_progress"
    assert first.post(f"/clb/rondes/{round_id}/antwoord/stand",
                      data=colleague).status_code == 303
    assert (mine[f"was-{one}"], mine[f"was-{two}"]) == ("planned", "planned")
    mine.update({f"state-{one}": "done", f"state-{two}": "done"})
    answer = second.post(f"/clb/rondes/{round_id}/antwoord/stand", data=mine)
    assert answer.status_code == 303
    assert [row[3] for row in _stored(app)[2]] == ["in_progress", "done"]
    html = second.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Een collega zette de actie ‘Actie 1’ intussen op ‘bezig’" in html
    assert "De stand van de andere acties is bijgewerkt." in html
    assert "De stand van de acties is bijgewerkt." not in html
    assert "Actie 2’" not in html
