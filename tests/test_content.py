"""A CLB's feedback content from plain inputs: summary, strengths, remarks, trend, and
(property test) nothing a sheet hides can be derived from what it shows."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, uniform
from reports import content
from reports.feedback import DATA_COLUMNS, LEVELS, data_rows


def test_strengths_and_attention_points_are_clear_differences_only():
    spec = uniform(7, 7)
    spec[("A", "bao", 5)] = spec[("A", "so", 5)] = {4: 6, 3: 4}     # 100 % vs 70 %
    spec[("A", "bao", 6)] = spec[("A", "so", 6)] = {4: 2, 1: 8}      # 20 % vs 70 %
    spec[("A", "bao", 7)] = spec[("A", "so", 7)] = {4: 8, 1: 2}      # 80 %: not clear
    fb = content.build(INFO, LAYOUT, cube_of(spec), centre_input())
    assert [ln.statement.number for ln in fb.strengths] == [5]
    assert [ln.statement.number for ln in fb.attention] == [6]
    line = next(ln for ln in fb.lines if ln.statement.number == 6)
    assert line.difference == pytest.approx(20 - 70)


def test_aspects_group_the_statements_that_name_them():
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 7)), centre_input())
    groups = {a.id: [ln.statement.number for ln in lines] for a, lines in fb.aspects}
    assert groups["laagdrempelig"] == [5, 6]
    assert all(lines for _, lines in fb.aspects)


def test_remarks_are_shuffled_the_same_way_at_every_build_and_grouped_by_section():
    remarks = [content.Remark("algemeen", f"tekst {i}") for i in range(12)]
    remarks.append(content.Remark("leerlinggericht", "over leerlingen"))
    first = content.build(INFO, LAYOUT, cube_of(uniform(7, 7)), centre_input(remarks=remarks))
    again = content.build(INFO, LAYOUT, cube_of(uniform(7, 7)),
                          centre_input(remarks=list(reversed(remarks))))
    assert first.remarks == again.remarks
    (general, texts), (pupils, other) = first.remarks
    assert general.key == "algemeen" and sorted(texts) == sorted(f"tekst {i}"
                                                                 for i in range(12))
    assert texts != sorted(texts), "not in the order given or in alphabetical order"
    assert pupils.key == "leerlinggericht" and other == ["over leerlingen"]


def test_no_remarks_below_the_minimum():
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 7)),
                       centre_input(remarks=[content.Remark("algemeen", "x")],
                              responded={"bao": 3, "so": 1}))
    assert fb.remarks is None


def test_trend_follows_the_statements_through_earlier_rounds():
    earlier = content.Earlier("Ronde 2024", cube_of(uniform(5, 7, items=NUMBERS[:3])), 5)
    fb = content.build(INFO, LAYOUT, cube_of(uniform(8, 7)), centre_input(earlier=[earlier]))
    assert fb.trend.rounds == ("Ronde 2024", "Ronde")
    assert fb.trend.pct[NUMBERS[0]] == (pytest.approx(50.0), pytest.approx(80.0))
    assert fb.trend.pct[NUMBERS[5]] == (None, pytest.approx(80.0))


counts = st.integers(min_value=0, max_value=9)


@st.composite
def cubes(draw):
    """Random small CLBs: per level a few answers of each code for two statements, or,
    often, every answer on the scale in one category (with or without "geen zicht")."""
    cube = {}
    for centre in ("A", "B"):
        for level in LEVELS:
            if draw(st.booleans()):
                continue
            for item in NUMBERS[:2]:
                if draw(st.booleans()):
                    only = draw(st.sampled_from([1, 2, 3, 4]))
                    draws = {only: draw(st.integers(0, 12)), 0: draw(st.integers(0, 2))}
                else:
                    draws = {code: draw(st.integers(0, 3)) for code in (0, 1, 2, 3, 4)}
                for code, n in draws.items():
                    if n:
                        cube[(centre, level, item, code)] = n
    return cube


def _revealing(counts: dict[int, int], minimum: int) -> bool:
    """All answers on the scale in one category: the percentages would tell every
    school's answer (written out again, not imported)."""
    n = sum(counts.get(c, 0) for c in (1, 2, 3, 4))
    return n > 0 and max(counts.get(c, 0) for c in (1, 2, 3, 4)) == n


