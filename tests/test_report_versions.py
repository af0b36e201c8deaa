"""Published versions of a round's reports: what a CLB sees stays as it was published,
a change afterwards becomes version 2 only when an inspector publishes it, and the earlier
version still opens. Plus the frozen data's JSON codec and the per-CLB comparison."""

from __future__ import annotations

import io
import json
import re
import zlib

import openpyxl
import pytest
from conftest import csrf_in, login
from pypdf import PdfReader
from sqlalchemy import select

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, uniform
from instrument.text import LocalText
from reports import content, frozen, version_diff
from reports.sector_themes import Theme, Themes
from survey.database import write_transaction
from survey.extensions import db
from survey.models import AuditEvent, Invitation, Remark, Round
from survey.models.versions import ReportVersion
from survey.services import answers as answer_service
from survey.services import remarks as remark_service
from survey.services import report_versions, rounds
from survey.services.reports import RoundData, dutch_date, round_data

# CLB 100001: four bao schools answering every statement 4, 4, 3 and 1 (3 of 4 agree:
# 75 %, mean 3.0); CLB 100002: three bao schools answering 2, 2 and 1. Each school
# leaves one remark; A1, A2 and B1 are approved before the round is published.
CODES = {"100001": [4, 4, 3, 1], "100002": [2, 2, 1]}
KEY = "opmerking-algemeen"


@pytest.fixture
def clb_client(app, make_user):
    def make(number: str):
        client = app.test_client()
        assert login(client, make_user("centre", centre_number=number)).status_code == 302
        return client
    return make


def _remark(text: str) -> Remark:
    return db.session.scalar(select(Remark).where(Remark.text == text))


def approve(app, round_id: int, *texts: str) -> None:
    with app.app_context(), write_transaction(db.session):
        rnd = db.session.get(Round, round_id)
        for text in texts:
            remark_service.review(db.session, rnd, _remark(text).response_id, KEY,
                                  "approve", None)


def withdraw(app, invitation_id: int) -> None:
    """An inspector withdraws a school's answer after publication (the invitation's
    answers leave the counts)."""
    with app.app_context(), write_transaction(db.session):
        rounds.revoke(db.session, db.session.get(Invitation, invitation_id))


@pytest.fixture
def small_round(app, make_round, make_invited, questionnaire):
    """small_round(versioned=True) -> (round id, {remark text: invitation id}): closed, then
    published by publish_round (which freezes version 1 in its transaction);
    versioned=False: published before versions existed (no version)."""

    def make(versioned: bool = True):
        round_id = make_round(min_group_size=3)
        numbers = [s.number for s in questionnaire.statements]
        schools = {}
        for centre, codes in CODES.items():
            for k, code in enumerate(codes, start=1):
                inv = make_invited(round_id, "bao", centre)
                text = f"Opmerking {'A' if centre == '100001' else 'B'}{k}"
                with app.app_context():
                    answer_service.save(db.session, inv.invitation_id,
                                        dict.fromkeys(numbers, code), {KEY: text},
                                        submit=True)
                    db.session.commit()
                schools[text] = inv.invitation_id
        approve(app, round_id, "Opmerking A1", "Opmerking A2", "Opmerking B1")
        with app.app_context(), write_transaction(db.session):
            rnd = db.session.get(Round, round_id)
            rnd.state = "closed"
        with app.app_context(), write_transaction(db.session):
            rnd = db.session.get(Round, round_id)
            if versioned:
                rounds.publish_round(db.session, rnd)     # freezes version 1
            else:
                rnd.state = "published"
        return round_id, schools

    return make


def agreement(html: str) -> list[str]:
    """The CLB's % agree per statement as the page's summary charts say it."""
    labels = re.findall(r'<svg class="interval"[^>]*aria-label="([^"]*)"', html)
    return [re.search(r"uw CLB (\d+ % akkoord|te weinig antwoorden)", label).group(1)
            for label in labels[:len(NUMBERS)]]


