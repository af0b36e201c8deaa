"""The answer service: saving, submitting, round and invitation states, concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpers import all_answers, in_threads
from survey.extensions import db
from survey.models import Answer, Invitation, Remark, Response, utcnow
from survey.services import answers as svc
from survey.services.rounds import revoke


def _draft(app, invitation_id):
    with app.app_context():
        return svc.load_draft(db.session, invitation_id)


def _save(app, invitation_id, answers, remarks=None, **kw):
    with app.app_context():
        return svc.save(db.session, invitation_id, answers, remarks, **kw)


def test_save_creates_a_draft_and_updates_in_place(app, invited):
    assert _save(app, invited.invitation_id, {4: 4, 5: 2}) == svc.SAVED
    assert _save(app, invited.invitation_id, {5: 3, 6: 0}, {"opmerking-algemeen": " Fijn "}) \
        == svc.SAVED
    draft = _draft(app, invited.invitation_id)
    assert draft.status == "draft"
    assert draft.answers == {4: 4, 5: 3, 6: 0}
    assert draft.remarks == {"opmerking-algemeen": "Fijn"}


def test_none_clears_an_answer_and_empty_text_clears_a_remark(app, invited):
    _save(app, invited.invitation_id, {4: 4, 5: 2}, {"opmerking-algemeen": "x"})
    _save(app, invited.invitation_id, {5: None}, {"opmerking-algemeen": ""})
    draft = _draft(app, invited.invitation_id)
    assert draft.answers == {4: 4} and draft.remarks == {}


@pytest.mark.parametrize(("answers", "remarks", "fragment"), [
    ({3: 4}, {}, "Vraag of stelling 3 bestaat niet"),
    ({4: 5}, {}, "geen antwoord op de schaal"),
    ({4: -1}, {}, "geen antwoord op de schaal"),
    ({}, {"bestaat-niet": "x"}, "bestaat niet in deze vragenlijst"),
    ({}, {"opmerking-algemeen": "x" * 4001}, "hoogstens 4000 tekens"),
])
def test_invalid_answers_write_nothing(app, invited, answers, remarks, fragment):
    _save(app, invited.invitation_id, {4: 1})
    with pytest.raises(svc.InvalidAnswers) as info:
        _save(app, invited.invitation_id, {**answers, 5: 4}, remarks)
    assert any(fragment in p for p in info.value.problems)
    assert _draft(app, invited.invitation_id).answers == {4: 1}


def test_submit_then_nothing_changes(app, invited, questionnaire):
    assert _save(app, invited.invitation_id, all_answers(questionnaire, 3), submit=True) \
        == svc.SUBMITTED
    assert _save(app, invited.invitation_id, {4: 1}) == svc.ALREADY_SUBMITTED
    assert _save(app, invited.invitation_id, {4: 1}, submit=True) == svc.ALREADY_SUBMITTED
    draft = _draft(app, invited.invitation_id)
    assert draft.submitted and draft.answers[4] == 3 and draft.submitted_at is not None


def test_closed_and_revoked_invitations_refuse(app, make_round, make_invited):
    closed = make_invited(make_round(closes_in=timedelta(seconds=-1)))
    assert _save(app, closed.invitation_id, {4: 4}) == svc.CLOSED
    later = make_invited(make_round(opens_in=timedelta(days=2)))
    assert _save(app, later.invitation_id, {4: 4}) == svc.CLOSED
    draft_round = make_invited(make_round(state="draft"))
    assert _save(app, draft_round.invitation_id, {4: 4}) == svc.CLOSED
    open_inv = make_invited()
    with app.app_context():
        revoke(db.session, db.session.get(Invitation, open_inv.invitation_id))
        db.session.commit()
    assert _save(app, open_inv.invitation_id, {4: 4}) == svc.REVOKED
    for inv in (closed, later, draft_round, open_inv):
        assert _draft(app, inv.invitation_id).status is None


def test_the_database_allows_one_response_per_invitation(app, invited):
    _save(app, invited.invitation_id, {4: 4})
    with app.app_context():
        db.session.add(Response(invitation_id=invited.invitation_id, status="draft",
                                started_at=utcnow(), updated_at=utcnow()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_simultaneous_submits_of_one_invitation_give_one_response(app, invited, questionnaire):
    first, second = all_answers(questionnaire, 4), all_answers(questionnaire, 1)
    outcomes = in_threads(app, [
        lambda: svc.save(db.session, invited.invitation_id, first, submit=True),
        lambda: svc.save(db.session, invited.invitation_id, second, submit=True),
    ])
    assert sorted(outcomes) == [svc.ALREADY_SUBMITTED, svc.SUBMITTED]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        values = set(db.session.scalars(select(Answer.value)))
    winner = first if outcomes[0] == svc.SUBMITTED else second
    assert values == set(winner.values()), "the losing submit must not mix in its answers"


def test_many_schools_submitting_at_once_all_land(app, make_round, make_invited, questionnaire):
    round_id = make_round()
    schools = [make_invited(round_id) for _ in range(16)]
    outcomes = in_threads(app, [
        (lambda inv=inv: svc.save(db.session, inv.invitation_id, all_answers(questionnaire, 3),
                                  {"opmerking-algemeen": "ok"}, submit=True))
        for inv in schools])
    assert outcomes == [svc.SUBMITTED] * 16
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 16 * 21
        assert db.session.scalar(select(func.count()).select_from(Remark)) == 16
        assert db.session.scalar(select(func.count()).where(Response.status == "submitted")) \
            == 16


def test_concurrent_saves_of_one_school_lose_nothing(app, invited, questionnaire):
    numbers = [i.number for i in questionnaire.statements]
    in_threads(app, [(lambda n=n: svc.save(db.session, invited.invitation_id, {n: 2}))
                      for n in numbers])
    assert _draft(app, invited.invitation_id).answers == dict.fromkeys(numbers, 2)
