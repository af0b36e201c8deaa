"""The console's results pages: preview any CLB, files, the background build, remarks."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
from conftest import csrf_in
from export_download import download_export
from sqlalchemy import select

from survey.extensions import db
from survey.models import Remark, Round
from survey.models.jobs import Job


def _built(inspector_client, round_id: int) -> str:
    """The results page once the build job has ended. Here the queue runs each job at
    once, in the request that enqueues it (huey's immediate mode, the tests' default);
    test_jobs.py runs it on a real queue with a worker."""
    return inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(
        as_text=True)

def test_preview_and_files_of_any_clb(app, inspector_client, answered_round):
    round_id, _ = answered_round(state="closed")
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten")
    html = page.get_data(as_text=True)
    assert "nog niet gepubliceerd" in html and "24 nog te beoordelen" in html
    for number in ("100001", "100002"):
        preview = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten/{number}")
        assert f"Vrij CLB Test {number}" in preview.get_data(as_text=True)
        pdf = inspector_client.get(
            f"/beheer/rondes/{round_id}/rapporten/{number}/feedbackrapport.pdf")
        assert pdf.data.startswith(b"%PDF")
    assert inspector_client.get(
        f"/beheer/rondes/{round_id}/rapporten/999999").status_code == 404
    sector = inspector_client.get(f"/beheer/rondes/{round_id}/sectorwerkboek.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(sector.data)).sheetnames[0] == "Overzicht"


def test_no_reports_for_a_draft_round(inspector_client, make_round):
    round_id = make_round(state="draft")
    assert inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").status_code == 404


def test_build_everything_in_the_background_then_download_the_zip(
        app, inspector_client, answered_round):
    round_id, _ = answered_round()
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten")
    early = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten/alles.zip")
    assert early.status_code == 302
    answer = inspector_client.post(f"/beheer/rondes/{round_id}/rapporten/bouwen",
                                   data={"csrf_token": csrf_in(page.get_data(as_text=True))})
    assert answer.status_code == 302
    html = _built(inspector_client, round_id)
    assert "Alle rapporten zijn opgebouwd" in html
    # the build was a job: its record says who started it, how far it got, how it ended
    with app.app_context():
        (job,) = db.session.scalars(select(Job)).all()
        assert (job.kind, job.round_id, job.state, job.done, job.total, job.attempts) == \
            ("reports", round_id, "done", 2, 2, 1)
        assert job.user.email == "inspector1@example.org"
    assert f"/beheer/taken/{job.id}" in html
    listing = inspector_client.get("/beheer/taken").get_data(as_text=True)
    assert "Rapporten opbouwen" in listing and "De rapporten van 2 CLB" in listing
    archive = zipfile.ZipFile(io.BytesIO(
        inspector_client.get(f"/beheer/rondes/{round_id}/rapporten/alles.zip").data))
    assert sorted(archive.namelist()) == ["100001.pdf", "100001.xlsx", "100002.pdf",
                                          "100002.xlsx", "sector.xlsx", "sectorrapport.pdf",
                                          "sectorrapport.xlsx"]


def test_review_remarks_in_the_console(app, inspector_client, answered_round):
    round_id, _ = answered_round()
    page = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen")
    html = page.get_data(as_text=True)
    assert html.count('<article class="remark"') == 24       # 8 + 16 submitted schools
    assert "Testschool" not in html, "reviewers judge the text, not the school"
    with app.app_context():
        remark = db.session.query(Remark).order_by(Remark.response_id).first()
        target = (remark.response_id, remark.key)
    url = f"/beheer/rondes/{round_id}/opmerkingen/{target[0]}/{target[1]}"
    token = csrf_in(html)
    answer = inspector_client.post(url, data={"csrf_token": token, "action": "redact",
                                              "redacted": '=HYPERLINK("x")'})
    assert answer.status_code == 302
    empty = inspector_client.post(url, data={"csrf_token": token, "action": "redact",
                                             "redacted": ""})
    assert "Geef de ingekorte tekst" in inspector_client.get(
        empty.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Remark, target)
        assert stored.review == "approved" and stored.redacted_text == '=HYPERLINK("x")'
    assert inspector_client.post(url, data={"action": "approve"}).status_code == 400
    assert inspector_client.post(
        f"/beheer/rondes/{round_id}/opmerkingen/999999/x",
        data={"csrf_token": token, "action": "approve"}).status_code == 302


def test_all_responses_as_csv_without_school_identities(app, inspector_client,
                                                        answered_round):
    import csv as csv_module

    round_id, given = answered_round()
    answer = download_export(inspector_client, round_id, "antwoorden-csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv_module.reader(io.StringIO(answer.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["respondent", "centre_number", "level"]
    items = [int(h.split("_")[1]) for h in header[3:]]
    got = sorted((r[1], r[2], tuple(int(v) for v in r[3:])) for r in body)
    assert got == sorted((c, lv, tuple(v[n] for n in items)) for c, lv, v in given)
    assert [r[0] for r in body] == [str(i) for i in range(1, len(given) + 1)]
    text = answer.get_data(as_text=True)
    assert "Testschool" not in text
    # grouped by CLB and level, but not in the order the schools answered within them
    order = [(r[1], r[2]) for r in body]
    assert order == sorted(order)


def test_all_responses_as_a_workbook_equal_to_the_answers(app, inspector_client,
                                                         answered_round):
    from openpyxl import load_workbook

    round_id, given = answered_round()
    answer = download_export(inspector_client, round_id, "antwoorden-xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert answer.headers["Cache-Control"] == "no-store"
    data = answer.get_data()
    rows = list(load_workbook(io.BytesIO(data))["Antwoorden"].values)
    header, body = rows[0], rows[1:]
    items = [int(h.split("_")[1]) for h in header[3:]]
    got = sorted((r[1], r[2], tuple(r[3:])) for r in body)
    assert got == sorted((c, lv, tuple(v[n] for n in items)) for c, lv, v in given)
    assert b"Testschool" not in data


def test_a_school_that_submitted_nothing_is_a_row_of_blanks(app, inspector_client,
                                                            answered_round, make_invited):
    from survey.services import answers as answer_service

    round_id, given = answered_round(state="open")
    empty = make_invited(round_id, "so", "100002")
    with app.app_context():
        assert answer_service.save(db.session, empty.invitation_id, {},
                                   submit=True) == answer_service.SUBMITTED
        db.session.get(Round, round_id).state = "published"
        db.session.commit()
    answer = download_export(inspector_client, round_id, "antwoorden-csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))[1:]
    assert len(rows) == len(given) + 1
    assert sum(1 for r in rows if r[1:3] == ["100002", "so"] and not any(r[3:])) == 1


def _download_rows(app) -> list[tuple[str, str, dict]]:
    """(user's e-mail, subject, detail) of every results download in the audit log."""
    from sqlalchemy import select

    from survey.models import AuditEvent

    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "results downloaded").order_by(AuditEvent.id)).all()
        return [(e.user.email if e.user else None, e.subject, e.detail) for e in events]


