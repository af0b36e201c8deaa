"""The school's journey in a real Chromium (Debian's, driven by Playwright), against the app
served on 127.0.0.1: with JavaScript (autosave) and without, closing the browser midway."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import sign_in_page

from helpers import Invited
from survey.extensions import db
from survey.services import answers as svc

pytestmark = pytest.mark.browser


def _draft(app, invited: Invited):
    with app.app_context():
        return svc.load_draft(db.session, invited.invitation_id)


def _eventually(check, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _choose(page, number: int, label: str) -> None:
    page.locator(f"#stelling-{number}").get_by_label(label, exact=True).check()


def test_journey_with_javascript_survives_closing_the_browser(app, browser, live_server,
                                                              invited, questionnaire):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + invited.path)
    assert page.url == live_server + "/vragenlijst", "the token leaves the address bar"
    assert page.get_by_role("heading", level=1).inner_text() == questionnaire.title

    _choose(page, 4, "Helemaal akkoord")
    _choose(page, 5, "Eerder niet akkoord")
    page.get_by_label("Wilt u iets toelichten bij dit deel? (niet verplicht)").first.fill(
        "Goede samenwerking met ons team")
    page.locator("#stelling-6").click()  # leaving the text area sends it at once
    # A locator wait, not wait_for_function: the page's CSP (no eval) would refuse that.
    from playwright.sync_api import expect

    expect(page.locator("#autosave-status")).to_contain_text("Automatisch bewaard")
    assert page.locator("#answered-count").inner_text() == "2"
    _eventually(lambda: _draft(app, invited).remarks == {
        "opmerking-algemeen": "Goede samenwerking met ons team"})
    assert _draft(app, invited).answers == {4: 4, 5: 2}
    context.close()  # the director closes the browser without pressing any button

    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + invited.path)
    assert page.locator("#stelling-4").get_by_label("Helemaal akkoord", exact=True).is_checked()
    assert page.locator("#stelling-5").get_by_label("Eerder niet akkoord",
                                                    exact=True).is_checked()
    for item in questionnaire.statements:
        if item.number not in (4, 5):
            _choose(page, item.number, "Eerder akkoord")
    page.get_by_role("button", name="Indienen").click()
    page.wait_for_url("**/vragenlijst/bevestiging")
    assert "Bedankt, uw antwoorden zijn ingediend" in page.content()
    context.close()

    draft = _draft(app, invited)
    assert draft.submitted and len(draft.answers) == 21 and draft.answers[5] == 2


def test_journey_without_javascript(app, browser, live_server, invited, questionnaire):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + invited.path)
    _choose(page, 10, "Eerder akkoord")
    _choose(page, 27, "Geen zicht / niet van toepassing")
    page.get_by_role("button", name="Bewaren en later verdergaan").click()
    page.wait_for_url("**/vragenlijst/bewaard")
    assert "2 van de 21 stellingen" in page.content()
    context.close()

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + invited.path)
    assert page.locator("#stelling-27").get_by_label(
        "Geen zicht / niet van toepassing", exact=True).is_checked()
    page.get_by_role("button", name="Indienen").click()
    page.wait_for_url("**/vragenlijst/indienen")
    assert page.get_by_role("list").locator("li").count() == 19
    page.get_by_role("button", name="Toch indienen").click()
    page.wait_for_url("**/vragenlijst/bevestiging")
    page.get_by_role("link", name="Kopie van uw antwoorden bekijken of afdrukken").click()
    assert page.locator("table.copy").count() == len(questionnaire.sections)
    context.close()
    assert _draft(app, invited).answers == {10: 3, 27: 0}


def test_keyboard_only_answering(app, browser, live_server, invited):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + invited.path)
    page.locator("#stelling-4 input").first.focus()
    page.keyboard.press("Space")           # select the first option of statement 4
    page.keyboard.press("ArrowDown")       # radio groups move with the arrow keys
    assert page.locator("#stelling-4").get_by_label("Eerder akkoord", exact=True).is_checked()
    # The two saves of statement 4 are sent in order, so the last choice is what stays.
    _eventually(lambda: _draft(app, invited).answers == {4: 3})
    page.wait_for_timeout(500)
    assert _draft(app, invited).answers == {4: 3}
    context.close()


def test_inspector_imports_creates_and_opens_a_round_and_sees_a_school_submit(
        app, browser, live_server, make_user, questionnaire, tmp_path):
    from playwright.sync_api import expect


    email = make_user("inspector")
    sector = tmp_path / "sector.csv"
    sector.write_text("Schoolnummer;Schoolnaam;Niveau;CLB-nummer;CLB;Net;E-mail\n"
                      "300001;Basisschool Het Anker;bao;114983;Vrij CLB Noord;Vrij CLB;"
                      "anker@example.org\n"
                      "300002;Atheneum Zuid;so;114983;Vrij CLB Noord;Vrij CLB;"
                      "zuid@example.org\n"
                      "300003;Foutje;lager;114983;Vrij CLB Noord;Vrij CLB;f@example.org\n",
                      encoding="cp1252")
    context = browser.new_context()
    page = sign_in_page(context, live_server + "/beheer/", email)
    main = page.locator("main")

    page.get_by_role("link", name="Scholen inlezen").first.click()
    page.get_by_label("Bestand met CLB's en scholen (.xlsx of .csv)").set_input_files(str(sector))
    page.get_by_role("button", name="Voorbeeld tonen").click()
    expect(main).to_contain_text("onbekend niveau 'lager'")
    expect(main).to_contain_text("2 nieuwe scholen")
    page.get_by_role("button", name="Bevestigen en bewaren").click()
    expect(main).to_contain_text("scholen 2 nieuw, 0 gewijzigd. 1 rij geweigerd.")

    page.get_by_role("link", name="Nieuwe bevraging").click()
    page.get_by_label("Naam").fill("Proefbevraging")
    page.get_by_label("Schooljaar").fill("2026-2027")
    page.get_by_label("Vragenlijst").select_option(
        label="Samenwerking tussen uw school en uw CLB (clb-samenwerking-school, versie 2026.1)")
    page.get_by_label("Opent op (Brusselse tijd)").fill("2026-01-01T08:00")
    page.get_by_label("Sluit op (Brusselse tijd)").fill("2036-01-01T08:00")
    page.get_by_role("button", name="Bevraging aanmaken").click()
    # Too few CLBs for a sector comparison: the form says so and asks to confirm.
    from playwright.sync_api import expect

    expect(page.get_by_role("alert")).to_contain_text("geen sectorvergelijking")
    page.get_by_label("Toch aanmaken, zonder sectorvergelijking").check()
    page.get_by_role("button", name="Bevraging aanmaken").click()
    page.get_by_role("button", name="Bevraging openen").click()
    expect(main).to_contain_text("De bevraging is geopend.")
    expect(main).to_contain_text("ingediend door 0 van 2 uitgenodigde scholen")

    # sending asks for confirmation, then the job page shows the outcome (in tests the
    # queue runs the job at once)
    page.get_by_role("button", name="Versturen…").click()
    expect(main).to_contain_text("2 scholen krijgen de uitnodiging.")
    page.get_by_role("button", name="Ja, versturen").click()
    expect(main).to_contain_text("2 verstuurd, 0 mislukt, 0 overgeslagen.")
    expect(main).to_contain_text("uitnodiging")

    # The school opens the link from its mail (the outbox: no mail server in tests).
    mails = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(mails) == 2
    token = re.search(rb"/s/([\w-]+)", mails[0].read_bytes()).group(1).decode()
    school = browser.new_context().new_page()
    school.goto(f"{live_server}/s/{token}")
    for item in questionnaire.statements:
        _choose(school, item.number, "Eerder akkoord")
    school.get_by_role("button", name="Indienen").click()
    school.wait_for_url("**/vragenlijst/bevestiging")

    main.get_by_role("link", name="Proefbevraging").click()      # from the job page
    page.get_by_role("link", name="Live volgen").click()
    expect(main).to_contain_text("ingediend door 1 van 2 uitgenodigde scholen (50 %)")
    context.close()


def test_a_clb_signs_in_sees_its_results_and_downloads_both_files(
        app, browser, live_server, make_user, answered_round, tmp_path):
    from playwright.sync_api import expect

    round_id, _ = answered_round()
    email = make_user("centre", centre_number="100002")
    context = browser.new_context(accept_downloads=True)
    page = sign_in_page(context, live_server + "/clb/", email)
    page.get_by_role("link", name="Testbevraging").click()
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Samenvatting")).to_be_visible()
    expect(main).to_contain_text("Vrij CLB Test 100002")
    # the bars per section (a table of inline SVG bars) and the points with their margins
    expect(main.locator("table.bars")).to_have_count(4)
    bars = main.locator("svg.bar")
    assert bars.count() > 0
    assert all(bars.nth(i).evaluate("svg => svg.getBoundingClientRect().width > 50")
               for i in range(bars.count()))
    assert main.locator("svg.interval").count() > 21
    assert main.locator("svg.interval").first.get_attribute("aria-label").startswith(
        "4. Stellen zich onafhankelijk op: uw CLB ")
    files = {}
    for name in ("Feedbackrapport downloaden (PDF)", "Werkboek downloaden (Excel)"):
        with page.expect_download() as info:
            main.get_by_role("link", name=name).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        files[target.suffix] = target.read_bytes()
    assert files[".pdf"].startswith(b"%PDF")
    assert files[".xlsx"].startswith(b"PK")
    assert page.evaluate("document.title").startswith("Testbevraging")
    context.close()


def test_two_tabs_never_revert_each_other(app, browser, live_server, invited):
    """A tab opened early and a tab opened later on one draft, both with autosave: a
    "Bewaren" in either writes only what changed in that tab. The later tab's script keeps
    its page's basis up to date with its own autosaves; without that, its last step would
    be reported as a conflict."""
    from playwright.sync_api import expect

    with app.app_context():
        svc.save(db.session, invited.invitation_id, {5: 3})
    context = browser.new_context()
    stale = context.new_page()
    stale.goto(live_server + invited.path)
    fresh = context.new_page()
    fresh.goto(live_server + "/vragenlijst")

    def choose_and_wait(page, number, label, code):
        _choose(page, number, label)
        expect(page.locator("#autosave-status")).to_contain_text("Automatisch bewaard")
        _eventually(lambda: _draft(app, invited).answers.get(number) == code)

    def press_save(page):
        page.get_by_role("button", name="Bewaren", exact=True).first.click()
        page.wait_for_load_state()

    choose_and_wait(fresh, 5, "Helemaal niet akkoord", 1)
    choose_and_wait(stale, 7, "Helemaal akkoord", 4)
    press_save(stale)                       # still shows 5 as "Eerder niet akkoord" (3)
    assert _draft(app, invited).answers == {5: 1, 7: 4}
    assert stale.locator("#conflicten").count() == 0
    assert stale.locator("#stelling-5").get_by_label("Helemaal niet akkoord",
                                                     exact=True).is_checked()

    choose_and_wait(stale, 5, "Eerder niet akkoord", 2)
    press_save(fresh)                       # its own 1 for statement 5 is older than 2
    assert fresh.locator("#conflicten").count() == 0
    assert _draft(app, invited).answers == {5: 2, 7: 4}
    context.close()
