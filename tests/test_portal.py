"""The CLB portal: a centre user sees its own CLB's published results and nothing else."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from conftest import login
from pypdf import PdfReader

from survey.extensions import db
from survey.models import Round


def _portal_routes(app, method: str = "GET") -> list[str]:
    return [re.sub(r"<int:\w+>", "1", rule.rule) for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("portal.") and method in rule.methods]


@pytest.fixture
def clb_client(app, make_user):
    """clb_client(number) -> a signed-in test client of a user of that CLB."""

    def make(number: str = "100001"):
        client = app.test_client()
        assert login(client, make_user("centre", centre_number=number)).status_code == 302
        return client

    return make


def test_the_portal_is_for_centre_users_only(app, client, inspector_client, answered_round):
    answered_round()
    routes = _portal_routes(app)
    # home, results page, PDF, workbook; the answer (terugkoppeling) and its confirmation
    assert len(routes) >= 6
    for path in routes:
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/account/aanmelden" in \
            anonymous.headers["Location"]
        assert inspector_client.get(path).status_code == 403, path
    posts = _portal_routes(app, "POST")
    assert posts
    for path in posts:
        anonymous = client.post(path)
        assert anonymous.status_code in (302, 400), path     # sign-in, or CSRF refused
        assert inspector_client.post(path).status_code in (400, 403), path


def test_a_centre_user_lands_on_its_results_after_sign_in(app, make_user):
    client = app.test_client()
    answer = login(client, make_user("centre", centre_number="100001"))
    assert answer.headers["Location"].endswith("/clb/")


def test_own_published_results_page_and_files(app, answered_round, clb_client):
    round_id, _ = answered_round()
    client = clb_client("100001")
    home = client.get("/clb/").get_data(as_text=True)
    assert "Testbevraging" in home and f"/clb/rondes/{round_id}" in home
    page = client.get(f"/clb/rondes/{round_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vrij CLB Test 100001" in html and "Vrij CLB Test 100002" not in html
    assert "te weinig antwoorden" in html          # so (2 schools) and, with it, bao
    assert html.count('<table class="bars">') == 4      # one per section of statements
    assert html.count('<svg class="bar"') + html.count('te weinig antwoorden</span>') == 2 * 21
    assert page.headers["Cache-Control"] == "no-store"
    sheet = client.get(f"/clb/rondes/{round_id}/feedbackrapport.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert "Vrij CLB Test 100001" in PdfReader(io.BytesIO(sheet.data)).pages[0].extract_text()
    book = client.get(f"/clb/rondes/{round_id}/werkboek.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(book.data), read_only=True)
    assert wb.sheetnames == ["Samenvatting", "Per stelling", "Per niveau", "Opmerkingen",
                             "Toelichting", "Data"]
    centres = {row[1] for row in wb["Data"].iter_rows(min_row=2, values_only=True)}
    assert centres == {"100001"}


@pytest.mark.parametrize("state", ["open", "closed"])
def test_unpublished_rounds_are_not_there(app, answered_round, clb_client, state):
    round_id, _ = answered_round(state=state)
    client = clb_client("100001")
    assert f"/clb/rondes/{round_id}" not in client.get("/clb/").get_data(as_text=True)
    for suffix in ("", "/feedbackrapport.pdf", "/werkboek.xlsx"):
        assert client.get(f"/clb/rondes/{round_id}{suffix}").status_code == 404


def test_a_clb_outside_the_round_gets_404(app, answered_round, clb_client):
    round_id, _ = answered_round()
    client = clb_client("100009")          # a CLB with no school in the round
    assert "Er zijn nog geen gepubliceerde resultaten" in \
        client.get("/clb/").get_data(as_text=True)
    for suffix in ("", "/feedbackrapport.pdf", "/werkboek.xlsx"):
        assert client.get(f"/clb/rondes/{round_id}{suffix}").status_code == 404
        assert client.get(f"/clb/rondes/{round_id + 100}{suffix}").status_code == 404


def test_another_clbs_files_are_out_of_reach(app, answered_round, clb_client):
    """Nothing in a URL names the CLB: a user of 100001 gets 100001's data whatever it
    tries, and the console's per-CLB routes refuse it."""
    round_id, _ = answered_round()
    client = clb_client("100001")
    for path in (f"/beheer/rondes/{round_id}/rapporten/100002",
                 f"/beheer/rondes/{round_id}/rapporten/100002/feedbackrapport.pdf",
                 f"/beheer/rondes/{round_id}/sectorwerkboek.xlsx"):
        assert client.get(path).status_code == 403, path
    own = client.get(f"/clb/rondes/{round_id}?clb=100002&centre_number=100002")
    assert "Vrij CLB Test 100001" in own.get_data(as_text=True)
    assert "Vrij CLB Test 100002" not in own.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Round, round_id).state == "published"