def test_every_console_download_leaves_one_audit_row(app, make_user, answered_round):
    from conftest import login

    round_id, _ = answered_round()
    email = make_user("inspector", email="lies@example.org")
    client = app.test_client()
    assert login(client, email).status_code == 302
    base = f"/beheer/rondes/{round_id}"
    cases = [(f"{base}/rapporten/100002/feedbackrapport.pdf", "sheet", "100002"),
             (f"{base}/rapporten/100001/werkboek.xlsx", "workbook", "100001"),
             (f"{base}/sectorwerkboek.xlsx", "sector workbook", None),
             ("antwoorden-csv", "all answers csv", None),
             ("antwoorden-xlsx", "all answers xlsx", None),
             ("antwoorden-sav", "all answers sav", None),
             ("analyse-csv", "analysis csv", None),
             (f"{base}/codeboek.csv", "codebook csv", None),
             (f"{base}/sectorrapport.pdf", "sector report", None),
             (f"{base}/sectorrapport.xlsx", "sector report data", None)]
    for url, kind, centre in cases:
        before = len(_download_rows(app))
        if url.startswith("/"):
            answer = client.get(url)
            answer.get_data()
            answer.close()
        else:       # an export: made by a job, then downloaded (only that is audited)
            answer = download_export(client, round_id, url)
        assert answer.status_code == 200, url
        rows = _download_rows(app)
        assert len(rows) == before + 1, url
        assert rows[-1] == ("lies@example.org", "Testbevraging",
                            {"kind": kind, "round": round_id, "centre": centre})
    # a preview page is not a file
    client.get(f"{base}/rapporten/100001")
    assert len(_download_rows(app)) == len(cases)