def figures(app, round_id: int, number: str, version_number: int | None):
    """(% agree of statement 1, mean, remarks) of the CLB's feedback as shown."""
    with app.app_context(), app.test_request_context():
        rnd = db.session.get(Round, round_id)
        version = db.session.scalar(select(ReportVersion).where(
            ReportVersion.round_id == round_id, ReportVersion.number == version_number)) \
            if version_number else None
        fb = report_versions.centre_feedback(db.session, rnd, number, version)
        row = fb.row(NUMBERS[0])
        texts = sorted(t for _section, group in fb.remarks or [] for t in group)
        return row.figures.pct_agree, row.figures.mean, texts, fb.round.date


def _inspector(app, make_user):
    client = app.test_client()
    assert login(client, make_user("inspector")).status_code == 302
    return client


def publish_next(client, round_id: int, number: int):
    page = client.get(f"/beheer/rondes/{round_id}/versies/nieuw").get_data(as_text=True)
    return client.post(f"/beheer/rondes/{round_id}/versies/nieuw",
                       data={"csrf_token": csrf_in(page), "number": str(number)})


def test_a_change_after_publication_waits_for_version_2(app, small_round, clb_client,
                                                         make_user):
    round_id, schools = small_round()
    with app.app_context():
        v1 = db.session.scalar(select(ReportVersion).where(ReportVersion.round_id == round_id))
        assert v1.number == 1 and v1.published_at is not None and v1.size == len(v1.data)
        stamp = dutch_date(v1.published_at)
    frozen_v1 = (75.0, 3.0, ["Opmerking A1", "Opmerking A2"], f"{stamp} (versie 1)")
    assert figures(app, round_id, "100001", 1) == frozen_v1

    # after publication: remark A3 approved, the school that answered 1 withdrawn
    approve(app, round_id, "Opmerking A3")
    withdraw(app, schools["Opmerking A4"])
    live = figures(app, round_id, "100001", None)
    assert live[:3] == (100.0, 11 / 3, ["Opmerking A1", "Opmerking A2", "Opmerking A3"])

    # the CLB still sees version 1 exactly
    client = clb_client("100001")
    html = client.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert f"Versie 1 van {stamp}" in html
    assert agreement(html) == ["75 % akkoord"] * len(NUMBERS)
    assert "Opmerking A1" in html and "Opmerking A2" in html
    assert "Opmerking A3" not in html and "Opmerking A4" not in html
    assert "Alle versies" not in html                   # only one published version
    assert figures(app, round_id, "100001", 1) == frozen_v1

    # the console sees the change: one CLB (100002's figures did not move)
    inspector = _inspector(app, make_user)
    page = inspector.get(f"/beheer/rondes/{round_id}/versies").get_data(as_text=True)
    assert "Bij 1 CLB verschilt de actuele stand" in page
    assert "100001" in page and "100002 Vrij" not in page
    assert "bao: 4 → 3" in page and "uitgenodigd 4 → 3" in page
    assert "1 erbij" in page and "Opmerking A3" in page
    assert "Versie 2 publiceren" in page
    confirm = inspector.get(f"/beheer/rondes/{round_id}/versies/nieuw").get_data(as_text=True)
    assert "Voor 1 CLB verandert wat het ziet" in confirm
    assert "Ja, versie 2 publiceren" in confirm

    # publishing version 2 changes what the CLB sees
    answer = publish_next(inspector, round_id, 2)
    assert answer.status_code == 302
    with app.app_context():
        versions = db.session.scalars(select(ReportVersion).where(
            ReportVersion.round_id == round_id).order_by(ReportVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].summary == "1 CLB gewijzigd, respons anders bij 1 CLB, " \
                                      "1 opmerking erbij"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report version published")).one()
        assert event.detail["version"] == 2 and event.detail["round"] == round_id
        stamp2 = dutch_date(versions[1].published_at)
    html = client.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert f"Versie 2 van {stamp2}" in html
    assert agreement(html) == ["100 % akkoord"] * len(NUMBERS)
    assert "Opmerking A3" in html
    assert "Wat er voor uw CLB veranderde tegenover versie 1" in html
    assert "basisonderwijs: 3 antwoorden (was 4)" in html
    assert "1 opmerking toegevoegd" in html
    assert f"Andere cijfers bij {len(NUMBERS)} stellingen: {NUMBERS[0]}, {NUMBERS[1]}, " in html
    assert f'href="/clb/rondes/{round_id}?versie=1"' in html

    # version 1 still opens, and its files say so
    old = client.get(f"/clb/rondes/{round_id}?versie=1").get_data(as_text=True)
    assert f"Versie 1 van {stamp}" in old and "een eerdere versie" in old
    assert agreement(old) == ["75 % akkoord"] * len(NUMBERS)
    assert "Opmerking A3" not in old
    assert f'/clb/rondes/{round_id}/feedbackrapport.pdf?versie=1' in old
    sheet = client.get(f"/clb/rondes/{round_id}/feedbackrapport.pdf?versie=1")
    assert sheet.status_code == 200
    assert f"feedbackrapport-100001-{round_id}-versie1.pdf" in \
        sheet.headers["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.data)).pages)
    assert "(versie 1)" in " ".join(text.split())
    book = client.get(f"/clb/rondes/{round_id}/werkboek.xlsx")
    assert f"werkboek-100001-{round_id}-versie2.xlsx" in book.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(book.data), read_only=True)
    header, *rows = wb["Data"].iter_rows(values_only=True)
    total = [r for r in rows if r[header.index("level")] == "totaal"]
    assert {r[header.index("pct_agree")] for r in total} == {100}
    old_book = client.get(f"/clb/rondes/{round_id}/werkboek.xlsx?versie=1")
    wb = openpyxl.load_workbook(io.BytesIO(old_book.data), read_only=True)
    header, *rows = wb["Data"].iter_rows(values_only=True)
    total = [r for r in rows if r[header.index("level")] == "totaal"]
    assert {r[header.index("pct_agree")] for r in total} == {75}
    with app.app_context():
        logged = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "results downloaded").order_by(AuditEvent.id)).all()
        assert [e.detail.get("version") for e in logged] == [1, 2, 1]

    # a second post of the same confirmation publishes nothing twice
    assert publish_next(inspector, round_id, 2).status_code == 302
    page = inspector.get(f"/beheer/rondes/{round_id}/versies").get_data(as_text=True)
    assert "Geen verschil" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReportVersion)) == 2


