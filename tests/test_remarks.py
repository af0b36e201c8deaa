"""The review of remarks (services/remarks.py, admin/remarks.py): pages, filters, bulk
actions, suggestions accepted only when asked, and a page that works without a script.

`remark_round` is the creator the theme tests use too (tests/test_themes.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import csrf_in
from sqlalchemy import func, select

from helpers import all_answers
from survey.extensions import db
from survey.models import AuditEvent, Remark, Response, Round
from survey.models.themes import RemarkTheme
from survey.services import answers as answer_service
from survey.services import remarks, tagging, themes

# (CLB, level, remarks by key): one school each, in this order.
SPEC = [
    ("100001", "bao", {"opmerking-algemeen": "Door personeelswissels moesten we opnieuw "
                                             "beginnen.",
                       "opmerking-leerlinggericht": "De wachttijd voor een HGD-traject is "
                                                    "lang."}),
    ("100001", "bao", {"opmerking-algemeen": "De samenwerking hangt sterk af van de "
                                             "persoon."}),
    ("100001", "so", {"opmerking-schoolgericht": '=HYPERLINK("x") Alles loopt goed.'}),
    ("100002", "bao", {"opmerking-algemeen": "Onze vaste CLB-medewerker is zeer "
                                             "bereikbaar."}),
    ("100002", "so", {"opmerking-multidisciplinair": "Meer aanwezigheid op het overleg."}),
]


@pytest.fixture
def remark_round(app, make_round, make_invited, questionnaire):
    """remark_round(spec=SPEC, state="closed") -> (round id, refs): each school of the
    spec submits every statement and its remarks; refs: (response id, key) per remark,
    in the spec's order."""

    def make(spec=SPEC, state="closed"):
        round_id = make_round()
        refs = []
        for centre, level, texts in spec:
            invited = make_invited(round_id, level, centre)
            with app.app_context():
                answer_service.save(db.session, invited.invitation_id,
                                    all_answers(questionnaire, 3), texts, submit=True)
                db.session.commit()
                response_id = db.session.scalar(select(Response.id).where(
                    Response.invitation_id == invited.invitation_id))
            refs += [(response_id, key) for key in texts]
        with app.app_context():
            db.session.get(Round, round_id).state = state
            db.session.commit()
        return round_id, refs

    return make


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id)


def _listed(html: str) -> list[str]:
    """The remark texts on a review page, in order."""
    return [re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r'<blockquote id="q-\d+">(.*?)</blockquote>', html, re.S)]


def test_a_page_of_fifty_then_the_rest(app, inspector_client, remark_round):
    spec = [("100001", "bao", {"opmerking-algemeen": f"Opmerking nummer {n:02d}"})
            for n in range(57)]
    round_id, _ = remark_round(spec)
    first = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen").get_data(
        as_text=True)
    assert len(_listed(first)) == 50 and "57 opmerkingen in deze lijst" in first
    assert "pagina 1 van 2" in first and "pagina=2" in first
    second = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen?pagina=2")
    texts = _listed(second.get_data(as_text=True))
    assert len(texts) == 7
    assert sorted(_listed(first) + texts) == sorted(f"Opmerking nummer {n:02d}"
                                                    for n in range(57))
    past = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen?pagina=9&clb=100001")
    assert past.status_code == 302                      # the last page that exists
    assert past.headers["Location"].endswith(
        f"/beheer/rondes/{round_id}/opmerkingen?status=pending&clb=100001&pagina=2")
    # approving the whole last page leaves 50 pending remarks: one page, the first
    approved = _bulk(inspector_client, round_id, _refs_on(
        second.get_data(as_text=True)), "approve", query="?status=pending&pagina=2")
    landed = inspector_client.get(approved.headers["Location"], follow_redirects=True)
    html = landed.get_data(as_text=True)
    assert landed.request.path == f"/beheer/rondes/{round_id}/opmerkingen"
    assert "pagina=" not in landed.request.query_string.decode()
    assert "7 opmerkingen goedgekeurd." in html and len(_listed(html)) == 50
    assert "50 opmerkingen in deze lijst" in html and "pagina 1 van" not in html
    assert inspector_client.get(
        f"/beheer/rondes/{round_id}/opmerkingen?pagina=99999999").status_code == 404


