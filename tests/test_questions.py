"""reports.questions on small cubes built by hand: the figures of each question type, the
sector (raw and adjusted to the CLB's mix of levels) and the suppression rules. The
arithmetic is in the comments."""

from __future__ import annotations

import pytest

from reports.feedback import DATA_COLUMNS
from reports.questions import (
    QUESTION_COLUMNS,
    SUMMARISERS,
    Option,
    Question,
    data_rows,
    summarise,
)
from reports.suppression import TOTAL

SINGLE = Question("thema", "single", 2, "Welk thema?", "Thema", "werking",
                  (Option(1, "Leren", 2), Option(2, "Loopbaan", 2)))
MULTI = Question("wie", "multi", 1, "Met wie?", "Medewerkers", "werking",
                 (Option(1, "Psycholoog", 1001), Option(2, "Arts", 1002),
                  Option(3, "Verpleegkundige", 1003)))
NUMBER = Question("overleg", "number", 3, "Hoe vaak?", "Overleg", "werking",
                  (Option(0, "", 3),), "keer")


def _single_cube(**extra) -> dict:
    cube = {
        # CLB A: bao 4x code 1 + 1x code 2 (n 5); so 3x code 1 + 2x code 2 (n 5)
        ("A", "bao", 2, 1): 4, ("A", "bao", 2, 2): 1,
        ("A", "so", 2, 1): 3, ("A", "so", 2, 2): 2,
        # the sector: B bao 6/4, B so 2/8, C so 5/5
        ("B", "bao", 2, 1): 6, ("B", "bao", 2, 2): 4,
        ("B", "so", 2, 1): 2, ("B", "so", 2, 2): 8,
        ("C", "so", 2, 1): 5, ("C", "so", 2, 2): 5,
    }
    cube.update(extra)
    return cube


def _one(question, cube, minimum=5, min_centres=1, centre="A"):
    (summary,) = summarise([question], cube, centre, minimum, None, min_centres, "te weinig")
    return summary


def test_every_summarised_type_has_a_summariser():
    assert set(SUMMARISERS) == {"single", "yesno", "multi", "number"}


def test_single_distribution_with_wilson_interval_and_sector():
    s = _one(SINGLE, _single_cube())
    so = s.lines[0].cells["so"]
    assert s.groups["so"].n == 5
    # 3 of 5 = 60 %. Wilson: centre = (0.6 + 3.8416/10) / 1.76832 = 0.55655,
    # half = 1.96 / 1.76832 * sqrt(0.24/5 + 3.8416/100) = 0.32583 -> 23.07 .. 88.24
    assert so.count == 3 and so.value == pytest.approx(60)
    assert so.ci_low == pytest.approx(23.07, abs=0.05)
    assert so.ci_high == pytest.approx(88.24, abs=0.05)
    assert s.lines[1].cells["so"].value == pytest.approx(40)
    # the sector at so: B 2 + C 5 of 20 = 35 %; at bao: B 6 of 10 = 60 %
    assert so.sector == pytest.approx(35)
    assert s.lines[0].cells["bao"].sector == pytest.approx(60)
    total = s.lines[0].cells[TOTAL]
    # A in total: 7 of 10 = 70 %; the sector raw: 13 of 30 = 43.3 %;
    # adjusted to A's mix (5 bao, 5 so): 0.5 * 60 + 0.5 * 35 = 47.5 %
    assert s.groups[TOTAL].n == 10 and total.value == pytest.approx(70)
    assert total.sector == pytest.approx(100 * 13 / 30)
    assert total.sector_adjusted == pytest.approx(47.5)
    assert s.groups["bubao"].n == 0 and s.lines[0].cells["bubao"].value is None


def test_yesno_is_summarised_as_a_distribution():
    question = Question("verzoek", "yesno", 11, "Vraag gesteld?", "Vraag", "vraag",
                        (Option(1, "Ja", 11), Option(2, "Nee", 11)))
    cube = {("A", "bao", 11, 1): 4, ("A", "bao", 11, 2): 2, ("B", "bao", 11, 1): 1,
            ("B", "bao", 11, 2): 4}
    s = _one(question, cube)
    yes = s.lines[0].cells
    # 4 of 6 = 66.7 %; the sector 1 of 5 = 20 %, adjusted (all bao) the same
    assert yes["bao"].value == pytest.approx(200 / 3) and yes["bao"].sector == 20
    assert yes[TOTAL].sector_adjusted == pytest.approx(20)


