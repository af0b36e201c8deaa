"""The console's reading of the CLBs' answers (admin/follow_up.py): the sector table of a
round, one CLB's answer, the workbook, and the doorlichting view of one CLB."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select
from test_follow_up import ATTENTION, follow_up_statements, publish_round_with_attention

from survey.database import write_transaction
from survey.extensions import db
from survey.models import AuditEvent, Centre, Round, User
from survey.services import follow_up
from survey.services.follow_up import ActionInput


@pytest.fixture
def answer(app, make_user):
    """answer(round id, number, text, actions=[(statement, text, due)], submit=True): the
    CLB's answer, written through the service as its staff would."""

    def write(round_id, number, text, actions=(), submit=True):
        email = make_user("centre", centre_number=number)
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.email == email))
            rnd = db.session.get(Round, round_id)
            numbers = {s.number for s in follow_up_statements(rnd)}
            rows = [ActionInput(i, None, statement, what, due, "planned")
                    for i, (statement, what, due) in enumerate(actions)]
            reaction = follow_up.save_draft(db.session, rnd, user.centre_id, user, 0, text,
                                            rows, numbers, ATTENTION)
            if submit:
                follow_up.submit(db.session, rnd, db.session.get(Centre, user.centre_id),
                                 user, reaction.revision)

    return write


@pytest.fixture
def published(app, make_round, make_invited, questionnaire):
    return lambda days=0: publish_round_with_attention(app, make_round, make_invited,
                                                       questionnaire, days)


def test_the_sector_table_and_one_clbs_answer(app, inspector_client, published, answer):
    round_id = published()
    answer(round_id, "100001", "Wij pakken 4 aan.", [("4", "Afwezigheden opvolgen",
                                                       "2027-03-31")])
    answer(round_id, "100002", "Nog geheim", [("", "Concept-actie", "")], submit=False)
    html = inspector_client.get(f"/beheer/rondes/{round_id}/terugkoppeling").get_data(
        as_text=True)
    assert "Antwoord ingediend: 1 van 2 CLB's; in concept: 1." in html
    assert "Nog geheim" not in html and "Concept-actie" not in html
    rows = html[html.index("<tbody>"):]
    assert rows.index("100001") < rows.index("100002")
    assert f"/beheer/rondes/{round_id}/terugkoppeling/100001" in rows
    own = inspector_client.get(f"/beheer/rondes/{round_id}/terugkoppeling/100001").get_data(
        as_text=True)
    assert "Wij pakken 4 aan." in own and "Afwezigheden opvolgen" in own
    points = own[own.index("Aandachtspunten van het feedbackrapport"):]
    assert "4. Stellen zich onafhankelijk op: 10 % tegenover 75 % · met een actie" in points
    assert "zonder actie" in points[points.index("5. "):]
    draft = inspector_client.get(f"/beheer/rondes/{round_id}/terugkoppeling/100002").get_data(
        as_text=True)
    assert "Het CLB werkt aan een concept" in draft and "Nog geheim" not in draft


@pytest.mark.parametrize(("state", "points_shown"), [
    ("open", False), ("closed", True), ("published", True)])
def test_attention_points_only_once_the_round_is_closed(app, inspector_client, published,
                                                        state, points_shown):
    """While schools still answer, the figures are partial: no attention points yet."""
    round_id = published()
    with app.app_context(), write_transaction(db.session):
        db.session.get(Round, round_id).state = state
    html = inspector_client.get(f"/beheer/rondes/{round_id}/terugkoppeling/100001").get_data(
        as_text=True)
    assert ("4. Stellen zich onafhankelijk op: 10 % tegenover 75 %" in html) is points_shown
    assert ("De bevraging loopt nog" in html) is (not points_shown)


def test_unknown_clbs_and_rounds_are_404(app, inspector_client, published, make_user):
    round_id = published()
    make_user("centre", centre_number="100009")          # a CLB outside the round
    for path in (f"/beheer/rondes/{round_id}/terugkoppeling/100009",
                 f"/beheer/rondes/{round_id}/terugkoppeling/999999",
                 f"/beheer/rondes/{round_id + 100}/terugkoppeling",
                 f"/beheer/rondes/{round_id + 100}/terugkoppeling.xlsx",
                 "/beheer/doorlichting/999999"):
        assert inspector_client.get(path).status_code == 404, path


def test_the_workbook_is_a_logged_download(app, inspector_client, published, answer):
    round_id = published()
    answer(round_id, "100001", "Reactie", [("5", "Actie", "2027-03-31")])
    got = inspector_client.get(f"/beheer/rondes/{round_id}/terugkoppeling.xlsx")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"] == \
        f'attachment; filename="terugkoppeling-{round_id}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(got.data))
    assert [row[0] for row in book["Acties"].iter_rows(min_row=2, values_only=True)] == [
        "100001"]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "results downloaded")).one()
        assert event.detail == {"kind": "follow-up workbook", "round": round_id,
                                "centre": None}


def test_the_doorlichting_view_of_one_clb(app, inspector_client, published, answer):
    older, newer = published(400), published()
    answer(older, "100001", "Toen deden we dit.", [("4", "Oude actie", "2026-03-31")])
    answer(newer, "100001", "Nu dit.", [("5", "Nieuwe actie", "2027-03-31")])
    listing = inspector_client.get("/beheer/doorlichting").get_data(as_text=True)
    assert "/beheer/doorlichting/100001" in listing
    html = inspector_client.get("/beheer/doorlichting/100001").get_data(as_text=True)
    aspects = html[html.index('id="per-aspect"'):html.index('id="evolutie"')]
    assert "Leerplichtopvolging" in aspects and "(code afgeleid)" in aspects
    laagdrempelig = aspects[aspects.index("Laagdrempelige toegang"):]
    assert "5. " in laagdrempelig and "20 %" in laagdrempelig and "lager" in laagdrempelig
    trend = html[html.index('id="evolutie"'):html.index('id="themas"')]
    assert trend.count("Testbevraging") == 2 and "10 %" in trend
    assert "Nog geen thema's" in html[html.index('id="themas"'):]
    answers = html[html.index('id="antwoorden"'):]
    assert answers.index("Nu dit.") < answers.index("Toen deden we dit.")
    assert "Oude actie" in answers and "Nieuwe actie" in answers
    chosen = inspector_client.get(f"/beheer/doorlichting/100001?ronde={older}").get_data(
        as_text=True)
    assert "Er is geen eerdere gepubliceerde bevraging" in chosen
    assert inspector_client.get("/beheer/doorlichting/100001?ronde=x").status_code == 200


def test_a_clb_without_published_rounds_has_an_empty_file(app, inspector_client, make_user):
    make_user("centre", centre_number="100007")
    html = inspector_client.get("/beheer/doorlichting/100007").get_data(as_text=True)
    assert "nam nog niet deel aan een gepubliceerde bevraging" in html


def test_centre_staff_cannot_read_the_sector(app, published, make_user):
    from conftest import login

    round_id = published()
    client = app.test_client()
    assert login(client, make_user("centre", centre_number="100001")).status_code == 302
    for path in (f"/beheer/rondes/{round_id}/terugkoppeling",
                 f"/beheer/rondes/{round_id}/terugkoppeling/100001",
                 f"/beheer/rondes/{round_id}/terugkoppeling.xlsx",
                 "/beheer/doorlichting", "/beheer/doorlichting/100001"):
        assert client.get(path).status_code == 403, path