@pytest.mark.parametrize(("query", "expected"), [
    ("", 6),                                        # every remark is still to be reviewed
    ("?clb=100001", 4),
    ("?clb=100002&niveau=so", 1),
    ("?niveau=bao", 4),
    ("?deel=algemeen", 3),
    ("?deel=leerlinggericht&clb=100001", 1),
    ("?status=approved", 0),
    ("?status=alle&deel=onbekend", 6),              # an unknown choice filters nothing
    ("?clb=abc", 6),
])
def test_filters(app, inspector_client, remark_round, query, expected):
    round_id, _ = remark_round()
    html = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen{query}").get_data(
        as_text=True)
    assert len(_listed(html)) == expected


def test_filter_by_theme_and_untagged(app, remark_round):
    round_id, refs = remark_round()
    with app.app_context():
        round_ = _round(round_id)
        theme = themes.add_theme(db.session, round_, None, "Wachten", keywords="wacht*")
        tagging.tag(db.session, _round(round_id), refs[:2], theme.id, None)
        round_ = _round(round_id)
        tagged = remarks.review_page(db.session, round_, remarks.Filters(theme=theme.id))
        untagged = remarks.review_page(db.session, round_, remarks.Filters(untagged=True))
        assert [(i.remark.response_id, i.remark.key) for i in tagged.items] == refs[:2]
        assert tagged.total == 2 and untagged.total == 4
        assert all(i.themes == (theme.id,) for i in tagged.items)
        assert remarks.counts(db.session, round_, remarks.Filters(theme=theme.id)) == {
            "pending": 2, "approved": 0, "hidden": 0}


def test_sections_name_every_remark_key(app, make_round):
    with app.app_context():
        round_ = _round(make_round())
        sections = remarks.remark_sections(db.session, round_)
        assert [(s.key, s.remark_keys) for s in sections] == [
            ("algemeen", ("opmerking-algemeen",)),
            ("leerlinggericht", ("opmerking-leerlinggericht",)),
            ("schoolgericht", ("opmerking-schoolgericht",)),
            ("multidisciplinair", ("opmerking-multidisciplinair",))]


def _refs_on(html: str) -> list[tuple[int, str]]:
    """The remarks a review page lists, as (response id, key)."""
    return [(int(response_id), key) for response_id, key in
            re.findall(r'name="selected" value="(\d+):([\w-]+)"', html)]


def _page(inspector_client, round_id, query=""):
    return inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen{query}").get_data(
        as_text=True)


def _bulk(inspector_client, round_id, refs, operation, theme="", query=""):
    html = _page(inspector_client, round_id, query)
    return inspector_client.post(
        f"/beheer/rondes/{round_id}/opmerkingen/selectie{query}",
        data={"csrf_token": csrf_in(html), "operation": operation, "theme": theme,
              "selected": [f"{response_id}:{key}" for response_id, key in refs]})


def test_bulk_approval_leaves_reviewed_remarks_as_they_are(app, inspector_client,
                                                           remark_round):
    round_id, refs = remark_round()
    with app.app_context():
        remarks.review(db.session, _round(round_id), *refs[0], "redact", None, "Ingekort.")
        remarks.review(db.session, _round(round_id), *refs[1], "hide", None)
        db.session.commit()
    answer = _bulk(inspector_client, round_id, refs[:4] + [(999999, "x")], "approve",
                   query="?status=alle&clb=100001")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(
        f"/beheer/rondes/{round_id}/opmerkingen?status=alle&clb=100001")
    shown = inspector_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "2 opmerkingen goedgekeurd. 3 waren al beoordeeld" in shown
    with app.app_context():
        states = [(r.review, r.redacted_text) for r in
                  (db.session.get(Remark, ref) for ref in refs)]
        assert states == [("approved", "Ingekort."), ("hidden", None), ("approved", None),
                          ("approved", None), ("pending", None), ("pending", None)]
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "remarks approved")).one()
        assert event.detail["remarks"] == [f"{i}:{k}" for i, k in refs[2:4]]


