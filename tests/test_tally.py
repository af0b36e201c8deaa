"""The response figures kept in invitation_tally always equal the ones counted from the
invitations: through invitations, first saves, later saves, submits (also simultaneous
ones), withdrawals, reinstatements and added schools; rebuild() and `survey reports check
--repair` put them right after a bulk load; migration 0007 fills them for existing data."""

from __future__ import annotations

import random

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, text

from helpers import (
    all_answers,
    in_threads,
    kept_equals_recount,
    random_operations,
    random_schools,
)
from survey.extensions import db
from survey.models import Invitation, InvitationTally, Round, School
from survey.services import answers as svc
from survey.services import rounds, tally


def _check(app, round_id):
    return kept_equals_recount(app, tally.kept, tally.recomputed, round_id)


def _centre_of(app, inv):
    with app.app_context():
        return db.session.get(Invitation, inv.invitation_id).centre_id


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kept_figures_follow_every_operation(app, make_round, make_invited, questionnaire,
                                             seed):
    rng = random.Random(seed)
    round_id = make_round()
    schools = random_schools(make_invited, rng, round_id, 10)
    numbers = [s.number for s in questionnaire.statements]
    random_operations(app, rng, schools, numbers, 50,
                      ("draft", "draft", "submit", "withdraw", "reinstate", "add"),
                      add=lambda: make_invited(round_id, "bubao", "100002"),
                      check=lambda: _check(app, round_id))
    kept = _check(app, round_id)
    assert sum(invited for invited, _, _ in kept.values()) > 0


def test_figures_by_hand(app, make_round, make_invited, questionnaire):
    """Three schools of one CLB and level: one saves twice, one submits at once, one
    does nothing; then the submitted one is withdrawn and brought back."""
    round_id = make_round()
    a, b, c = (make_invited(round_id, "so", "100003") for _ in range(3))
    key = (_centre_of(app, a), "so")
    assert _check(app, round_id) == {key: (3, 0, 0)}
    with app.app_context():
        svc.save(db.session, a.invitation_id, {4: 3})
        svc.save(db.session, a.invitation_id, {5: 2})      # a second save starts nothing
        svc.save(db.session, b.invitation_id, all_answers(questionnaire), submit=True)
        svc.save(db.session, b.invitation_id, all_answers(questionnaire), submit=True)
        db.session.commit()
    assert _check(app, round_id) == {key: (3, 2, 1)}
    with app.app_context():
        svc.save(db.session, a.invitation_id, all_answers(questionnaire), submit=True)
        rounds.withdraw(db.session, db.session.get(Invitation, b.invitation_id))
        rounds.withdraw(db.session, db.session.get(Invitation, b.invitation_id))
        db.session.commit()
    assert _check(app, round_id) == {key: (2, 1, 1)}
    with app.app_context():
        rounds.reinstate(db.session, db.session.get(Invitation, b.invitation_id))
        rounds.withdraw(db.session, db.session.get(Invitation, c.invitation_id))
        db.session.commit()
    assert _check(app, round_id) == {key: (2, 2, 2)}


def test_adding_a_school_counts_it(app, make_round, make_invited):
    round_id = make_round()
    first = make_invited(round_id, "bao", "100001")
    with app.app_context():
        centre_id = db.session.get(Invitation, first.invitation_id).centre_id
        school = School(number="812345", name="Nieuwe school", level="buso",
                        centre_id=centre_id)
        db.session.add(school)
        db.session.flush()
        rounds.add_school(db.session, db.session.get(Round, round_id), school)
        db.session.commit()
    assert _check(app, round_id) == {(centre_id, "bao"): (1, 0, 0),
                                     (centre_id, "buso"): (1, 0, 0)}


def test_simultaneous_first_saves_and_submits_count_once_each(app, make_round, make_invited,
                                                              questionnaire):
    round_id = make_round()
    schools = [make_invited(round_id, "bao", "100001") for _ in range(6)]
    given = all_answers(questionnaire, 4)
    jobs = [lambda inv=inv, submit=submit: svc.save(db.session, inv.invitation_id, given,
                                                    submit=submit)
            for inv in schools for submit in (False, False, True, True)]
    random.Random(7).shuffle(jobs)
    in_threads(app, jobs)
    assert _check(app, round_id) == {(_centre_of(app, schools[0]), "bao"): (6, 6, 6)}


def test_rebuild_and_cli_check_repair_the_figures(app, runner, answered_round):
    round_id, given = answered_round(state="open")
    expected = _check(app, round_id)
    assert "OK:" in runner.invoke(args=["reports", "check", str(round_id)]).output
    with app.app_context():
        db.session.execute(delete(InvitationTally).where(InvitationTally.level == "bao"))
        db.session.commit()
    broken = runner.invoke(args=["reports", "check", str(round_id)])
    assert broken.exit_code != 0 and "response figures" in broken.output
    repaired = runner.invoke(args=["reports", "check", str(round_id), "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert _check(app, round_id) == expected
    assert sum(submitted for _, _, submitted in expected.values()) == len(given)


def test_migration_fills_the_figures_of_existing_invitations(app, answered_round):
    round_id, given = answered_round(state="open")
    directory = app.extensions["migrate"].directory
    with app.app_context():
        expected = tally.recomputed(db.session, round_id)
        db.session.remove()
        downgrade(directory=directory, revision="0006")
        upgrade(directory=directory)
        assert tally.kept(db.session, round_id) == expected
        assert set(db.session.scalars(text("SELECT saves FROM response"))) == {1}
        assert db.session.scalar(select(Round.id).where(Round.id == round_id)) == round_id