def test_small_level_hidden_and_a_second_one_beside_it():
    # bubao 2x code 1 (n 2 < 5) is hidden; total minus bao and so would give it, so the
    # smallest shown level (bao, n 5; so ties at 5 and sorts after) is hidden as well:
    # together 4+2 code 1 and 1 code 2, 7 answers, not unanimous
    s = _one(SINGLE, _single_cube() | {("A", "bubao", 2, 1): 2})
    assert s.groups["bubao"].hidden and s.groups["bao"].hidden
    assert not s.groups["so"].hidden and s.groups[TOTAL].n == 12
    assert s.lines[0].cells["bao"].value is None and s.lines[0].cells["bao"].count is None


def test_unanimous_group_hidden_whatever_its_size():
    cube = {("A", "so", 2, 1): 9, ("B", "so", 2, 1): 3, ("B", "so", 2, 2): 3}
    s = _one(SINGLE, cube)
    assert s.groups["so"].hidden and s.groups[TOTAL].hidden
    assert all(line.cells[TOTAL].value is None for line in s.lines)
    # the sector's figure stays: 3 of 6
    assert s.lines[0].cells["so"].sector == 50


def test_too_few_other_centres_no_sector_figure():
    s = _one(SINGLE, _single_cube(), min_centres=3)
    assert s.groups["so"].sector_n is None and s.groups["so"].sector_reason == "te weinig"
    assert s.lines[0].cells["so"].sector is None
    assert s.lines[0].cells[TOTAL].sector_adjusted is None
    assert s.groups[TOTAL].sector_reason == "te weinig"


def _multi_cube(**extra) -> dict:
    cube = {
        # A bao: 6 answered; psycholoog 4 ticked, arts 6, verpleegkundige none
        ("A", "bao", 1001, 1): 4, ("A", "bao", 1001, 0): 2,
        ("A", "bao", 1002, 1): 6,
        ("A", "bao", 1003, 0): 6,
        # B bao: 10 answered; psycholoog 5, arts 2, verpleegkundige 1
        ("B", "bao", 1001, 1): 5, ("B", "bao", 1001, 0): 5,
        ("B", "bao", 1002, 1): 2, ("B", "bao", 1002, 0): 8,
        ("B", "bao", 1003, 1): 1, ("B", "bao", 1003, 0): 9,
    }
    cube.update(extra)
    return cube


def test_multi_shares_of_those_who_answered():
    s = _one(MULTI, _multi_cube())
    assert s.groups["bao"].n == 6 and s.groups[TOTAL].n == 6
    shares = [line.cells["bao"].value for line in s.lines]
    assert shares == pytest.approx([400 / 6, 100, 0])        # 4, 6 and 0 of 6
    assert [line.cells["bao"].count for line in s.lines] == [4, 6, 0]
    assert [line.cells["bao"].sector for line in s.lines] == pytest.approx([50, 20, 10])
    assert s.lines[0].cells[TOTAL].sector_adjusted == pytest.approx(50)


def test_multi_group_that_chose_the_same_options_is_hidden():
    # five schools each ticked psycholoog and arts, none verpleegkundige: every school's
    # answer is known from the shares (100 %, 100 %, 0 %)
    cube = {("A", "so", 1001, 1): 5, ("A", "so", 1002, 1): 5, ("A", "so", 1003, 0): 5}
    s = _one(MULTI, cube)
    assert s.groups["so"].hidden and s.groups[TOTAL].hidden


