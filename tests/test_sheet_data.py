"""The feedback sheet from its template: accessible (tagged, titled, Dutch, headed tables,
charts with a text alternative that says what they show), complete, the same bytes for the
same content, and only the one CLB's names and figures."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, example_feedback, uniform
from pdf_structure import assert_accessible
from reports import content, sheet_data


def _feedback(number="A", **kwargs) -> content.Feedback:
    return content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(number, **kwargs))


@pytest.fixture(scope="module")
def sheet():
    return assert_accessible(sheet_data.render(_feedback()), title_contains="CLB A")


def test_the_sheet_is_tagged_with_its_headings_in_order(sheet):
    headings = [node for node in sheet.root.walk() if node.role in ("H1", "H2")]
    assert [node.role for node in headings[:3]] == ["H1", "H2", "H2"]   # cover, its parts
    # cover, summary, statements, levels, aspects, remarks (no other questions, no trend)
    assert len(sheet.nodes("H1")) == 6
    assert sheet.pages == 7
    for title in ("Samenvatting", "Per stelling", "Per onderwijsniveau",
                  "Per kwaliteitsaspect", "Opmerkingen van scholen", "Hoe leest u dit rapport?"):
        assert title in sheet.text


def test_every_statement_is_text_with_its_figures(sheet):
    for number in NUMBERS:
        assert f"{number}. {LAYOUT.statements[number].label[:18]}" in sheet.text
    # A: 14 of 20 agree = 70 %, Wilson 95 % 48-85; the sector B: 48 of 80 = 60 %
    assert "70 % 48–85 60 % 60 % +10" in sheet.text


def test_each_chart_says_in_words_what_it_shows(sheet):
    alternatives = [node.alt for node in sheet.nodes("Figure")]
    # one bar chart per section of statements (4), an interval chart per statement in the
    # summary (21) and per statement and level with answers (A: bao and so, 2 x 21)
    assert len(alternatives) == 4 + 21 + 2 * 21
    bars = next(alt for alt in alternatives if "Algemene samenwerking" in alt)
    # statement 4: A has 6 x code 1 and 14 x code 4 of 20: 70 % agree, 30 % not; B 48/80
    assert ("4. Stellen zich onafhankelijk op: uw CLB 70 % akkoord, 30 % niet akkoord "
            "(n=20); sector 60 % akkoord, 40 % niet akkoord (n=80).") in bars
    assert ("4. Stellen zich onafhankelijk op: uw CLB 70 % akkoord, marge 48–85; "
            "de aangepaste sector 60 %.") in alternatives
    # per level A has 7 of 10 agreeing: Wilson 40-89; the sector at that level 24/40
    assert ("4. Stellen zich onafhankelijk op, bao: uw CLB 70 % akkoord, marge 40–89; "
            "de sector op dat niveau 60 %.") in alternatives
    assert not any(", bubao:" in alt for alt in alternatives)   # A has no bubao schools


def test_the_tables_have_header_cells(sheet):
    tables = sheet.nodes("Table")
    assert len(tables) >= 4        # response, summary, levels, one per aspect
    for table in tables:
        assert any(node.role == "TH" for node in table.walk())


def test_remarks_are_printed_as_written_never_as_markup():
    hostile = ['#set page(width: 1cm) *vet* $x^2$ @ref <label> \\ `code` _schuin_',
               '#panic("boom")', 'Een ] en een [ en #{1 + 1}']
    remarks = [content.Remark("algemeen", text) for text in hostile]
    structure = assert_accessible(sheet_data.render(_feedback(remarks=remarks)),
                                  title_contains="CLB A")
    for text in hostile:
        assert " ".join(text.split()) in structure.text
    assert structure.pages == 7


@pytest.mark.parametrize("count", [0, 30, 150])
def test_remarks_take_the_pages_they_need(count):
    remarks = [content.Remark("algemeen", f"Opmerking {i}: " + "goed bereikbaar en "
                              "betrokken bij de leerlingen, " * 3) for i in range(count)]
    structure = assert_accessible(sheet_data.render(_feedback(remarks=remarks)),
                                  title_contains="CLB A")
    for i in range(count):
        assert f"Opmerking {i}:" in structure.text
    assert structure.pages >= 7 + count // 40
    if not count:
        assert "Er zijn geen (goedgekeurde) opmerkingen." in structure.text


def test_the_same_content_gives_the_same_file():
    assert sheet_data.render(_feedback()) == sheet_data.render(_feedback())


def test_no_sheet_carries_another_clbs_name_or_figures():
    # B is A's sector and A is B's: each sheet must name only itself, and A's own bars
    # (70 %) appear as the sector's on B's sheet only as "sector" figures
    spec = uniform(7, 6)
    cube = cube_of(spec)
    sheets = {}
    for number in ("A", "B"):
        given = centre_input(number, responded={"bao": 10, "so": 10} if number == "A"
                             else {"bao": 40, "so": 40})
        sheets[number] = assert_accessible(
            sheet_data.render(content.build(INFO, LAYOUT, cube, given)),
            title_contains=f"CLB {number}")
    assert "CLB B" not in sheets["A"].text and "CLB A" not in sheets["B"].text
    # on A's sheet A's figures (70 %) come first, B's (60 %) as the sector; reversed on B's
    assert "70 % 48–85 60 % 60 % +10" in sheets["A"].text
    assert "60 % 49–70 70 % 70 % −10" in sheets["B"].text


def test_other_questions_and_the_trend_have_their_pages_and_name_no_other_clb():
    earlier = content.Earlier("Ronde 2024", cube_of(uniform(5, 7, items=NUMBERS[:3])), 5,
                              "2024-2025")
    with_trend = content.build(INFO, LAYOUT, cube_of(uniform(8, 7)),
                               centre_input(earlier=[earlier]))
    trend = assert_accessible(sheet_data.render(with_trend), title_contains="CLB A")
    assert "Evolutie over de bevragingen" in trend.text
    # statement 4: 5 of 10 agreed in 2024 (50 %), 8 of 10 now (80 %); 2024-2025 its label
    assert "Stellen zich onafhankelijk op 50 % 80 %" in trend.text
    assert "2024-2025: Ronde 2024" in trend.text
    sheets = {number: example_feedback(number) for number in ("P", "Q", "R")}
    for number, feedback in sheets.items():
        structure = assert_accessible(sheet_data.render(feedback),
                                      title_contains=f"CLB {number}-stad")
        assert "Andere vragen" in structure.text
        for summary in feedback.questions:
            assert summary.question.label in structure.text
        for other in sheets:
            assert (f"CLB {other}-stad" in structure.text) == (other == number)


def test_the_previous_rounds_actions_stand_beside_the_trend():
    previous = content.PreviousAnswer("Ronde 2024", "We werken aan de bereikbaarheid.", (
        content.PreviousAction(5, "Vast aanspreekpunt per school", "31 maart 2025", "done"),
        content.PreviousAction(None, "Overleg #1 *elk* trimester", "", "in_progress"),
        content.PreviousAction(99, "Een stelling die niet meer bestaat", "1 mei 2025",
                               "planned")))
    feedback = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)),
                             centre_input(previous=previous))
    structure = assert_accessible(sheet_data.render(feedback), title_contains="CLB A")
    assert "Uw acties na de vorige bevraging" in structure.text
    assert "We werken aan de bereikbaarheid." in structure.text
    assert ("5. Bereiken ook de kwetsbare leerlingen Vast aanspreekpunt per school "
            "31 maart 2025 afgerond") in structure.text
    assert "algemeen Overleg #1 *elk* trimester – bezig" in structure.text
    assert "stelling 99 Een stelling die niet meer bestaat 1 mei 2025 gepland" in \
        structure.text
    without = assert_accessible(sheet_data.render(_feedback()), title_contains="CLB A")
    assert "Uw acties na de vorige bevraging" not in without.text


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_text_in_a_remark_makes_a_sheet_never_an_error(text):
    # PDF/UA forbids some characters (a byte order mark, noncharacters, most control
    # characters): they are left out, everything else is printed
    remarks = [content.Remark("algemeen", text + "\ufeff\x00\x7f\U0010ffff einde")]
    structure = assert_accessible(sheet_data.render(_feedback(remarks=remarks)),
                                  title_contains="CLB A")
    assert "einde" in structure.text


def test_a_word_longer_than_the_page_breaks_instead_of_running_off_it():
    import pikepdf

    word = "Lange" + "A" * 800
    payload = sheet_data.render(_feedback(remarks=[content.Remark("algemeen", word)]))
    structure = assert_accessible(payload, title_contains="CLB A")
    assert "A" * 30 in structure.text.replace(" ", "").replace("\u200b", "")
    # every glyph of the remark stays on the page: the text's right edge within the A4 width
    pdf = pikepdf.open(io.BytesIO(payload))
    remark_page = pdf.pages[-1]
    boxes = [float(value) for value in remark_page.MediaBox]
    assert boxes[2] < 600
    from pypdf import PdfReader
    widths = []
    reader = PdfReader(io.BytesIO(payload))
    reader.pages[-1].extract_text(visitor_text=lambda text, cm, tm, font, size: widths.append(
        (tm[4], len(text))) if "AAAA" in text else None)
    assert widths and all(x < 595 - 40 for x, _length in widths)
    assert len(widths) >= 800 // 100       # the word wrapped onto many lines