@settings(max_examples=300, deadline=None)
@given(cubes(), st.integers(min_value=2, max_value=8))
def test_nothing_hidden_can_be_derived_from_the_data_sheet(cube, minimum):
    info = content.RoundInfo(1, "R", "2026-2027", minimum, "")
    fb = content.build(info, LAYOUT, cube, centre_input())
    table = [dict(zip(DATA_COLUMNS, r, strict=True))
             for r in data_rows("R", "A", "CLB A", fb.rows.values())]
    truth = defaultdict(lambda: defaultdict(int))
    for (centre, level, item, code), n in cube.items():
        if centre == "A":
            truth[(level, item)][code] += n
    for item in NUMBERS[:2]:
        rows = {r["level"]: r for r in table if r["item"] == item}
        n = {lv: sum(truth[(lv, item)][c] for c in (1, 2, 3, 4)) for lv in LEVELS}
        any_answer = {lv: sum(truth[(lv, item)].values()) > 0 for lv in LEVELS}
        for lv in LEVELS:
            if not rows[lv]["suppressed"]:
                assert n[lv] == 0 and not any_answer[lv] or n[lv] >= minimum
                assert rows[lv]["n"] == n[lv]
                assert not _revealing(_shown_counts(rows[lv]), minimum), \
                    "a shown level is never small and unanimous"
        if rows["totaal"]["suppressed"]:
            continue
        assert rows["totaal"]["n"] >= minimum
        assert not _revealing(_shown_counts(rows["totaal"]), minimum)
        hidden = [lv for lv in LEVELS if rows[lv]["suppressed"] and any_answer[lv]]
        # total minus the shown levels is what the hidden levels have together
        shown = [lv for lv in LEVELS if not rows[lv]["suppressed"]]
        derived = {code: _shown_counts(rows["totaal"])[code]
                   - sum(_shown_counts(rows[lv])[code] for lv in shown)
                   for code in (0, 1, 2, 3, 4)}
        assert derived == {code: sum(truth[(lv, item)][code] for lv in hidden)
                           for code in (0, 1, 2, 3, 4)}
        derived_n = sum(derived[c] for c in (1, 2, 3, 4))
        assert derived_n == sum(n[lv] for lv in hidden)
        assert not hidden or (len(hidden) >= 2 and derived_n >= minimum), \
            "a single hidden level, or a small group of them, would be recoverable"
        assert not _revealing(derived, minimum), \
            "total minus the shown levels is never a small unanimous group"


def _shown_counts(row: dict) -> dict[int, int]:
    """The counts per answer code a Data row shows."""
    return {4: row["n_helemaal_akkoord"], 3: row["n_eerder_akkoord"],
            2: row["n_eerder_niet_akkoord"], 1: row["n_helemaal_niet_akkoord"],
            0: row["n_geen_zicht"]}


@pytest.mark.parametrize("spec", [
    {},                                                           # nobody answered
    {("A", "bao", n, 0): 7 for n in NUMBERS},                     # all "geen zicht"
    {("A", "buso", n, 4): 3 for n in NUMBERS},                    # one small level
])
def test_sheet_and_workbook_of_a_clb_with_little_or_nothing(spec):
    from reports import sheet_data, workbook

    cube = dict(spec)
    cube.update({("B", "bao", n, 4): 10 for n in NUMBERS})
    fb = content.build(INFO, LAYOUT, cube, centre_input(responded={"bao": 0, "buso": 0}))
    assert all(ln.row.figures is None for ln in fb.lines)
    assert fb.strengths == fb.attention == [] and fb.remarks is None
    assert sheet_data.render(fb).startswith(b"%PDF")
    assert workbook.centre_workbook(fb).startswith(b"PK")


def test_sheet_workbook_and_data_say_why_a_sector_of_one_clb_is_not_shown():
    import dataclasses
    import io

    import openpyxl
    from pypdf import PdfReader

    from reports import sheet_data, workbook

    info = dataclasses.replace(INFO, min_centres=3)
    fb = content.build(info, LAYOUT, cube_of(uniform(7, 6)), centre_input())
    assert all(r.sector_pct is None and r.sector_adjusted_pct is None
               for r in fb.rows.values())
    assert fb.sector_notice.startswith("Geen (volledige) sectorvergelijking: daar gaven "
                                       "minder dan 3 andere CLB's antwoorden")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(sheet_data.render(fb))).pages)
    assert text.count("< 3 CLB's") >= 3 * len(NUMBERS)     # summary (2) and levels (1)
    assert "60 %" not in text                                  # B's 6 of 10 agree
    wb = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))
    values = [c for row in wb["Samenvatting"].iter_rows(values_only=True) for c in row]
    assert values.count("< 3 CLB's") == 2 * len(NUMBERS) and fb.sector_notice in values
    data = [dict(zip(next(wb["Data"].iter_rows(values_only=True)), r, strict=True))
            for r in wb["Data"].iter_rows(min_row=2, values_only=True)]
    assert all(r["sector_pct_agree"] is None for r in data)
    assert {r["sector_note"] for r in data if r["level"] in ("totaal", "bao", "so")} == \
        {"minder dan 3 andere CLB's met antwoorden"}


def _issue_spec() -> dict:
    """CLB A per statement: 18 bao (8x4, 7x3, 3x2), 12 so (4x4, 5x3, 3x1: 75 %), 1 bubao
    and 4 buso schools all 'eerder akkoord' (3); B is the sector."""
    spec = {}
    for item in NUMBERS:
        spec[("A", "bao", item)] = {4: 8, 3: 7, 2: 3}
        spec[("A", "so", item)] = {4: 4, 3: 5, 1: 3}
        spec[("A", "bubao", item)] = {3: 1}
        spec[("A", "buso", item)] = {3: 4}
        for level in LEVELS:
            spec[("B", level, item)] = {4: 20, 2: 20}
    return spec