def test_another_clb_never_reaches_foreign_data(app, small_round, clb_client, make_user):
    round_id, _ = small_round()
    approve(app, round_id, "Opmerking A3")
    assert publish_next(_inspector(app, make_user), round_id, 2).status_code == 302
    other = clb_client("100002")
    for query in ("", "?versie=1", "?versie=2"):
        html = other.get(f"/clb/rondes/{round_id}{query}").get_data(as_text=True)
        assert "Vrij CLB Test 100002" in html and "Vrij CLB Test 100001" not in html
        assert "Opmerking B1" in html and "Opmerking A" not in html
    # version 2 changed nothing for 100002, and says so
    assert "Voor uw CLB veranderde niets tegenover versie 1" in \
        other.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    for query in ("?versie=3", "?versie=0", "?versie=x", "?versie=99999999999999999999"):
        for suffix in ("", "/feedbackrapport.pdf", "/werkboek.xlsx"):
            assert other.get(f"/clb/rondes/{round_id}{suffix}{query}").status_code == 404
    outsider = clb_client("100003")          # no school in the round
    for suffix in ("", "/feedbackrapport.pdf", "/werkboek.xlsx"):
        for query in ("", "?versie=1"):
            assert outsider.get(f"/clb/rondes/{round_id}{suffix}{query}").status_code == 404


