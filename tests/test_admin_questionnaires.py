"""The console's questionnaire library over HTTP: upload with every fault shown and nothing
stored, the preview that stores nothing, publish after the diff, delete, downloads, and a
round created on an uploaded version."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from conftest import csrf_in
from sqlalchemy import event, func, select

from survey.extensions import db
from survey.models import AuditEvent, QuestionnaireVersion, Round
from survey.questionnaire import bundled_dir, load, loads

WORKBOOK = Path(__file__).parent / "data" / "questionnaires" / "voorbeeld.xlsx"
EXAMPLE = bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml"
LIBRARY = "/beheer/vragenlijsten"


def workbook(version: str = "2026.2", **cells: str) -> bytes:
    """The example workbook under another version, with cells of 'vragen' changed."""
    book = openpyxl.load_workbook(WORKBOOK)
    book["instellingen"]["B2"] = version
    for cell, value in cells.items():
        book["vragen"][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str, token: str | None = None):
    token = token or csrf_in(client.get(LIBRARY).get_data(as_text=True))
    return client.post(LIBRARY, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def versions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(
            QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version,
            QuestionnaireVersion.state).order_by(QuestionnaireVersion.id)).all()
        return [tuple(row) for row in rows]


BUNDLED = [("clb-samenwerking-school", "2026.1", "published"),
           ("voorbeeld-alle-vraagtypes", "2026.1", "published")]


@contextmanager
def writes(app):
    """The data-changing statements sent to the database inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", statement, re.I):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _version_id(app, version: str) -> int:
    with app.app_context():
        return db.session.scalar(select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == "voorbeeld-alle-vraagtypes",
            QuestionnaireVersion.version == version))


def test_the_library_lists_the_bundled_questionnaires(app, inspector_client):
    html = inspector_client.get(LIBRARY).get_data(as_text=True)
    assert versions(app) == BUNDLED
    assert "Voorbeeldvragenlijst: alle vraagtypes" in html and "clb-samenwerking-school" in html
    assert 'name="viewport"' in html
    dashboard = inspector_client.get("/beheer/").get_data(as_text=True)
    assert f'href="{LIBRARY}"' in dashboard


