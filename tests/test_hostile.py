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


ADMIN_POSTS = ["/beheer/rondes/nieuw", "/beheer/rondes/{r}/status",
               "/beheer/rondes/{r}/scholen", "/beheer/rondes/{r}/uitnodigingen/{i}",
               "/beheer/rondes/{r}/versturen", "/beheer/rondes/{r}/onzeker",
               "/beheer/gebruikers", "/beheer/inlezen/bevestigen",
               "/beheer/rondes/{r}/rapporten/bouwen",
               "/beheer/rondes/{r}/opmerkingen/{i}/opmerking-algemeen"]
ADMIN_FIELDS = ["name", "school_year", "questionnaire", "opens_at", "closes_at",
                "min_group_size", "centres", "reference_round", "action", "number", "email",
                "role", "centre", "message", "not_started", "upload", "redacted"]
IDS = ["own", "other", "999999", "0"]
# Besides hostile values, the ones the console's forms do accept, so that some posts do
# change something (withdraw, approve, close...) and the checks below have work to do.
ADMIN_VALUES = st.one_of(VALUES, st.sampled_from(
    ["withdraw", "reinstate", "approve", "redact", "hide", "reset", "close", "publish",
     "reopen", "open", "invitation", "reminder-1", "inspector", "centre", "y"]))


def _rounds(app, make_round, make_invited, questionnaire) -> dict:
    """Two rounds, each with a submitted school and one that did not answer."""
    if getattr(app, "_hostile_rounds", None):
        return app._hostile_rounds
    made = {}
    for key in ("own", "other"):
        round_id = make_round()
        submitted, silent = make_invited(round_id), make_invited(round_id, "so")
        with app.app_context():
            svc.save(db.session, submitted.invitation_id, all_answers(questionnaire, 3),
                     {"opmerking-algemeen": "Een opmerking"}, submit=True)
            db.session.commit()
        made[key] = (round_id, submitted.invitation_id, silent.invitation_id)
    app._hostile_rounds = made
    return made


def _snapshot(app, round_id: int) -> tuple:
    """What an inspector's post to another round must leave alone; and the kept figures
    and counts of the round, which must equal a recount whatever was posted."""
    from sqlalchemy import select

    from survey.models import Invitation, Remark, Response
    from survey.services import counts, tally

    with app.app_context():
        assert tally.kept(db.session, round_id) == tally.recomputed(db.session, round_id)
        assert counts.cube(db.session, round_id) == counts.recomputed(db.session, round_id)
        return tuple(db.session.execute(
            select(Invitation.id, Invitation.revoked_at, Response.status, Remark.review,
                   Remark.redacted_text)
            .outerjoin(Response, Response.invitation_id == Invitation.id)
            .outerjoin(Remark, Remark.response_id == Response.id)
            .where(Invitation.round_id == round_id).order_by(Invitation.id)).all())


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(path=st.sampled_from(ADMIN_POSTS), round_key=st.sampled_from(IDS),
       item_key=st.sampled_from(IDS),
       form=st.dictionaries(st.one_of(st.sampled_from(ADMIN_FIELDS), st.text(max_size=10)),
                            ADMIN_VALUES, max_size=8))
def test_console_posts_never_fail_and_touch_only_their_round(
        app, inspector_client, make_round, make_invited, questionnaire, path, round_key,
        item_key, form):
    made = _rounds(app, make_round, make_invited, questionnaire)
    ids = {key: (made[key][0], made[key][1]) if key in made else (key, key) for key in IDS}
    url = path.format(r=ids[round_key][0], i=ids[item_key][1])
    untouched = [made[key][0] for key in made if f"/rondes/{made[key][0]}/" not in url]
    before = {round_id: _snapshot(app, round_id) for round_id in untouched}
    token = csrf_in(inspector_client.get("/beheer/gebruikers").get_data(as_text=True))
    answer = inspector_client.post(url, data={**form, "csrf_token": token})
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, (url, form, answer.status_code)
    for key in made:
        _snapshot(app, made[key][0])          # kept figures equal a recount
    assert {round_id: _snapshot(app, round_id) for round_id in untouched} == before


REMARK = "t_opmerking-algemeen"


def test_autosave_of_a_remark_with_nul_and_controls_stores_it_cleaned(app, form_page):
    answer = form_page.autosave(REMARK, "Goed\x00 samen\x0bwerken\u2028ja\x1b")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with app.app_context():
        draft = svc.load_draft(db.session, form_page.invited.invitation_id)
    assert draft.remarks == {"opmerking-algemeen": "Goed samen\nwerken\nja"}


def test_saving_the_page_with_a_nul_in_a_remark_keeps_the_whole_page(app, form_page,
                                                                     questionnaire):
    answers = all_answers(questionnaire, 3)
    answer = form_page.post(answers, **{REMARK: "Eén\x00 lijn\r\ntwee\ttab"})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    with app.app_context():
        draft = svc.load_draft(db.session, form_page.invited.invitation_id)
    assert draft.answers == answers
    assert draft.remarks == {"opmerking-algemeen": "Eén lijn\ntwee\ttab"}


def test_a_redaction_with_nul_and_controls_is_stored_cleaned(app, make_round, make_invited,
                                                             questionnaire):
    from survey.database import write_transaction
    from survey.models import Remark, Round
    from survey.services import remarks

    invited = make_invited(make_round())
    with app.app_context():
        svc.save(db.session, invited.invitation_id, all_answers(questionnaire, 3),
                 {"opmerking-algemeen": "Origineel"}, submit=True)
        db.session.commit()
        remark = db.session.scalars(db.select(Remark)).one()
        with write_transaction(db.session):
            remarks.review(db.session, db.session.get(Round, invited.round_id),
                           remark.response_id, remark.key, "redact", None,
                           "Ingekort\x00\x0bdeel\u2028twee\x1b")
        db.session.expire_all()
        assert db.session.scalars(db.select(Remark)).one().redacted_text == \
            "Ingekort\ndeel\ntwee"
