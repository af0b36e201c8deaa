"""The counts cube kept in answer_count always equals the one aggregated from the answers:
through submits (also simultaneous ones), drafts, double submits, withdrawals and
reinstatements; rebuild() repairs it after a bulk load."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete

from helpers import (
    all_answers,
    in_threads,
    kept_equals_recount,
    random_operations,
    random_schools,
)
from survey.extensions import db
from survey.models import AnswerCount, Invitation, Round
from survey.services import answers as svc
from survey.services import counts, rounds


def _check(app, round_id):
    return kept_equals_recount(app, counts.cube, counts.recomputed, round_id)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_follow_every_operation(app, make_round, make_invited, questionnaire,
                                            seed):
    rng = random.Random(seed)
    round_id = make_round()
    schools = random_schools(make_invited, rng, round_id, 12)
    numbers = [s.number for s in questionnaire.statements]
    random_operations(app, rng, schools, numbers, 40)
    kept = _check(app, round_id)
    assert sum(kept.values()) > 0


def test_withdrawing_and_reinstating_a_submitted_school(app, make_invited, questionnaire):
    inv = make_invited()
    with app.app_context():
        svc.save(db.session, inv.invitation_id, all_answers(questionnaire, 3), submit=True)
        db.session.commit()
    assert sum(_check(app, inv.round_id).values()) == 21
    with app.app_context():
        invitation = db.session.get(Invitation, inv.invitation_id)
        rounds.withdraw(db.session, invitation)
        rounds.withdraw(db.session, invitation)          # twice: taken off once
        db.session.commit()
    assert _check(app, inv.round_id) == {}
    with app.app_context():
        rounds.reinstate(db.session, db.session.get(Invitation, inv.invitation_id))
        db.session.commit()
    assert _check(app, inv.round_id) == {("100001", "bao", n, 3): 1
                                         for n in all_answers(questionnaire)}


def test_simultaneous_submits_count_once_each(app, make_round, make_invited, questionnaire):
    round_id = make_round()
    schools = [make_invited(round_id, "bao", "100001") for _ in range(8)]
    answers = all_answers(questionnaire, 4)
    jobs = [lambda inv=inv: svc.save(db.session, inv.invitation_id, answers, submit=True)
            for inv in schools for _ in range(2)]      # each school twice, at once
    outcomes = in_threads(app, jobs)
    assert outcomes.count(svc.SUBMITTED) == 8
    kept = _check(app, round_id)
    assert kept == {("100001", "bao", n, 4): 8 for n in answers}


def test_rebuild_repairs_the_counts(app, answered_round):
    round_id, given = answered_round()
    with app.app_context():
        expected = counts.recomputed(db.session, round_id)
        db.session.execute(delete(AnswerCount))
        db.session.commit()
        assert counts.cube(db.session, round_id) == {}
        counts.rebuild(db.session, round_id)
        db.session.commit()
        assert counts.cube(db.session, round_id) == expected
        assert db.session.get(Round, round_id) is not None
    assert sum(expected.values()) == 21 * len(given)


def test_cli_check_finds_and_repairs_a_difference(app, runner, answered_round):
    round_id, _ = answered_round()
    assert "OK:" in runner.invoke(args=["reports", "check", str(round_id)]).output
    with app.app_context():
        db.session.execute(delete(AnswerCount).where(AnswerCount.item == 4))
        db.session.commit()
    broken = runner.invoke(args=["reports", "check", str(round_id)])
    assert broken.exit_code != 0 and "differ" in broken.output
    repaired = runner.invoke(args=["reports", "check", str(round_id), "--repair"])
    assert repaired.exit_code == 0 and "Repaired" in repaired.output
    assert "OK:" in runner.invoke(args=["reports", "check", str(round_id)]).output
