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


def test_the_sentence_and_the_table_count_alike(app, inspector_client, make_round,
                                                make_invited, questionnaire):
    import re

    round_id = make_round()
    schools = [make_invited(round_id, "bao", "100001") for _ in range(4)]
    with app.app_context():
        svc.save(db.session, schools[0].invitation_id, all_answers(questionnaire),
                 submit=True)
        svc.save(db.session, schools[1].invitation_id, {4: 3})        # started only
        db.session.commit()
    html = inspector_client.get(f"/beheer/rondes/{round_id}/live").get_data(as_text=True)
    # the only CLB with schools takes part: the round is the sector
    assert "Sector: ingediend door 1 van 4 uitgenodigde scholen (25 %)." in html
    assert "1 school is begonnen maar diende nog niet in." in html
    assert "2 scholen zijn nog niet begonnen." in html
    # the table's "begonnen" is the sentence's: started, not submitted
    row = re.search(r'<tr><th scope="row">bao</th>(.*?)</tr>', html).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["4", "2", "1", "1", "25 %"]
    with app.app_context():
        svc.save(db.session, schools[2].invitation_id, {4: 3})
        db.session.commit()
    html = inspector_client.get(f"/beheer/rondes/{round_id}/live").get_data(as_text=True)
    assert "2 scholen zijn begonnen maar dienden nog niet in." in html
    assert "1 school is nog niet begonnen." in html


def test_sector_only_when_every_clb_takes_part(app, inspector_client, make_round,
                                               make_invited):
    import io

    from openpyxl import load_workbook

    round_id = make_round()
    make_invited(round_id, "bao", "100001")
    make_invited(make_round(), "bao", "100002")   # a CLB with schools, not in this round
    html = inspector_client.get(f"/beheer/rondes/{round_id}").get_data(as_text=True)
    assert "van deze bevraging: ingediend door 0 van 1 uitgenodigde school" in html
    assert "Sector:" not in html
    sheet = load_workbook(io.BytesIO(inspector_client.get(
        f"/beheer/rondes/{round_id}/respons.xlsx").data))["Per CLB"]
    assert list(sheet.iter_rows(values_only=True))[-1][1] == "Totaal"


def test_submissions_per_local_day_and_level(app, inspector_client, make_round,
                                             make_invited, questionnaire):
    from datetime import UTC, date, datetime

    from survey.models import Response

    round_id = make_round()
    bao = [make_invited(round_id, "bao", "100001") for _ in range(3)]
    so = [make_invited(round_id, "so", "100001") for _ in range(2)]
    withdrawn = make_invited(round_id, "so", "100001")
    # UTC times; Brussels is UTC+1 in March: 23:30 UTC on the 1st is the 2nd locally
    when = [(bao[0], datetime(2026, 3, 1, 22, 30, tzinfo=UTC)),    # 1 March 23:30
            (bao[1], datetime(2026, 3, 1, 23, 30, tzinfo=UTC)),    # 2 March 00:30
            (so[0], datetime(2026, 3, 2, 12, 0, tzinfo=UTC)),      # 2 March
            (withdrawn, datetime(2026, 3, 2, 13, 0, tzinfo=UTC)),  # not counted
            (so[1], datetime(2026, 3, 4, 9, 0, tzinfo=UTC))]       # 4 March (3rd: none)
    with app.app_context():
        for inv, moment in when:
            svc.save(db.session, inv.invitation_id, all_answers(questionnaire), submit=True)
            response = db.session.scalar(db.select(Response).where(
                Response.invitation_id == inv.invitation_id))
            response.submitted_at = moment
        db.session.commit()
        revoke(db.session, db.session.get(Invitation, withdrawn.invitation_id))
        db.session.commit()
        per_day = monitoring.submissions_per_day(db.session, round_id)
        figures = monitoring.round_figures(db.session, round_id)
        line = monitoring.timeline(db.session, round_id, figures)
    assert {day: (n["bao"], n["so"]) for day, n in per_day.items()} == {
        date(2026, 3, 1): (1, 0), date(2026, 3, 2): (1, 1), date(2026, 3, 4): (0, 1)}
    assert [d.day.day for d in line.days] == [1, 2, 3, 4]        # the empty day included
    assert [d.cumulative["total"] for d in line.days] == [1, 3, 3, 4]
    assert line.invited == {"bao": 3, "so": 2, "bubao": 0, "buso": 0, "total": 5}
    # lines for the total and the levels with invitations, ending at their shares
    assert [(s.key, round(s.last_pct, 3)) for s in line.series] == [
        ("total", 80.0), ("bao", 66.667), ("so", 100.0)]
    html = inspector_client.get(f"/beheer/rondes/{round_id}/live").get_data(as_text=True)
    assert "<polyline" in html and 'role="img"' in html
    assert "<th scope=\"row\">2/3/2026</th>" in html and "3 (60\u00a0%)" in html
    assert "<th scope=\"row\">3/3/2026</th>" not in html     # the table: days with news
