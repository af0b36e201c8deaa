"""Hostile input (property tests): whatever a POST carries (unknown fields, wrong types,
huge values, wrong statement numbers, values outside the scale, a tampered ticket), the
answer is never a 500 and nothing is written outside the caller's own response."""

from __future__ import annotations

from conftest import csrf_in
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers import FormPage, all_answers
from survey.extensions import db
from survey.services import answers as svc

FIELD_NAMES = ["s4", "s5", "s27", "s3", "s11", "s999", "s-1", "s", "opmerking-algemeen",
               "opmerking-onbekend", "action", "field", "value", "ticket", "csrf_token",
               "invitation_id", "response_id"]
VALUES = st.one_of(
    st.sampled_from(["0", "1", "4", "5", "-1", "99999999999999999999", "3.5", "", "null",
                     "save", "submit", "later", "save:algemeen", "save:bestaat-niet",
                     "s4", "opmerking-algemeen", "=cmd|' /C calc'!A0", "\x00", "é" * 50]),
    st.text(max_size=40),
    st.integers(min_value=-10**12, max_value=10**12).map(str))
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12)),
                        VALUES, max_size=8)
PATHS = st.sampled_from(["/vragenlijst", "/vragenlijst/autosave", "/vragenlijst/indienen"])


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(path=PATHS, form=FORMS, keep_csrf=st.booleans(), ticket=st.sampled_from(
    ["real", "real", "tampered", "missing", "other school"]),
       huge=st.sampled_from([False, False, False, True]))
def test_school_posts_never_fail_and_stay_in_their_own_response(
        app, client, make_round, make_invited, questionnaire, path, form, keep_csrf, ticket,
        huge):
    state = _state(app, client, make_round, make_invited, questionnaire)
    page: FormPage = state["page"]
    data = dict(form)
    if keep_csrf:
        data["csrf_token"] = page.csrf
    data["ticket"] = {"real": page.ticket, "tampered": page.ticket[:-3] + "abc",
                      "missing": "", "other school": state["other_ticket"]}[ticket]
    if huge:
        data["opmerking-algemeen"] = "x" * 3_000_000     # past the 2 MB request limit
    answer = client.post(path, data=data)
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, (path, answer.status_code)
    with app.app_context():
        bystander = svc.load_draft(db.session, state["bystander"])
        assert bystander.answers == state["bystander_answers"]
        assert bystander.status == "draft"
        own = svc.load_draft(db.session, state["own"])
        assert set(own.answers.values()) <= {0, 1, 2, 3, 4}
        assert set(own.answers) <= {s.number for s in questionnaire.statements}


def _state(app, client, make_round, make_invited, questionnaire) -> dict:
    """Made once per test function (Hypothesis runs the examples in one of them)."""
    if getattr(app, "_hostile", None):
        return app._hostile
    round_id = make_round()
    own, other, bystander = (make_invited(round_id) for _ in range(3))
    page = FormPage(client, own)
    page.open()
    other_page = FormPage(app.test_client(), other)   # a ticket the attacker may have seen
    other_page.open()
    answers = all_answers(questionnaire, 2)
    with app.app_context():
        svc.save(db.session, bystander.invitation_id, answers)
        db.session.commit()
    app._hostile = {"page": page, "own": own.invitation_id, "other_ticket": other_page.ticket,
                    "bystander": bystander.invitation_id, "bystander_answers": answers}
    return app._hostile


ADMIN_POSTS = ["/beheer/rondes/nieuw", "/beheer/rondes/1/status", "/beheer/rondes/1/scholen",
               "/beheer/rondes/1/uitnodigingen/1", "/beheer/rondes/1/versturen",
               "/beheer/rondes/1/onzeker", "/beheer/gebruikers", "/beheer/inlezen/bevestigen",
               "/beheer/rondes/1/rapporten/bouwen",
               "/beheer/rondes/1/opmerkingen/1/opmerking-algemeen"]
ADMIN_FIELDS = ["name", "school_year", "questionnaire", "opens_at", "closes_at",
                "min_group_size", "centres", "reference_round", "action", "number", "email",
                "role", "centre", "message", "not_started", "upload", "redacted"]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(path=st.sampled_from(ADMIN_POSTS),
       form=st.dictionaries(st.one_of(st.sampled_from(ADMIN_FIELDS), st.text(max_size=10)),
                            VALUES, max_size=8))
def test_console_posts_never_fail(app, inspector_client, invited, path, form):
    token = csrf_in(inspector_client.get("/beheer/gebruikers").get_data(as_text=True))
    answer = inspector_client.post(path, data={**form, "csrf_token": token})
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, (path, form, answer.status_code)
