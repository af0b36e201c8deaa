"""Single-use codes for anonymous rounds: the code's shape and hash, making codes per
school and group, the respondent's journey over HTTP (type, resume elsewhere, submit,
spent), hostile input (mistyped, unknown, spent, closed round, guessing), and that nothing
joins a submitted response back to its code."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from test_respond import _checked

from helpers import all_answers
from survey.database import write_transaction
from survey.extensions import db
from survey.models import Answer, Invitation, InvitationLink, MessageSend, Response, Round
from survey.models.access import AccessCode
from survey.services import access_codes, counts, rounds, tally, throttle


@pytest.fixture
def coded(app, make_round, make_invited):
    """A coded parents' round with two schools: (round id, invitation ids)."""
    round_id = make_round()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        rnd.access, rnd.audience = "codes", "parents"
        db.session.commit()
    first = make_invited(round_id)
    second = make_invited(round_id, level="so", centre_number="100002")
    return round_id, [first.invitation_id, second.invitation_id]


def _make(app, round_id, invitation_id, groups):
    with app.app_context(), write_transaction(db.session):
        return access_codes.make_codes(db.session, db.session.get(Round, round_id),
                                       db.session.get(Invitation, invitation_id), groups)


def _csrf(client, path="/c"):
    return re.search(r'name="csrf_token" value="([^"]+)"',
                     client.get(path).get_data(as_text=True)).group(1)


class CodePage:
    """A respondent's browser: type a code, read the form's ticket, post answers."""

    def __init__(self, client):
        self.client = client
        self.csrf = self.ticket = None

    def enter(self, code: str):
        return self.client.post("/c", data={"csrf_token": _csrf(self.client), "code": code})

    def open(self, code: str):
        response = self.enter(code)
        assert response.status_code == 303, response.get_data(as_text=True)
        page = self.client.get("/c/vragenlijst")
        html = page.get_data(as_text=True)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        self.ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
        return page

    def post(self, answers, action="save"):
        data = {"csrf_token": self.csrf, "ticket": self.ticket, "action": action}
        data.update({f"s{n}": str(v) for n, v in answers.items()})
        return self.client.post("/c/vragenlijst", data=data)


# --- The code itself ---

def test_codes_are_grouped_and_read_case_and_dash_insensitively():
    code = access_codes.new_code()
    assert len(code) == 15 and set(code) <= set(access_codes.ALPHABET)
    printed = access_codes.grouped(code)
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}-[2-9A-Z]{5}", printed)
    assert not set("01OILU") & set(code)
    assert access_codes.normalised(printed) == code
    assert access_codes.normalised(" " + printed.lower().replace("-", " – ") + " ") == code


def test_the_check_symbol_catches_every_single_typo_and_swap():
    code = access_codes.new_code()
    for position in range(15):
        for symbol in access_codes.ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1:]
            assert access_codes.normalised(typo) is None, (code, typo)
    for position in range(13):     # swapped neighbours of the random part
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2:]
            assert access_codes.normalised(swapped) is None
    assert access_codes.normalised(code + "2") is None
    # Z is never printed (it looks like 2): a code with one is a typo
    assert "Z" not in access_codes.ALPHABET and len(access_codes.ALPHABET) == 29
    assert access_codes.normalised("Z" + code[1:]) is None
    assert access_codes.normalised(code[:-1].replace(code[0], "0", 1)) is None


def test_the_hash_is_keyed():
    code = access_codes.new_code()
    one = access_codes.hash_code(code, access_codes.code_key("a" * 32))
    assert one == access_codes.hash_code(code, access_codes.code_key("a" * 32))
    assert one != access_codes.hash_code(code, access_codes.code_key("b" * 32))
    assert len(one) == 64


def test_groups_are_read_from_the_consoles_text():
    assert access_codes.parse_groups("3A: 25, 3B: 22") == [("3A", 25), ("3B", 22)]
    assert access_codes.parse_groups("", 12) == [(None, 12)]
    for bad in ("3A 25", "3A: -1", "3A: 0", ": 4", "3A: 2, 3A: 3", "x" * 41 + ": 2",
                "3A: 1001"):
        with pytest.raises(access_codes.CodeError):
            access_codes.parse_groups(bad)


