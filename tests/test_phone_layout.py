"""Every console and portal page fits a phone: in a real Chromium 390 px wide, the page
never scrolls sideways (document.documentElement.scrollWidth <= 390); a wide table
scrolls inside its own container instead."""

from __future__ import annotations

import pytest
from conftest import sign_in_page
from sqlalchemy import select

from survey.extensions import db
from survey.models import Centre, Invitation, School

pytestmark = pytest.mark.browser

WIDTH = 390
# The elements that stick out past the window, for the failure message.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !e.closest('.table-scroll'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ': '
                        + (e.textContent || '').trim().slice(0, 60))"""


def _fits(page, url: str) -> tuple[int, list[str]]:
    response = page.goto(url)
    assert response.status == 200, url
    width = page.evaluate("() => document.documentElement.scrollWidth")
    return width, ([] if width <= WIDTH else page.evaluate(WIDEST))


@pytest.fixture
def sector_round(app, answered_round, make_user):
    round_id, _ = answered_round("published")
    with app.app_context():
        centre = db.session.scalar(select(Centre).where(Centre.number == "100001"))
        school = db.session.scalar(select(School).join(Invitation).where(
            Invitation.round_id == round_id).order_by(School.id))
        # the longest names and addresses the import allows, without spaces to break at
        school.email = "directie.secretariaat.administratie@basisschool-sint-jozef-" \
                       "en-onze-lieve-vrouw-ten-hemel.example.org"
        school.name = "Gemeentelijke Basisschool voor Buitengewoon Onderwijs De Regenboog"
        db.session.commit()
        return round_id, centre.id, school.id


def test_console_pages_fit_a_phone(app, browser, live_server, make_user, sector_round):
    round_id, centre_id, school_id = sector_round
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = sign_in_page(context, live_server + "/beheer/", make_user("inspector"))
    paths = ["/beheer/", f"/beheer/rondes/{round_id}", f"/beheer/rondes/{round_id}/live",
             f"/beheer/rondes/{round_id}/clb/{centre_id}",
             f"/beheer/rondes/{round_id}/opmerkingen", f"/beheer/rondes/{round_id}/rapporten",
             f"/beheer/rondes/{round_id}/rapporten/100001",
             f"/beheer/rondes/{round_id}/themas", f"/beheer/rondes/{round_id}/terugkoppeling",
             "/beheer/rondes/nieuw", "/beheer/gebruikers", "/beheer/logboek",
             "/beheer/inlezen", "/beheer/vragenlijsten", "/beheer/doorlichting",
             "/beheer/scholen", f"/beheer/scholen/{school_id}", "/beheer/uitgaande-post"]
    too_wide = {}
    for path in paths:
        width, widest = _fits(page, live_server + path)
        if width > WIDTH:
            too_wide[path] = (width, widest)
    # the users' table is wider than the phone: it scrolls in its own box
    _fits(page, live_server + "/beheer/gebruikers")
    assert page.evaluate("""() => { const t = document.querySelector('table.data');
        return [t.scrollWidth > t.clientWidth, getComputedStyle(t).overflowX]; }""") == [
        True, "auto"]
    context.close()
    assert too_wide == {}


def test_portal_pages_fit_a_phone(app, browser, live_server, make_user, sector_round):
    round_id, _, _ = sector_round
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = sign_in_page(context, live_server + "/clb/",
                        make_user("centre", centre_number="100001"))
    too_wide = {}
    for path in ["/clb/", f"/clb/rondes/{round_id}", f"/clb/rondes/{round_id}/antwoord"]:
        width, widest = _fits(page, live_server + path)
        if width > WIDTH:
            too_wide[path] = (width, widest)
    context.close()
    assert too_wide == {}