def test_bulk_tag_untag_and_their_audit(app, inspector_client, remark_round):
    round_id, refs = remark_round()
    with app.app_context():
        theme_id = themes.add_theme(db.session, _round(round_id), None, "Wachten").id
    tagged = _bulk(inspector_client, round_id, refs[:3], "tag", str(theme_id))
    assert "3 opmerkingen kregen het thema" in inspector_client.get(
        tagged.headers["Location"]).get_data(as_text=True)
    again = _bulk(inspector_client, round_id, refs[:4], "tag", str(theme_id))
    assert "1 opmerking kreeg het thema" in inspector_client.get(
        again.headers["Location"]).get_data(as_text=True)
    removed = _bulk(inspector_client, round_id, refs[3:], "untag", str(theme_id))
    assert "Bij 1 opmerking is het thema weggehaald" in inspector_client.get(
        removed.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        kept = set(db.session.execute(select(RemarkTheme.response_id, RemarkTheme.key)))
        assert kept == set(refs[:3])
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("remarks %tagged")).order_by(AuditEvent.id)))
        assert actions == ["remarks tagged", "remarks tagged", "remarks untagged"]


@pytest.mark.parametrize(("operation", "theme", "selected", "message"), [
    ("tag", "", ["1:opmerking-algemeen"], "Kies een thema van deze bevraging"),
    ("tag", "999999", ["1:opmerking-algemeen"], "Kies een thema van deze bevraging"),
    ("tag", "99999999999", ["1:opmerking-algemeen"], "Kies een thema van deze bevraging"),
    ("approve", "", [], "Kies eerst een of meer opmerkingen"),
    ("approve", "", ["x", "1:", ":a", "99999999999:a"], "Kies eerst een of meer opmerkingen"),
    ("approve", "", [f"{n}:k" for n in range(501)], "Kies hoogstens 500 opmerkingen"),
])
def test_a_refused_bulk_action_says_why(app, inspector_client, remark_round, operation,
                                        theme, selected, message):
    round_id, _ = remark_round()
    html = _page(inspector_client, round_id)
    answer = inspector_client.post(f"/beheer/rondes/{round_id}/opmerkingen/selectie", data={
        "csrf_token": csrf_in(html), "operation": operation, "theme": theme,
        "selected": selected})
    assert answer.status_code == 302
    assert message in inspector_client.get(answer.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RemarkTheme)) == 0
        assert db.session.scalar(select(func.count()).select_from(Remark).where(
            Remark.review != "pending")) == 0


def test_a_theme_of_another_round_is_refused(app, inspector_client, remark_round):
    round_id, refs = remark_round()
    other_id, _ = remark_round()
    with app.app_context():
        foreign = themes.add_theme(db.session, _round(other_id), None, "Elders").id
    answer = _bulk(inspector_client, round_id, refs, "tag", str(foreign))
    assert "Kies een thema van deze bevraging" in inspector_client.get(
        answer.headers["Location"]).get_data(as_text=True)
    html = _page(inspector_client, round_id)
    one = inspector_client.post(
        f"/beheer/rondes/{round_id}/opmerkingen/{refs[0][0]}/{refs[0][1]}/themas",
        data={"csrf_token": csrf_in(html), "themes": [str(foreign)]})
    assert one.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RemarkTheme)) == 0


