"""The round service's invitations under concurrency: an inspector withdraws schools while
those very schools submit, over HTTP, at the same moment. Whichever commits first, the kept
response figures and answer counts must equal a recount, and nobody gets a 500."""

from __future__ import annotations

import pytest
from conftest import csrf_in

from helpers import FormPage, all_answers, in_threads, kept_equals_recount
from survey.extensions import db
from survey.models import Invitation, Response
from survey.services import counts, tally

SCHOOLS = 16


def _inspector_copies(app, inspector_client, count: int):
    """`count` test clients sharing the inspector's signed-in session, one per thread."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = inspector_client.get_cookie(name)
    copies = []
    for _ in range(count):
        client = app.test_client()
        client.set_cookie(name, cookie.value, domain=cookie.domain)
        copies.append(client)
    return copies


@pytest.mark.parametrize("drafts", [False, True], ids=["fresh", "drafted"])
def test_withdrawing_schools_while_they_submit_keeps_the_figures_right(
        app, runner, make_round, make_invited, inspector_client, questionnaire, drafts):
    round_id = make_round()
    schools = [make_invited(round_id, ("bao", "so", "buso")[i % 3],
                            ("100001", "100002")[i % 2]) for i in range(SCHOOLS)]
    pages = []
    for school in schools:
        page = FormPage(app.test_client(), school)
        page.open()
        if drafts:
            assert page.post({1: 3}).status_code == 303
        pages.append(page)
    with app.app_context():
        centre_of = {s.invitation_id: db.session.get(Invitation, s.invitation_id).centre_id
                     for s in schools}
    token = csrf_in(inspector_client.get(
        f"/beheer/rondes/{round_id}/clb/{centre_of[schools[0].invitation_id]}")
        .get_data(as_text=True))
    inspectors = _inspector_copies(app, inspector_client, SCHOOLS)
    answers = all_answers(questionnaire, 2)

    def submit(page):
        return lambda: ("submit", page.invited.invitation_id,
                        page.post(answers, action="submit").headers.get("Location", ""),
                        None)

    def withdraw(client, school):
        def job():
            answer = client.post(
                f"/beheer/rondes/{round_id}/uitnodigingen/{school.invitation_id}",
                data={"csrf_token": token, "action": "withdraw"})
            return "withdraw", school.invitation_id, answer.headers.get("Location", ""), \
                answer.status_code
        return job

    jobs = []
    for page, client, school in zip(pages, inspectors, schools, strict=True):
        jobs += [submit(page), withdraw(client, school)]
    results = in_threads(app, jobs)

    for kind, _invitation, _location, status in results:
        if kind == "withdraw":
            assert status == 302, status
    kept_equals_recount(app, tally.kept, tally.recomputed, round_id)
    cube = kept_equals_recount(app, counts.cube, counts.recomputed, round_id)
    with app.app_context():
        withdrawn = set(db.session.scalars(db.select(Invitation.id).where(
            Invitation.round_id == round_id, Invitation.revoked_at.is_not(None))))
        submitted = set(db.session.scalars(db.select(Response.invitation_id).where(
            Response.status == "submitted")))
    assert withdrawn == {s.invitation_id for s in schools}
    # A submit acknowledged with the confirmation page is stored as submitted.
    acknowledged = {i for kind, i, location, _ in results
                    if kind == "submit" and location.endswith("/vragenlijst/bevestiging")}
    assert acknowledged <= submitted
    # Every school ended withdrawn, so the reports count none of their answers.
    assert sum(cube.values()) == 0
    check = runner.invoke(args=["reports", "check", str(round_id)])
    assert check.exit_code == 0 and "DIFFERENT" not in check.output, check.output
