"""The school's form for every item type, over HTTP on the example questionnaire
(questionnaires/voorbeeld-alle-vraagtypes-2026.1.toml): what each type stores, routing on
the page (with and without JavaScript), required questions at submit, autosave of a
composite item, two tabs changing the same question, and refused input.

The slots below follow the storage rule of questionnaires/README.md: an item's slot is its
number; items without one get slots from 1001 in file order, a multi one per option. So
medewerkers (multi, 5 options) is 1001..1005, bereikbaar 1006, kanaal 1007,
snel-antwoord 1008; hoofdthema 2, overleg 3, verzoek 11, tevredenheid-cijfer 20, and the
likert item 25 is slot 25."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from helpers import FormFields
from survey.extensions import db
from survey.models import Answer, Remark, Response
from survey.questionnaire import bundled
from survey.services import answers as svc
from survey.services import counts

MEDEWERKERS = (1001, 1002, 1003, 1004, 1005)
BEREIKBAAR, KANAAL, SNEL = 1006, 1007, 1008
HOOFDTHEMA, OVERLEG, VERZOEK, CIJFER, ARTS = 2, 3, 11, 20, 25
FOLLOW_UPS = ("kanaal", "snel-antwoord", "tevredenheid-cijfer")


@pytest.fixture
def questionnaire():
    """The example with every type: make_round, make_invited and form_page use it."""
    return bundled("voorbeeld-alle-vraagtypes")


# --- helpers: what a browser posts, and what the page shows ---------------------------

class Tab:
    """A browser tab without JavaScript: it posts the page as it was rendered, with the
    school's changes (a field's values replace the page's)."""

    def __init__(self, client, html: str | None = None):
        self.client = client
        self.reload(html)

    def reload(self, html: str | None = None):
        self.html = html if html is not None else self.client.get(
            "/vragenlijst").get_data(as_text=True)
        parser = FormFields()
        parser.feed(self.html)
        self.pairs = [tuple(p) for p in parser.fields]
        return self

    def value(self, name: str) -> str:
        return dict(self.pairs)[name]

    def post(self, changes: dict | None = None, action: str = "save"):
        changes = changes or {}
        data = MultiDict([(k, v) for k, v in self.pairs if k not in changes])
        for name, value in changes.items():
            for one in value if isinstance(value, list) else [value]:
                data.add(name, one)
        data["action"] = action
        return self.client.post("/vragenlijst", data=data)

    def autosave(self, field: str, values=(), other: str | None = None):
        data = MultiDict([("csrf_token", self.value("csrf_token")),
                          ("ticket", self.value("ticket")), ("field", field)])
        for value in values:
            data.add("value", value)
        if other is not None:
            data["other"] = other
        return self.client.post("/vragenlijst/autosave", data=data)


