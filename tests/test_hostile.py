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


# --- The same on the example questionnaire: every item type and routing ---------------

EXAMPLE_FIELDS = ["q_medewerkers", "q_medewerkers", "q_medewerkers__anders",
                  "q_medewerkers__getoond", "q_hoofdthema", "q_overleg", "q_bereikbaar",
                  "q_verzoek", "q_kanaal", "q_kanaal__anders", "q_snel-antwoord",
                  "q_tevredenheid-cijfer", "t_waarom-geen-vraag", "s25", "t_opmerking",
                  "q_bestaat-niet", "s1", "action", "field", "value", "value", "other",
                  "basis"]
EXAMPLE_VALUES = st.one_of(
    VALUES,
    st.sampled_from(["1", "2", "3", "4", "5", "6", "0", "10", "11", "60", "61", "1_0",
                     " 7", "q_medewerkers", "q_overleg", "q_verzoek", "t_opmerking",
                     "q_kanaal", '{"q_overleg":"3"}', "{", "[]", '{"q_verzoek":1}',
                     "x" * 4001, "y" * 501]))
EXAMPLE_FORMS = st.lists(st.tuples(st.sampled_from(EXAMPLE_FIELDS), EXAMPLE_VALUES),
                         max_size=16)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(path=PATHS, pairs=EXAMPLE_FORMS, keep_csrf=st.booleans(),
       then=st.sampled_from([None, None, "/vragenlijst/indienen", "/vragenlijst/autosave"]),
       complete=st.booleans())
def test_posts_on_every_item_type_never_fail_and_store_only_what_fits(
        app, client, make_invited, path, pairs, keep_csrf, then, complete):
    """Whatever is posted on the example questionnaire (every type, routing, required
    questions), never a 500; what is stored fits its item (a multi whole or not at all);
    a submit has no required question open and hides what routing hides; the kept counts
    equal a recount; a bystander's draft is untouched."""
    from sqlalchemy import select
    from werkzeug.datastructures import MultiDict

    from helpers import Invited
    from instrument import routing
    from survey.models import Answer, Remark, Response
    from survey.services import counts

    state = _example_state(app, make_invited)
    q = state["q"]
    invited = make_invited(state["round_id"])
    page = FormPage(app.test_client(), Invited(invited.invitation_id, invited.round_id,
                                               invited.token))
    page.open()
    if complete:
        # Half the time the required questions are answered first (verzoek = ja, so the
        # follow-ups are shown), so that some of the posts below submit.
        saved = page.post(**{"q_medewerkers": "1", "q_medewerkers__getoond": "1",
                             "q_verzoek": "1", "q_kanaal": "2"})
        assert saved.status_code == 303
    data = MultiDict(pairs)
    data["ticket"] = page.ticket
    if keep_csrf:
        data["csrf_token"] = page.csrf
    for target in (path, then):
        if target is not None:
            answer = page.client.post(target, data=data)
            event(f"{target} status {answer.status_code}")
            assert answer.status_code < 500, (target, answer.status_code)
    with app.app_context():
        own = svc.load_draft(db.session, invited.invitation_id)
        hidden = dict(db.session.execute(
            select(Answer.item, Answer.hidden).join(Response).where(
                Response.invitation_id == invited.invitation_id)).all())
        hidden_texts = dict(db.session.execute(
            select(Remark.key, Remark.hidden).join(Response).where(
                Response.invitation_id == invited.invitation_id)).all())
        bystander = svc.load_draft(db.session, state["bystander"])
        assert counts.cube(db.session, state["round_id"]) == counts.recomputed(
            db.session, state["round_id"])
    assert bystander.answers == state["bystander_answers"] and not bystander.submitted
    for slot, value in own.answers.items():
        item = q.by_slot[slot]
        assert item.kind.check(item, slot, value) is None, (slot, value)
    for key, text in own.remarks.items():
        item = q.by_remark[key]
        assert item.kind.check_text(item, key, text) is None, key
    for item in q.items:
        if item.type == "multi":
            stored = {s for s in item.slots if s in own.answers}
            assert stored in (set(), set(item.slots)), stored
    if own.submitted:
        event("submitted")
        assert not routing.missing(q, own.answers, own.remarks).blocks_submit
        slots, keys = routing.hidden_storage(q, own.answers)
        assert {s for s, flag in hidden.items() if flag} == set(slots) & set(hidden)
        assert {k for k, flag in hidden_texts.items() if flag} == set(keys) & set(
            hidden_texts)
    else:
        assert not any(hidden.values()) and not any(hidden_texts.values())


