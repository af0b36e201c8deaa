"""The inspectors' console: who may see it, the import with its dry run, users, audit log."""

from __future__ import annotations

import io
import re

import pytest
from conftest import csrf_in
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Round, School


def _admin_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = re.sub(r"<int:\w+>", "1", rule.rule).replace("<number>", "100001")
            path = path.replace("<key>", "opmerking-algemeen")
            routes += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_every_admin_route_is_guarded(app, client, centre_client, inspector_client, invited):
    routes = _admin_routes(app)  # round 1 and centre 1 exist (the `invited` fixture)
    assert len(routes) >= 6
    # a job's page needs a job: one record, through the function that creates them (its
    # id is the route's, whatever the database's sequence gave it)
    from survey.database import write_transaction
    from survey.jobs import records

    with app.app_context(), write_transaction(db.session):
        job_id = records.create(db.session, records.REPORTS, 1, None).id
    routes = [(m, p.replace("/beheer/taken/1", f"/beheer/taken/{job_id}", 1)
               if p.startswith("/beheer/taken/1") else p) for m, p in routes]
    assert ("GET", f"/beheer/taken/{job_id}") in routes
    # Valid CSRF tokens of each session, so that POSTs reach the guard itself.
    anonymous_token = csrf_in(client.get("/account/aanmelden").get_data(as_text=True))
    centre_token = csrf_in(centre_client.get("/").get_data(as_text=True))
    for method, path in routes:
        anonymous = client.open(path, method=method, data={"csrf_token": anonymous_token})
        assert anonymous.status_code == 302, (method, path)
        assert "/account/aanmelden" in anonymous.headers["Location"]
        as_centre = centre_client.open(path, method=method, data={"csrf_token": centre_token})
        assert as_centre.status_code == 403, (method, path)
        assert "Geen toegang" in as_centre.get_data(as_text=True)
        if method == "GET":
            answer = inspector_client.get(path)
            answer.close()       # a streamed answer (the CSV) holds its request until closed
            # the zip waits for a build, an export's file for its job (here a build's:
            # refused); the old links of the exports lead to the page with their buttons
            waits = (".zip", f"/taken/{job_id}/bestand", "/antwoorden.csv", "/antwoorden.xlsx",
                     "/antwoorden.sav", "/analyse.csv")
            assert answer.status_code == 200 or (
                answer.status_code == 302 and path.endswith(waits)), path


CSV = ("Schoolnummer;Schoolnaam;Niveau;CLB-nummer;CLB;Net;E-mail\n"
       "100001;School A;bao;114983;Vrij CLB A;Vrij CLB;a@example.org\n"
       "100002;School B;so;114983;Vrij CLB A;Vrij CLB;b@example.org\n"
       "100003;School C;lager;114983;Vrij CLB A;Vrij CLB;c@example.org\n")


def _upload(client, data: bytes, name: str):
    token = csrf_in(client.get("/beheer/inlezen").get_data(as_text=True))
    return client.post("/beheer/inlezen", data={"csrf_token": token,
                                                "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _schools(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(School))


def test_import_shows_a_dry_run_then_applies_on_confirmation(app, inspector_client):
    preview = _upload(inspector_client, CSV.encode("cp1252"), "sector.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Er is nog niets bewaard" in html
    assert "onbekend niveau &#39;lager&#39;" in html and ">4<" in html  # row 4
    assert _schools(app) == 0
    confirm = inspector_client.post("/beheer/inlezen/bevestigen",
                                    data={"csrf_token": csrf_in(html),
                                          "upload": _upload_id(html)})
    assert confirm.status_code == 302
    assert _schools(app) == 2
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"import dry run", "import applied"} <= actions


def _upload_id(html: str) -> str:
    tag = re.search(r'<input[^>]*name="upload"[^>]*>', html).group(0)
    return re.search(r'value="([0-9a-f]{32})"', tag).group(1)


def test_a_confirmation_cannot_be_forged_or_replayed(app, inspector_client):
    html = _upload(inspector_client, CSV.encode(), "sector.csv").get_data(as_text=True)
    token, upload = csrf_in(html), _upload_id(html)
    bogus = inspector_client.post("/beheer/inlezen/bevestigen",
                                  data={"csrf_token": token, "upload": "0" * 32})
    assert bogus.status_code == 302 and _schools(app) == 0
    inspector_client.post("/beheer/inlezen/bevestigen", data={"csrf_token": token,
                                                             "upload": upload})
    again = inspector_client.post("/beheer/inlezen/bevestigen",
                                  data={"csrf_token": token, "upload": upload})
    assert again.status_code == 302 and _schools(app) == 2


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"%PDF-1.4", "sector.pdf", "Alleen .xlsx- en .csv"),
    (b"Naam;Adres\nx;y\n", "sector.csv", "Deze kolommen ontbreken"),
])
def test_a_refused_file_says_why(inspector_client, data, name, message):
    response = _upload(inspector_client, data, name)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_inviting_a_centre_user_gives_a_one_time_link(app, inspector_client, make_user):
    make_user("centre", centre_number="222222")  # makes the CLB
    page = inspector_client.get("/beheer/gebruikers").get_data(as_text=True)
    centre_id = re.search(r'<option value="(\d+)">CLB 222222', page).group(1)
    response = inspector_client.post("/beheer/gebruikers", data={
        "csrf_token": csrf_in(page), "email": "Medewerker@CLB.example.org", "name": "An",
        "role": "centre", "centre": centre_id})
    html = response.get_data(as_text=True)
    link = re.search(r"http://survey.test(/account/wachtwoord/[\w-]+)", html).group(1)
    assert app.test_client().get(link).status_code == 200
    assert "medewerker@clb.example.org" in html