def _tag(html: str, element_id: str) -> str:
    found = re.search(rf'<[a-z]+ [^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def _is_hidden(html: str, element_id: str) -> bool:
    return re.search(r'\shidden(?=[\s>])', _tag(html, element_id)) is not None


def _controls_of(html: str, key: str) -> list[str]:
    """The input and textarea tags inside the item vraag-<key>."""
    start = html.index(">", html.index(f'id="vraag-{key}"'))
    end = html.find('data-item="', start)
    end = html.find("</section>", start) if end < 0 else min(
        end, html.find("</section>", start))
    return re.findall(r"<(?:input|textarea)\b[^>]*>", html[start:end])


def _text(html: str) -> str:
    """The page's text as read: tags gone, entities decoded, spaces collapsed."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([.,:;)])", r"\1", text)


def _draft(app, invitation_id):
    with app.app_context():
        return svc.load_draft(db.session, invitation_id)


EVERYTHING = {
    "q_medewerkers": ["1", "3"], "q_medewerkers__anders": "Zorgcoördinator",
    "q_hoofdthema": "2", "q_overleg": "12", "q_bereikbaar": "3", "q_verzoek": "1",
    "q_kanaal": "3", "q_kanaal__anders": "Via de directeur", "q_snel-antwoord": "4",
    "q_tevredenheid-cijfer": "8", "s25": "0", "t_opmerking": "Goede samenwerking",
}


def _answer_everything(form_page, action="save"):
    """The school ticks verzoek = ja and the arts: the follow-ups show (the script enables
    them), and it answers every question on the page."""
    return Tab(form_page.client).post(EVERYTHING, action=action)


# --- the page --------------------------------------------------------------------------

def test_every_type_has_its_control_label_and_anchor(form_page):
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    for key in ("medewerkers", "hoofdthema", "overleg", "bereikbaar", "verzoek", "kanaal",
                "snel-antwoord", "tevredenheid-cijfer", "waarom-geen-vraag",
                "arts-afspraken", "opmerking"):
        assert f'id="vraag-{key}"' in html, key
    assert 'id="stelling-25"' in html          # a numbered likert item keeps its anchor
    assert html.count('name="q_medewerkers" type="checkbox"') == 5
    assert 'name="q_medewerkers__getoond" type="hidden"' in html or \
        '<input type="hidden" name="q_medewerkers__getoond" value="1">' in html
    assert html.count('name="q_verzoek" type="radio"') == 2
    number = _tag(html, "q_overleg")
    for attribute in ('type="number"', 'inputmode="numeric"', 'min="0"', 'max="60"'):
        assert attribute in number
    assert "Een geheel getal van 0 tot en met 60." in html
    assert '<span class="unit">keer</span>' in html
    assert '<label for="q_kanaal__anders">Anders, namelijk:</label>' in html
    # required questions say so, in the legend and to assistive technology
    legend = re.search(r'id="vraag-verzoek".*?</legend>', html, re.S).group(0)
    assert "(verplicht)" in legend
    assert 'aria-required="true"' in re.search(r'id="vraag-verzoek".*?</fieldset>', html,
                                               re.S).group(0)
    assert "(verplicht)" not in re.search(r'id="vraag-hoofdthema".*?</legend>', html,
                                          re.S).group(0)
    assert "<script>" not in html, "no inline script (CSP)"


def test_the_page_carries_the_routing_rules_as_data(form_page):
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="routing-regels">(.*?)</script>',
                      html, re.S).group(1)
    rules = {rule["target"]: (rule["field"], rule["values"]) for rule in json.loads(block)}
    assert rules == {"vraag-kanaal": ("q_verzoek", ["1"]),
                     "vraag-snel-antwoord": ("q_verzoek", ["1"]),
                     "vraag-tevredenheid-cijfer": ("q_verzoek", ["1"]),
                     "vraag-waarom-geen-vraag": ("q_verzoek", ["2"]),
                     "deel-arts": ("q_medewerkers", ["3"])}
    assert 'data-show-if="verzoek=1"' in _tag(html, "vraag-kanaal")


def test_a_new_draft_hides_the_follow_ups_with_their_controls_disabled(form_page):
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    for key in (*FOLLOW_UPS, "waarom-geen-vraag"):
        assert _is_hidden(html, f"vraag-{key}"), key
        controls = _controls_of(html, key)
        assert controls and all(" disabled" in c for c in controls), key
    assert _is_hidden(html, "deel-arts")
    assert not _is_hidden(html, "vraag-verzoek")
    # five questions shown that take an answer: medewerkers, hoofdthema, overleg,
    # bereikbaar, verzoek (texts are not counted)
    assert "0 van 5 vragen beantwoord" in _text(html)


def test_the_partial_renders_on_its_own_for_the_console_preview(app, questionnaire):
    from flask import render_template

    from instrument import routing
    from survey.respond.forms import form_class

    with app.test_request_context():
        html = render_template("respond/_questions.html", form=form_class(questionnaire)(),
                               q=questionnaire, shown=routing.shown(questionnaire, {}),
                               conflicts={}, preview=True)
    assert html.count("<section") == 3 and 'id="vraag-medewerkers"' in html
    assert "Bewaren" not in html
    assert _is_hidden(html, "vraag-kanaal")


# --- what every type stores --------------------------------------------------------------

def test_every_type_is_stored_as_the_engine_says(app, form_page, invited):
    assert _answer_everything(form_page).status_code == 303
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {
        1001: 1, 1002: 0, 1003: 1, 1004: 0, 1005: 0,     # multi: 1 ticked, 0 not
        HOOFDTHEMA: 2, OVERLEG: 12, BEREIKBAAR: 3, VERZOEK: 1,
        KANAAL: 3, SNEL: 4, CIJFER: 8, ARTS: 0}
    assert draft.remarks == {"medewerkers-anders": "Zorgcoördinator",
                             "kanaal-anders": "Via de directeur",
                             "opmerking": "Goede samenwerking"}
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    page = Tab(form_page.client, html)
    assert [v for k, v in page.pairs if k == "q_medewerkers"] == ["1", "3"]
    assert page.value("q_overleg") == "12" and page.value("q_verzoek") == "1"
    assert page.value("q_kanaal__anders") == "Via de directeur"
    # nine questions shown that take an answer, all answered
    assert "9 van 9 vragen beantwoord" in _text(html)


def test_the_copy_gives_every_answer_in_words(form_page):
    _answer_everything(form_page)
    copy = _text(form_page.client.get("/vragenlijst/kopie").get_data(as_text=True))
    assert "Psycholoog of pedagoog; Arts (anders: Zorgcoördinator)" in copy
    assert "Onderwijsloopbaan" in copy and "12 keer" in copy
    assert "Via een online formulier of e-mail: Via de directeur" in copy
    assert "Zeer tevreden" in copy and "Geen zicht / niet van toepassing" in copy
    assert "Goede samenwerking" in copy
    assert "Waarom stelde uw school geen vraag" not in copy    # hidden: not printed


def test_a_complete_submit_goes_straight_to_the_confirmation(app, form_page, invited):
    answer = Tab(form_page.client).post(EVERYTHING, action="submit")
    assert answer.headers["Location"].endswith("/vragenlijst/bevestiging")
    assert _draft(app, invited.invitation_id).submitted
    page = form_page.client.get("/vragenlijst/bevestiging").get_data(as_text=True)
    assert "Bedankt, uw antwoorden zijn ingediend" in page


def test_the_saved_page_counts_the_shown_questions(form_page):
    answer = Tab(form_page.client).post({"q_verzoek": "2", "q_overleg": "0"}, action="later")
    assert answer.headers["Location"].endswith("/vragenlijst/bewaard")
    page = _text(form_page.client.get("/vragenlijst/bewaard").get_data(as_text=True))
    assert "U beantwoordde 2 van de 5 vragen." in page     # a 0 is an answer


def test_a_closed_round_shows_the_copy_of_every_type(app, form_page, invited):
    from survey.models import Invitation

    Tab(form_page.client).post(EVERYTHING, action="submit")
    with app.app_context():
        db.session.get(Invitation, invited.invitation_id).round.state = "closed"
        db.session.commit()
    closed = form_page.client.get("/vragenlijst")
    assert closed.status_code == 403 and "is afgesloten" in closed.get_data(as_text=True)
    copy = _text(form_page.client.get("/vragenlijst/kopie").get_data(as_text=True))
    assert "Ingediend op" in copy and "12 keer" in copy and "Psycholoog of pedagoog; Arts" \
        in copy
    assert Tab(form_page.client, form_page.client.get("/vragenlijst/kopie").get_data(
        as_text=True)).pairs == []          # no form on the copy


# --- routing ---------------------------------------------------------------------------

def test_without_javascript_the_follow_ups_appear_after_bewaren(form_page):
    tab = Tab(form_page.client)
    assert "q_kanaal" not in dict(tab.pairs)            # disabled: not posted
    assert tab.post({"q_verzoek": "1"}).status_code == 303
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    for key in FOLLOW_UPS:
        assert not _is_hidden(html, f"vraag-{key}"), key
        assert all(" disabled" not in c for c in _controls_of(html, key)), key
    assert _is_hidden(html, "vraag-waarom-geen-vraag")
    assert _is_hidden(html, "deel-arts")
    assert "1 van 8 vragen beantwoord" in _text(html)


def test_a_multi_option_shows_a_section(form_page):
    Tab(form_page.client).post({"q_medewerkers": ["3"]})
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    assert not _is_hidden(html, "deel-arts") and not _is_hidden(html, "vraag-arts-afspraken")


def test_hidden_follow_ups_keep_their_draft_and_are_marked_hidden_at_submit(
        app, form_page, invited):
    tab = Tab(form_page.client)
    tab.post({"q_verzoek": "1", "q_medewerkers": ["1"]})
    tab = Tab(form_page.client)
    tab.post({"q_kanaal": "2", "q_kanaal__anders": "telefoon", "q_snel-antwoord": "3",
              "q_tevredenheid-cijfer": "7"})
    # verzoek becomes nee: the follow-ups hide (not posted), what they held stays
    Tab(form_page.client).post({"q_verzoek": "2"})
    draft = _draft(app, invited.invitation_id)
    assert (draft.answers[VERZOEK], draft.answers[KANAAL], draft.answers[SNEL],
            draft.answers[CIJFER]) == (2, 2, 3, 7)
    assert draft.remarks["kanaal-anders"] == "telefoon"
    html = form_page.client.get("/vragenlijst").get_data(as_text=True)
    assert all(_is_hidden(html, f"vraag-{key}") for key in FOLLOW_UPS)
    assert not _is_hidden(html, "vraag-waarom-geen-vraag")

    # optional questions open (hoofdthema, overleg, bereikbaar): confirm, then submit
    assert Tab(form_page.client).post(action="submit").headers["Location"].endswith(
        "/vragenlijst/indienen")
    assert form_page.submit_confirmed().headers["Location"].endswith("/bevestiging")
    with app.app_context():
        rows = dict(db.session.execute(select(Answer.item, Answer.hidden)).all())
        texts = dict(db.session.execute(select(Remark.key, Remark.hidden)).all())
        kept = counts.cube(db.session, invited.round_id)
        fresh = counts.recomputed(db.session, invited.round_id)
    assert rows == {1001: False, 1002: False, 1003: False, 1004: False, 1005: False,
                    VERZOEK: False, KANAAL: True, SNEL: True, CIJFER: True}
    assert texts == {"kanaal-anders": True}
    centre = ("100001", "bao")
    assert fresh == {(*centre, 1001, 1): 1, (*centre, 1002, 0): 1, (*centre, 1003, 0): 1,
                     (*centre, 1004, 0): 1, (*centre, 1005, 0): 1, (*centre, VERZOEK, 2): 1}
    assert kept == fresh
    copy = _text(form_page.client.get("/vragenlijst/kopie").get_data(as_text=True))
    assert "Hoe stelde uw school die vraag?" not in copy and "Nee" in copy


# --- required questions --------------------------------------------------------------

def test_a_required_question_blocks_the_submit(app, form_page, invited):
    answer = Tab(form_page.client).post({"q_medewerkers": ["2"]}, action="submit")
    assert answer.headers["Location"].endswith("/vragenlijst/indienen")
    page = form_page.client.get("/vragenlijst/indienen").get_data(as_text=True)
    assert "Dit moet u nog invullen" in page
    assert 'href="/vragenlijst#vraag-verzoek"' in page
    assert "Toch indienen" not in page and 'action="/vragenlijst/indienen"' not in page
    # a submit posted anyway: the confirm page with what is missing, nothing submitted
    forced = form_page.submit_confirmed()
    assert forced.status_code == 422
    assert "Dit moet u nog invullen" in forced.get_data(as_text=True)
    draft = _draft(app, invited.invitation_id)
    assert draft.status == "draft" and draft.answers[1002] == 1


def test_optional_questions_can_be_left_open(app, form_page, invited):
    Tab(form_page.client).post({"q_medewerkers": ["2"], "q_verzoek": "2"})
    page = form_page.client.get("/vragenlijst/indienen").get_data(as_text=True)
    assert "Dit moet u nog invullen" not in page and "Toch indienen" in page
    assert "3 van de 5 vragen" in _text(page)      # hoofdthema, overleg, bereikbaar
    assert form_page.submit_confirmed().headers["Location"].endswith("/bevestiging")
    assert _draft(app, invited.invitation_id).submitted


def test_a_multi_with_too_many_choices_cannot_be_submitted(app, make_round, make_invited,
                                                          client, questionnaire):
    from dataclasses import replace

    from helpers import FormPage

    strict = replace(questionnaire, sections=(replace(questionnaire.sections[0], items=(
        replace(questionnaire.sections[0].items[0], max_choices=2),
        *questionnaire.sections[0].items[1:])), *questionnaire.sections[1:]))
    with app.app_context():
        from survey.services import rounds

        rnd = rounds.create_round(db.session, name="Streng", school_year="2026-2027",
                                  questionnaire=strict)
        rounds.open_round(db.session, rnd)
        db.session.commit()
        round_id = rnd.id
    invited = make_invited(round_id)
    page = FormPage(client, invited)
    page.open()
    Tab(client).post({"q_medewerkers": ["1", "2", "3"], "q_verzoek": "2"})
    confirm = client.get("/vragenlijst/indienen").get_data(as_text=True)
    assert "kies hoogstens 2 antwoorden" in confirm
    assert page.submit_confirmed().status_code == 422
    assert not _draft(app, invited.invitation_id).submitted


# --- autosave -----------------------------------------------------------------------

def test_autosave_of_a_multi_stores_the_whole_answer(app, form_page, invited):
    tab = Tab(form_page.client)
    reply = tab.autosave("q_medewerkers", ["1", "3"], other="Zorgcoördinator")
    assert reply.status_code == 200
    assert reply.get_json()["basis"].startswith("1|0|1|0|0|#")
    draft = _draft(app, invited.invitation_id)
    assert {s: draft.answers[s] for s in MEDEWERKERS} == {1001: 1, 1002: 0, 1003: 1,
                                                          1004: 0, 1005: 0}
    assert draft.remarks == {"medewerkers-anders": "Zorgcoördinator"}
    # every box unticked and the text emptied: the answer is cleared
    assert tab.autosave("q_medewerkers", [], other="").status_code == 200
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {} and draft.remarks == {}


def test_autosave_of_a_single_keeps_its_other_text(app, form_page, invited):
    tab = Tab(form_page.client)
    assert tab.autosave("q_kanaal", ["2"], other="Per telefoon").status_code == 200
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {KANAAL: 2} and draft.remarks == {"kanaal-anders": "Per telefoon"}


@pytest.mark.parametrize(("value", "status", "stored"), [
    ("12", 200, 12), ("0", 200, 0), ("60", 200, 60), (" 7 ", 200, 7),
    ("61", 422, None), ("-1", 422, None), ("abc", 422, None), ("3.5", 422, None),
    ("1_0", 422, None), ("١٢", 422, None), ("9" * 40, 422, None),
])
def test_autosave_of_a_number(app, form_page, invited, value, status, stored):
    reply = Tab(form_page.client).autosave("q_overleg", [value])
    assert reply.status_code == status
    if status == 422:
        assert reply.get_json()["status"] == "invalid"
        assert "Vraag 3" in reply.get_json()["message"]
    assert _draft(app, invited.invitation_id).answers.get(OVERLEG) == stored


def test_autosave_of_an_emptied_number_clears_it(app, form_page, invited):
    tab = Tab(form_page.client)
    tab.autosave("q_overleg", ["5"])
    assert tab.autosave("q_overleg", [""]).status_code == 200
    assert OVERLEG not in _draft(app, invited.invitation_id).answers


def test_a_number_out_of_bounds_says_the_bounds(form_page):
    message = Tab(form_page.client).autosave("q_overleg", ["61"]).get_json()["message"]
    assert message == "Vraag 3: geef een geheel getal van 0 tot en met 60."


# --- two tabs ------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "elsewhere", "here", "stored_words", "posted_words"), [
    ("q_medewerkers", ["1", "2"], ["3"],
     "Psycholoog of pedagoog; Maatschappelijk werker", "Arts"),
    ("q_overleg", ["4"], "9", "4 keer", "9 keer"),
    ("q_verzoek", ["1"], "2", "Ja", "Nee"),
    ("q_hoofdthema", ["1"], "4", "Leren en studeren", "Preventieve gezondheidszorg"),
])
def test_the_same_question_changed_in_two_tabs_is_shown_not_overwritten(
        app, form_page, invited, field, elsewhere, here, stored_words, posted_words):
    stale = Tab(form_page.client)
    fresh = Tab(form_page.client)
    assert fresh.autosave(field, elsewhere).status_code == 200
    answer = stale.post({field: here, "q_bereikbaar": "2"})
    assert answer.status_code == 409
    text = _text(answer.get_data(as_text=True))
    assert (f"In een ander venster werd intussen {stored_words} bewaard (hieronder "
            f"aangeduid). In dit venster koos u {posted_words}.") in text
    with app.app_context():
        expected = svc.load_draft(db.session, invited.invitation_id)
    assert expected.answers[BEREIKBAAR] == 2                 # the rest is saved
    # the page shows what is stored; choosing again saves
    again = Tab(form_page.client, answer.get_data(as_text=True))
    assert [v for k, v in again.pairs if k == field] == list(elsewhere)
    assert again.post({field: here}).status_code == 303


def test_a_stale_tab_does_not_revert_a_multi_changed_elsewhere(app, form_page, invited):
    stale = Tab(form_page.client)
    Tab(form_page.client).autosave("q_medewerkers", ["2"])
    assert stale.post({"q_hoofdthema": "1"}).status_code == 303
    draft = _draft(app, invited.invitation_id)
    assert draft.answers[1002] == 1 and draft.answers[HOOFDTHEMA] == 1


# --- refused input -------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"q_overleg": "61"}, "Vraag 3: geef een geheel getal van 0 tot en met 60."),
    ({"q_overleg": "abc"}, "Vraag 3: 'abc' is geen geheel getal."),
    ({"q_overleg": "1_0"}, "Vraag 3: '1_0' is geen geheel getal."),
    ({"q_hoofdthema": "9"}, "Vraag 2: 9 is geen van de antwoorden."),
    ({"q_verzoek": "3"}, "Vraag 11: 3 is geen van de antwoorden."),
    ({"q_medewerkers": ["1", "1"]}, "Vraag 1: keuze 1 is twee keer aangeduid."),
    ({"q_medewerkers": ["9"]}, "Vraag 1: 9 is geen van de keuzes."),
    ({"q_medewerkers": ["x"]}, "Vraag 1: 'x' is geen van de keuzes."),
    ({"s25": "7"}, "Stelling 25: 7 is geen antwoord op de schaal."),
    ({"q_bereikbaar": "5"}, "Stelling 'Goed bereikbaar': 5 is geen antwoord op de schaal."),
    ({"t_opmerking": "x" * 4001}, "hoogstens 4000 tekens"),
    ({"q_medewerkers__anders": "x" * 501}, "hoogstens 500 tekens"),
])
def test_wrong_values_are_refused_on_the_form_and_nothing_is_stored(
        app, form_page, invited, changes, message):
    posted = {"q_hoofdthema": "1", "q_overleg": "4", **changes}
    answer = Tab(form_page.client).post(posted)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Controleer uw antwoorden" in html and message in _text(html)
    assert _draft(app, invited.invitation_id).status is None
    kept = Tab(form_page.client, html)     # the values posted are shown again
    for name in ("q_hoofdthema", "q_overleg"):
        if name not in changes or name == "q_overleg":   # a box shows even a wrong value
            assert kept.value(name) == posted[name]


def test_a_refused_page_keeps_the_draft_of_its_hidden_questions(app, form_page, invited):
    Tab(form_page.client).post({"q_verzoek": "1", "q_tevredenheid-cijfer": "6"})
    Tab(form_page.client).post({"q_verzoek": "2"})
    refused = Tab(form_page.client).post({"q_overleg": "99"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert _is_hidden(html, "vraag-tevredenheid-cijfer")
    assert 'value="6"' in _controls_of(html, "tevredenheid-cijfer")[0]


def test_unknown_fields_are_ignored(app, form_page, invited):
    answer = Tab(form_page.client).post({"q_bestaat-niet": "1", "s999": "4",
                                         "t_onbekend": "x", "q_hoofdthema": "3"})
    assert answer.status_code == 303
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {HOOFDTHEMA: 3} and draft.remarks == {}


def test_a_huge_list_of_fields_is_refused_with_one_message(app, form_page, invited):
    answer = Tab(form_page.client).post({"q_medewerkers": ["1"] * 5000})
    assert answer.status_code == 422
    text = _text(answer.get_data(as_text=True))
    assert text.count("Vraag 1: er werden 5000 keuzes doorgestuurd, de vraag heeft er 5.") \
        == 1
    assert _draft(app, invited.invitation_id).status is None


@pytest.mark.parametrize("field", ["q_bestaat-niet", "q_medewerkers__anders", "basis", ""])
def test_autosave_of_what_is_not_a_question_is_refused(app, form_page, invited, field):
    reply = Tab(form_page.client).autosave(field, ["1"])
    assert reply.status_code == 422 and reply.get_json()["status"] == "invalid"
    with app.app_context():
        assert db.session.scalar(select(Response.id)) is None



# --- in a real Chromium: the page script ------------------------------------------------

def _eventually(check, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.mark.browser
def test_the_script_shows_follow_ups_and_autosaves_every_type(app, browser, live_server,
                                                              invited):
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + invited.path)
    kanaal = page.locator("#vraag-kanaal")
    expect(kanaal).to_be_hidden()
    expect(page.locator("#progress-text")).to_contain_text("0 van 5 vragen beantwoord")

    page.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    expect(kanaal).to_be_visible()
    expect(page.locator("#progress-text")).to_contain_text("1 van 8 vragen beantwoord")
    medewerkers = page.locator("#vraag-medewerkers")
    medewerkers.get_by_label("Arts", exact=True).check()
    medewerkers.get_by_label("Maatschappelijk werker", exact=True).check()
    expect(page.locator("#deel-arts")).to_be_visible()
    medewerkers.get_by_label("Anders, namelijk:").fill("Zorgcoördinator")
    medewerkers.get_by_label("Anders, namelijk:").blur()
    kanaal.get_by_label("Via de vaste contactpersoon", exact=True).check()

    overleg = page.locator("#q_overleg")
    overleg.fill("61")
    overleg.blur()
    expect(page.locator("#vraag-overleg .error")).to_have_text(
        "Geef een geheel getal van 0 tot en met 60.")
    overleg.fill("12")
    overleg.blur()
    expect(page.locator("#vraag-overleg .error")).to_have_count(0)
    _eventually(lambda: _draft(app, invited.invitation_id).answers == {
        VERZOEK: 1, 1001: 0, 1002: 1, 1003: 1, 1004: 0, 1005: 0, KANAAL: 1, OVERLEG: 12})
    assert _draft(app, invited.invitation_id).remarks == {
        "medewerkers-anders": "Zorgcoördinator"}

    # nee: the follow-ups hide again, their answers stay in the draft
    page.locator("#vraag-verzoek").get_by_label("Nee", exact=True).check()
    expect(kanaal).to_be_hidden()
    expect(page.locator("#vraag-waarom-geen-vraag")).to_be_visible()
    _eventually(lambda: _draft(app, invited.invitation_id).answers[VERZOEK] == 2)
    assert _draft(app, invited.invitation_id).answers[KANAAL] == 1

    # a whole-page save now posts nothing of the hidden questions
    page.get_by_role("button", name="Bewaren").first.click()
    page.wait_for_url("**/vragenlijst#deel-werking")
    assert _draft(app, invited.invitation_id).answers[KANAAL] == 1
    expect(page.locator("#vraag-kanaal")).to_be_hidden()
    context.close()


@pytest.mark.browser
def test_without_javascript_bewaren_shows_the_follow_ups(app, browser, live_server, invited):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + invited.path)
    expect(page.locator("#vraag-kanaal")).to_be_hidden()
    page.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    page.locator("#deel-vraag").get_by_role("button", name="Bewaren").click()
    page.wait_for_url("**/vragenlijst#deel-vraag")
    expect(page.locator("#vraag-kanaal")).to_be_visible()
    page.locator("#vraag-kanaal").get_by_label("Via de vaste contactpersoon",
                                                exact=True).check()
    page.locator("#q_tevredenheid-cijfer").fill("8")
    page.locator("#deel-vraag").get_by_role("button", name="Bewaren").click()
    page.wait_for_url("**/vragenlijst#deel-vraag")
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {VERZOEK: 1, KANAAL: 1, CIJFER: 8}
    context.close()


@pytest.mark.browser
def test_the_form_fits_a_320_pixel_screen(browser, live_server, invited):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server + invited.path)
    page.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways ({width} px)"
    box = page.locator("#q_overleg").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page whose CSP lets axe-core be injected (the pages' own CSP rightly refuses)."""
    from conftest import need_service
    from test_accessibility import AXE

    if not AXE.exists():
        need_service(f"accessibility tests need axe-core at {AXE} (bash .ci/fetch-axe)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page, AXE.read_text(encoding="utf-8")
    context.close()


@pytest.mark.browser
def test_every_type_has_no_serious_accessibility_violation(app, axe_page, live_server,
                                                           invited):
    from test_accessibility import serious

    page, axe = axe_page
    page.goto(live_server + invited.path)
    page.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    page.locator("#vraag-medewerkers").get_by_label("Arts", exact=True).check()
    assert serious(page, axe) == [], "the form with every type shown"
    page.locator("#q_overleg").fill("99")
    page.locator("#q_overleg").blur()
    assert serious(page, axe) == [], "a number refused by the script"
    page.goto(live_server + "/vragenlijst")
    page.locator("#vraag-medewerkers").get_by_label("Arts", exact=True).uncheck()
    page.get_by_role("button", name="Indienen").click()
    page.wait_for_url("**/indienen")
    assert serious(page, axe) == [], "the confirm page with a required question open"
    page.goto(live_server + "/vragenlijst/kopie")
    assert serious(page, axe) == [], "the copy"