def _example_state(app, make_invited) -> dict:
    """A round on the example questionnaire and a bystander's draft, once per test."""
    if getattr(app, "_hostile_example", None):
        return app._hostile_example
    from datetime import timedelta

    from survey.models import utcnow
    from survey.questionnaire import bundled
    from survey.services import rounds

    example = bundled("voorbeeld-alle-vraagtypes")
    with app.app_context():
        rnd = rounds.create_round(db.session, name="Voorbeeld", school_year="2026-2027",
                                  questionnaire=example,
                                  opens_at=utcnow() - timedelta(days=1),
                                  closes_at=utcnow() + timedelta(days=30))
        rounds.open_round(db.session, rnd)
        db.session.commit()
        round_id = rnd.id
    bystander = make_invited(round_id)
    answers = {1001: 1, 1002: 0, 1003: 0, 1004: 0, 1005: 0, 11: 1, 1007: 2}
    with app.app_context():
        svc.save(db.session, bystander.invitation_id, answers)
        db.session.commit()
    app._hostile_example = {"q": example, "round_id": round_id,
                            "bystander": bystander.invitation_id,
                            "bystander_answers": answers}
    return app._hostile_example


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


# --- Arbitrary Unicode from the edge to every writer ----------------------------------

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["\x00", "\x0b", "\x0c", "\r", "\n", "\r\n", "\x85",
                                      "\u2028", "\u2029", "\x1b", "\x7f", "\x9f", "\t",
                                      "\ufeff", "\u202e", "e\u0301", "😀", "=", ";", '"',
                              "a", " "]), min_size=1, max_size=20).map("".join),
    st.sampled_from(["Élève", "E\u0301le\u0300ve", "=HYPERLINK(\"x\")", "a\x00b", "\x00"]))
# Names in an import: a NUL refuses the whole file (tested once in a while, and on its
# own in test_sector_import.py), so most names go without one and most have a letter.
NAMES = st.one_of(HOSTILE.map(lambda t: "School " + t.replace("\x00", "")),
                  HOSTILE.map(lambda t: t.replace("\x00", "")), HOSTILE)