@pytest.mark.parametrize("text, total, message", [
    ("", None, "Geef een aantal codes, of groepen met hun aantal"),
    ("  ", 0, "Geef een aantal codes, of groepen met hun aantal"),
    ("A: 2", 3, "niet allebei"),
])
def test_a_number_or_groups_but_not_neither_or_both(app, text, total, message):
    with app.test_request_context(), pytest.raises(access_codes.CodeError, match=message):
        access_codes.parse_groups(text, total)


# --- Making codes ---

def test_make_codes_returns_the_plain_codes_once_and_stores_only_hashes(app, coded):
    round_id, (school, other) = coded
    made = _make(app, round_id, school, [("3A", 3), ("3B", 2)])
    assert [c.group for c in made] == ["3A"] * 3 + ["3B"] * 2
    more = _make(app, round_id, school, [(None, 4)])           # adding more is allowed
    with app.app_context():
        rows = db.session.scalars(select(AccessCode)).all()
        stored = {row.code_hash for row in rows}
        assert len(rows) == 9 and all(row.state == "unused" for row in rows)
        for plain in made + more:
            key = access_codes.normalised(plain.code)
            assert key not in stored and plain.code not in stored
            assert access_codes.hash_code(key) in stored
        figures = {f.invitation_id: (f.made, f.in_use, f.spent)
                   for f in access_codes.figures(db.session, round_id)}
    assert figures == {school: (9, 0, 0), other: (0, 0, 0)}


def test_codes_are_refused_for_a_link_round_and_a_withdrawn_school(app, make_invited, coded):
    plain = make_invited()
    with pytest.raises(access_codes.CodeError):
        _make(app, plain.round_id, plain.invitation_id, [(None, 1)])
    round_id, (school, _other) = coded
    with app.app_context():
        db.session.execute(update(Invitation).where(Invitation.id == school)
                           .values(revoked_at=db.func.now()))
        db.session.commit()
    with pytest.raises(access_codes.CodeError):
        _make(app, round_id, school, [(None, 1)])


# --- The respondent over HTTP ---

def test_a_code_opens_a_draft_that_resumes_on_another_device(app, client, coded,
                                                             questionnaire):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    first = CodePage(client)
    page = first.open(code.lower().replace("-", ""))
    html = page.get_data(as_text=True)
    assert "Testschool" in html and "anoniem" in html and "instellingsnummer" not in html
    assert first.post({4: 4, 5: 2}).status_code == 303
    second = CodePage(app.test_client())               # another device, the same code
    html = second.open(code).get_data(as_text=True)
    assert _checked(html) == {"s4": "4", "s5": "2"}
    assert first.client.get("/c/vragenlijst").status_code == 200     # the same device
    assert "Verdergaan waar u was" in first.client.get("/c").get_data(as_text=True)
    assert "Verdergaan waar u was" not in app.test_client().get("/c").get_data(as_text=True)
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        assert [(r.invitation_id, r.anonymous, r.status) for r in responses] == \
            [(school, True, "draft")]


def test_a_qr_link_fills_the_code_in_and_leaves_the_address_bar(app, client, coded):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    response = client.get(f"/c/{code}")
    assert response.status_code == 303 and response.headers["Location"] == "/c"
    assert f'value="{code}"' in client.get("/c").get_data(as_text=True)
    with app.app_context():       # only the POST opens it: nothing stored by the GET
        assert db.session.scalar(select(AccessCode.state)) == "unused"


def test_submit_spends_the_code_and_counts_under_the_schools_centre(app, client, coded,
                                                                    questionnaire):
    round_id, (school, other) = coded
    code = _make(app, round_id, other, [("5A", 1)])[0].code
    page = CodePage(client)
    page.open(code)
    answers = all_answers(questionnaire, 3)
    response = page.post(answers, action="submit")
    assert response.status_code == 303 and response.headers["Location"] == "/c/bedankt"
    assert "ingediend" in client.get("/c/bedankt").get_data(as_text=True)
    again = CodePage(app.test_client()).enter(code)
    assert again.status_code == 410
    assert "Deze code is al gebruikt" in again.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(AccessCode))
        assert (row.state, row.response_id) == ("spent", None)
        cube = counts.cube(db.session, round_id)
        assert cube == counts.recomputed(db.session, round_id)
        assert cube[("100002", "so", 4, 3)] == 1
        assert sum(cube.values()) == len(answers)