def test_a_round_published_before_versions_shows_live_and_can_be_frozen(
        app, small_round, clb_client, make_user):
    round_id, _ = small_round(versioned=False)
    client = clb_client("100001")
    html = client.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert "Versie" not in html.split('<div class="downloads">')[0]
    assert "Opmerking A3" not in html
    approve(app, round_id, "Opmerking A3")            # shown live, as before versions
    assert "Opmerking A3" in client.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert client.get(f"/clb/rondes/{round_id}?versie=1").status_code == 404

    inspector = _inspector(app, make_user)
    page = inspector.get(f"/beheer/rondes/{round_id}/versies").get_data(as_text=True)
    assert "gepubliceerd voor er versies bestonden" in page
    assert "Versie 1 vastleggen" in page
    assert publish_next(inspector, round_id, 1).status_code == 302
    approve(app, round_id, "Opmerking B2")
    html = client.get(f"/clb/rondes/{round_id}").get_data(as_text=True)
    assert "Versie 1 van" in html and "Opmerking A3" in html
    assert "Opmerking B2" not in clb_client("100002").get(
        f"/clb/rondes/{round_id}").get_data(as_text=True)
    home = client.get("/clb/").get_data(as_text=True)
    assert "Versie 1 van" in home


def test_publishing_from_the_command_line_freezes_version_1(app, runner, make_round,
                                                             make_invited):
    round_id = make_round()
    make_invited(round_id, "bao", "100001")
    with app.app_context(), write_transaction(db.session):
        db.session.get(Round, round_id).state = "closed"
    outcome = runner.invoke(args=["rounds", "publish", str(round_id)])
    assert outcome.exit_code == 0, outcome.output
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        assert rnd.state == "published"
        assert [(v.number, v.published) for v in report_versions.published(db.session, rnd)] \
            == [(1, True)]


def test_a_build_reads_what_the_clbs_see(app, small_round):
    """After a change since publication, the round's files (the .zip, `survey reports
    build`) are built from the newest published version, not from the live data."""
    round_id, schools = small_round()
    withdraw(app, schools["Opmerking A4"])            # live: 100 % agree, version 1: 75 %
    with app.app_context(), app.test_request_context():
        rnd = db.session.get(Round, round_id)
        data = report_versions.build_data(db.session, rnd)
        stamp = dutch_date(report_versions.published(db.session, rnd)[0].published_at)
        fb = content.build(data.info, data.layout, data.cube, data.inputs["100001"],
                           data.sector_cube, data.themes)
        assert (fb.row(NUMBERS[0]).figures.pct_agree, fb.round.date) == (
            75.0, f"{stamp} (versie 1)")
        rnd.state = "closed"                              # before publication: live
        live = report_versions.build_data(db.session, rnd)
        assert content.build(live.info, live.layout, live.cube, live.inputs["100001"],
                             live.sector_cube).row(NUMBERS[0]).figures.pct_agree == 100.0
        db.session.rollback()


def test_survey_reports_build_writes_the_published_version(app, runner, small_round,
                                                            tmp_path):
    round_id, schools = small_round()
    withdraw(app, schools["Opmerking A4"])
    outcome = runner.invoke(args=["reports", "build", str(round_id), "--out",
                                  str(tmp_path / "out")])
    assert outcome.exit_code == 0, outcome.output
    book = openpyxl.load_workbook(tmp_path / "out" / "100001.xlsx")
    cells = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value}
    assert any(value.endswith("(versie 1)") for value in cells)


def test_versions_of_an_unpublished_round(app, make_round, make_user):
    round_id = make_round()
    inspector = _inspector(app, make_user)
    page = inspector.get(f"/beheer/rondes/{round_id}/versies").get_data(as_text=True)
    assert "nog niet gepubliceerd" in page
    confirm = inspector.get(f"/beheer/rondes/{round_id}/versies/nieuw").get_data(as_text=True)
    assert "Alleen een gepubliceerde bevraging heeft versies" in confirm
    assert publish_next(inspector, round_id, 1).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReportVersion)) == 0