def _upload_row(inspector_client, number: str, school_name: str, centre_name: str,
                town: str) -> str:
    """One row through the console's import (dry run, then confirmation); the page."""
    import csv
    import io
    import re

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Schoolnummer", "Schoolnaam", "Niveau", "CLB-nummer", "CLB", "Net",
                     "E-mail", "Gemeente"])
    writer.writerow([number, school_name, "bao", "114983", centre_name, "Vrij CLB",
                     f"directie{number}@example.org", town])
    token = csrf_in(inspector_client.get("/beheer/inlezen").get_data(as_text=True))
    preview = inspector_client.post("/beheer/inlezen", data={
        "csrf_token": token, "file": (io.BytesIO(out.getvalue().encode()), "s.csv")},
        content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    if "\x00" in out.getvalue():     # refused as a whole, the NUL's place named
        assert preview.status_code == 400, preview.status_code
        assert "NUL-teken" in html or "geen tekstbestand" in html
        return html
    assert preview.status_code == 200, preview.status_code
    found = re.search(r'name="upload"[^>]*value="([0-9a-f]{32})"', html)
    if found:
        confirmed = inspector_client.post("/beheer/inlezen/bevestigen", data={
            "csrf_token": csrf_in(html), "upload": found.group(1)})
        assert confirmed.status_code == 302, confirmed.status_code
    return html


def _download(client, url: str) -> bytes:
    answer = client.get(url)
    body = answer.get_data()          # a streamed answer runs to its end here
    answer.close()
    assert answer.status_code == 200, (url, answer.status_code)
    return body


def _export(client, round_id: int, key: str) -> bytes:
    """A large export of the round: made by its job, then downloaded."""
    from export_download import download_export

    answer = download_export(client, round_id, key)
    assert answer.status_code == 200, (key, answer.status_code)
    return answer.data


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(school_name=NAMES, centre_name=NAMES, town=NAMES, remark=HOSTILE,
       redacted=HOSTILE)
def test_arbitrary_unicode_from_import_form_and_review_reaches_every_writer(
        app, inspector_client, make_round, questionnaire, tmp_path, school_name,
        centre_name, town, remark, redacted):
    """Arbitrary text as a school's and a CLB's name in an import, as a remark the school
    submits and as the inspector's redaction; then every report and export is built and
    the invitations are sent. Never a 500 or a crash; what was acknowledged is stored,
    cleaned by the one rule (survey/cleantext.py)."""
    import io

    from openpyxl import load_workbook
    from sqlalchemy import select

    from helpers import Invited
    from survey.cleantext import free_text, single_line
    from survey.mailer import OutboxTransport
    from survey.models import Remark, Response, Round, School
    from survey.services import mailing, rounds

    if not hasattr(app, "_hostile_count"):   # a school to answer when a row is refused
        app._hostile_count = 0
        _upload_row(inspector_client, "699999", "Basisschool Basis", "Vrij CLB", "Gent")
    app._hostile_count += 1
    number = f"{700000 + app._hostile_count}"
    html = _upload_row(inspector_client, number, school_name, centre_name, town)
    with app.app_context():
        school = db.session.scalar(select(School).where(School.number == number))
        if school is None:           # refused with a reason: say, a name left empty
            assert "1 geweigerde rij<" in html or "\x00" in school_name + centre_name + town
            school = db.session.scalar(select(School).order_by(School.id))
        else:
            assert school.name == single_line(school_name)
            assert school.centre.name == single_line(centre_name)
            assert school.municipality == (single_line(town) or None)
    event("imported" if school.number == number else "row refused")
    round_id = make_round(min_group_size=1)
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        issued = rounds.invite(db.session, rnd, [db.session.get(School, school.id)])[0]
        db.session.commit()
        invitation_id, token = issued.invitation.id, issued.token
        sent = mailing.send(db.session, rnd, "invitation", OutboxTransport(tmp_path / "out"),
                            base_url="http://survey.test", sender="Inspectie <i@survey.test>")
        assert (sent.sent, sent.failed) == (1, 0)

    page = FormPage(app.test_client(), Invited(invitation_id, round_id, token))
    page.open()
    answers = all_answers(questionnaire, 3)
    posted = page.post(answers, action="submit", **{"t_opmerking-algemeen": remark})
    assert posted.status_code == 303, posted.status_code
    with app.app_context():
        stored = svc.load_draft(db.session, invitation_id)
        assert stored.submitted and stored.answers == answers
        assert stored.remarks.get("opmerking-algemeen", "") == free_text(remark)
        db.session.get(Round, round_id).state = "published"
        db.session.commit()
        response_id = db.session.scalar(
            select(Remark.response_id).join(Response, Response.id == Remark.response_id)
            .where(Response.invitation_id == invitation_id,
                   Remark.key == "opmerking-algemeen"))
    if response_id is not None:
        review = f"/beheer/rondes/{round_id}/opmerkingen/{response_id}/" \
                 "opmerking-algemeen"
        token = csrf_in(inspector_client.get("/beheer/gebruikers").get_data(as_text=True))
        decided = inspector_client.post(review, data={"csrf_token": token,
                                                      "action": "redact",
                                                      "redacted": redacted})
        assert decided.status_code == 302, decided.status_code
        with app.app_context():
            row = db.session.scalar(select(Remark).where(Remark.response_id == response_id))
            if free_text(redacted):
                assert (row.review, row.redacted_text) == ("approved", free_text(redacted))
            else:
                assert row.review == "pending"  # refused with a message: give a text

    with app.app_context():
        centre = db.session.get(School, school.id).centre.number
    base = f"/beheer/rondes/{round_id}"
    assert b"html" in _download(inspector_client, f"{base}/rapporten")
    assert b"html" in _download(inspector_client, f"{base}/rapporten/{centre}")
    assert _download(inspector_client, f"{base}/rapporten/{centre}/feedbackrapport.pdf"
                     ).startswith(b"%PDF")
    for url in (f"{base}/rapporten/{centre}/werkboek.xlsx", f"{base}/sectorwerkboek.xlsx"):
        load_workbook(io.BytesIO(_download(inspector_client, url)), read_only=True).close()
    load_workbook(io.BytesIO(_export(inspector_client, round_id, "antwoorden-xlsx")),
                  read_only=True).close()
    assert _export(inspector_client, round_id, "antwoorden-csv").count(b"\n") >= 2
    token = csrf_in(inspector_client.get(base).get_data(as_text=True))
    links = inspector_client.post(f"{base}/links.xlsx", data={"csrf_token": token})
    assert links.status_code == 200
    load_workbook(io.BytesIO(links.data), read_only=True).close()
    event("every writer ran")


def test_data_stored_before_the_cleaning_does_not_break_any_writer(app, runner,
                                                                   inspector_client,
                                                                   answered_round, tmp_path):
    """A remark, a CLB name and a school name holding control characters and line breaks
    (written straight to the database, as an import before the fix did): the console's
    workbooks, the sector workbook, the exports, `survey reports build`, the links list
    and the mails all still work."""
    from sqlalchemy import select, update

    from survey.mailer import OutboxTransport
    from survey.models import Centre, Remark, Round, School
    from survey.services import mailing

    round_id, _ = answered_round()
    with app.app_context():
        db.session.execute(update(Remark).values(
            text=Remark.text + "\x0b\x1b\r\n\u2028einde", review="approved"))
        db.session.execute(update(Centre).values(name=Centre.name + "\x0b\r\nnaam"))
        db.session.execute(update(School).values(name=School.name + "\r\n\x0c\x85school"))
        number = db.session.scalars(select(Centre.number)).first()
        db.session.commit()
    base = f"/beheer/rondes/{round_id}"
    for url in (f"{base}/rapporten/{number}", f"{base}/rapporten/{number}/werkboek.xlsx",
                f"{base}/rapporten/{number}/feedbackrapport.pdf",
                f"{base}/sectorwerkboek.xlsx"):
        _download(inspector_client, url)
    for key in ("antwoorden-xlsx", "antwoorden-csv", "antwoorden-sav", "analyse-csv"):
        _export(inspector_client, round_id, key)
    built = runner.invoke(args=["reports", "build", str(round_id), "--jobs", "1",
                                "--out", str(tmp_path / "built")])
    assert built.exit_code == 0, built.output
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        rnd.state = "open"
        db.session.commit()
        report = mailing.send(db.session, rnd, "reminder-1", OutboxTransport(tmp_path / "o"),
                              base_url="http://survey.test", sender="i@survey.test")
        assert report.failed == 0 and report.sent == 1    # the one school with a draft
    token = csrf_in(inspector_client.get(base).get_data(as_text=True))
    assert inspector_client.post(f"{base}/links.xlsx",
                                 data={"csrf_token": token}).status_code == 200