def test_number_median_and_quartiles_type_7():
    # A so: 1, 2, 3, 4, 5, 10 (n 6). Type 7: h = 5p + 1.
    # median h = 3.5: 3 + 0.5 (4 - 3) = 3.5; Q1 h = 2.25: 2.25; Q3 h = 4.75: 4.75
    cube = {("A", "so", 3, v): 1 for v in (1, 2, 3, 4, 5, 10)}
    # the sector at so: 0, 2, 2, 5, 10: median x3 = 2, Q1 x2 = 2, Q3 x4 = 5
    cube |= {("B", "so", 3, 0): 1, ("B", "so", 3, 2): 2, ("B", "so", 3, 5): 1,
             ("B", "so", 3, 10): 1}
    s = _one(NUMBER, cube)
    assert s.unit == "number" and s.groups["so"].n == 6
    by_stat = {line.statistic: line.cells["so"] for line in s.lines}
    assert by_stat["median"].value == pytest.approx(3.5)
    assert by_stat["q1"].value == pytest.approx(2.25)
    assert by_stat["q3"].value == pytest.approx(4.75)
    assert (by_stat["median"].sector, by_stat["q1"].sector, by_stat["q3"].sector) == (2, 2, 5)
    assert s.fmt(2.25) == "2,25" and s.fmt(3.0) == "3"


def test_number_all_the_same_is_hidden():
    cube = {("A", "so", 3, 4): 7, ("B", "so", 3, 1): 3, ("B", "so", 3, 2): 3}
    s = _one(NUMBER, cube)
    assert s.groups["so"].hidden and s.groups[TOTAL].hidden
    assert all(line.cells[TOTAL].value is None for line in s.lines)


def test_data_rows_keep_keys_and_hide_figures():
    s = _one(SINGLE, _single_cube() | {("A", "bubao", 2, 1): 2})
    width = len(DATA_COLUMNS)
    rows = data_rows(["Ronde", "A", "CLB A"], [s], width)
    columns = DATA_COLUMNS + QUESTION_COLUMNS
    assert all(len(r) == len(columns) for r in rows)
    assert len(rows) == 2 * 5                   # two options, five groups
    named = [dict(zip(columns, r, strict=True)) for r in rows]
    so = next(r for r in named if r["level"] == "so" and r["option"] == 1)
    assert (so["n"], so["count"], so["value"], so["suppressed"]) == (5, 3, 60.0, False)
    assert so["sector_value"] == 35.0 and so["item"] == 2 and so["question"] == "thema"
    bubao = next(r for r in named if r["level"] == "bubao" and r["option"] == 1)
    assert bubao["suppressed"] is True
    assert bubao["n"] is None and bubao["count"] is None and bubao["value"] is None


# --- End to end: a round on the example questionnaire, answered through the service ----

CENTRES = ("200001", "200002", "200003", "200004")


@pytest.fixture
def questionnaire():
    from survey.questionnaire import bundled
    return bundled("voorbeeld-alle-vraagtypes")


def _answers(k: int) -> dict[int, int]:
    """School k's answers by slot, some of them to questions that routing then hides."""
    ticked = {1} | ({3} if k % 2 else set()) | ({2} if k % 3 == 0 else set())
    values = {1000 + code: int(code in ticked) for code in range(1, 6)}
    asked = 1 if k % 3 else 2
    values |= {2: k % 4 + 1, 3: k % 7, 1006: k % 5, 11: asked,
               # shown only after "ja" (11 = 1); given anyway, so hidden after "nee"
               1007: k % 3 + 1, 1008: k % 4 + 1, 20: k % 11,
               # the arts section: shown only when "Arts" (3) is ticked
               25: k % 5}
    return values


def _shown(values: dict[int, int]) -> dict[int, int]:
    """Independently of instrument.routing: the answers the example's show_if keeps."""
    hidden = set()
    if values[11] != 1:
        hidden |= {1007, 1008, 20}
    if values[1003] != 1:
        hidden.add(25)
    return {slot: v for slot, v in values.items() if slot not in hidden}


@pytest.fixture
def example_round(app, make_round, make_invited):
    from survey.services import answers as answer_service

    round_id = make_round(min_group_size=5)
    given, k = [], 0
    for centre in CENTRES:
        for level, count in (("bao", 6), ("so", 5)):
            for _ in range(count):
                k += 1
                invited = make_invited(round_id, level, centre)
                values = _answers(k)
                with app.app_context():
                    status = answer_service.save(db().session, invited.invitation_id, values,
                                                 {"medewerkers-anders": ""}, submit=True)
                    db().session.commit()
                assert status == answer_service.SUBMITTED
                given.append((centre, level, _shown(values)))
    with app.app_context():
        from survey.models import Round
        db().session.get(Round, round_id).state = "published"
        db().session.commit()
    return round_id, given


