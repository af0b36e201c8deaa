"""The list of what is not ready before publishing (services/readiness.py), each item on
hand-made data, and the publish page that asks the inspector to confirm it."""

from __future__ import annotations

import pytest
from conftest import csrf_in
from sqlalchemy import select

from helpers import all_answers
from survey.extensions import db
from survey.models import Centre, Invitation, MessageSend, Remark, Round, School
from survey.services import access_codes, readiness, rounds
from survey.services import answers as answer_service


def _set_round(app, round_id: int, **values) -> None:
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        for name, value in values.items():
            setattr(rnd, name, value)
        db.session.commit()


def _submit(app, inv, questionnaire, value: int, remark: str | None = None) -> None:
    with app.app_context():
        answer_service.save(db.session, inv.invitation_id, all_answers(questionnaire, value),
                            {"opmerking-algemeen": remark} if remark else {}, submit=True)
        db.session.commit()


def _mail(app, inv, status: str = "sent", key: str = "invitation") -> None:
    with app.app_context():
        db.session.add(MessageSend(invitation_id=inv.invitation_id, message_key=key,
                                   status=status, recipient="directie@example.org"))
        db.session.commit()


@pytest.fixture
def unready(app, make_round, make_invited, questionnaire):
    """A closed round, minimum group 2, benchmark from 2 other CLBs:
    CLB A (100001): three schools submit (codes 1, 2, 3 on every statement, so no
    statement is unanimous), two with a remark, one of them approved; a fourth only
    starts, with a remark (never reviewed: not submitted); a fifth is invited without a
    link; a sixth is withdrawn. CLB B (100002): one school submits (code 4), then moves
    to CLB Z (100009), which is not in the round. CLB C (100003): one school, no answer.
    Mails: A's first school got the invitation, A's second one failed."""
    round_id = make_round()
    _set_round(app, round_id, min_group_size=2, min_benchmark_centres=2)
    a = [make_invited(round_id, "bao", "100001") for _ in range(4)]
    b = make_invited(round_id, "bao", "100002")
    make_invited(round_id, "bao", "100003")
    withdrawn = make_invited(round_id, "bao", "100001")
    for inv, value, remark in [(a[0], 1, "Goed overleg"), (a[1], 2, "Te weinig tijd"),
                               (a[2], 3, None)]:
        _submit(app, inv, questionnaire, value, remark)
    _submit(app, b, questionnaire, 4)
    _mail(app, a[0])
    _mail(app, a[1], "failed")
    with app.app_context():
        answer_service.save(db.session, a[3].invitation_id, {4: 2},
                            {"opmerking-algemeen": "Nog bezig"})
        db.session.execute(Remark.__table__.update()
                           .where(Remark.text == "Goed overleg").values(review="approved"))
        rnd = db.session.get(Round, round_id)
        centre_a = db.session.scalar(select(Centre).where(Centre.number == "100001"))
        no_link = School(number="800001", name="School zonder link", level="bao",
                         centre_id=centre_a.id, email="zonder@example.org")
        db.session.add(no_link)
        db.session.flush()
        rounds.invite(db.session, rnd, [no_link], with_links=False)
        rounds.revoke(db.session, db.session.get(Invitation, withdrawn.invitation_id))
        z = Centre(number="100009", name="Vrij CLB Z", network="vclb")
        db.session.add(z)
        db.session.flush()
        moved = db.session.get(Invitation, b.invitation_id).school
        moved.centre_id = z.id
        rnd.state = "closed"
        db.session.commit()
        moved_name = moved.name
    return round_id, moved_name


def test_every_item_of_an_unready_round(app, unready, questionnaire):
    round_id, moved = unready
    statements = len(questionnaire.statements)
    with app.app_context():
        ready = readiness.check(db.session, db.session.get(Round, round_id))
    assert not ready.ready
    assert ready.statements == statements
    # of the submitted schools' two remarks one is approved; the draft's is not counted
    assert ready.pending_remarks == 1
    # invitations not withdrawn: A1..A4, A's school without a link, B, C = 7; A1 mailed
    assert ready.never_mailed == 6
    assert ready.never_mailed_with_link == 5       # all but "School zonder link"
    assert "School zonder link" in ready.never_mailed_examples
    assert [(s.name, s.centre, s.invited_for) for s in ready.outside] == \
        [(moved, "Vrij CLB Z", "Vrij CLB Test 100002")]
    # B: one respondent, below the minimum of 2; C: no answers at all. A shows figures.
    assert [(c.number, c.submitted) for c in ready.suppressed] == \
        [("100002", 1), ("100003", 0)]
    # A's and B's sector is one other CLB with answers (fewer than 2): no benchmark on
    # any statement; C's sector is A and B (4 answers, not unanimous): shown.
    assert [(c.number, c.statements) for c in ready.no_benchmark] == \
        [("100001", statements), ("100002", statements)]


