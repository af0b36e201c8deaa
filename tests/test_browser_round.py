"""A whole round walked in a real Chromium as an inspector (issue 13): import the CLBs and
schools, create a round with its dates (the opening, the reminders and the close are
planned), preview the mails and send a test mail, let the schedule open it, schools
answer through the links in their mails, a reminder goes out by itself, close, review
remarks, publish with the readiness list shown, approve one more remark and publish it as
version 2, which the CLB portal then shows.

Time is moved, not waited for: a `clock` fixture shifts the app's utcnow (every survey
module's) and the schedule's run_due is called at that time, as the worker's tick would.
"""

from __future__ import annotations

import email
import re
import sys
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import sign_in_page

from survey import models
from survey.extensions import db
from survey.mailer import job_transport
from survey.services import schedule

pytestmark = pytest.mark.browser

BRUSSELS = ZoneInfo("Europe/Brussels")
REAL_UTCNOW = models.utcnow


class Clock:
    """The app's notion of now: real time plus an offset the test moves forward."""

    def __init__(self):
        self.offset = timedelta(0)

    def __call__(self):
        return REAL_UTCNOW() + self.offset

    def move_to(self, when: datetime) -> None:
        self.offset = when - REAL_UTCNOW()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    # each module imported utcnow by name; replace every such reference
    for name, module in list(sys.modules.items()):
        if (name == "survey" or name.startswith("survey.")) and \
                getattr(module, "utcnow", None) is REAL_UTCNOW:
            monkeypatch.setattr(module, "utcnow", clock)
    return clock