def test_the_clbs_own_downloads_are_in_the_audit_log(app, answered_round, make_user):
    from sqlalchemy import select

    from survey.models import AuditEvent

    round_id, _ = answered_round()
    client = app.test_client()
    assert login(client, make_user("centre", email="an@clb.example",
                                   centre_number="100001")).status_code == 302
    client.get(f"/clb/rondes/{round_id}")                    # a page: not logged
    for path, kind in (("feedbackrapport.pdf", "sheet"), ("werkboek.xlsx", "workbook")):
        assert client.get(f"/clb/rondes/{round_id}/{path}").status_code == 200
        with app.app_context():
            events = db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "results downloaded").order_by(AuditEvent.id)).all()
            assert events[-1].user.email == "an@clb.example"
            assert events[-1].detail == {"kind": kind, "round": round_id,
                                         "centre": "100001"}
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "results downloaded")).all()) == 2


def test_a_round_of_two_clbs_shows_no_sector_figure_and_says_why(app, answered_round,
                                                                  clb_client):
    round_id, _ = answered_round()
    html = clb_client("100002").get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert "Geen (volledige) sectorvergelijking: daar gaven minder dan 3 andere" in html
    assert html.count("&lt; 3 CLB&#39;s") >= 2 * 21


def test_the_results_page_hides_a_small_unanimous_group_and_what_gives_it_away(
        app, make_round, make_invited, questionnaire, clb_client):
    """Real schools of one CLB (minimum 5): 18 bao, 12 so (75 % akkoord), 1 bubao and 4 buso
    all 'eerder akkoord' on every statement. The page hides bubao and buso, and so too:
    total minus bao and so would show 5 of 5 'eerder akkoord'."""
    from survey.services import answers as answer_service

    round_id = make_round(min_group_size=5)
    numbers = [s.number for s in questionnaire.statements]
    plan = {"bao": [4] * 8 + [3] * 7 + [2] * 3, "so": [4] * 4 + [3] * 5 + [1] * 3,
            "bubao": [3], "buso": [3] * 4}
    for level, codes in plan.items():
        for code in codes:
            inv = make_invited(round_id, level, "100001")
            with app.app_context():
                answer_service.save(db.session, inv.invitation_id,
                                    dict.fromkeys(numbers, code), submit=True)
    with app.app_context():
        from survey.database import write_transaction

        with write_transaction(db.session):
            db.session.get(Round, round_id).state = "published"
    html = clb_client("100001").get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert "83 %" in html                          # the total (29 of 35) and bao (15 of 18)
    assert "75 %" not in html, "so's figure would let total minus bao and so be derived"
    levels = html[html.index('id="per-niveau"'):]
    levels = levels[:levels.index("</table>")]
    assert levels.count("<em>te weinig antwoorden</em>") == 3 * len(numbers)


def test_the_results_page_draws_each_figure_with_its_margin_and_says_it_in_words(
        app, answered_round, clb_client):
    round_id, _ = answered_round()
    # CLB 100002: 10 bao and 6 so schools, both levels large enough to be shown
    html = clb_client("100002").get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    charts = re.findall(r'<svg class="interval"[^>]*aria-label="([^"]*)"', html)
    with app.app_context():
        layout = db.session.get(Round, round_id).definition
    statements = [item for section in layout["sections"] for item in section["items"]
                  if item.get("type", "likert") == "likert"]
    summary = charts[:len(statements)]
    for statement, label in zip(statements, summary, strict=True):
        assert label.startswith(f"{statement['number']}. ")
        # the chart says either the figure with its margin or why there is none
        assert re.search(r"uw CLB (\d+ % akkoord, marge \d+–\d+|te weinig antwoorden)", label)
    # the per-level charts come after, one per statement and level with answers to show
    assert len(charts) > len(statements)
    for label in charts[len(statements):]:
        assert re.search(r"^\d+\. .*, (basisonderwijs|secundair onderwijs): uw CLB \d+ % "
                         r"akkoord, marge \d+–\d+; (de sector op dat niveau \d+ %|geen "
                         r"sectorcijfer)\.$", label), label
    # statement 4 in bao: codes (7k + 14) mod 5 for schools k = 9..18 give 2,4,1,3,0 twice:
    # 8 on the scale, 4 agreeing: 50 %, Wilson 21.5-78.5; the one other CLB is no sector
    assert ("4. Stellen zich onafhankelijk op, basisonderwijs: uw CLB 50 % akkoord, marge "
            "22–78; geen sectorcijfer.") in charts
