"""Response figures per CLB and level, checked against counts made by hand."""

from __future__ import annotations

from helpers import all_answers
from survey.extensions import db
from survey.models import Invitation
from survey.services import answers as svc
from survey.services import monitoring
from survey.services.rounds import revoke


def test_figures_per_centre_and_level(app, make_round, make_invited, questionnaire):
    round_id = make_round()
    a = [make_invited(round_id, "bao", "100001") for _ in range(3)]
    b = [make_invited(round_id, "so", "100002") for _ in range(2)]
    b_buso = make_invited(round_id, "buso", "100002")
    other_round = make_invited(make_round(), "bao", "100001")
    with app.app_context():
        svc.save(db.session, a[0].invitation_id, all_answers(questionnaire), submit=True)
        svc.save(db.session, a[1].invitation_id, {4: 3})                  # started only
        svc.save(db.session, b[0].invitation_id, all_answers(questionnaire), submit=True)
        svc.save(db.session, b_buso.invitation_id, all_answers(questionnaire), submit=True)
        svc.save(db.session, other_round.invitation_id, all_answers(questionnaire),
                 submit=True)
        revoke(db.session, db.session.get(Invitation, b[1].invitation_id))  # withdrawn
        db.session.commit()
        figures = monitoring.round_figures(db.session, round_id, sort="respons")

    rows = {r.number: r for r in figures.centres}
    assert (rows["100001"].total.invited, rows["100001"].total.started,
            rows["100001"].total.submitted) == (3, 2, 1)
    assert (rows["100002"].total.invited, rows["100002"].total.submitted) == (2, 2)
    assert rows["100002"].levels["so"].invited == 1 and rows["100002"].levels["buso"].rate == 1
    assert (figures.total.invited, figures.total.started, figures.total.submitted) == (5, 4, 3)
    assert figures.levels["bao"].rate == 1 / 3
    assert [r.number for r in figures.centres] == ["100001", "100002"]  # lowest rate first


def test_centre_schools_show_status_never_answers(app, make_round, make_invited,
                                                  questionnaire):
    round_id = make_round()
    done, busy, idle = (make_invited(round_id) for _ in range(3))
    with app.app_context():
        svc.save(db.session, done.invitation_id, all_answers(questionnaire), submit=True)
        svc.save(db.session, busy.invitation_id, {4: 1})
        centre_id = db.session.get(Invitation, done.invitation_id).centre_id
        statuses = sorted(s.status for s in
                          monitoring.centre_schools(db.session, round_id, centre_id))
    assert statuses == ["begonnen", "ingediend", "niet begonnen"]