def db():
    from survey.extensions import db as database
    return database


def test_example_round_reports_every_question_type(app, example_round, inspector_client):
    import io
    import statistics

    import openpyxl
    from pypdf import PdfReader

    from reports import sheet_data, workbook
    from survey.models import Round
    from survey.services import exports, reports

    round_id, given = example_round
    centre = CENTRES[0]
    own = [values for c, _, values in given if c == centre]
    others = [values for c, _, values in given if c != centre]
    with app.app_context():
        rnd = db().session.get(Round, round_id)
        fb = reports.feedback(db().session, rnd, centre)
        rows = list(exports.response_rows(db().session, rnd))
    by_key = {s.question.key: s for s in fb.questions}
    assert list(by_key) == ["medewerkers", "hoofdthema", "overleg", "verzoek", "kanaal",
                            "tevredenheid-cijfer"]

    # single: n and % per option, against the raw answers; the sector raw
    thema = by_key["hoofdthema"]
    assert thema.groups[TOTAL].n == len(own) == 11
    for line in thema.lines:
        chosen = sum(v[2] == line.code for v in own)
        sector = sum(v[2] == line.code for v in others)
        assert line.cells[TOTAL].count == chosen
        assert line.cells[TOTAL].value == pytest.approx(100 * chosen / len(own))
        assert line.cells[TOTAL].sector == pytest.approx(100 * sector / len(others))
    # multi: the share of those who answered that ticked each option
    multi = by_key["medewerkers"]
    for line in multi.lines:
        ticked = sum(v[line.slot] == 1 for v in own)
        assert line.cells[TOTAL].value == pytest.approx(100 * ticked / len(own))
    # number, asked only after "ja": the hidden answers are not counted; type-7 quartiles
    # (Python's statistics.quantiles, method "inclusive", is the same definition)
    cijfer = by_key["tevredenheid-cijfer"]
    values = [v[20] for v in own if 20 in v]
    assert cijfer.groups[TOTAL].n == len(values) == sum(v[11] == 1 for v in own)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    stats = {line.statistic: line.cells[TOTAL].value for line in cijfer.lines}
    assert stats == pytest.approx({"median": median, "q1": q1, "q3": q3})
    # the response rows: every slot, routing-hidden answers left out
    assert {slot for _, _, row in rows for slot in row} >= {1001, 1005, 2, 3, 11, 20}
    assert sorted(len(row) for _, _, row in rows) == sorted(len(v) for _, _, v in given)

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        sheet_data.render(fb))).pages)
    book = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)), read_only=True)
    sheet = " ".join(str(c) for row in book["Andere vragen"].iter_rows(values_only=True)
                     for c in row if c is not None)
    data = list(book["Data"].iter_rows(values_only=True))
    keys = {row[data[0].index("question")] for row in data[1:]}
    page = inspector_client.get(f"/beheer/rondes/{round_id}/rapporten/{centre}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Andere vragen" in text and "Andere vragen" in html
    section = html[html.index('id="andere-vragen"'):]
    section = section[:section.index("</section>")]
    assert section.count("<caption>") == len(fb.questions)
    assert section.count('<th scope="row">') == sum(len(s.lines) + 1 for s in fb.questions)
    with app.app_context():
        sector = openpyxl.load_workbook(io.BytesIO(reports.sector_workbook(
            db().session, db().session.get(Round, round_id))), read_only=True)
        header = next(sector["Antwoorden"].iter_rows(values_only=True))
        sector_data = list(sector["Data"].iter_rows(values_only=True))
    assert {"item_1001", "item_1005", "item_2", "item_20", "item_1008"} <= set(header)
    sector_keys = {(row[1], row[sector_data[0].index("question")]) for row in sector_data[1:]}
    assert {(c, "overleg") for c in CENTRES} <= sector_keys
    for summary in fb.questions:
        q = summary.question
        assert q.label in text and q.label in sheet and q.key in keys
        assert q.label in html
        for line in summary.lines:
            assert line.label[:20] in text
    # the statements: each on its scale, the one without a number printed without one
    assert fb.layout.statements[1008].scale.no_view == ()
    assert fb.row(1006).figures.n == sum(v[1006] != 0 for v in own)