def test_a_second_device_cannot_change_a_submitted_response(app, client, coded,
                                                            questionnaire):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    first, second = CodePage(client), CodePage(app.test_client())
    first.open(code)
    second.open(code)
    first.post(all_answers(questionnaire, 4), action="submit")
    late = second.post({4: 1})
    # the late device is told its change was not kept, not thanked for it
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "Deze code is al gebruikt" in text and "is niet bewaard" in text
    assert second.client.get("/c/bedankt").headers["Location"] == "/c"
    with app.app_context():
        assert db.session.scalar(select(Answer.value).where(Answer.item == 4)) == 4


def test_the_thanks_page_is_only_for_the_browser_that_submitted(app, client, coded,
                                                                questionnaire):
    stranger = app.test_client().get("/c/bedankt")
    assert stranger.status_code == 303 and stranger.headers["Location"] == "/c"
    entry = app.test_client().get("/c").get_data(as_text=True)
    # an anonymous respondent is not addressed as a school
    assert "Bevraging over de samenwerking met het CLB" in entry
    assert "Bevraging scholen" not in entry
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    page = CodePage(client)
    page.open(code)
    page.post(all_answers(questionnaire, 2), action="submit")
    assert client.get("/c/bedankt").status_code == 200
    assert client.get("/c/bedankt").status_code == 200, "a reload still thanks"


@pytest.mark.parametrize("typed, status, message", [
    ("K7QMX-4XPA9-93TD", 422, "geen geldige code"),            # too short
    ("O0000-00000-00000", 422, "geen geldige code"),           # symbols codes do not use
    ("<script>", 422, "geen geldige code"),
    ("\x00" * 64, 422, "geen geldige code"),
])
def test_mistyped_codes_get_a_dutch_message_and_store_nothing(app, client, coded, typed,
                                                             status, message):
    response = CodePage(client).enter(typed)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []
        assert throttle.recent_failures(db.session, [throttle.link_key("127.0.0.1")],
                                        access_codes.utcnow() - throttle.LINK_WINDOW) == {}


def test_unknown_codes_are_counted_and_then_blocked(app, client, coded):
    page = CodePage(client)
    for _ in range(throttle.LINK_FAILS_PER_ADDRESS):
        response = page.enter(access_codes.new_code())
        assert response.status_code == 404
        assert "We vinden deze code niet" in response.get_data(as_text=True)
    round_id, (school, _other) = coded
    real = _make(app, round_id, school, [(None, 1)])[0].code
    blocked = page.enter(real)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers


def test_a_code_of_a_closed_or_unopened_round_is_refused(app, client, coded):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    with app.app_context():
        db.session.get(Round, round_id).state = "closed"
        db.session.commit()
    response = CodePage(client).enter(code)
    assert response.status_code == 403 and "afgesloten" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []
        assert db.session.scalar(select(AccessCode.state)) == "unused"


def test_a_directors_link_in_a_coded_round_opens_nothing(app, client, coded):
    from survey.services import answers

    round_id, (school, _other) = coded
    with app.app_context():
        token = rounds.new_link(db.session, db.session.get(Invitation, school))
        db.session.commit()
    assert client.get(f"/s/{token}").status_code == 404
    with app.app_context():
        assert answers.save(db.session, school, {4: 4}) == answers.REVOKED
        assert answers.save(db.session, school, {4: 4}, submit=True) == answers.REVOKED
        assert db.session.scalars(select(Response)).all() == []
        assert counts.cube(db.session, round_id) == {}


def test_a_code_of_a_round_not_yet_open_says_so(app, client, coded):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    with app.app_context():
        db.session.get(Round, round_id).state = "draft"
        db.session.commit()
    response = CodePage(client).enter(code)
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "nog niet geopend" in html
    assert "uitnodiging" not in html
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []


def test_a_form_without_a_valid_ticket_leads_back_to_the_code(client, coded):
    response = client.post("/c/vragenlijst", data={"ticket": "x", "s4": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Code typen" in html
    assert "uw persoonlijke link" not in html


def test_a_save_after_the_close_is_refused_and_changes_nothing(app, client, coded):
    round_id, (school, _other) = coded
    code = _make(app, round_id, school, [(None, 1)])[0].code
    page = CodePage(client)
    page.open(code)
    page.post({4: 4})
    with app.app_context(), write_transaction(db.session):
        rounds.close_round(db.session, db.session.get(Round, round_id))
    late = page.post({4: 1}, action="submit")
    assert late.status_code == 403 and "afgesloten" in late.get_data(as_text=True)
    autosave = client.post("/c/vragenlijst/autosave", data={
        "csrf_token": page.csrf, "ticket": page.ticket, "field": "s4", "value": "2"})
    assert autosave.status_code == 403 and autosave.json["status"] == "closed"
    assert client.get("/c/vragenlijst").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) == 4
        assert db.session.scalar(select(Response.status)) == "draft"
        assert db.session.scalar(select(AccessCode.state)) == "in_use"


def test_a_session_of_one_round_and_a_code_of_another_stay_apart(app, client, coded,
                                                                make_round, make_invited):
    round_id, (school, _other) = coded
    other_round = make_round()
    with app.app_context():
        db.session.get(Round, other_round).access = "codes"
        db.session.commit()
    foreign = make_invited(other_round)
    mine = _make(app, round_id, school, [(None, 1)])[0].code
    theirs = _make(app, other_round, foreign.invitation_id, [(None, 1)])[0].code
    page = CodePage(client)
    page.open(mine)
    page.post({4: 4})
    page.open(theirs)                   # the other round's code opens its own draft only
    page.post({4: 1})
    with app.app_context():
        stored = dict(db.session.execute(text(
            "SELECT response.invitation_id, answer.value FROM answer JOIN response "
            "ON response.id = answer.response_id")).all())
    assert stored == {school: 4, foreign.invitation_id: 1}


def test_a_school_ticket_does_not_open_a_code_page(app, client, form_page, coded):
    response = client.post("/c/vragenlijst", data={
        "csrf_token": form_page.csrf, "ticket": form_page.ticket, "s4": "4"})
    assert response.status_code == 400


# --- Unlinkability ---

def _columns(conn, table):
    return list(conn.execute(text(f"SELECT * FROM {table}")).mappings())


def test_nothing_joins_a_submitted_response_to_its_code(app, coded, questionnaire):
    """Ten codes of one school, seven used and submitted in a shuffled order. Checked from
    the database alone: (1) using a code changes nothing in its row but the state (the same
    'spent' for all) and the draft reference (NULL again), so no column of access_code
    says when or in which order a code was used; (2) no value of a column that differs
    between spent codes (code_hash, group_label) equals any value of any column of
    response, answer or remark; (3) the table has no time column and no sequence id."""
    round_id, (school, _other) = coded
    codes = [c.code for c in _make(app, round_id, school, [("3A", 5), ("3B", 5)])]
    used = random.Random(14).sample(codes, 7)
    with app.app_context(), db.engine.connect() as conn:
        before = {row["code_hash"]: row for row in _columns(conn, "access_code")}
    for n, code in enumerate(used):
        page = CodePage(app.test_client())
        page.open(code)
        page.post(all_answers(questionnaire, 1 + n % 4), action="submit")
    with app.app_context(), db.engine.connect() as conn:
        after = _columns(conn, "access_code")
        answered = _columns(conn, "response") + _columns(conn, "answer") \
            + _columns(conn, "remark")
    assert set(after[0]) == {"code_hash", "round_id", "invitation_id", "group_label",
                             "state", "response_id"}
    spent = [row for row in after if row["state"] == "spent"]
    assert len(spent) == 7 and all(row["response_id"] is None for row in after)
    for row in after:                                                       # (1)
        unchanged = {k: v for k, v in row.items() if k not in ("state", "response_id")}
        assert unchanged == {k: v for k, v in before[row["code_hash"]].items()
                             if k not in ("state", "response_id")}
    varying = [column for column in spent[0]
               if len({row[column] for row in spent}) > 1]
    assert varying == ["code_hash", "group_label"]
    values = {row[column] for row in spent for column in varying}
    for row in answered:                                                    # (2)
        for column, value in row.items():
            assert value not in values, (column, value)
    assert sum(1 for row in answered if "saves" in row) == 7
    with app.app_context():
        cube = counts.cube(db.session, round_id)
        assert cube == counts.recomputed(db.session, round_id)
        assert sum(cube.values()) == 7 * len(all_answers(questionnaire))
        with write_transaction(db.session):
            rounds.close_round(db.session, db.session.get(Round, round_id))
    with app.app_context(), db.engine.connect() as conn:
        assert {row["code_hash"]: row for row in _columns(conn, "access_code")} == {
            row["code_hash"]: row for row in after}          # the close changed no value
        if conn.dialect.name == "postgresql":
            # (4) PostgreSQL's system columns: the submit wrote response and code in one
            # transaction (one xmin); the close wrote the spent codes again, in hash order.
            code_xmins = set(conn.execute(text(
                "SELECT xmin::text FROM access_code WHERE state = 'spent'")).scalars())
            for table in ("response", "answer", "remark"):
                assert not code_xmins & set(conn.execute(text(
                    f"SELECT xmin::text FROM {table}")).scalars()), table
            physical = list(conn.execute(text(
                "SELECT code_hash FROM access_code WHERE state = 'spent' "
                "ORDER BY ctid")).scalars())
            assert physical == sorted(physical)


# --- The console ---

def test_the_console_makes_codes_per_group_as_a_download(app, inspector_client, coded):
    import io

    from openpyxl import load_workbook

    round_id, (school, other) = coded
    detail = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert f'href="/beheer/rondes/{round_id}/codes"' in detail
    page = inspector_client.get(f"/beheer/rondes/{round_id}/codes")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    made = inspector_client.post(f"/beheer/rondes/{round_id}/codes", data={
        "csrf_token": csrf, "invitation": str(school), "groups": "3A: 3, 3B: 2",
        "format": "xlsx"})
    assert made.status_code == 200
    assert made.headers["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(made.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Schoolnummer", "School", "Groep", "Code", "Link")
    assert [row[2] for row in rows[1:]] == ["3A"] * 3 + ["3B"] * 2
    assert all(access_codes.normalised(row[3]) for row in rows[1:])
    assert all(row[4] == f"http://survey.test/c/{row[3]}" for row in rows[1:])
    refused = inspector_client.post(f"/beheer/rondes/{round_id}/codes", data={
        "csrf_token": csrf, "invitation": str(other), "groups": "3A 3"})
    assert refused.status_code == 303
    html = inspector_client.get(f"/beheer/rondes/{round_id}/codes").get_data(as_text=True)
    assert "naam: aantal" in html
    with app.app_context():
        figures = {f.invitation_id: (f.made, f.in_use, f.spent)
                   for f in access_codes.figures(db.session, round_id)}
    assert figures == {school: (5, 0, 0), other: (0, 0, 0)}


def test_a_link_round_makes_no_codes(inspector_client, invited):
    page = inspector_client.get(f"/beheer/rondes/{invited.round_id}/codes")
    assert page.status_code == 200 and "persoonlijke links" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', inspector_client.get(
        "/beheer/").get_data(as_text=True)).group(1)
    made = inspector_client.post(f"/beheer/rondes/{invited.round_id}/codes", data={
        "csrf_token": csrf, "invitation": str(invited.invitation_id), "count": "2"})
    assert made.status_code == 404