def test_audit_log_lists_logins(inspector_client):
    html = inspector_client.get("/beheer/logboek").get_data(as_text=True)
    assert "login" in html


def _school_version(page: str) -> str:
    """The form value of the school questionnaire's published version (from the library)."""
    return re.search(r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie 2026\.1\)',
                     page).group(1)


def test_a_round_needs_a_questionnaire_chosen(app, inspector_client, make_invited):
    make_invited()
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    assert '<option value="">— kies een vragenlijst —</option><option' in page
    refused = inspector_client.post("/beheer/rondes/nieuw", data={
        "csrf_token": csrf_in(page), "name": "Zonder vragenlijst", "school_year": "2026-2027",
        "questionnaire": "", "opens_at": "2026-01-05T08:00", "closes_at": "2036-01-31T18:00",
        "min_group_size": "5", "min_benchmark_centres": "3", "reference_round": "1",
        "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
        "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"})
    assert refused.status_code == 400
    assert "Kies de vragenlijst van de bevraging." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1


def test_create_a_round_for_some_centres_then_open_it(app, inspector_client, make_invited):
    make_invited(centre_number="100001")          # a school of CLB 100001 (and round 1)
    make_invited(centre_number="100002")
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    centre = re.search(r'<option value="(\d+)">Vrij CLB Test 100002', page).group(1)
    form = {"csrf_token": csrf_in(page), "name": "Doorlichting CLB 100002",
            "school_year": "2026-2027", "questionnaire": _school_version(page),
            "opens_at": "2026-01-05T08:00", "closes_at": "2026-01-04T08:00",
            "min_group_size": "5", "reference_round": "1", "centres": [centre],
            "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
            "reminder_subject": "Herinnering", "reminder_body": "Zonder link"}
    refused = inspector_client.post("/beheer/rondes/nieuw", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "na de openingsdatum" in html and "moet {link} bevatten" in html
    form.update(closes_at="2036-01-31T18:00", reminder_body="Nog even: {link}")
    created = inspector_client.post("/beheer/rondes/nieuw", data=form)
    assert created.status_code == 302
    detail = inspector_client.get(created.headers["Location"]).get_data(as_text=True)
    assert "in voorbereiding" in detail and "ingediend door 0 van 1 uitgenodigde school" in detail
    assert "Sectorcijfers uit" in detail
    opened = inspector_client.post(created.headers["Location"] + "/status",
                                   data={"csrf_token": csrf_in(detail), "action": "open"})
    assert opened.status_code == 302
    after = inspector_client.get(created.headers["Location"]).get_data(as_text=True)
    assert "De bevraging is geopend." in after
    wrong = inspector_client.post(created.headers["Location"] + "/status",
                                  data={"csrf_token": csrf_in(after), "action": "publish"})
    assert "alleen een afgesloten" in inspector_client.get(
        wrong.headers["Location"]).get_data(as_text=True)


def test_withdraw_keeps_answers_and_stops_the_link(app, inspector_client, make_invited,
                                                   questionnaire):
    from helpers import FormPage
    from survey.models import Invitation

    school = make_invited()
    page = FormPage(app.test_client(), school)
    page.open()
    page.post({4: 4, 5: 3})
    with app.app_context():
        centre_id = db.session.get(Invitation, school.invitation_id).centre_id
    path = f"/beheer/rondes/{school.round_id}/clb/{centre_id}"
    html = inspector_client.get(path).get_data(as_text=True)
    action = f"/beheer/rondes/{school.round_id}/uitnodigingen/{school.invitation_id}"
    done = inspector_client.post(action, data={"csrf_token": csrf_in(html),
                                               "action": "withdraw"})
    after = inspector_client.get(done.headers["Location"]).get_data(as_text=True)
    assert "ingetrokken" in after and "(antwoorden bewaard)" in after
    assert page.post({6: 1}).status_code == 410
    other = app.test_client()
    assert other.get(school.path).status_code == 303
    assert other.get("/vragenlijst").status_code == 410, "the link leads to 'ingetrokken'"
    with app.app_context():
        from survey.services.answers import load_draft

        assert load_draft(db.session, school.invitation_id).answers == {4: 4, 5: 3}
    inspector_client.post(action, data={"csrf_token": csrf_in(after), "action": "reinstate"})
    assert page.post({6: 1}).status_code == 303


def test_add_a_school_to_a_round(app, inspector_client, make_invited):
    from survey.models import Centre

    school = make_invited()
    with app.app_context():
        centre = db.session.scalar(select(Centre))
        db.session.add(School(number="555555", name="Nieuwe school", level="bao",
                              centre_id=centre.id))
        db.session.commit()
    path = f"/beheer/rondes/{school.round_id}"
    for number, message in [("555555", "Nieuwe school is uitgenodigd."),
                            ("555555", "is al uitgenodigd"), ("999999", "Geen school met")]:
        html = inspector_client.get(path).get_data(as_text=True)
        response = inspector_client.post(path + "/scholen",
                                         data={"csrf_token": csrf_in(html), "number": number})
        assert message in inspector_client.get(response.headers["Location"]).get_data(
            as_text=True)


def test_a_50_mb_upload_is_refused_with_a_message(inspector_client):
    response = _upload(inspector_client, b"x" * (50 * 1024 * 1024), "groot.csv")
    assert response.status_code == 413
    assert "Wat u verstuurde is te groot." in response.get_data(as_text=True)


def test_a_5_mb_file_reaches_the_importer(inspector_client):
    response = _upload(inspector_client, b"a;b\n" + (b"x" * 250 + b";y\n") * 20000,
                       "big.csv")
    assert response.status_code == 400
    assert "Deze kolommen ontbreken" in response.get_data(as_text=True)


def test_a_round_of_too_few_clbs_warns_and_offers_a_reference_round(
        app, inspector_client, make_round, make_invited):
    from sqlalchemy import select

    from survey.models import Round

    first = make_round()
    for number in ("100001", "100002", "100003", "100004"):
        make_invited(first, centre_number=number)          # round 1: four CLBs
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    assert "Aantal andere CLB&#39;s dat een sectorcijfer minstens nodig heeft" in page
    chosen = [re.search(rf'<option value="(\d+)">Vrij CLB Test {n}', page).group(1)
              for n in ("100001", "100002")]
    form = {"csrf_token": csrf_in(page), "name": "Twee CLB's", "school_year": "2026-2027",
            "questionnaire": _school_version(page),
            "opens_at": "2036-01-05T08:00", "closes_at": "2036-01-31T18:00",
            "min_group_size": "5", "min_benchmark_centres": "3", "reference_round": "",
            "centres": chosen, "invitation_subject": "Uitnodiging",
            "invitation_body": "Klik {link}", "reminder_subject": "Herinnering",
            "reminder_body": "Nog even: {link}"}
    warned = inspector_client.post("/beheer/rondes/nieuw", data=form)
    html = warned.get_data(as_text=True)
    assert "Deze ronde kan geen sectorvergelijking tonen: ze telt 2 CLB" in html
    assert "Testbevraging (2026-2027)" in html          # round 1 offered as reference
    with app.app_context():
        assert len(db.session.scalars(select(Round)).all()) == 1   # nothing created
    # with the reference round it goes through, and keeps the setting
    created = inspector_client.post("/beheer/rondes/nieuw",
                                    data={**form, "reference_round": "1"})
    assert created.status_code == 302
    # two CLBs asking one other each need no reference; nor does a confirmed round
    form["csrf_token"] = csrf_in(inspector_client.get("/beheer/rondes/nieuw").get_data(
        as_text=True))
    assert inspector_client.post("/beheer/rondes/nieuw", data={
        **form, "min_benchmark_centres": "1"}).status_code == 302
    assert inspector_client.post("/beheer/rondes/nieuw", data={
        **form, "without_benchmark": "y"}).status_code == 302
    with app.app_context():
        rounds = db.session.scalars(select(Round).order_by(Round.id)).all()
        assert [(r.reference_round_id, r.min_benchmark_centres) for r in rounds[1:]] == \
            [(1, 3), (None, 1), (None, 3)]