def test_the_zip_download_leaves_one_audit_row(app, inspector_client, answered_round):
    round_id, _ = answered_round()
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten")
    inspector_client.post(f"/beheer/rondes/{round_id}/rapporten/bouwen",
                          data={"csrf_token": csrf_in(page.get_data(as_text=True))})
    _built(inspector_client, round_id)
    assert _download_rows(app) == []
    assert inspector_client.get(f"/beheer/rondes/{round_id}/rapporten/alles.zip").status_code \
        == 200
    rows = _download_rows(app)
    assert len(rows) == 1
    assert rows[0][2] == {"kind": "all reports zip", "round": round_id, "centre": None}


def test_the_console_says_the_answer_files_identify_schools(inspector_client, answered_round):
    round_id, _ = answered_round()
    html = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    assert "identificerend" in html and "auditlog" in html


def _example_round(app, make_invited, schools):
    """A closed round on the example questionnaire (every type, routing); `schools` is a
    list of (answers, remarks) submitted in CLB 100001, bao; the first school also keeps a
    draft answer to a follow-up question that its 'nee' hides."""
    from survey.questionnaire import bundled
    from survey.services import answers as answer_service
    from survey.services import rounds

    with app.app_context():
        rnd = rounds.create_round(db.session, name="Voorbeeldronde", school_year="2026-2027",
                                  questionnaire=bundled("voorbeeld-alle-vraagtypes"))
        rounds.open_round(db.session, rnd)
        db.session.commit()
        round_id = rnd.id
    for index, (given, texts) in enumerate(schools):
        invited = make_invited(round_id, "bao", "100001")
        with app.app_context():
            if index == 0:
                answer_service.save(db.session, invited.invitation_id, {11: 1, 1007: 2})
            answer_service.save(db.session, invited.invitation_id, given, texts, submit=True)
            db.session.commit()
    with app.app_context():
        db.session.get(Round, round_id).state = "closed"
        db.session.commit()
    return round_id