def _ready_round(app, make_round, make_invited, questionnaire) -> int:
    """Two CLBs of three schools each (codes 1-3), every remark hidden, every school
    mailed (one by a reminder only): nothing to list."""
    round_id = make_round()
    _set_round(app, round_id, min_group_size=2, min_benchmark_centres=1)
    schools = [make_invited(round_id, "bao", number) for number in ("100001", "100002")
               for _ in range(3)]
    for i, inv in enumerate(schools):
        _submit(app, inv, questionnaire, 1 + i % 3, "Een opmerking")
        _mail(app, inv, key="reminder-1" if i == 0 else "invitation")  # any mail counts
    with app.app_context():
        db.session.execute(Remark.__table__.update().values(review="hidden"))
        db.session.commit()
    return round_id


def test_a_ready_round_has_nothing_to_list(app, make_round, make_invited, questionnaire):
    round_id = _ready_round(app, make_round, make_invited, questionnaire)
    with app.app_context():
        ready = readiness.check(db.session, db.session.get(Round, round_id))
    assert ready.ready, ready
    assert (ready.pending_remarks, ready.never_mailed, ready.outside, ready.suppressed,
            ready.no_benchmark) == (0, 0, [], [], [])


def test_a_ready_round_publishes_without_the_tick(app, make_round, make_invited,
                                                  questionnaire, inspector_client):
    round_id = _ready_round(app, make_round, make_invited, questionnaire)
    _set_round(app, round_id, state="closed")
    path = f"/beheer/rondes/{round_id}/publiceren"
    html = inspector_client.get(path).get_data(as_text=True)
    assert "Alles is klaar" in html and 'name="confirmed"' not in html
    assert inspector_client.post(path, data={"csrf_token": csrf_in(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Round, round_id).state == "published"


def test_publishing_an_unready_round_needs_the_tick(app, unready, inspector_client):
    round_id, _moved = unready
    path = f"/beheer/rondes/{round_id}/publiceren"
    page = inspector_client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 opmerking is nog niet beoordeeld" in html
    assert "6 uitgenodigde scholen kregen nooit een mail van het platform." in html
    assert "Voor 5 ervan bestaat wel een persoonlijke link" in html
    assert "Vrij CLB Z" in html
    assert "De rapporten van 2 CLB" in html and "tonen geen enkel cijfer" in html
    assert "kan de sectorvergelijking niet (overal) getoond worden" in html
    refused = inspector_client.post(path, data={"csrf_token": csrf_in(html)})
    assert refused.status_code == 400
    assert "Vink aan dat u de punten hierboven gelezen hebt" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Round, round_id).state == "closed"
    done = inspector_client.post(path, data={"csrf_token": csrf_in(html), "confirmed": "y"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Round, round_id).state == "published"
        # what the CLBs see is frozen as version 1 in the publishing transaction
        from survey.services import report_versions

        assert [v.number for v in report_versions.published(
            db.session, db.session.get(Round, round_id))] == [1]
    # published: the page says it cannot be done again, and changes nothing
    again = inspector_client.get(path).get_data(as_text=True)
    assert "alleen een afgesloten bevraging kan worden gepubliceerd" in again


def test_the_old_publish_button_only_leads_to_the_page(app, unready, inspector_client):
    round_id, _moved = unready
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    answer = inspector_client.post(f"/beheer/rondes/{round_id}/status",
                                   data={"csrf_token": csrf_in(html), "action": "publish"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/beheer/rondes/{round_id}/publiceren")
    with app.app_context():
        assert db.session.get(Round, round_id).state == "closed"


def test_a_coded_round_lists_the_schools_without_codes_not_the_unmailed(
        app, make_round, make_invited, inspector_client):
    """Three schools, none ever mailed (a coded round mails nobody): the first has codes,
    the second none, the third none but withdrawn. Listed: the second school only."""
    round_id = make_round()
    _set_round(app, round_id, access="codes", audience="parents")
    first, second, third = (make_invited(round_id) for _ in range(3))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        access_codes.make_codes(db.session, rnd, db.session.get(
            Invitation, first.invitation_id), [(None, 3)])
        rounds.revoke(db.session, db.session.get(Invitation, third.invitation_id))
        rnd.state = "closed"
        db.session.commit()
        name = db.session.get(Invitation, second.invitation_id).school.name
        ready = readiness.check(db.session, db.session.get(Round, round_id))
    assert (ready.never_mailed, ready.without_codes, ready.without_codes_examples) == \
        (0, 1, [name])
    assert not ready.ready
    html = inspector_client.get(f"/beheer/rondes/{round_id}/publiceren").get_data(
        as_text=True)
    assert ("Voor 1 school van de bevraging zijn nooit codes gemaakt: niemand van die "
            "school kon antwoorden.") in html
    assert name in html and "kreeg nooit een mail" not in html