def test_suggestions_are_shown_and_applied_only_when_accepted(app, inspector_client,
                                                              remark_round):
    round_id, refs = remark_round()
    with app.app_context():
        seeded = themes.seed_codebook(db.session, _round(round_id))
        persons, staff, limits = (theme.id for theme in seeded)
    html = _page(inspector_client, round_id)
    assert html.count("Voorstel aanvaarden") == 4      # 4 of the 6 remarks match a rule
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RemarkTheme)) == 0
    one = inspector_client.post(
        f"/beheer/rondes/{round_id}/opmerkingen/{refs[0][0]}/{refs[0][1]}/voorstel"
        "?status=alle", data={"csrf_token": csrf_in(html)})
    assert one.headers["Location"].endswith(f"?status=alle#r{refs[0][0]}-{refs[0][1]}")
    answer = _bulk(inspector_client, round_id, refs, "accept")
    assert "Voorstellen aanvaard voor 3 opmerkingen" in inspector_client.get(
        answer.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        tags = set(db.session.execute(
            select(RemarkTheme.response_id, RemarkTheme.key, RemarkTheme.theme_id,
                   RemarkTheme.source)))
    assert tags == {(*refs[0], staff, "suggestion"), (*refs[1], limits, "suggestion"),
                    (*refs[2], persons, "suggestion"), (*refs[4], persons, "suggestion")}
    again = inspector_client.post(
        f"/beheer/rondes/{round_id}/opmerkingen/{refs[0][0]}/{refs[0][1]}/voorstel",
        data={"csrf_token": csrf_in(html)})
    assert "geen voorstel (meer)" in inspector_client.get(
        again.headers["Location"]).get_data(as_text=True)


def test_the_themes_of_one_remark(app, inspector_client, remark_round):
    round_id, refs = remark_round()
    with app.app_context():
        first = themes.add_theme(db.session, _round(round_id), None, "Een").id
        second = themes.add_theme(db.session, _round(round_id), None, "Twee").id
    url = f"/beheer/rondes/{round_id}/opmerkingen/{refs[0][0]}/{refs[0][1]}/themas"
    token = csrf_in(_page(inspector_client, round_id))
    inspector_client.post(url, data={"csrf_token": token, "themes": [str(first),
                                                                     str(second)]})
    inspector_client.post(url, data={"csrf_token": token, "themes": [str(second)]})
    with app.app_context():
        assert list(db.session.execute(select(RemarkTheme.theme_id, RemarkTheme.source))) \
            == [(second, "hand")]
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "remark themes set").order_by(AuditEvent.id.desc())).first()
        assert (event.detail["added"], event.detail["removed"]) == ([], ["Een"])
    assert inspector_client.post(url, data={"themes": [str(first)]}).status_code == 400


def test_the_review_keeps_its_urls_and_endpoints(app, inspector_client, remark_round):
    round_id, refs = remark_round()
    with app.test_request_context():
        from flask import url_for

        assert url_for("admin.remarks_review", round_id=round_id) == \
            f"/beheer/rondes/{round_id}/opmerkingen"
        assert url_for("admin.remark_decide", round_id=round_id, response_id=refs[0][0],
                       key=refs[0][1]) == \
            f"/beheer/rondes/{round_id}/opmerkingen/{refs[0][0]}/{refs[0][1]}"
    assert app.view_functions["admin.remarks_review"].__module__ == "survey.admin.remarks"


class Controls(HTMLParser):
    """Every form control of a page, whether a label names it, and any inline script or
    style."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self.inline = [], set(), []
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if "style" in attrs or (tag == "script" and "src" not in attrs
                                and attrs.get("type") != "application/json"):
            self.inline.append(tag)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append((attrs.get("id"), self._label_depth > 0, attrs))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1


def test_every_control_has_a_label_and_nothing_is_inline(app, inspector_client,
                                                         remark_round):
    round_id, _ = remark_round()
    with app.app_context():
        themes.seed_codebook(db.session, _round(round_id))
    html = _page(inspector_client, round_id)
    page = Controls()
    page.feed(html)
    assert len(page.controls) > 6 * 5
    unlabelled = [attrs for id_, wrapped, attrs in page.controls
                  if not wrapped and id_ not in page.labelled]
    assert unlabelled == [] and page.inline == []
    # the bulk checkboxes belong to the bulk form, which exists once
    assert html.count('form="bulk"') == 6 and html.count('id="bulk"') == 1
    assert "Testschool" not in html


def test_the_review_of_a_draft_round_is_not_found(inspector_client, make_round):
    round_id = make_round(state="draft")
    assert inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen").status_code == 404