def test_a_faulty_workbook_shows_every_fault_with_its_place(app, inspector_client):
    inspector_client.get(LIBRARY)
    bad = workbook(H11="verzoekk = 1", H12="verzoek = 7")
    response = upload(inspector_client, bad, "voorbeeld-fout.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "voorbeeld-fout.xlsx bevat 2 fouten. Er is niets bewaard." in html
    assert "vragen, rij 11, kolom H (show_if): veld &#39;show_if&#39;: &#39;verzoekk&#39; " \
           "is geen eerdere vraag" in html
    assert "vragen, rij 12, kolom H (show_if)" in html
    assert versions(app) == BUNDLED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("questionnaire%uploaded"))) == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"format = 2\n", "vragenlijst.csv", "Alleen een .toml- of .xlsx-bestand"),
    (b"format = [", "kapot.toml", "geen geldige TOML"),
    (EXAMPLE.read_bytes(), EXAMPLE.name, "Versie 2026.1 van voorbeeld-alle-vraagtypes is al "
                                         "gepubliceerd; geef het bestand een nieuwe versie."),
])
def test_a_refused_upload_says_why(app, inspector_client, data, name, message):
    response = upload(inspector_client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert versions(app) == BUNDLED


def test_a_file_just_over_the_limit_gets_the_librarys_own_message(app, inspector_client):
    response = upload(inspector_client, b"#" * (2 * 1024 * 1024 + 10), "groot.toml")
    assert response.status_code == 400
    assert "Het bestand is te groot (hoogstens 2 MB)." in response.get_data(as_text=True)
    assert versions(app) == BUNDLED


def test_a_body_far_over_the_limit_is_refused_by_its_length(app, inspector_client):
    response = upload(inspector_client, b"#" * (3 * 1024 * 1024), "groot.toml")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert versions(app) == BUNDLED


def test_an_upload_needs_csrf(app, inspector_client):
    inspector_client.get(LIBRARY)
    assert upload(inspector_client, workbook(), "v.xlsx", token="fout").status_code == 400
    assert versions(app) == BUNDLED


def test_upload_preview_publish_and_create_a_round(app, inspector_client, make_invited):
    make_invited()                                   # a school to invite (and round 1)
    response = upload(inspector_client, workbook(D9="Stelde uw school een vraag aan het "
                                                     "CLB?"), "voorbeeld.xlsx")
    assert response.status_code == 303
    version_id = _version_id(app, "2026.2")
    assert response.headers["Location"].endswith(f"{LIBRARY}/{version_id}")
    assert versions(app)[-1] == ("voorbeeld-alle-vraagtypes", "2026.2", "concept")

    preview = inspector_client.get(f"{LIBRARY}/{version_id}").get_data(as_text=True)
    assert "Stelde uw school een vraag aan het CLB?" in preview
    assert re.search(r'id="vraag-kanaal"[^>]*\shidden', preview)       # routing: not yet
    assert 'name="viewport"' in preview and "style=" not in preview
    assert not re.search(r'\swidth="', preview)                        # no fixed widths

    with writes(app) as written:
        checked = inspector_client.post(f"{LIBRARY}/{version_id}", data={
            "csrf_token": csrf_in(preview), "q_verzoek": "1", "q_overleg": "400"})
    assert written == []                               # the preview stores nothing at all
    html = checked.get_data(as_text=True)
    assert checked.status_code == 422                  # 400 meetings: out of range
    assert not re.search(r'id="vraag-kanaal"[^>]*\shidden', html)      # shown now
    assert not re.search(r'id="vraag-tevredenheid-cijfer"[^>]*\shidden', html)
    assert re.search(r'id="vraag-waarom-geen-vraag"[^>]*\shidden', html)
    assert "Nog niet beantwoord en verplicht" in html and "1. Met welke medewerkers" in html
    refused = inspector_client.post(f"{LIBRARY}/{version_id}", data={"q_verzoek": "1"})
    assert refused.status_code == 400                                  # CSRF is checked

    confirm = inspector_client.get(f"{LIBRARY}/{version_id}/publiceren")
    page = confirm.get_data(as_text=True)
    assert "Tegenover versie 2026.1 (de nieuwste gepubliceerde): 1 wijziging." in page
    assert ("Vraag 11 (‘verzoek’): de tekst is gewijzigd: “Heeft uw school dit schooljaar "
            "een vraag gesteld aan of een melding gedaan bij het CLB?” wordt “Stelde uw school "
            "een vraag aan het CLB?”.") in page
    assert versions(app)[-1][2] == "concept"           # the page itself changes nothing
    published = inspector_client.post(f"{LIBRARY}/{version_id}/publiceren",
                                      data={"csrf_token": csrf_in(page)})
    assert published.status_code == 303
    assert versions(app)[-1] == ("voorbeeld-alle-vraagtypes", "2026.2", "published")
    again = inspector_client.post(f"{LIBRARY}/{version_id}/publiceren",
                                  data={"csrf_token": csrf_in(page)}, follow_redirects=True)
    assert "is al gepubliceerd" in again.get_data(as_text=True)

    form_page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    assert (f'<option value="{version_id}">Voorbeeldvragenlijst: alle vraagtypes (voorbeeld, '
            f'geen officiële bevraging) (voorbeeld-alle-vraagtypes, versie 2026.2)') in form_page
    assert "clb-samenwerking-school-2026.1.toml" not in form_page     # no bundled files
    created = inspector_client.post("/beheer/rondes/nieuw", data={
        "csrf_token": csrf_in(form_page), "name": "Op de nieuwe versie",
        "school_year": "2026-2027", "questionnaire": str(version_id),
        "opens_at": "2036-01-05T08:00", "closes_at": "2036-01-31T18:00",
        "min_group_size": "5", "min_benchmark_centres": "3", "without_benchmark": "y",
        "invitation_subject": "Uitnodiging", "invitation_body": "Klik {link}",
        "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"})
    assert created.status_code == 302
    with app.app_context():
        rnd = db.session.scalars(select(Round).order_by(Round.id.desc())).first()
        assert (rnd.questionnaire_version_id, rnd.questionnaire_version) == \
            (version_id, "2026.2")
        assert rnd.definition == db.session.get(QuestionnaireVersion, version_id).definition
    listing = inspector_client.get(LIBRARY).get_data(as_text=True)
    assert re.search(rf'id="versie-{version_id}".*?<dt>Bevragingen</dt><dd>1</dd>', listing,
                     re.S)
    # a version in use: no route deletes it
    deleted = inspector_client.post(f"{LIBRARY}/{version_id}/verwijderen",
                                    data={"csrf_token": csrf_in(page)}, follow_redirects=True)
    assert "wordt gebruikt door een bevraging en kan niet worden verwijderd" in \
        deleted.get_data(as_text=True)
    assert ("voorbeeld-alle-vraagtypes", "2026.2", "published") in versions(app)


def test_a_first_version_says_so_and_a_concept_can_be_replaced_and_deleted(
        app, inspector_client):
    raw = EXAMPLE.read_text(encoding="utf-8").replace('id = "voorbeeld-alle-vraagtypes"',
                                                      'id = "nieuwe-lijst"')
    assert upload(inspector_client, raw.encode(), "nieuw.toml").status_code == 303
    replaced = raw.replace("Met wie en waarover u samenwerkt", "Samenwerking")
    assert upload(inspector_client, replaced.encode(), "nieuw-2.toml").status_code == 303
    assert versions(app)[2:] == [("nieuwe-lijst", "2026.1", "concept")]
    with app.app_context():
        version_id = db.session.scalar(select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == "nieuwe-lijst"))
    page = inspector_client.get(f"{LIBRARY}/{version_id}/publiceren").get_data(as_text=True)
    assert "Dit is de eerste versie van deze vragenlijst" in page
    confirm = inspector_client.get(f"{LIBRARY}/{version_id}/verwijderen").get_data(as_text=True)
    assert "Wilt u het concept 2026.1 van nieuwe-lijst" in confirm
    assert versions(app)[2:] == [("nieuwe-lijst", "2026.1", "concept")]
    done = inspector_client.post(f"{LIBRARY}/{version_id}/verwijderen",
                                 data={"csrf_token": csrf_in(confirm)}, follow_redirects=True)
    assert "Het concept nieuwe-lijst 2026.1 is verwijderd." in done.get_data(as_text=True)
    assert versions(app) == BUNDLED
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("questionnaire %")).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["questionnaire uploaded", "questionnaire concept replaced",
                            "questionnaire concept deleted"]


def test_a_published_version_cannot_be_deleted(app, inspector_client):
    page = inspector_client.get(f"{LIBRARY}/1/verwijderen").get_data(as_text=True)
    assert "is gepubliceerd en kan niet meer worden verwijderd" in page
    assert 'type="submit" class="primary"' not in page
    refused = inspector_client.post(f"{LIBRARY}/1/verwijderen",
                                    data={"csrf_token": csrf_in(page)}, follow_redirects=True)
    assert "is gepubliceerd en kan niet meer worden verwijderd" in \
        refused.get_data(as_text=True)
    assert versions(app) == BUNDLED
    assert inspector_client.get(f"{LIBRARY}/99/publiceren").status_code == 404


@pytest.mark.parametrize("format_", ["toml", "xlsx"])
def test_a_download_reads_back_as_the_same_questionnaire(app, inspector_client, format_):
    inspector_client.get(LIBRARY)
    version_id = _version_id(app, "2026.1")
    response = inspector_client.get(f"{LIBRARY}/{version_id}/download.{format_}")
    assert response.status_code == 200
    name = f"voorbeeld-alle-vraagtypes-2026.1.{format_}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert loads(response.data, name).to_dict() == load(EXAMPLE).to_dict()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "questionnaire downloaded")) == 1