def test_all_answers_as_spss_with_labels_missing_codes_and_routing(
        app, inspector_client, make_invited, tmp_path):
    import pyreadstat

    # medewerkers: options 1..5 in slots 1001..1005; verzoek (yesno) slot 11; kanaal 1007;
    # bereikbaar (likert, 0 = geen zicht) 1006; overleg (number) slot 3.
    ticked = {1001: 1, 1002: 0, 1003: 1, 1004: 0, 1005: 0}
    round_id = _example_round(app, make_invited, [
        ({**ticked, 11: 2, 1006: 0, 3: 12}, {"waarom-geen-vraag": "Geen nood aan."}),
        ({**ticked, 11: 1, 1007: 3, 1006: 4, 3: 0}, {"kanaal-anders": "niet gebruikt"}),
    ])
    answer = download_export(inspector_client, round_id, "antwoorden-sav")
    assert answer.status_code == 200 and answer.mimetype == "application/x-spss-sav"
    path = tmp_path / "a.sav"
    path.write_bytes(answer.data)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["medewerkers_3"] == "1. Met welke medewerkers van het CLB werkt uw school " \
        "dit schooljaar samen?: Arts"
    assert meta.variable_value_labels["verzoek"] == {1: "Ja", 2: "Nee"}
    assert meta.variable_value_labels["bereikbaar"][0] == "Geen zicht / niet van toepassing"
    assert meta.missing_ranges["bereikbaar"] == [{"lo": 0.0, "hi": 0.0}]
    rows = sorted(frame.to_dict("records"), key=lambda r: r["verzoek"])
    asked, not_asked = rows
    assert (asked["verzoek"], asked["kanaal"], asked["bereikbaar"], asked["overleg"]) == \
        (1, 3, 4, 0)
    assert (not_asked["medewerkers_1"], not_asked["medewerkers_2"],
            not_asked["medewerkers_3"]) == (1, 0, 1)
    # the first school's draft answer to 'kanaal' was hidden by its 'nee': never exported
    assert not_asked["verzoek"] == 2 and str(not_asked["kanaal"]) == "nan"
    assert not_asked["waarom_geen_vraag"] == "Geen nood aan."
    assert not_asked["bereikbaar"] == 0 and not_asked["overleg"] == 12

    codebook = inspector_client.get(f"/beheer/rondes/{round_id}/codeboek.csv")
    lines = list(csv.reader(io.StringIO(codebook.data.decode("utf-8-sig"))))
    by_name = {line[0]: line for line in lines[1:]}
    assert "1 = Ja; 2 = Nee" in by_name["verzoek"]
    plain = download_export(inspector_client, round_id, "antwoorden-csv")
    plain_header = next(csv.reader(io.StringIO(plain.data.decode("utf-8-sig"))))
    assert {"item_1001", "item_1005", "item_11", "item_3", "item_1007"} <= set(plain_header)
    data = download_export(inspector_client, round_id, "analyse-csv")
    header = next(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))
    assert header[:3] == ["clb", "niveau", "medewerkers_1"]
    with app.app_context():
        from sqlalchemy import select

        from survey.models import AuditEvent
        kinds = [e.detail.get("kind") for e in db.session.scalars(select(AuditEvent))
                 if e.action == "results downloaded"]
    assert kinds.count("all answers sav") == 1 and "codebook csv" in kinds


def test_the_sector_report_is_in_the_console_and_names_no_clb(app, inspector_client,
                                                               answered_round):
    from pdf_structure import assert_accessible

    round_id, _ = answered_round()
    html = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    for link in ("sectorrapport.pdf", "sectorrapport.xlsx", "terugkoppeling"):
        assert f"/beheer/rondes/{round_id}/{link}" in html
    answer = inspector_client.get(f"/beheer/rondes/{round_id}/sectorrapport.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    report = assert_accessible(answer.data, title_contains="Testbevraging")
    for name in ("100001", "100002", "Vrij CLB Test"):
        assert name not in report.text
    book = openpyxl.load_workbook(io.BytesIO(inspector_client.get(
        f"/beheer/rondes/{round_id}/sectorrapport.xlsx").data), read_only=True)
    cells = [str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None]
    assert cells and not any("100001" in c or "Vrij CLB Test" in c for c in cells)


def test_a_build_that_fails_says_so_and_offers_no_zip(app, inspector_client, answered_round,
                                                      monkeypatch):
    from survey.services import reports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "build_round", broken)
    round_id, _ = answered_round()
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten")
    inspector_client.post(f"/beheer/rondes/{round_id}/rapporten/bouwen",
                          data={"csrf_token": csrf_in(page.get_data(as_text=True))})
    html = _built(inspector_client, round_id)
    assert "Het opbouwen is mislukt. Mislukt door een fout (OSError)." in html
    assert f"survey reports build {round_id}" in html
    with app.app_context():
        (job,) = db.session.scalars(select(Job)).all()
        assert (job.state, job.attempts) == ("failed", 1)
    assert inspector_client.get(
        f"/beheer/rondes/{round_id}/rapporten/alles.zip").status_code == 302
