"""Accessibility in a real Chromium: axe-core (from the npm registry, see .ci/fetch-axe)
finds no serious or critical violation on the pages schools and CLBs use, and a school
completes the whole questionnaire with the keyboard alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import need_service, sign_in_page

from survey.extensions import db
from survey.services import answers as svc

pytestmark = pytest.mark.browser
AXE = Path(os.environ.get("SURVEY_TEST_AXE",
                          Path(__file__).resolve().parents[1] / ".cache/axe/axe.min.js"))
AUDIT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        need_service(f"accessibility tests need axe-core at {AXE} (bash .ci/fetch-axe)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def context(browser):
    # axe is injected as a script; the pages' own CSP would (rightly) refuse it
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


def serious(page, axe_source) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return [v for v in page.evaluate(AUDIT) if v["impact"] in ("serious", "critical")]


def test_school_pages_have_no_serious_violations(app, context, live_server, invited,
                                                 axe_source):
    page = context.new_page()
    page.goto(live_server + invited.path)
    assert page.get_by_role("heading", level=1).count() == 1
    assert serious(page, axe_source) == [], "the questionnaire"
    page.locator("#stelling-4").get_by_label("Eerder akkoord", exact=True).check()
    page.get_by_role("button", name="Indienen").click()
    page.wait_for_url("**/indienen")
    assert serious(page, axe_source) == [], "the page listing unanswered statements"
    with app.app_context():
        answers = {n: 4 for n in range(4, 28) if n not in (11, 20, 25)}
        svc.save(db.session, invited.invitation_id, answers, submit=True)
        db.session.commit()
    page.goto(live_server + "/vragenlijst/bevestiging")
    assert "Bedankt" in page.get_by_role("heading", level=1).inner_text()
    assert serious(page, axe_source) == [], "the confirmation"


def test_sign_in_and_clb_results_have_no_serious_violations(context, live_server, make_user,
                                                            answered_round, axe_source):
    round_id, _ = answered_round()
    page = context.new_page()
    page.goto(live_server + "/account/aanmelden")
    assert serious(page, axe_source) == [], "the sign-in page"
    page = sign_in_page(context, live_server + "/clb/", make_user("centre",
                                                                  centre_number="100002"))
    assert serious(page, axe_source) == [], "the CLB's list of rounds"
    page.goto(f"{live_server}/clb/rondes/{round_id}")
    assert page.locator("table.bars").count() == 4
    assert page.locator("svg.interval").count() > 21
    assert serious(page, axe_source) == [], "the CLB's results"
    page.goto(f"{live_server}/clb/rondes/{round_id}/antwoord")
    assert page.get_by_role("heading", level=1).count() == 1
    assert serious(page, axe_source) == [], "the CLB's answer to its results"


def test_the_consoles_new_pages_have_no_serious_violations(context, live_server, make_user,
                                                           answered_round, axe_source):
    round_id, _ = answered_round()
    page = sign_in_page(context, live_server + "/beheer/", make_user("inspector"))
    for path, what in ((f"/beheer/rondes/{round_id}/rapporten", "the round's reports"),
                       (f"/beheer/rondes/{round_id}/opmerkingen?status=", "remark review"),
                       (f"/beheer/rondes/{round_id}/themas", "the codebook"),
                       (f"/beheer/rondes/{round_id}/terugkoppeling", "the CLBs' answers"),
                       ("/beheer/doorlichting", "the doorlichting list"),
                       ("/beheer/doorlichting/100002", "one CLB's doorlichting view")):
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        assert serious(page, axe_source) == [], what


def test_the_whole_questionnaire_with_the_keyboard_alone(app, browser, live_server, invited,
                                                         questionnaire):
    """Tab from the top of the page: in each group of options the arrow key chooses
    "Eerder akkoord"; remarks get a few words; the last button submits."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + invited.path)
    chosen, typed = set(), set()
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        kind, name = focused.get_attribute("type"), focused.get_attribute("name")
        tag = focused.evaluate("el => el.tagName")
        if kind == "radio" and name not in chosen:
            page.keyboard.press("ArrowDown")      # first option -> "Eerder akkoord"
            chosen.add(name)
        elif tag == "TEXTAREA" and name not in typed:
            page.keyboard.type("Met het toetsenbord.")
            typed.add(name)
        elif tag == "BUTTON" and focused.get_attribute("value") == "submit":
            page.keyboard.press("Enter")
            break
    page.wait_for_url("**/bevestiging")
    assert len(chosen) == len(questionnaire.statements)
    assert len(typed) == len(questionnaire.text_items)
    with app.app_context():
        draft = svc.load_draft(db.session, invited.invitation_id)
    assert draft.status == "submitted"
    assert draft.answers == {item.number: 3 for item in questionnaire.statements}
    assert set(draft.remarks.values()) == {"Met het toetsenbord."}
    context.close()


def test_the_audit_itself_finds_a_missing_label(context, axe_source):
    """So that an empty list above means something."""
    page = context.new_page()
    page.set_content('<html lang="nl"><head><title>t</title></head><body><main>'
                     '<input type="text"></main></body></html>')
    assert "label" in {v["id"] for v in serious(page, axe_source)}
