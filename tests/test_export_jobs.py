"""The large exports of every answer as background jobs (survey/jobs/exports.py,
services/export_files.py, admin/exports.py): "Export maken" starts a job that writes the
file whole into instance/exports/, the page and the job's page offer it once done, the
download is for inspectors only and audited; older and expired files go; a job that dies
halfway leaves nothing to download. Here each job runs at once, in the request that
starts it (huey's immediate mode); test_jobs.py runs the queue with a real worker."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path

import pytest
from conftest import csrf_in, login
from export_download import download_export, download_link, start_export
from sqlalchemy import select

from survey import jobs
from survey.database import write_transaction
from survey.extensions import db
from survey.jobs import records
from survey.models import AuditEvent, Invitation, Round
from survey.models.jobs import Job
from survey.services import answers as answer_service
from survey.services import export_files, rounds

# the statements of the bundled questionnaire, in its order: the CSV's item columns
STATEMENTS = [4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 26, 27]


@pytest.fixture
def small_round(app, make_round, make_invited):
    """A closed round of three counted responses, one per CLB and level (so their order is
    the CLB and level order), a draft and a withdrawn submission (neither counted)."""
    round_id = make_round(state="open")

    def school(level, centre, answers, submit=True):
        invited = make_invited(round_id, level, centre)
        with app.app_context():
            answer_service.save(db.session, invited.invitation_id, answers, submit=submit)
            db.session.commit()
        return invited.invitation_id

    school("bao", "100001", {4: 4, 5: 3, 27: 0})
    school("so", "100001", {4: 1, 12: 2})
    school("bao", "100002", {})                       # submitted without an answer
    school("bao", "100002", {4: 2}, submit=False)     # a draft
    withdrawn = school("so", "100002", {4: 3})
    with app.app_context():
        rounds.withdraw(db.session, db.session.get(Invitation, withdrawn))
        db.session.get(Round, round_id).state = "closed"
        db.session.commit()
    return round_id


def _jobs(app) -> list[Job]:
    with app.app_context():
        jobs_ = db.session.scalars(select(Job).order_by(Job.id)).all()
        for job in jobs_:
            db.session.expunge(job)
        return jobs_


def _folder(app, round_id: int) -> Path:
    return export_files.folder(app.instance_path, round_id)


def _downloads(app) -> list[tuple]:
    with app.app_context():
        return [(e.user.email, e.subject, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "results downloaded")
            .order_by(AuditEvent.id))]


def test_the_csv_the_job_writes_is_the_rounds_answers_row_for_row(app, inspector_client,
                                                                   small_round):
    round_id = small_round
    started = start_export(inspector_client, round_id, "antwoorden-csv")
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/beheer/rondes/{round_id}/rapporten#exports")
    (job,) = _jobs(app)
    assert (job.kind, job.round_id, job.state, job.done, job.total) == \
        ("export", round_id, "done", 3, 3)
    assert job.message == "Klaar: 3 ingediende antwoorden, zonder schoolnamen."
    assert job.params["export"] == "antwoorden-csv"
    # the file: in the round's folder, named by the job and 32 random hex digits
    (path,) = _folder(app, round_id).iterdir()
    assert re.fullmatch(rf"antwoorden-csv-{job.id}-[0-9a-f]{{32}}\.csv", path.name)

    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    assert f"/beheer/taken/{job.id}/bestand" in page
    assert "zonder schoolnamen" in page and "door inspector1@example.org" in page
    answer = inspector_client.get(f"/beheer/taken/{job.id}/bestand")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == \
        f"attachment; filename=antwoorden-{round_id}.csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    answer.close()
    assert answer.content_length == path.stat().st_size
    assert rows == [
        ["respondent", "centre_number", "level", *(f"item_{n}" for n in STATEMENTS)],
        ["1", "100001", "bao", "4", "3", *[""] * 18, "0"],
        ["2", "100001", "so", "1", *[""] * 6, "2", *[""] * 13],
        ["3", "100002", "bao", *[""] * 21],
    ]
    assert path.read_bytes() == answer.data


def test_the_workbook_and_the_spss_file_open_with_a_row_per_response(
        app, inspector_client, answered_round, tmp_path):
    import openpyxl
    import pyreadstat

    round_id, given = answered_round()          # 24 submitted responses
    xlsx = download_export(inspector_client, round_id, "antwoorden-xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data))["Antwoorden"]
    assert sheet.max_row == 1 + len(given) == 25
    sav = download_export(inspector_client, round_id, "antwoorden-sav")
    assert sav.mimetype == "application/x-spss-sav"
    (tmp_path / "a.sav").write_bytes(sav.data)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "a.sav"))
    assert len(frame) == 24 and meta.column_names[:3] == ["clb", "niveau", "s4"]
    analysis = download_export(inspector_client, round_id, "analyse-csv")
    lines = list(csv.reader(io.StringIO(analysis.data.decode("utf-8-sig"))))
    assert len(lines) == 25 and lines[0][:2] == ["clb", "niveau"]
    assert {job.state for job in _jobs(app)} == {"done"}


def test_each_download_is_audited_and_only_inspectors_get_it(
        app, client, inspector_client, make_user, small_round):
    round_id = small_round
    assert start_export(inspector_client, round_id, "antwoorden-xlsx").status_code == 302
    assert _downloads(app) == [], "making an export is no download"
    link = download_link(inspector_client, round_id, "antwoorden-xlsx")
    for _ in range(2):
        assert inspector_client.get(link).status_code == 200
    assert _downloads(app) == [("inspector1@example.org", "Testbevraging",
                                {"kind": "all answers xlsx", "round": round_id,
                                 "centre": None})] * 2
    centre = app.test_client()
    assert login(centre, make_user("centre")).status_code == 302
    assert centre.get(link).status_code == 403
    anonymous = client.get(link)
    assert anonymous.status_code == 302 and "/account/aanmelden" in anonymous.headers[
        "Location"]
    token = csrf_in(centre.get("/clb/").get_data(as_text=True))    # past the CSRF check
    assert centre.post(f"/beheer/rondes/{round_id}/export/antwoorden-csv",
                       data={"csrf_token": token}).status_code == 403
    assert len(_downloads(app)) == 2 and len(_jobs(app)) == 1
    # the file itself is no static path
    (path,) = _folder(app, round_id).iterdir()
    for url in (f"/instance/exports/round-{round_id}/{path.name}", f"/static/{path.name}",
                f"/exports/round-{round_id}/{path.name}"):
        assert inspector_client.get(url).status_code == 404


def _follow(client, answer) -> str:
    assert answer.status_code == 302
    return client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_job_not_done_or_of_another_kind_is_refused(app, inspector_client, small_round):
    round_id = small_round
    with app.app_context(), write_transaction(db.session):
        # queued, never enqueued: as a job waiting for a worker
        waiting = records.create(db.session, records.EXPORT, round_id, None,
                                 export_files.new_params("antwoorden-csv")).id
        build = records.create(db.session, records.REPORTS, round_id, None).id
    html = _follow(inspector_client, inspector_client.get(f"/beheer/taken/{waiting}/bestand"))
    assert "Deze export is nog niet klaar" in html
    html = _follow(inspector_client, inspector_client.get(f"/beheer/taken/{build}/bestand"))
    assert f"Taak {build} maakt geen bestand om te downloaden." in html
    assert inspector_client.get("/beheer/taken/999999/bestand").status_code == 404
    # the same export again while one waits: said, not started a second time
    html = _follow(inspector_client, start_export(inspector_client, round_id,
                                                  "antwoorden-csv"))
    assert f"Alle antwoorden (.csv) wordt al gemaakt (taak {waiting})" in html
    assert "Wacht op een worker." in html
    assert len(_jobs(app)) == 2 and _downloads(app) == []
    # another export of the round is no duplicate
    assert start_export(inspector_client, round_id, "antwoorden-xlsx").status_code == 302
    assert [j.state for j in _jobs(app)] == ["queued", "queued", "done"]
    token = csrf_in(inspector_client.get("/beheer/taken").get_data(as_text=True))
    assert inspector_client.post(f"/beheer/rondes/{round_id}/export/geheim",
                                 data={"csrf_token": token}).status_code == 404


def test_a_newer_export_deletes_the_older_file_and_old_files_expire(app, inspector_client,
                                                                     small_round):
    round_id = small_round
    first = download_export(inspector_client, round_id, "antwoorden-csv")
    sav = download_export(inspector_client, round_id, "antwoorden-sav")
    assert first.status_code == sav.status_code == 200
    second = download_export(inspector_client, round_id, "antwoorden-csv")
    assert second.data == first.data
    older, sav_job, newer = _jobs(app)
    assert newer.message == "Klaar: 3 ingediende antwoorden, zonder schoolnamen. " \
        "1 ouder exportbestand verwijderd."
    names = sorted(p.name.split("-")[2] + p.suffix for p in _folder(app, round_id).iterdir())
    assert names == sorted([f"{newer.id}.csv", f"{sav_job.id}.sav"])
    html = _follow(inspector_client, inspector_client.get(f"/beheer/taken/{older.id}/bestand"))
    assert "Het bestand van deze export is er niet meer" in html
    job_page = inspector_client.get(f"/beheer/taken/{older.id}").get_data(as_text=True)
    assert "is er niet meer" in job_page and f"/taken/{older.id}/bestand" not in job_page
    # past SURVEY_EXPORT_KEEP_DAYS (7): no longer offered, then deleted by the next export
    (sav_path,) = _folder(app, round_id).glob("*.sav")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(sav_path, (eight_days_ago, eight_days_ago))
    assert inspector_client.get(f"/beheer/taken/{sav_job.id}/bestand").status_code == 302
    leftover = _folder(app, round_id) / ".antwoorden-xlsx-99-0.xlsx.1.tmp"   # a dead worker's
    leftover.write_bytes(b"half")
    os.utime(leftover, (eight_days_ago, eight_days_ago))
    download_export(inspector_client, round_id, "antwoorden-xlsx")
    assert not sav_path.exists() and not leftover.exists()
    assert sorted(p.suffix for p in _folder(app, round_id).iterdir()) == [".csv", ".xlsx"]
    assert len(_downloads(app)) == 4


def test_a_job_that_dies_halfway_leaves_no_file_and_a_restart_writes_it_whole(
        app, inspector_client, small_round, monkeypatch):
    from survey.services import exports

    round_id = small_round
    real = exports.response_rows

    def dies_after_two(session, rnd):
        rows = real(session, rnd)
        yield next(rows)
        yield next(rows)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "response_rows", dies_after_two)
    html = _follow(inspector_client, start_export(inspector_client, round_id,
                                                  "antwoorden-csv"))
    (job,) = _jobs(app)
    assert (job.state, job.done, job.total) == ("failed", 2, 3)
    assert job.message == "Mislukt door een fout (RuntimeError)."
    assert "De laatste export is mislukt." in html and "Nog geen bestand." in html
    assert list(_folder(app, round_id).iterdir()) == []      # not even a temporary file
    html = _follow(inspector_client, inspector_client.get(f"/beheer/taken/{job.id}/bestand"))
    assert "Deze export is mislukt en heeft geen bestand" in html
    assert _downloads(app) == []

    # a worker killed mid-file: its temporary file stays, the job is queued again (the
    # tick does that); the next attempt removes the half file and writes the whole one
    monkeypatch.setattr(exports, "response_rows", real)
    with app.app_context(), write_transaction(db.session):
        again = records.create(db.session, records.EXPORT, round_id, None,
                               export_files.new_params("antwoorden-csv"))
        path = export_files.path_of(app.instance_path, again)
        again_id = again.id
    path.parent.mkdir(parents=True, exist_ok=True)
    half = path.with_name(f".{path.name}.4242.tmp")
    half.write_text("respondent,centre_number,level\n1,100001,b")
    assert download_link(inspector_client, round_id, "antwoorden-csv") is None
    assert jobs.run(app, again_id) == "done"
    assert not half.exists() and path.read_text().count("\n") == 4
    assert download_link(inspector_client, round_id, "antwoorden-csv") == \
        f"/beheer/taken/{again_id}/bestand"


def test_the_old_links_lead_to_the_page_with_the_buttons(app, inspector_client, small_round):
    round_id = small_round
    for name in ("antwoorden.csv", "antwoorden.xlsx", "antwoorden.sav", "analyse.csv"):
        answer = inspector_client.get(f"/beheer/rondes/{round_id}/{name}")
        assert answer.status_code == 302, name
        assert answer.headers["Location"].endswith(
            f"/beheer/rondes/{round_id}/rapporten#exports")
    html = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    assert "kies ‘Export maken’" in html and html.count(">Export maken<") == 4
    assert _jobs(app) == [] and _downloads(app) == []


def test_the_job_pages_offer_the_file_with_its_size_and_maker(app, inspector_client,
                                                              small_round):
    round_id = small_round
    start_export(inspector_client, round_id, "analyse-csv")
    (job,) = _jobs(app)
    size = export_files.path_of(app.instance_path, job).stat().st_size
    assert 100 < size < 1000
    page = inspector_client.get(f"/beheer/taken/{job.id}").get_data(as_text=True)
    assert f"Taak {job.id}: Export maken" in page
    assert "Voor analisten: dezelfde gegevens als .csv" in page
    assert f'href="/beheer/taken/{job.id}/bestand"' in page
    assert f"({size} bytes, gemaakt op " in page and " door inspector1@example.org)" in page
    listing = inspector_client.get("/beheer/taken").get_data(as_text=True)
    assert f">#{job.id} Export maken</a> (Voor analisten: dezelfde gegevens als .csv)" \
        in listing


def test_sizes_in_words(app):
    from survey.admin.jobs import size_text

    with app.test_request_context():
        assert [size_text(n) for n in (830, 12_345, 3_400_000, 12_600_000, 2 * 10**9)] == \
            ["830 bytes", "12 kB", "3,4 MB", "13 MB", "2 GB"]


@pytest.fixture
def queued_app(app):
    """The same database and instance folder with a real (embedded) queue: a job waits
    until a worker, here run_pending, takes it."""
    from survey import create_app

    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SURVEY_BASE_URL")},
        "SURVEY_JOBS_IMMEDIATE": False})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_on_a_real_queue_the_file_is_offered_only_once_the_worker_is_done(
        queued_app, make_user, small_round):
    round_id = small_round
    client = queued_app.test_client()
    assert login(client, make_user("inspector", email="an@example.org")).status_code == 302
    html = _follow(client, start_export(client, round_id, "antwoorden-sav"))
    assert "Voor analisten: SPSS-bestand (.sav) wordt gemaakt" in html
    assert "Wacht op een worker." in html and 'http-equiv="refresh"' in html
    (job,) = _jobs(queued_app)
    assert job.state == "queued"
    assert "nog niet klaar" in _follow(client, client.get(f"/beheer/taken/{job.id}/bestand"))
    assert not _folder(queued_app, round_id).exists()
    assert jobs.run_pending(queued_app) == 1
    (job,) = _jobs(queued_app)
    assert (job.state, job.done, job.total, job.attempts) == ("done", 3, 3, 1)
    html = client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "door an@example.org" in html
    answer = client.get(f"/beheer/taken/{job.id}/bestand")
    assert answer.status_code == 200 and answer.data.startswith(b"$FL2")


def test_the_minute_tick_deletes_export_files_past_their_keeping_time(app, inspector_client,
                                                                       small_round):
    from survey.jobs.queue import queue, tick

    round_id = small_round
    assert download_export(inspector_client, round_id, "antwoorden-csv").status_code == 200
    (kept,) = _folder(app, round_id).glob("*.csv")
    assert tick(app, queue(app)) == [], "a fresh export stays"
    eight_days_ago = time.time() - 8 * 86400
    os.utime(kept, (eight_days_ago, eight_days_ago))
    assert tick(app, queue(app)) == [
        f"export {kept.name} deleted (older than the keeping time)"]
    assert not kept.exists()
    assert tick(app, queue(app)) == []
