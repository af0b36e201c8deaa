"""The questionnaire library in a real Chromium: an inspector uploads a workbook with a
fault and sees it named with its row, uploads the fixed file, previews it as a school (at
phone width too), publishes it after the changes and creates a round on it."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import sign_in_page
from sqlalchemy import select

from survey.extensions import db
from survey.models import QuestionnaireVersion, Round

pytestmark = pytest.mark.browser

WORKBOOK = Path(__file__).parent / "data" / "questionnaires" / "voorbeeld.xlsx"
NEW_TEXT = "Stelde uw school dit schooljaar een vraag aan het CLB?"


def _workbook(path: Path, show_if: str) -> Path:
    """The example workbook as version 2026.2, item 11 reworded, and `show_if` on row 10
    (the follow-up question 'kanaal')."""
    book = openpyxl.load_workbook(WORKBOOK)
    book["instellingen"]["B2"] = "2026.2"
    questions = book["vragen"]
    assert questions["B9"].value == "verzoek" and questions["B10"].value == "kanaal"
    questions["D9"] = NEW_TEXT
    questions["H10"] = show_if
    book.save(path)
    return path


def _upload(page, path: Path) -> None:
    page.get_by_label("Vragenlijst (.toml of .xlsx, hoogstens 2 MB)").set_input_files(str(path))
    page.get_by_role("button", name="Nakijken en opladen").click()


def test_upload_fix_preview_publish_and_create_a_round(app, browser, live_server, tmp_path,
                                                        make_user, make_invited):
    from playwright.sync_api import expect

    make_invited()                    # a school to invite, and round 1 as the reference
    context = browser.new_context()
    page = sign_in_page(context, live_server + "/beheer/", make_user("inspector"))
    page.get_by_role("link", name="Vragenlijsten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vragenlijsten")

    _upload(page, _workbook(tmp_path / "voorbeeld-fout.xlsx", "verzoekk = 1"))
    faults = page.locator("#fouten")
    expect(faults).to_contain_text("voorbeeld-fout.xlsx bevat 1 fout. Er is niets bewaard.")
    expect(faults).to_contain_text("vragen, rij 10, kolom H (show_if): veld 'show_if': "
                                   "'verzoekk' is geen eerdere vraag")

    _upload(page, _workbook(tmp_path / "voorbeeld.xlsx", "verzoek = 1"))
    expect(page.locator(".flash-success")).to_contain_text("bewaard als concept")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voorbeeldvragenlijst")
    follow_up = page.locator("#vraag-kanaal")
    expect(follow_up).to_be_hidden()
    page.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    expect(follow_up).to_be_visible()              # at once, as the school's page does
    page.get_by_role("button", name="Nakijken (er wordt niets bewaard)").click()
    expect(follow_up).to_be_visible()
    expect(page.locator("#vraag-tevredenheid-cijfer")).to_be_visible()
    expect(page.locator("#vraag-waarom-geen-vraag")).to_be_hidden()
    expect(page.locator("#vraag-verzoek").get_by_label("Ja", exact=True)).to_be_checked()
    expect(page.locator("#nakijken")).to_contain_text("Nog niet beantwoord en verplicht")

    page.get_by_role("link", name="Publiceren…").click()
    expect(page.locator("#wijzigingen")).to_contain_text(
        f"Vraag 11 (‘verzoek’): de tekst is gewijzigd: “Heeft uw school dit schooljaar een "
        f"vraag gesteld aan of een melding gedaan bij het CLB?” wordt “{NEW_TEXT}”.")
    with app.app_context():
        assert db.session.scalar(select(QuestionnaireVersion.state).where(
            QuestionnaireVersion.version == "2026.2")) == "concept"
    page.get_by_role("button", name="Ja, publiceren").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Versie 2026.2 van voorbeeld-alle-vraagtypes is gepubliceerd.")

    page.goto(live_server + "/beheer/rondes/nieuw")
    page.get_by_label("Naam").fill("Bevraging op versie 2026.2")
    page.get_by_label("Schooljaar").fill("2026-2027")
    page.get_by_label("Vragenlijst").select_option(
        label="Voorbeeldvragenlijst: alle vraagtypes (voorbeeld, geen officiële bevraging) "
              "(voorbeeld-alle-vraagtypes, versie 2026.2)")
    page.get_by_label("Opent op (Brusselse tijd)").fill("2036-01-05T08:00")
    page.get_by_label("Sluit op (Brusselse tijd)").fill("2036-01-31T18:00")
    page.get_by_label("Referentiebevraging voor de sectorcijfers (optioneel)").select_option(
        label="Testbevraging (2026-2027)")
    page.get_by_role("button", name="Bevraging aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bevraging op versie 2026.2")
    page.get_by_role("button", name="Bevraging openen").click()
    expect(page.locator(".flash-success")).to_contain_text("De bevraging is geopend.")
    round_id = int(re.search(r"/rondes/(\d+)", page.url).group(1))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        version = db.session.get(QuestionnaireVersion, rnd.questionnaire_version_id)
        assert (rnd.state, version.version, version.state) == ("open", "2026.2", "published")
        assert rnd.definition == version.definition
    context.close()


def test_the_preview_fits_a_phone(app, browser, live_server, make_user):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = sign_in_page(context, live_server + "/beheer/vragenlijsten", make_user("inspector"))
    page.get_by_role("link", name="Voorbeeldvragenlijst: alle vraagtypes (voorbeeld, geen "
                                  "officiële bevraging)").click()
    page.wait_for_selector("#vraag-verzoek")
    for path in (page.url, live_server + "/beheer/vragenlijsten"):
        page.goto(path)
        widest = max(box["x"] + box["width"] for box in (
            element.bounding_box() for element in page.locator("main *").all())
            if box is not None)
        assert widest <= 360, (path, widest)
    context.close()


def test_a_school_answers_a_round_on_the_example_and_the_reports_show_every_type(
        app, browser, live_server, tmp_path, make_user, make_invited):
    """Done for issue 11: a round on the published example, opened now; a school answers
    it in Chromium along its routing; five more schools answer through the service; the
    inspector closes the round, and the CLB's results and the .sav show every type."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import pyreadstat
    from playwright.sync_api import expect

    from survey.models import Invitation, School
    from survey.services import answers as answer_service
    from survey.services import rounds

    schools = [make_invited() for _ in range(6)]           # CLB 100001, bao, in round 1
    context = browser.new_context()
    page = sign_in_page(context, live_server + "/beheer/rondes/nieuw", make_user("inspector"))
    page.get_by_label("Naam").fill("Voorbeeld in de browser")
    page.get_by_label("Schooljaar").fill("2026-2027")
    page.get_by_label("Vragenlijst").select_option(
        label="Voorbeeldvragenlijst: alle vraagtypes (voorbeeld, geen officiële bevraging) "
              "(voorbeeld-alle-vraagtypes, versie 2026.1)")
    now = datetime.now(ZoneInfo("Europe/Brussels"))
    page.get_by_label("Opent op (Brusselse tijd)").fill(
        (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Sluit op (Brusselse tijd)").fill(
        (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Referentiebevraging voor de sectorcijfers (optioneel)").select_option(
        label="Testbevraging (2026-2027)")
    page.get_by_role("button", name="Bevraging aanmaken").click()
    page.get_by_role("button", name="Bevraging openen").click()
    expect(page.locator(".flash-success")).to_contain_text("De bevraging is geopend.")
    round_id = int(re.search(r"/rondes/(\d+)", page.url).group(1))

    with app.app_context():
        invitations = db.session.scalars(select(Invitation).join(School).where(
            Invitation.round_id == round_id).order_by(School.id)).all()
        assert len(invitations) == len(schools)
        token = rounds.new_link(db.session, invitations[0])
        first = invitations[0].id
        # five more schools, so that the CLB's groups are large enough to show
        for number, invitation in enumerate(invitations[1:]):
            given = {1001: 1, 1002: number % 2, 1003: 0, 1004: 1, 1005: 0,
                     2: 1 + number % 3, 3: 4 + number, 1006: 3, 11: 1 + number % 2}
            answer_service.save(db.session, invitation.id, given, submit=True)
        db.session.commit()

    school = context.new_page()
    school.goto(live_server + f"/s/{token}")
    expect(school.locator("#vraag-kanaal")).to_be_hidden()
    expect(school.locator("#deel-arts")).to_be_hidden()
    medewerkers = school.locator("#vraag-medewerkers")
    medewerkers.get_by_label("Psycholoog of pedagoog").check()
    medewerkers.get_by_label("Arts").check()
    expect(school.locator("#deel-arts")).to_be_visible()        # shown live by the script
    school.locator("#vraag-hoofdthema").get_by_label("Onderwijsloopbaan").check()
    school.locator("#vraag-overleg").get_by_role("spinbutton").fill("7")
    school.locator("#vraag-bereikbaar").get_by_label("Eerder akkoord").check()
    school.locator("#vraag-verzoek").get_by_label("Ja", exact=True).check()
    expect(school.locator("#vraag-kanaal")).to_be_visible()
    school.locator("#vraag-kanaal").get_by_label("Via de vaste contactpersoon").check()
    school.locator("#vraag-snel-antwoord").get_by_label("Tevreden", exact=True).check()
    school.locator("#vraag-tevredenheid-cijfer").get_by_role("spinbutton").fill("8")
    school.locator("#vraag-arts-afspraken").get_by_label("Helemaal akkoord").check()
    school.get_by_role("button", name="Indienen").first.click()
    expect(school.get_by_role("heading", level=1)).to_contain_text("Bedankt")

    with app.app_context():
        draft = answer_service.load_draft(db.session, first)
    assert draft.submitted
    assert {slot: draft.answers[slot] for slot in (1001, 1002, 1003, 2, 3, 1006, 11, 1007,
                                                   1008, 20, 25)} == {
        1001: 1, 1002: 0, 1003: 1, 2: 2, 3: 7, 1006: 3, 11: 1, 1007: 1, 1008: 3, 20: 8,
        25: 4}

    page.goto(live_server + f"/beheer/rondes/{round_id}")
    page.get_by_role("link", name="Nu afsluiten").click()      # says what it will do
    page.get_by_role("button", name="Ja, nu afsluiten").click()
    expect(page.locator("main")).to_contain_text("De bevraging is afgesloten.")
    page.goto(live_server + f"/beheer/rondes/{round_id}/rapporten/100001")
    others = page.locator("#andere-vragen")
    expect(others).to_be_visible()
    for label in ("Medewerkers waarmee de school samenwerkt", "Belangrijkste thema",
                  "Aantal overlegmomenten", "Vraag of melding dit schooljaar"):
        expect(page.locator("main")).to_contain_text(label)
    # the .sav is made by a job (here at once: the tests' immediate queue), then offered
    page.goto(live_server + f"/beheer/rondes/{round_id}/rapporten")
    page.get_by_role("button", name=re.compile(r"^Export maken\W+Voor analisten: SPSS")
                     ).click()
    expect(page.locator("main")).to_contain_text("wordt gemaakt")
    with page.expect_download() as made:
        page.get_by_role("link", name=re.compile(r"^Downloaden\W+Voor analisten: SPSS")
                         ).click()
    path = tmp_path / "antwoorden.sav"
    made.value.save_as(path)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(frame) == 6
    assert {"medewerkers_3", "hoofdthema", "overleg", "bereikbaar", "verzoek", "kanaal",
            "snel_antwoord", "tevredenheid_cijfer", "arts_afspraken", "opmerking"} <= set(
        meta.column_names)
    answered_here = frame[frame["tevredenheid_cijfer"] == 8]
    assert len(answered_here) == 1 and int(answered_here["overleg"].iloc[0]) == 7
    context.close()