def _outbox(app) -> list[tuple[str, str, str]]:
    """The mails written so far: (to, subject, body), oldest first."""
    found = []
    for path in sorted((Path(app.instance_path) / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        found.append((message["To"].addresses[0].addr_spec, str(message["Subject"]), body))
    return found


def _run_due(app, live_server, now):
    with app.app_context():
        return schedule.run_due(db.session, now,
                                transport=job_transport(app.config, app.instance_path),
                                base_url=live_server, sender=app.config["SURVEY_MAIL_FROM"])


def _answer(browser, link: str, label: str, remark: str) -> None:
    """A school opens the link from its mail, answers every statement and a remark."""
    page = browser.new_context().new_page()
    page.goto(link)
    for section in page.locator("[id^=stelling-]").all():
        section.get_by_label(label, exact=True).check()
    page.get_by_label("Wilt u iets toelichten bij dit deel? (niet verplicht)").first.fill(
        remark)
    page.get_by_role("button", name="Indienen").click()
    page.wait_for_url("**/vragenlijst/bevestiging")
    assert "Bedankt, uw antwoorden zijn ingediend" in page.content()
    page.context.close()


def _approve(page, remark: str) -> None:
    article = page.locator("article.remark", has_text=remark)
    article.locator("summary").click()
    article.get_by_label("Beslissing").select_option(label="Goedkeuren")
    article.get_by_role("button", name="Bewaren", exact=True).click()
    page.wait_for_load_state()


def test_an_inspector_walks_a_whole_round(app, browser, live_server, make_user, clock,
                                          tmp_path):
    from playwright.sync_api import expect

    inspector = make_user("inspector")
    sector = tmp_path / "sector.csv"
    sector.write_text("Schoolnummer;Schoolnaam;Niveau;CLB-nummer;CLB;Net;E-mail\n"
                      "300001;Basisschool Het Anker;bao;114983;Vrij CLB Noord;Vrij CLB;"
                      "anker@example.org\n"
                      "300002;Basisschool De Linde;bao;114983;Vrij CLB Noord;Vrij CLB;"
                      "linde@example.org\n"
                      "300003;Basisschool Ter Heide;bao;114983;Vrij CLB Noord;Vrij CLB;"
                      "heide@example.org\n", encoding="cp1252")
    context = browser.new_context()
    page = sign_in_page(context, live_server + "/beheer/", inspector)
    main = page.locator("main")

    # 1. import the sector
    page.get_by_role("link", name="Scholen inlezen").first.click()
    page.get_by_label("Bestand met CLB's en scholen (.xlsx of .csv)").set_input_files(str(sector))
    page.get_by_role("button", name="Voorbeeld tonen").click()
    expect(main).to_contain_text("3 nieuwe scholen")
    page.get_by_role("button", name="Bevestigen en bewaren").click()
    expect(main).to_contain_text("scholen 3 nieuw, 0 gewijzigd.")

    # 2. a round that opens tomorrow at 08:00 and closes two weeks later (Brussels time)
    today = REAL_UTCNOW().astimezone(BRUSSELS).date()
    opens = datetime(today.year, today.month, today.day, 8, tzinfo=BRUSSELS) + timedelta(
        days=1)
    closes = opens + timedelta(days=14)
    page.get_by_role("link", name="Nieuwe bevraging").click()
    page.get_by_label("Naam").fill("Rondgang")
    page.get_by_label("Schooljaar").fill("2026-2027")
    page.get_by_label("Vragenlijst").select_option(
        label="Samenwerking tussen uw school en uw CLB (clb-samenwerking-school, versie 2026.1)")
    page.get_by_label("Opent op (Brusselse tijd)").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Sluit op (Brusselse tijd)").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Kleinste groep die in rapporten getoond wordt").fill("2")
    page.get_by_role("button", name="Bevraging aanmaken").click()
    page.get_by_label("Toch aanmaken, zonder sectorvergelijking").check()
    page.get_by_role("button", name="Bevraging aanmaken").click()
    expect(main).to_contain_text("De bevraging is aangemaakt met 3 scholen.")
    expect(main.locator("dl.facts")).to_contain_text("in voorbereiding")
    round_url = page.url.split("?")[0].split("#")[0]
    assert re.fullmatch(rf"{re.escape(live_server)}/beheer/rondes/\d+", round_url)

    page.get_by_role("link", name="Planning (opening, sluiting, herinneringen)").click()
    expect(main.locator("h2.schedule-when")).to_have_count(4)     # open, 2 reminders, close
    expect(main).to_contain_text("(herinnering 1)")
    expect(main).to_contain_text("(herinnering 2)")

    # 3. preview the mails, send a test mail to oneself
    page.goto(round_url)
    page.get_by_role("link", name="Voorbeeld van de mails en testmail").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Voorbeeld van de mails")
    expect(main).to_contain_text("Basisschool")
    page.get_by_role("button", name="Testmail naar mezelf sturen").click()
    mails = _outbox(app)
    assert sorted((to, subject) for to, subject, _ in mails) == [
        (inspector, "[Test] Bevraging over de samenwerking met uw CLB"),
        (inspector, "[Test] Herinnering: bevraging over de samenwerking met uw CLB")]
    page.goto(round_url)
    expect(main).to_contain_text("Testmail verstuurd op")
    tests_sent = len(mails)

    # 4. the opening time comes: the schedule opens the round and mails the invitations
    clock.move_to(opens.astimezone(UTC) + timedelta(minutes=1))
    _run_due(app, live_server, clock())
    invitations = _outbox(app)[tests_sent:]
    assert sorted((to, subject) for to, subject, _ in invitations) == [
        (school, "Bevraging over de samenwerking met uw CLB")
        for school in ("anker@example.org", "heide@example.org", "linde@example.org")]
    page.reload()
    expect(main.locator("dl.facts")).to_contain_text("open")
    expect(main).to_contain_text("ingediend door 0 van 3 uitgenodigde scholen")

    # 5. two schools answer through the links in their mails
    links = {to: re.search(r"https?://\S+/s/[\w-]+", body).group(0)
             for to, _, body in invitations}
    assert all(link.startswith(live_server) for link in links.values())
    _answer(browser, links["anker@example.org"], "Eerder akkoord",
            "Het CLB komt snel langs als we bellen")
    _answer(browser, links["linde@example.org"], "Helemaal akkoord",
            "Graag meer overleg over leerlingen met zorgnoden")
    page.reload()
    expect(main).to_contain_text("ingediend door 2 van 3 uitgenodigde scholen")

    # 6. six days before the close the first reminder has gone out by itself, only to the
    # school that did not answer
    clock.move_to(closes.astimezone(UTC) - timedelta(days=6))
    _run_due(app, live_server, clock())
    reminders = _outbox(app)[tests_sent + 3:]
    assert [(to, subject) for to, subject, _ in reminders] == [
        ("heide@example.org", "Herinnering: bevraging over de samenwerking met uw CLB")]
    assert _run_due(app, live_server, clock()) == []        # nothing twice
    page.reload()
    expect(main).to_contain_text("1 herinnering verstuurd.")

    # 7. close now, through the confirmation page
    page.get_by_role("link", name="Nu afsluiten…").click()
    expect(main).to_contain_text("2 scholen dienden in; hun antwoorden tellen mee.")
    page.get_by_role("button", name="Ja, nu afsluiten").click()
    expect(main.locator("dl.facts")).to_contain_text("afgesloten")

    # 8. review the remarks: approve one
    page.get_by_role("link", name="Opmerkingen beoordelen").first.click()
    expect(main).to_contain_text("2 opmerkingen in deze lijst")
    _approve(page, "Het CLB komt snel langs als we bellen")
    page.goto(round_url)
    expect(main).to_contain_text("1 opmerking nog te beoordelen.")

    # 9. publish: the readiness list says what is not ready; confirm and publish
    page.get_by_role("link", name="Publiceren…").click()
    expect(main).to_contain_text("1 opmerking is nog niet beoordeeld; ze komt niet in de "
                                 "rapporten.")
    expect(main).to_contain_text("sectorvergelijking niet (overal) getoond worden")
    page.get_by_role("button", name="Publiceren").click()
    expect(main).to_contain_text("Bevraging publiceren?")       # not without confirming
    page.get_by_label("Ik heb de punten hierboven gelezen en publiceer toch").check()
    page.get_by_role("button", name="Publiceren").click()
    page.goto(round_url)
    expect(main.locator("dl.facts")).to_contain_text("gepubliceerd")

    # 10. a change after publication: another remark approved, published as version 2
    page.goto(round_url + "/opmerkingen")
    _approve(page, "Graag meer overleg over leerlingen met zorgnoden")
    page.goto(round_url)
    page.get_by_role("link", name="Versies van de rapporten").click()
    expect(main).to_contain_text("Bij 1 CLB verschilt de actuele stand van wat het nu ziet.")
    page.get_by_role("link", name="Versie 2 publiceren…").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Versie 2 publiceren")
    page.get_by_role("button", name="Ja, versie 2 publiceren").click()
    expect(main.locator("table")).to_contain_text("Bij de publicatie")
    expect(main).to_contain_text("Geen verschil: de CLB's zien de actuele stand.")
    context.close()

    # 11. the CLB signs in and sees version 2
    centre_user = make_user("centre", centre_number="114983")
    clb = browser.new_context()
    portal = sign_in_page(clb, live_server + "/clb/", centre_user)
    row = portal.locator("main tr", has_text="Rondgang")
    expect(row).to_contain_text("Versie 2 van")
    clb.close()