# --- The comparison, on plain data -------------------------------------------------------


class Data:
    def __init__(self, cube, inputs, info=INFO):
        self.info, self.layout, self.cube, self.sector_cube = info, LAYOUT, cube, None
        self.inputs = inputs


def test_the_diff_on_a_hand_made_case():
    """A and B, B A's whole sector (one other CLB is enough here). Between the readings
    one of B's bao answers to statement 1 moves from 1 to 4 (B: 16 of 40 -> 17 of 40), a
    remark of A is added (a second copy of a text it had) and one removed, and B's so
    responses go from 10 to 9."""
    s1 = NUMBERS[0]
    spec = uniform(5, 4)
    before = Data(cube_of(spec), {
        "A": centre_input("A", remarks=[content.Remark("algemeen", "x"),
                                        content.Remark("algemeen", "weg")]),
        "B": centre_input("B")})
    spec[("B", "bao", s1)] = {4: 17, 1: 23}
    after = Data(cube_of(spec), {
        "A": centre_input("A", remarks=[content.Remark("algemeen", "x"),
                                        content.Remark("algemeen", "x")]),
        "B": centre_input("B", responded={"bao": 10, "so": 9})})
    changes = version_diff.round_changes(before, after)
    a, b = changes.of("A"), changes.of("B")
    # A: its own figures are the same; the sector's (B's) bao % at statement 1 goes from
    # 16/40 = 40 % to 17/40 = 42.5 % (shown "42 %"): statement 1 alone changed for A
    assert [s.number for s in a.statements] == [s1]
    assert a.remarks_added == [content.Remark("algemeen", "x")]
    assert a.remarks_removed == [content.Remark("algemeen", "weg")]
    assert a.levels == []
    # B: its own bao figure at statement 1 changed (16 -> 17 agreeing); its so responses
    assert [s.number for s in b.statements] == [s1]
    assert b.levels == [version_diff.LevelChange("so", (12, 12), (10, 9))]
    assert b.remarks_added == b.remarks_removed == []
    assert version_diff.round_changes(before, before).centres == ()
    gone = version_diff.round_changes(before, Data(before.cube, {"B": before.inputs["B"]}))
    assert gone.of("A").removed and [c.number for c in gone.centres] == ["A"]


def test_shown_figures_ignore_what_the_sheet_does_not_print():
    """A sector share that moves by less than the rounding (B's bao at statement 1 from
    16/40 = 40 % to 161/400 = 40.25 %, still "40 %") is no change of what A sees; B's own
    counts changed, so B's statement did."""
    s1 = NUMBERS[0]
    spec = uniform(5, 4)
    before = Data(cube_of(spec), {"A": centre_input("A"), "B": centre_input("B")})
    spec[("B", "bao", s1)] = {4: 161, 1: 239}
    after = Data(cube_of(spec), before.inputs)
    changes = version_diff.round_changes(before, after)
    assert changes.of("A") is None
    assert [s.number for s in changes.of("B").statements] == [s1]


# --- The JSON codec -----------------------------------------------------------------------


def _rich_round_data() -> RoundData:
    earlier = content.Earlier("Ronde 2025", cube_of(uniform(3, 4)), 5, "2025-2026")
    previous = content.PreviousAnswer("Ronde 2025", "We doen het beter.", (
        content.PreviousAction(4, "Een overleg", "3 maart 2026", "planned"),
        content.PreviousAction(None, "Algemeen", "", "done")))
    layout = LAYOUT.__class__(**{**LAYOUT.__dict__, "option_labels": {
        **LAYOUT.option_labels, 4: LocalText("Helemaal akkoord", {"en": "Strongly agree"})}})
    info = content.RoundInfo(7, "Ronde", "2026-2027", 5, "3 december 2026", "Referentie", 3)
    inputs = {"A": centre_input("A", remarks=[content.Remark("algemeen", "Één €-teken")],
                                earlier=[earlier], previous=previous),
              "B": centre_input("B", earlier=[earlier])}
    themes = Themes([Theme("Bereikbaarheid", {("A", "bao"): 2})], {("A", "bao"): 3})
    return RoundData(info, layout, cube_of(uniform(5, 4)), cube_of(uniform(2, 3)), inputs,
                     themes)


