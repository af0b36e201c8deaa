"""The console around a coded round (codes instead of directors' mails): the recount of
its response figures, the round page's steps, sending, the plan, the readiness before
publishing, drafts copied and edited, and the audit labels of the codes."""

from __future__ import annotations

import re

import pytest
from conftest import csrf_in
from sqlalchemy import func, select
from test_access_codes import CodePage, _make

from helpers import all_answers
from survey.extensions import db
from survey.models import Invitation, InvitationLink, MessageSend, Round
from survey.models.jobs import Job
from survey.services import tally


def _set(app, round_id: int, **columns) -> None:
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        for name, value in columns.items():
            setattr(rnd, name, value)
        db.session.commit()


@pytest.fixture
def coded(app, make_round, make_invited):
    """An open coded parents' round, two schools of two CLBs: (round id, invitation ids)."""
    round_id = make_round()
    _set(app, round_id, access="codes", audience="parents")
    return round_id, [make_invited(round_id).invitation_id,
                      make_invited(round_id, "so", "100002").invitation_id]


def _three_opened(app, round_id: int, school: int, questionnaire) -> None:
    """Four codes for the school; three opened: one submitted, one saved, one only opened."""
    codes = [c.code for c in _make(app, round_id, school, [(None, 4)])]
    pages = [CodePage(app.test_client()) for _ in range(3)]
    for page, code in zip(pages, codes, strict=False):
        page.open(code)
    assert pages[0].post(all_answers(questionnaire, 3), action="submit").status_code == 303
    assert pages[1].post({4: 2}).status_code == 303


# --- The recount ---

def test_recount_counts_each_coded_school_once(app, runner, coded, questionnaire):
    """School one: three codes opened, one submitted, two drafts (one saved, one only
    opened): 1 invited, 3 started, 1 submitted; school two (another CLB): 1, 0, 0."""
    round_id, (school, other) = coded
    _three_opened(app, round_id, school, questionnaire)
    with app.app_context():
        centres = dict(db.session.execute(select(Invitation.id, Invitation.centre_id)
                                          .where(Invitation.id.in_([school, other]))).all())
        kept = tally.kept(db.session, round_id)
        assert kept == {(centres[school], "bao"): (1, 3, 1), (centres[other], "so"): (1, 0, 0)}
        assert tally.recomputed(db.session, round_id) == kept
    result = runner.invoke(args=["reports", "check", str(round_id)])
    assert result.exit_code == 0, result.output
    assert "OK: response figures" in result.output


# --- The round page: codes instead of mails ---

def _steps(inspector_client, round_id: int) -> dict[str, tuple[str, str]]:
    """The checklist's steps: title -> (state, what is said of it, with its links)."""
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    return {title: (state, body) for state, title, body in re.findall(
        r'<li class="step step-(\w+)">\s*<strong>([^<]+)</strong>(.*?)</li>', html, re.S)}


def test_the_checklist_of_a_coded_round_has_a_codes_step_and_no_mails(
        app, inspector_client, coded):
    round_id, (school, other) = coded
    _make(app, round_id, school, [("3A", 2), ("3B", 1)])
    steps = _steps(inspector_client, round_id)
    assert list(steps) == [
        "Vragenlijst nakijken", "Openen", "Codes maken en uitdelen", "Respons volgen",
        "Afsluiten", "Opmerkingen beoordelen", "Rapporten opbouwen en nakijken", "Publiceren"]
    state, body = steps["Codes maken en uitdelen"]
    assert state == "now"
    assert "1 van 2 scholen hebben codes (3 codes gemaakt)" in body
    assert f'href="/beheer/rondes/{round_id}/codes"' in body
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert f"/beheer/rondes/{round_id}/versturen" not in html
    assert f"/beheer/rondes/{round_id}/links.xlsx" not in html
    assert "testmail" not in html.lower()
    _make(app, round_id, other, [(None, 1)])
    assert _steps(inspector_client, round_id)["Codes maken en uitdelen"][0] == "done"


@pytest.mark.parametrize("path, data", [
    ("versturen", {"message": "invitation", "confirmed": "1"}),
    ("versturen", {"message": "reminder-1", "confirmed": "1"}),
    ("links.xlsx", {}),
])
def test_a_mail_or_links_post_for_a_coded_round_is_refused(app, inspector_client, coded,
                                                           path, data):
    round_id, _schools = coded
    with app.app_context():
        links = db.session.scalar(select(func.count()).select_from(InvitationLink))
    page = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    answer = inspector_client.post(f"/beheer/rondes/{round_id}/{path}",
                                   data={"csrf_token": csrf_in(page), **data})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/beheer/rondes/{round_id}")
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert "Deze bevraging werkt met codes: er worden geen uitnodigingen" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MessageSend)) == 0
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0
        assert db.session.scalar(select(func.count()).select_from(InvitationLink)) == links


# --- Monitoring: answers counted, not schools ---

def test_the_response_of_a_coded_round_counts_answers_and_lists_each_school_once(
        app, inspector_client, coded, questionnaire):
    round_id, (school, _other) = coded
    _three_opened(app, round_id, school, questionnaire)
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    summary = re.search(r'<p class="response-summary">(.*?)</p>', html, re.S).group(1)
    assert summary == ("Sector: 1 antwoord ingediend, 2 begonnen maar nog niet ingediend, "
                       "bij 2 scholen (met codes: één antwoord per code).")
    assert "uitgenodigde" not in summary and "%" not in html.split("response-summary")[1]
    with app.app_context():
        centre = db.session.get(Invitation, school).centre_id
    page = inspector_client.get(f"/beheer/rondes/{round_id}/clb/{centre}")
    statuses = re.findall(r"<td>([^<]*geopend[^<]*|niet begonnen|begonnen|ingediend)\s*</td>",
                          page.get_data(as_text=True))
    assert statuses == ["3 codes geopend, 1 ingediend"]      # one row for the school
