"""The console around a coded round (codes instead of directors' mails): the recount of
its response figures, the round page's steps, sending, the plan, the readiness before
publishing, drafts copied and edited, and the audit labels of the codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_access_codes import CodePage, _make

from helpers import all_answers
from survey.extensions import db
from survey.models import Invitation, Round
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


# --- The recount ---

def test_recount_counts_each_coded_school_once(app, runner, coded, questionnaire):
    """School one: three codes opened, one submitted, two drafts (one saved, one only
    opened): 1 invited, 3 started, 1 submitted; school two (another CLB): 1, 0, 0."""
    round_id, (school, other) = coded
    codes = [c.code for c in _make(app, round_id, school, [(None, 4)])]
    pages = [CodePage(app.test_client()) for _ in range(3)]
    for page, code in zip(pages, codes, strict=False):
        page.open(code)
    assert pages[0].post(all_answers(questionnaire, 3), action="submit").status_code == 303
    assert pages[1].post({4: 2}).status_code == 303
    with app.app_context():
        centres = dict(db.session.execute(select(Invitation.id, Invitation.centre_id)
                                          .where(Invitation.id.in_([school, other]))).all())
        kept = tally.kept(db.session, round_id)
        assert kept == {(centres[school], "bao"): (1, 3, 1), (centres[other], "so"): (1, 0, 0)}
        assert tally.recomputed(db.session, round_id) == kept
    result = runner.invoke(args=["reports", "check", str(round_id)])
    assert result.exit_code == 0, result.output
    assert "OK: response figures" in result.output