ISSUE_RESPONDED = {"bao": 18, "so": 12, "bubao": 1, "buso": 4}


def test_sheet_workbook_and_data_hide_a_small_unanimous_group_and_what_gives_it_away():
    """1 bubao + 4 buso schools, all 'eerder akkoord', minimum 5: the two levels are hidden
    as small groups, and so is so (12, 75 % akkoord): otherwise total minus bao and so
    would be '5 of 5 eerder akkoord'."""
    import io

    import openpyxl
    from pypdf import PdfReader

    from reports import sheet_data, workbook

    fb = content.build(INFO, LAYOUT, cube_of(_issue_spec()),
                       centre_input(responded=ISSUE_RESPONDED))
    for item in NUMBERS:
        assert [lv for lv in LEVELS if fb.row(item, lv).suppressed] == ["so", "bubao", "buso"]
        assert fb.row(item).figures.n == 35
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet_data.render(fb))).pages)
    assert "75 %" not in text, "so's 75 % would let total minus bao and so be derived"
    wb = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(fb)))
    levels = [r for r in wb["Per niveau"].iter_rows(min_row=2, values_only=True)]
    assert {r[2] for r in levels if r[3] is None} == {"so", "bubao", "buso"}
    assert all(r[9] == content.SUPPRESSED_TEXT for r in levels if r[2] != "bao")
    data = [dict(zip(next(wb["Data"].iter_rows(values_only=True)), r, strict=True))
            for r in wb["Data"].iter_rows(min_row=2, values_only=True)]
    assert {r["level"] for r in data if r["suppressed"]} == {"so", "bubao", "buso"}
    assert all(r["n_eerder_akkoord"] is None for r in data if r["level"] != "bao"
               and r["level"] != "totaal")
    assert "75" not in " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                                for c in row if isinstance(c, (int, float)))


def test_the_reading_guide_tells_the_homogeneity_rule():
    guide = content.reading_guide(content.build(INFO, LAYOUT, cube_of(uniform(7, 7)),
                                                centre_input()))
    privacy = next(p for p in guide if p.startswith("Privacy"))
    assert "alle scholen hetzelfde antwoord gaven, wordt niet getoond, hoe groot ze ook is" \
        in privacy


@pytest.mark.parametrize("value, shown", [
    (None, "–"), (0.0, "0"), (0.4, "0"), (-0.4, "0"), (-0.5, "0"), (0.6, "+1"),
    (-0.6, "−1"), (12.49, "+12"), (-12.5, "−12"), (-13.5, "−14"),
])
def test_a_difference_is_signed_but_never_minus_or_plus_zero(value, shown):
    assert content.fmt_diff(value) == shown


def test_themes_of_the_remarks_beside_the_other_clbs_and_only_when_remarks_are_shown():
    import io

    from pypdf import PdfReader

    from reports import sheet_data
    from reports.sector_themes import Theme, Themes

    themes = Themes([Theme("Persoonsgebonden verschillen", {("A", "bao"): 2, ("A", "so"): 1,
                                                             ("B", "bao"): 3}),
                     Theme("Begrip voor de beperkingen", {("B", "so"): 5})],
                    {("A", "bao"): 4, ("A", "so"): 2, ("B", "bao"): 10, ("B", "so"): 10})
    cube = cube_of(uniform(7, 6))
    feedback = content.build(INFO, LAYOUT, cube, centre_input(), themes=themes)
    # A: 3 of its 6 approved remarks (50 %); the others: 3 of 20 (15 %); then 0 and 5/20
    assert [(t.name, t.count, t.share, t.sector_share) for t in feedback.themes] == [
        ("Persoonsgebonden verschillen", 3, 50.0, 15.0),
        ("Begrip voor de beperkingen", 0, 0.0, 25.0)]
    few = content.build(INFO, LAYOUT, cube, centre_input(responded={"bao": 2, "so": 2}),
                        themes=themes)
    assert few.remarks is None and few.themes is None     # 4 respondents < 5: not shown
    assert content.build(INFO, LAYOUT, cube, centre_input()).themes is None   # no codebook
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(
        io.BytesIO(sheet_data.render(feedback))).pages)
    assert "Thema's in de opmerkingen" in text
    assert "Persoonsgebonden verschillen 3 50 % 15 %" in text
    import openpyxl

    from reports import workbook

    book = openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(feedback)))
    assert list(book["Thema's"].iter_rows(values_only=True)) == [
        ("Thema", "Opmerkingen", "Aandeel (%)", "Andere CLB's (%)"),
        ("Persoonsgebonden verschillen", 3, 50.0, 15.0),
        ("Begrip voor de beperkingen", 0, 0.0, 25.0)]
    assert "Thema's" not in openpyxl.load_workbook(io.BytesIO(workbook.centre_workbook(
        few))).sheetnames