def test_the_console_offers_the_slips_as_pdf(app, inspector_client, coded):
    round_id, (school, _other) = coded
    page = inspector_client.get(f"/beheer/rondes/{round_id}/codes").get_data(as_text=True)
    assert "briefjes (PDF)" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    made = inspector_client.post(f"/beheer/rondes/{round_id}/codes", data={
        "csrf_token": csrf, "invitation": str(school), "count": "3", "format": "pdf"})
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert made.data.startswith(b"%PDF")
    with app.app_context():
        assert [f.made for f in access_codes.figures(db.session, round_id)
                if f.invitation_id == school] == [3]


def test_the_tally_and_the_counts_follow_opens_submits_and_a_withdrawal(app, coded,
                                                                      questionnaire):
    """Three codes of one school: two opened (started), one submitted; withdrawing the
    school takes all of it out of the tally and the cube, reinstating puts it back."""
    round_id, (school, other) = coded
    codes = [c.code for c in _make(app, round_id, school, [(None, 3)])]
    pages = [CodePage(app.test_client()) for _ in range(2)]
    pages[0].open(codes[0])
    pages[1].open(codes[1])
    pages[1].post({4: 2})
    pages[0].post(all_answers(questionnaire, 4), action="submit")
    with app.app_context():
        centre = db.session.get(Invitation, school).centre_id
        assert tally.kept(db.session, round_id)[(centre, "bao")] == (1, 2, 1)
        full = counts.cube(db.session, round_id)
        assert full[("100001", "bao", 4, 4)] == 1 and sum(full.values()) == len(
            all_answers(questionnaire))
        with write_transaction(db.session):
            rounds.withdraw(db.session, db.session.get(Invitation, school))
        assert (centre, "bao") not in tally.kept(db.session, round_id)
        assert counts.cube(db.session, round_id) == {}
        with write_transaction(db.session):
            rounds.reinstate(db.session, db.session.get(Invitation, school))
        assert tally.kept(db.session, round_id)[(centre, "bao")] == (1, 2, 1)
        assert counts.cube(db.session, round_id) == full == counts.recomputed(
            db.session, round_id)


