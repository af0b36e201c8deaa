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


def test_figures_download_as_a_workbook_with_numbers(app, inspector_client, make_round,
                                                     make_invited, questionnaire):
    import io

    from openpyxl import load_workbook

    round_id = make_round()
    done = make_invited(round_id, "bao", "100001")
    make_invited(round_id, "bao", "100001")
    with app.app_context():
        svc.save(db.session, done.invitation_id, all_answers(questionnaire), submit=True)
    response = inspector_client.get(f"/beheer/rondes/{round_id}/respons.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data))["Per CLB"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("CLB-nummer", "CLB", "uitgenodigd", "begonnen", "ingediend",
                           "respons %")
    assert rows[1][:6] == ("100001", "Vrij CLB Test 100001", 2, 1, 1, 50.0)
    assert rows[-1][1] == "Sector" and rows[-1][5] == 50.0


def test_text_that_looks_like_a_formula_stays_text():
    import io

    from openpyxl import load_workbook

    from reports.xlsx import workbook

    data = workbook([("T", ["a", "b"], [["=1+1", 3], ["@SUM(A1)", -2]])])
    rows = list(load_workbook(io.BytesIO(data))["T"].iter_rows(values_only=True))
    assert rows[1] == ("'=1+1", 3) and rows[2] == ("'@SUM(A1)", -2)