def test_the_codec_round_trips_round_data_exactly():
    data = _rich_round_data()
    blob = report_versions.encode(data)
    back = report_versions.decode(blob)
    assert back == data
    assert back.info.date == "3 december 2026" and back.info.sector_round == "Referentie"
    assert back.layout.option_labels[4].translations == {"en": "Strongly agree"}
    assert isinstance(back.layout.option_labels[4], LocalText)
    assert type(back.layout.sections) is tuple and type(back.inputs["A"].remarks) is list
    assert list(back.inputs) == ["A", "B"]
    # the earlier round's cube is written once and shared again
    assert back.inputs["A"].earlier[0] is back.inputs["B"].earlier[0]
    assert zlib.decompress(blob).decode().count('"Ronde 2025"') == 2   # Earlier + answer


def test_the_codec_round_trips_a_rounds_data_from_the_database(app, small_round):
    round_id, _ = small_round()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        data = round_data(db.session, rnd)
        assert report_versions.decode(report_versions.encode(data)) == data
        version = db.session.scalar(select(ReportVersion))
        assert report_versions.data_of(version).info.date == dutch_date(version.published_at)


def _blob(document) -> bytes:
    return zlib.compress(json.dumps(document).encode())


@pytest.mark.parametrize("document", [
    {"format": 1, "value": {"C": "os.system", "V": {}}},
    {"format": 1, "value": {"C": "reports.content.RoundInfo", "V": {"evil": 1}}},
    {"format": 1, "value": {"R": 0}},
    {"format": 1, "value": {"X": []}},
    {"format": 2, "value": None},
    {"format": 1, "value": {"D": [[[1], 2]]}},
])
def test_the_codec_builds_nothing_it_was_not_told_of(document):
    with pytest.raises(frozen.FrozenError):
        report_versions.decode(_blob(document))


def test_the_codec_refuses_what_is_not_a_frozen_value():
    for blob in (b"", b"not zlib", zlib.compress(b"{"), zlib.compress(b"[1, 2]"),
                 _blob({"format": 1, "value": {"T": [1]}})):
        with pytest.raises(frozen.FrozenError):
            report_versions.decode(blob)
    with pytest.raises(TypeError):
        frozen.dumps(object())


def test_an_upgrade_leaves_published_rounds_without_a_version(app):
    """Rounds published before 0015 get no version (the portal shows them live); the
    table goes with a downgrade."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from helpers import insert_round_rows

    directory = app.extensions["migrate"].directory
    with app.app_context():
        downgrade(directory=directory, revision="0014")
        assert "report_version" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            insert_round_rows(conn, "published")
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM report_version")).scalar() == 0
        rnd = db.session.get(Round, 1)
        assert rnd.state == "published" and report_versions.published(db.session, rnd) == []


def test_two_inspectors_publishing_at_once_make_one_version(app, small_round):
    from helpers import in_threads

    round_id, _ = small_round()
    approve(app, round_id, "Opmerking A3")

    def publish():
        rnd = db.session.get(Round, round_id)
        try:
            return report_versions.publish_version(db.session, rnd, None, 2).number
        except report_versions.VersionError as exc:
            return str(exc)

    outcomes = in_threads(app, [publish, publish])
    assert sorted(outcomes, key=str) == [
        2, "Intussen is versie 2 al gepubliceerd: bekijk de verschillen opnieuw."]
    with app.app_context():
        assert db.session.scalars(select(ReportVersion.number).order_by(
            ReportVersion.number)).all() == [1, 2]