# --- Hostile input over every anonymous handler (the school's test_hostile style) ---

CODE_FIELDS = ["s4", "s5", "s999", "opmerking-algemeen", "action", "field", "value",
               "ticket", "csrf_token", "code", "basis"]
CODE_VALUES = st.one_of(
    st.sampled_from(["0", "4", "5", "-1", "99999999999999999999", "", "save", "submit",
                     "later", "s4", "\x00", "é" * 50, "K7QMX-4XPA9-93TDR", "2" * 15]),
    st.text(max_size=40))
CODE_FORMS = st.dictionaries(st.one_of(st.sampled_from(CODE_FIELDS), st.text(max_size=8)),
                             CODE_VALUES, max_size=8)
CODE_PATHS = st.sampled_from(["/c", "/c/vragenlijst", "/c/vragenlijst/autosave",
                              "/c/vragenlijst/indienen"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(path=CODE_PATHS, form=CODE_FORMS, keep_csrf=st.booleans(),
       ticket=st.sampled_from(["real", "real", "tampered", "missing", "other code"]),
       code=st.one_of(st.text(max_size=70), st.sampled_from(["own", "spent"])))
def test_anonymous_posts_never_fail_and_stay_in_their_own_draft(
        app, client, coded, questionnaire, path, form, keep_csrf, ticket, code):
    state = _hostile_state(app, client, coded, questionnaire)
    page: CodePage = state["page"]
    data = dict(form)
    if keep_csrf:
        data["csrf_token"] = page.csrf
    data["ticket"] = {"real": page.ticket, "tampered": page.ticket[:-3] + "abc",
                      "missing": "", "other code": state["other_ticket"]}[ticket]
    if path == "/c":
        data["code"] = state.get(code, code)
    answer = client.post(path, data=data)
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, (path, answer.status_code)
    assert client.get(f"/c/{code}"[:200]).status_code < 500
    with app.app_context():
        spent = db.session.scalar(select(AccessCode).where(
            AccessCode.code_hash == state["spent_hash"]))
        assert (spent.state, spent.response_id) == ("spent", None)
        # every submitted response spent its code, and only then
        submitted = len(db.session.scalars(select(Response).where(
            Response.status == "submitted")).all())
        assert submitted == len(db.session.scalars(select(AccessCode).where(
            AccessCode.state == "spent")).all())
        assert counts.cube(db.session, state["round"]) == counts.recomputed(
            db.session, state["round"])
        values = set(db.session.scalars(select(Answer.value)))
        assert values <= {0, 1, 2, 3, 4}


def _hostile_state(app, client, coded, questionnaire) -> dict:
    """Made once per test function (Hypothesis runs the examples in one of them)."""
    if getattr(app, "_hostile_codes", None):
        return app._hostile_codes
    round_id, (school, other) = coded
    own, another, spent = (c.code for c in _make(app, round_id, school, [(None, 3)]))
    page = CodePage(client)
    page.open(own)
    other_page = CodePage(app.test_client())
    other_page.open(another)
    done = CodePage(app.test_client())
    done.open(spent)
    done.post(all_answers(questionnaire, 3), action="submit")

    with app.app_context():
        spent_hash = access_codes.hash_code(access_codes.normalised(spent))
    app._hostile_codes = {
        "page": page, "other_ticket": other_page.ticket, "own": own, "spent": spent,
        "spent_hash": spent_hash, "round": round_id}
    return app._hostile_codes


def test_a_new_round_with_codes_is_for_its_audience_and_plans_no_mails(app, inspector_client,
                                                                       make_invited):
    from conftest import csrf_in

    from survey.models.schedule import ScheduledStep

    make_invited()
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    assert 'name="with_codes"' in page and 'value="parents"' in page
    version = re.search(r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie',
                        page).group(1)
    created = inspector_client.post("/beheer/rondes/nieuw", data={
        "csrf_token": csrf_in(page), "name": "Ouders", "school_year": "2036-2037",
        "questionnaire": version, "opens_at": "2036-03-02T08:00",
        "closes_at": "2036-03-30T18:00", "min_group_size": "5",
        "min_benchmark_centres": "1", "reference_round": "", "without_benchmark": "y",
        "audience": "parents", "with_codes": "y",
        "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
        "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"})
    assert created.status_code == 302
    with app.app_context():
        new = db.session.scalar(select(Round).where(Round.name == "Ouders"))
        assert (new.audience, new.access) == ("parents", "codes")
        # it opens and closes on its dates; nothing is planned to mail anyone
        assert [step.kind for step in db.session.scalars(select(ScheduledStep).where(
            ScheduledStep.round_id == new.id).order_by(ScheduledStep.due_at))] == [
            "open", "close"]
    shown = inspector_client.get(created.headers["Location"]).get_data(as_text=True)
    assert "er worden geen uitnodigingen gemaild" in shown


# --- Concurrency: one code on several devices at the same moment ---

def test_one_code_opened_on_many_devices_at_once_makes_one_draft(app, coded):
    from helpers import in_threads

    round_id, (school, _other) = coded
    code = access_codes.normalised(_make(app, round_id, school, [(None, 1)])[0].code)

    def open_it():
        hashed = access_codes.hash_code(code)
        with write_transaction(db.session):
            outcome, acc = access_codes.open_code(db.session, hashed)
        return outcome, acc.response_id

    outcomes = in_threads(app, [open_it] * 6)
    assert {outcome for outcome, _ in outcomes} == {access_codes.OPENED}
    assert len({response for _, response in outcomes}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1
        centre = db.session.get(Invitation, school).centre_id
        assert tally.kept(db.session, round_id)[(centre, "bao")] == (1, 1, 0)


def test_simultaneous_submits_of_one_code_count_once(app, coded, questionnaire):
    from helpers import in_threads
    from survey.services import answers

    round_id, (school, _other) = coded
    code = access_codes.normalised(_make(app, round_id, school, [(None, 1)])[0].code)
    with app.app_context():
        hashed = access_codes.hash_code(code)
        with write_transaction(db.session):
            access_codes.open_code(db.session, hashed)
    first, second = all_answers(questionnaire, 4), all_answers(questionnaire, 1)
    outcomes = in_threads(app, [
        lambda: answers.save(db.session, school, first, submit=True, code_hash=hashed),
        lambda: answers.save(db.session, school, second, submit=True, code_hash=hashed)])
    assert sorted(outcomes) == [answers.ALREADY_SUBMITTED, answers.SUBMITTED]
    with app.app_context():
        winner = first if outcomes[0] == answers.SUBMITTED else second
        assert set(db.session.scalars(select(Answer.value))) == set(winner.values())
        cube = counts.cube(db.session, round_id)
        assert sum(cube.values()) == len(winner) and cube == counts.recomputed(
            db.session, round_id)
        assert db.session.scalar(select(AccessCode.state)) == "spent"


def test_a_coded_schools_directory_page_shows_one_invitation_and_no_links_or_mails(
        app, inspector_client, coded, questionnaire):
    from conftest import csrf_in

    round_id, (school_invitation, _other) = coded
    codes = _make(app, round_id, school_invitation, [(None, 3)])
    for code in codes[:2]:                 # two parents answer
        page = CodePage(app.test_client())
        page.open(code.code)
        page.post(all_answers(questionnaire, 3), action="submit")
    def links():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(InvitationLink).where(
                InvitationLink.invitation_id == school_invitation))

    links_before = links()     # the test fixture's own; a coded round's console makes none
    with app.app_context():
        school_id = db.session.get(Invitation, school_invitation).school_id
    html = inspector_client.get(f"/beheer/scholen/{school_id}").get_data(as_text=True)
    assert html.count('class="invitation"') == 1, "one invitation, not one per response"
    assert "anoniem, met codes" in html and "Link vernieuwen" not in html
    assert "Uitnodiging opnieuw versturen" not in html
    for action, path in (("extra", "link"), ("renew", "link"), (None, "opnieuw")):
        data = {"csrf_token": csrf_in(html), "confirmed": "yes"}
        if action:
            data["action"] = action
        refused = inspector_client.post(
            f"/beheer/scholen/{school_id}/uitnodigingen/{school_invitation}/{path}",
            data=data, follow_redirects=True).get_data(as_text=True)
        assert "wordt anoniem met codes ingevuld" in refused, path
    assert links() == links_before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MessageSend)) == 0
