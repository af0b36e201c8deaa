"""The sector report (reports/sector.py, its findings, workbook and PDF; the service in
survey/services/sector_report.py): a round with known answers, its figures by hand and
recomputed from the raw answers, suppression, no CLB named anywhere, the findings in
words for hand-made cases."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import replace

import openpyxl
import pytest
from sqlalchemy import select

from helpers import INFO, LAYOUT, NUMBERS, cube_of
from pdf_structure import assert_accessible
from reports import content, sector, sector_pdf, sector_tables, sector_themes
from reports.layout import from_snapshot
from reports.suppression import TOTAL
from survey.extensions import db
from survey.models import Answer, Centre, Invitation, Response, Round
from survey.questionnaire import bundled
from survey.services import answers as answer_service
from survey.services import reports, rounds, sector_report

LEVELS = ("bao", "so", "bubao", "buso")
# The hand-made round: per CLB (number, network) and level, statement 4's answers.
S4 = {("300001", "bao"): [4, 4, 4, 3, 2, 0], ("300001", "so"): [2, 2, 1, 1, 4],
      ("300002", "bao"): [4, 4, 3, 1, 1], ("300002", "so"): [1, 1, 2, 2, 3],
      ("300003", "bao"): [3, 3, 3, 3, 2], ("300003", "so"): [2, 1, 4, 2, 2],
      ("300004", "bao"): [4, 0]}
NETWORKS = {"300001": "vclb", "300002": "go", "300003": "ovsg", "300004": "go"}


@pytest.fixture
def sector_round(app, make_round, make_invited, questionnaire):
    """33 schools of four CLBs submit; statement 4 as in S4, statement 5 "eerder akkoord"
    at every so school, the rest a pattern. Besides them: a draft (300001 bao), a school
    that never starts (300002 so) and one that submits and is withdrawn (300003 so)."""
    round_id = make_round(min_group_size=5)
    numbers = [s.number for s in questionnaire.statements]
    given, k = [], 0

    def submit(centre, level, first):
        nonlocal k
        k += 1
        invited = make_invited(round_id, level, centre)
        values = {n: (k * 7 + n * 3) % 5 for n in numbers}
        values[numbers[0]] = first
        values[numbers[1]] = 3 if level == "so" else k % 4 + 1
        with app.app_context():
            assert answer_service.save(
                db.session, invited.invitation_id, values,
                {"opmerking-algemeen": f"Opmerking van school {k}"},
                submit=True) == answer_service.SUBMITTED
            db.session.commit()
        return invited, values

    for (centre, level), codes in S4.items():
        for code in codes:
            given.append((centre, level, submit(centre, level, code)[1]))
    draft = make_invited(round_id, "bao", "300001")
    make_invited(round_id, "so", "300002")
    withdrawn, _ = submit("300003", "so", 4)
    with app.app_context():
        answer_service.save(db.session, draft.invitation_id, dict.fromkeys(numbers, 4))
        rounds.withdraw(db.session, db.session.get(Invitation, withdrawn.invitation_id))
        for centre in db.session.scalars(select(Centre)):
            centre.network = NETWORKS[centre.number]
        db.session.get(Round, round_id).state = "published"
        db.session.commit()
    return round_id, given


def _report(app, round_id):
    with app.app_context():
        return sector_report.content(db.session, db.session.get(Round, round_id))


def test_statement_4_by_hand(app, sector_round):
    round_id, _ = sector_round
    report = _report(app, round_id)
    result = next(r for r in report.results if r.statement.number == NUMBERS[0])
    bao, so, total = (result.groups[g].figures for g in ("bao", "so", TOTAL))
    # bao: 6 × 4, 6 × 3, 2 × 2, 2 × 1 and 2 "geen zicht": 12 of 16 agree
    assert (bao.counts, bao.n, bao.n_no_view) == ({4: 6, 3: 6, 2: 2, 1: 2, 0: 2}, 16, 2)
    assert (bao.pct_agree, bao.ci_low, bao.ci_high) == pytest.approx((75.0, 50.50, 89.82),
                                                                     abs=0.01)
    # so: 3 of 15 (the withdrawn school's "4" is not counted)
    assert (so.n, so.agree) == (15, 3)
    assert (so.pct_agree, so.ci_low, so.ci_high) == pytest.approx((20.0, 7.05, 45.19),
                                                                  abs=0.01)
    assert (total.n, total.agree, total.n_no_view) == (31, 15, 2)
    assert total.pct_agree == pytest.approx(48.39, abs=0.01)
    assert total.mean == pytest.approx(78 / 31)
    # bao against so: 75 against 20, z = 55 / 14.39 = 3.82: clearly higher; so lower
    assert result.groups["bao"].verdict == "hoger"
    assert result.groups["bao"].z == pytest.approx(3.82, abs=0.01)
    assert result.groups["bao"].others_pct == pytest.approx(20.0)
    assert result.groups["so"].verdict == "lager"
    assert result.groups["bubao"].figures.n == 0 and result.groups["bubao"].verdict is None
    # the CLBs: 50 %, 40 %, 50 % of ten answers each; 300004's one answer is too few
    assert result.spread == sector.Spread(3, 1, (40.0, 45.0, 50.0, 50.0, 50.0))
    assert (result.total.centres, result.groups["bao"].centres,
            result.groups["so"].centres) == (4, 4, 3)


def test_turnout_per_level_and_network(app, sector_round):
    round_id, _ = sector_round
    report = _report(app, round_id)
    levels = {t.key: (t.centres, t.invited, t.submitted) for t in report.levels}
    # the draft counts as invited, the withdrawn school not at all
    assert levels == {"bao": (4, 19, 18), "so": (3, 16, 15), "bubao": (0, 0, 0),
                      "buso": (0, 0, 0), TOTAL: (4, 35, 33)}
    assert report.levels[0].rate == pytest.approx(100 * 18 / 19)
    # every network has fewer than 3 CLBs (the round's min_centres): its response would be
    # those CLBs' own, so only its CLBs are counted; POV has none and nothing to hide
    networks = {t.label: (t.centres, t.invited, t.submitted, t.note)
                for t in report.networks}
    assert networks == {"Vrij CLB": (1, None, None, "< 3 CLB's"),
                        "GO!": (2, None, None, "< 3 CLB's"),
                        "OVSG": (1, None, None, "< 3 CLB's"), "POV": (0, 0, 0, None)}
    assert report.findings[0] == ("33 van de 35 uitgenodigde scholen vulden de vragenlijst "
                                  "in (94 %).")


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * max(0, centre - half), 100 * min(1, centre + half)


def test_every_figure_recomputed_from_the_raw_answers(app, sector_round):
    round_id, given = sector_round
    with app.app_context():
        raw = db.session.execute(
            select(Centre.number, Invitation.level, Answer.item, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .join(Centre, Centre.id == Invitation.centre_id)
            .where(Invitation.round_id == round_id, Response.status == "submitted",
                   Invitation.revoked_at.is_(None), Answer.hidden.is_(False))).all()
    assert sorted(raw) == sorted((c, lv, item, code) for c, lv, values in given
                                 for item, code in values.items())
    counts = defaultdict(lambda: defaultdict(int))
    centres = defaultdict(set)
    for centre, level, item, code in raw:
        for group in (level, TOTAL):
            counts[(item, group)][code] += 1
            if code:
                centres[(item, group)].add(centre)
    report = _report(app, round_id)
    shown = 0
    for result in report.results:
        for group in (TOTAL, *LEVELS):
            c = counts[(result.statement.number, group)]
            n = sum(c[code] for code in (1, 2, 3, 4))
            agree = c[3] + c[4]
            f = result.groups[group].figures
            assert result.groups[group].centres == len(centres[(result.statement.number,
                                                                group)])
            if f is None:
                continue
            assert f.n == n and f.n_no_view == c[0]
            if n == 0:
                continue
            shown += 1
            assert n >= 5 and max(c[code] for code in (1, 2, 3, 4)) < n, \
                "a shown group is neither small nor unanimous"
            assert f.pct_agree == pytest.approx(100 * agree / n)
            assert (f.ci_low, f.ci_high) == pytest.approx(_wilson(agree, n))
    assert shown == 3 * len(report.results) - 2, "all but statement 5's bao and so"
    # the ranking: highest % agree first
    pcts = [r.pct for r in report.ranking if r.pct is not None]
    assert pcts == sorted(pcts, reverse=True) and len(pcts) == len(NUMBERS)


def test_unanimous_level_is_hidden_with_its_complement(app, sector_round):
    """Statement 5: every so school "eerder akkoord", so so is hidden, and bao with it
    (total minus bao would give so); the total is shown."""
    round_id, _ = sector_round
    report = _report(app, round_id)
    result = next(r for r in report.results if r.statement.number == NUMBERS[1])
    assert result.groups["so"].figures is None
    assert result.groups["so"].note == "te weinig antwoorden"
    assert result.groups["bao"].figures is None
    assert result.total.figures.n == 33
    assert result.groups["so"].verdict is None and result.groups["bao"].verdict is None


def _workbook_text(payload: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(payload), read_only=True)
    return " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                    for v in row if v is not None)


def test_files_name_no_clb_and_no_school(app, sector_round):
    round_id, _ = sector_round
    with app.app_context():
        pdf, workbook = sector_report.build_files(db.session,
                                                  db.session.get(Round, round_id))
        names = [name for (name,) in db.session.execute(select(Centre.name))]
    structure = assert_accessible(pdf, title_contains="Sectorrapport Testbevraging")
    assert structure.nodes("Figure"), "the charts are figures"
    for text in (structure.text, _workbook_text(workbook)):
        assert "33 van de 35 uitgenodigde scholen" in text
        for number in S4:
            assert number[0] not in text
        for name in names:
            assert name not in text
        assert "Testschool" not in text


def test_workbook_has_a_sheet_per_table_with_the_reports_figures(app, sector_round):
    round_id, _ = sector_round
    report = _report(app, round_id)
    wb = openpyxl.load_workbook(io.BytesIO(sector_tables.workbook(report)), read_only=True)
    assert wb.sheetnames == ["Kernbevindingen", "Respons per niveau", "Respons per net",
                             "Per stelling", "Rangorde", "Niveauverschillen",
                             "Spreiding tussen CLB's", "Toelichting"]
    rows = list(wb["Per stelling"].iter_rows(values_only=True))
    header = rows[0]
    first = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:6]}
    assert first["alle niveaus"]["n"] == 31 and first["alle niveaus"]["% akkoord"] == 48.4
    assert first["basisonderwijs"]["n helemaal akkoord"] == 6
    assert (first["secundair onderwijs"]["ondergrens (%)"],
            first["secundair onderwijs"]["bovengrens (%)"]) == (7.0, 45.2)
    hidden = {row[2]: row for row in rows[6:11]}
    assert hidden["secundair onderwijs"][3] is None
    assert hidden["secundair onderwijs"][-1] == "te weinig antwoorden"
    spread = list(wb["Spreiding tussen CLB's"].iter_rows(values_only=True))
    assert spread[1][:9] == (NUMBERS[0], LAYOUT.statements[NUMBERS[0]].label, 3, 1, 40, 45,
                             50, 50, 50)
    levels = list(wb["Niveauverschillen"].iter_rows(values_only=True))
    assert levels[1][2:] == ("basisonderwijs", 75, 20, 55, 3.82, "duidelijk hoger")


def test_themes_from_the_codebook(app, sector_round):
    """Two approved remarks of one CLB's bao schools tagged with a theme: fewer than the
    minimum, so hidden, and the total (the same two) too, and with it every level; the
    base is every approved remark: the same two."""
    from survey.services import remarks as review
    from survey.services import tagging, themes

    round_id, _ = sector_round
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        assert reports.remark_themes(db.session, rnd) is None, "no codebook, no themes"
        theme = themes.add_theme(db.session, rnd, None, "Bereikbaarheid")
        pending = review.for_review(db.session, rnd, "pending", "300001")
        refs = []
        for item in pending[:2]:
            review.review(db.session, rnd, item.remark.response_id, item.remark.key,
                          "approve", None)
            refs.append((item.remark.response_id, item.remark.key))
        db.session.commit()
        tagging.tag(db.session, rnd, refs, theme.id, None)
        report = sector_report.content(db.session, rnd)
    assert [t.name for t in report.themes] == ["Bereikbaarheid"]
    assert report.themes[0].counts[TOTAL] is None
    assert report.theme_base[TOTAL] is None
    table = next(block for block in sector_pdf.document(report)["blocks"]
                 if block["kind"] == "table" and block["rows"][-1][0] == "Bereikbaarheid")
    # every level hidden with the total: a "0" beside it would say where the two are
    assert table["rows"][-1][1:] == ["te weinig"] * 5


# --- Plain inputs -----------------------------------------------------------------------

THREE = ("C1", "C2", "C3")


def _centres(responded):
    return [content.CentreInput(content.CentreInfo(c, f"CLB {c}", "GO!"),
                                {lv: n + 2 for lv, n in responded.items()}, responded)
            for c in THREE]


def _build(spec, minimum=5, min_centres=3, responded=None, **kwargs):
    info = replace(INFO, minimum=minimum, min_centres=min_centres)
    return sector.build(info, LAYOUT, cube_of(spec), _centres(responded or {"bao": 10}),
                        ["GO!"], **kwargs)


def _every(groups, items, centres=THREE):
    """The same counts at every CLB: groups level -> {code: n}, per statement."""
    return {(c, level, item): dict(counts[i] if isinstance(counts, list) else counts)
            for c in centres for i, item in enumerate(items)
            for level, counts in groups.items()}


def test_a_level_of_too_few_clbs_is_hidden_and_the_total_with_it():
    spec = _every({"bao": {4: 4, 1: 2}}, NUMBERS[:1])
    spec[("C1", "bubao", NUMBERS[0])] = {4: 3, 2: 3}
    result = _build(spec).results[0]
    assert result.groups["bubao"].figures is None
    assert result.groups["bubao"].note == "< 3 CLB's"
    assert result.total.figures is None, "total minus bao would be C1's bubao"
    assert result.groups["bao"].figures.n == 18
    # with one CLB needed, everything shows
    assert _build(spec, min_centres=1).results[0].total.figures.n == 24


def _turnout_input(number, network, invited, responded):
    return content.CentreInput(content.CentreInfo(number, f"CLB {number}", network),
                               invited, responded)


def test_response_of_a_small_network_is_hidden_with_its_complement():
    # A: 3 CLBs, 30 of 36 responded; B: 3 CLBs, 20 of 24; C: 1 CLB, 8 of 10
    centres = [_turnout_input(f"A{i}", "A", {"bao": 12}, {"bao": 10}) for i in range(3)]
    centres += [_turnout_input(f"B{i}", "B", {"so": 8}, {"so": 7 if i else 6})
                for i in range(3)]
    centres += [_turnout_input("C0", "C", {"bao": 10}, {"bao": 8})]
    rows = {t.key: t for t in sector.turnout_by_network(centres, ["A", "B", "C"], 5, 3)}
    assert (rows["A"].invited, rows["A"].submitted, rows["A"].note) == (36, 30, None)
    assert rows["A"].rate == pytest.approx(100 * 30 / 36)
    # C alone (one CLB) would be the total (70 of 80, level table) minus A and B, so B
    # (the smallest shown: 20 responses) goes too; B and C together are 4 CLBs, 28
    assert (rows["C"].invited, rows["C"].submitted, rows["C"].note) == (None, None,
                                                                         "< 3 CLB's")
    assert (rows["B"].invited, rows["B"].submitted, rows["B"].note) == (
        None, None, "te weinig antwoorden")
    assert rows["B"].rate is None and rows["B"].centres == 3
    # with one CLB enough and at least 5 responses, every network shows
    assert all(t.note is None for t in sector.turnout_by_network(centres, ["A", "B", "C"],
                                                                 5, 1))


def test_response_of_a_level_of_one_clb_is_hidden_with_the_next_smallest():
    centres = [_turnout_input("C1", "A", {"bao": 10, "so": 5, "bubao": 2},
                              {"bao": 8, "so": 4, "bubao": 2}),
               _turnout_input("C2", "A", {"bao": 10, "so": 4}, {"bao": 7, "so": 3}),
               _turnout_input("C3", "A", {"bao": 8, "so": 3}, {"bao": 6, "so": 3})]
    rows = {t.key: t for t in sector.turnout_by_level(centres, 5, 3)}
    assert (rows["bao"].centres, rows["bao"].invited, rows["bao"].submitted) == (3, 28, 21)
    # bubao: one CLB; so (10 responses, the smallest shown) is hidden with it, so that
    # total minus bao is so and bubao together: 3 CLBs, 12 responses
    assert (rows["bubao"].submitted, rows["bubao"].note) == (None, "< 3 CLB's")
    assert (rows["so"].submitted, rows["so"].note) == (None, "te weinig antwoorden")
    assert (rows["buso"].centres, rows["buso"].submitted, rows["buso"].note) == (0, 0, None)
    assert (rows[TOTAL].centres, rows[TOTAL].invited, rows[TOTAL].submitted) == (3, 42, 33)
    # two CLBs in the round: the total would be theirs, so nothing is shown
    two = sector.turnout_by_level(centres[:2], 5, 3)
    assert all(t.submitted is None for t in two if t.centres)


def test_spread_needs_enough_clbs():
    spec = _every({"bao": {4: 4, 1: 2}}, NUMBERS[:1], centres=("C1", "C2"))
    spec[("C3", "bao", NUMBERS[0])] = {4: 2, 1: 1}
    result = _build(spec, min_centres=2).results[0]
    assert result.spread == sector.Spread(2, 1, (200 / 3,) * 5)
    assert _build(spec, min_centres=3).results[0].spread == sector.Spread(2, 1, None)


def test_other_question_types_for_the_sector():
    layout = from_snapshot(bundled("voorbeeld-alle-vraagtypes").to_dict())
    single = next(q for q in layout.questions if q.type == "single")
    slot = single.options[0].slot
    cube = {}
    for c, codes in (("C1", {1: 3, 2: 2}), ("C2", {1: 1, 3: 4}), ("C3", {2: 5})):
        for code, n in codes.items():
            cube[(c, "bao", slot, code)] = n
    # one CLB at so: hidden, and the total with it
    cube[("C1", "so", slot, 1)], cube[("C1", "so", slot, 2)] = 3, 2
    summaries = {s.question.key: s for s in sector.sector_questions(layout, cube, 5, 3)}
    summary = summaries[single.key]
    assert summary.groups["bao"].n == 15
    shares = {line.code: line.cells["bao"] for line in summary.lines}
    assert (shares[1].count, shares[1].value) == (4, pytest.approx(100 * 4 / 15))
    assert shares[2].value == pytest.approx(100 * 7 / 15)
    assert summary.groups["so"].hidden and summary.groups["so"].sector_reason == "< 3 CLB's"
    assert summary.groups[TOTAL].hidden
    assert summary.lines[0].cells[TOTAL].value is None


def test_theme_counts_are_suppressed():
    themes = sector_themes.Themes(
        [sector_themes.Theme("Personeel", {("C1", "bao"): 4, ("C2", "bao"): 3, ("C1", "so"): 6}),
         sector_themes.Theme("Bereik", {("C1", "bao"): 2})],
        {("C1", "bao"): 20, ("C2", "bao"): 10, ("C1", "so"): 12})
    rows, base = sector_themes.theme_rows(themes, 5)
    assert base == {TOTAL: 42, "bao": 30, "so": 12, "bubao": 0, "buso": 0}
    assert rows[0].counts == {TOTAL: 13, "bao": 7, "so": 6, "bubao": 0, "buso": 0}
    assert rows[0].shares[TOTAL] == pytest.approx(100 * 13 / 42)
    assert rows[0].shares["so"] == pytest.approx(50.0)
    # 2 at bao only: hidden, and the total is the same number
    assert rows[1].counts[TOTAL] is None and rows[1].counts["bao"] is None
    # beside a hidden total no level says 0 either (it would say where the 2 are)
    assert rows[1].counts == dict.fromkeys((TOTAL, *LEVELS), None)
    assert rows[1].shares == dict.fromkeys((TOTAL, *LEVELS), None)


def test_a_theme_without_remarks_shows_zeros_and_the_pdf_one_mark_per_hidden_cell():
    themes = sector_themes.Themes(
        [sector_themes.Theme("Leeg", {}),
         sector_themes.Theme("Weinig", {("C1", "so"): 3}),
         sector_themes.Theme("Veel", {("C1", "bao"): 6, ("C2", "so"): 2, ("C3", "so"): 4})],
        {("C1", "bao"): 20, ("C2", "so"): 10, ("C3", "so"): 10, ("C1", "so"): 5})
    rows, base = sector_themes.theme_rows(themes, 5)
    assert base == {TOTAL: 45, "bao": 20, "so": 25, "bubao": 0, "buso": 0}
    assert rows[0].counts == dict.fromkeys((TOTAL, *LEVELS), 0)
    assert rows[0].shares == {TOTAL: 0.0, "bao": 0.0, "so": 0.0, "bubao": None,
                              "buso": None}
    assert rows[1].counts == dict.fromkeys((TOTAL, *LEVELS), None)
    # Veel: 12 in all, 6 bao, 6 so: both shown, 12 / 45 = 26.7 %, 6 / 25 = 24 %
    assert rows[2].counts == {TOTAL: 12, "bao": 6, "so": 6, "bubao": 0, "buso": 0}
    assert rows[2].shares["so"] == pytest.approx(24.0)
    report = _build(_every({"bao": {4: 4, 1: 2}}, NUMBERS[:1]))
    report.themes, report.theme_base = rows, base
    table = next(b for b in sector_pdf.document(report)["blocks"]
                 if b["kind"] == "table" and b["header"][0] == "thema")
    assert table["rows"][1:3] == [["Leeg", "0 (0 %)", "0 (0 %)", "0 (0 %)", "0", "0"],
                                  ["Weinig", *["te weinig"] * 5]]
    assert table["rows"][3][:3] == ["Veel", "12 (27 %)", "6 (30 %)"]


def _ranked(weights, items=NUMBERS, size=20):
    """bao (and so with weights' second value) with agree k of `size` per CLB: k falls
    from size - 1 one statement at a time; so's order reversed when its weight < 0."""
    bao, so = weights
    spec = {}
    for i, item in enumerate(items):
        k = size - 1 - i
        for c in THREE:
            spec[(c, "bao", item)] = {4: bao * k, 1: bao * (size - k)}
            if so:
                j = k if so > 0 else size - 1 - (len(items) - 1 - i)
                spec[(c, "so", item)] = {4: abs(so) * j, 1: abs(so) * (size - j)}
    return spec


def _clbs_apart(items):
    """C1 (60 bao schools) agrees less and less from the first statement to the last; C2
    and C3 (20 each) the other way round. The sector follows C1."""
    spec = {}
    for i, item in enumerate(items):
        k, j = 19 - i, 7 + i
        spec[("C1", "bao", item)] = {4: 3 * k, 1: 3 * (20 - k)}
        for c in ("C2", "C3"):
            spec[(c, "bao", item)] = {4: j, 1: 20 - j}
    return spec


def _titles(numbers, pcts):
    return "; ".join(f"{LAYOUT.statements[n].title} ({p} %)" for n, p in zip(numbers, pcts,
                                                                           strict=True))


FINDINGS = [
    ("all high", _every({"bao": {4: 3, 3: 1, 1: 1}, "so": {4: 3, 3: 1, 1: 1}}, NUMBERS[:3]),
     ["In alle niveaus is minstens 75 % van de scholen akkoord bij 3 van de 3 stellingen.",
      "Bij geen enkele stelling verschilt een niveau duidelijk van de andere niveaus "
      "samen."]),
    ("so lower", _every({"bao": {4: 4, 3: 1}, "so": {1: 4, 4: 1}}, NUMBERS[:1]),
     ["In alle niveaus is minstens 75 % van de scholen akkoord bij 0 van de 1 stellingen.",
      "Bij 1 van de 1 stellingen verschilt minstens één niveau duidelijk van de andere "
      "niveaus samen.",
      "In het basisonderwijs ligt het % akkoord duidelijk hoger dan in de andere niveaus "
      "bij stelling 4.",
      "In het secundair onderwijs ligt het % akkoord duidelijk lager dan in de andere "
      "niveaus bij stelling 4."]),
    ("so lower twice", _every({"bao": {4: 4, 3: 1}, "so": {1: 4, 4: 1}}, NUMBERS[:2]),
     ["In het secundair onderwijs ligt het % akkoord duidelijk lager dan in de andere "
      "niveaus bij de stellingen 4, 5."]),
    ("top and bottom", _ranked((1, 0), NUMBERS[:7], size=10),
     ["Over de 7 stellingen heen is gemiddeld 60 % van de scholen akkoord (per stelling "
      "van 30 % tot 90 %); bij 4 van de 7 stellingen is meer dan de helft akkoord.",
      f"Het hoogste % akkoord: {_titles(NUMBERS[:3], (90, 80, 70))}.",
      f"Het laagste % akkoord: {_titles(NUMBERS[6:3:-1], (30, 40, 50))}."]),
    ("same order in every level", _ranked((3, 1), NUMBERS[:13]),
     ["De stellingen met het hoogste en het laagste % akkoord zijn in alle niveaus "
      "grotendeels dezelfde: van de 3 hoogste van de sector staan er in elk niveau minstens "
      "3 bij de 5 hoogste, van de 3 laagste minstens 3 bij de 5 laagste."]),
    ("CLBs alike", _ranked((3, 1), NUMBERS[:13]),
     ["Ook in de meeste CLB's scoren dezelfde stellingen hoog en laag: bij 3 van de 3 CLB's "
      "staan minstens 2 van de 3 hoogste stellingen van de sector bij hun 5 hoogste, en "
      "minstens 2 van de 3 laagste bij hun 5 laagste."]),
    ("CLBs differ", _clbs_apart(NUMBERS[:13]),
     ["Welke stellingen hoog en laag scoren, verschilt tussen de CLB's: slechts bij 1 van de "
      "3 CLB's staan minstens 2 van de 3 hoogste stellingen van de sector bij hun 5 "
      "hoogste, en minstens 2 van de 3 laagste bij hun 5 laagste."]),
    ("so in reverse", _ranked((3, -1), NUMBERS[:13]),
     ["De stellingen met het hoogste en het laagste % akkoord verschillen tussen de "
      "niveaus: van de 3 hoogste van de sector staan er in elk niveau minstens 0 bij de 5 "
      "hoogste, van de 3 laagste minstens 0 bij de 5 laagste."]),
]


@pytest.mark.parametrize(("case", "spec", "sentences"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_findings_in_words(case, spec, sentences):
    report = _build(spec, responded={"bao": 10, "so": 8})
    for sentence in sentences:
        assert sentence in report.findings, (case, report.findings)
    assert report.findings[0] == ("54 van de 66 uitgenodigde scholen vulden de vragenlijst "
                                  "in (82 %).")


def test_trend_over_earlier_rounds():
    earlier = _every({"bao": {4: 1, 1: 4}}, NUMBERS[:1])
    now = _every({"bao": {4: 4, 1: 1}}, NUMBERS[:1])
    report = _build(now, earlier=[content.Earlier("Bevraging 2025", cube_of(earlier), 5),
                                  content.Earlier("Klein", cube_of(
                                      {("C1", "bao", NUMBERS[0]): {4: 2, 1: 1}}), 5)])
    assert report.trend_rounds == ("Bevraging 2025", "Klein", "Ronde")
    assert report.results[0].trend == (pytest.approx(20.0), None, pytest.approx(80.0))
    assert report.results[1].trend == (None, None, None)


def test_pdf_of_plain_content_is_accessible_and_says_the_findings():
    report = _build(_ranked((3, 1), NUMBERS[:13]), responded={"bao": 10, "so": 8},
                    themes=sector_themes.Themes(
                        [sector_themes.Theme("Personeel", {("C1", "bao"): 6})],
                        {("C1", "bao"): 9}))
    structure = assert_accessible(sector_pdf.render(report), title_contains="Sectorrapport")
    for figure in structure.nodes("Figure"):
        assert "%" in figure.alt or "stelling" in figure.alt
    text = structure.text
    assert "Kernbevindingen" in text and "Thema's in de opmerkingen" in text
    assert "Personeel" in text
    assert {"C1", "C2", "C3"}.isdisjoint(text.split())


@pytest.mark.parametrize(("pcts", "number", "highest", "expected"), [
    ({1: 90, 2: 80, 3: 80, 4: 70}, 3, True, True),     # tied with the second: in the top 2
    ({1: 90, 2: 80, 3: 80, 4: 70}, 4, True, False),
    ({1: 90, 2: 80, 3: 80, 4: 70}, 2, False, True),    # the lowest two: 70 and the 80s
    ({1: 90, 2: 80}, 1, False, True),                  # fewer than k: every one is in
    ({1: 90}, 5, True, False),                         # not shown: never in
])
def test_in_top_counts_ties_in(pcts, number, highest, expected):
    from reports.sector_findings import in_top

    assert in_top(pcts, number, 2, highest) is expected


def test_the_same_content_gives_the_same_pdf():
    report = _build(_ranked((3, 1), NUMBERS[:13]), responded={"bao": 10, "so": 8})
    assert sector_pdf.render(report) == sector_pdf.render(report)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_no_text_of_the_pdf_says_double_percent():
    spec = _every({"bao": {4: 4, 1: 2}, "so": {4: 2, 3: 2, 1: 2}}, NUMBERS[:3])
    texts = list(_strings(sector_pdf.document(_build(spec))))
    assert any("% akkoord" in text for text in texts)
    assert not [text for text in texts if "%%" in text]


# (words before the table, its rows): without the rule the first page would hold one
# row; the last page two; the third page one; and a table that fits on its page
LONE = [(725, 20), (525, 20), (400, 100), (400, 20)]


@pytest.mark.parametrize(("words", "count"), LONE)
def test_a_long_table_leaves_no_lone_row_on_a_page(words, count):
    """A table that breaks across pages: at least 2 rows on the page it starts on and 3 on
    the page it ends on, the header on every page (the cases were found by shifting the
    table down with a paragraph: A4 holds 70 of these rows)."""
    import pypdf

    from reports import typeset

    table = sector_pdf._table(["kolom", "waarde"], [[f"rij{i:03d}", i] for i in range(count)],
                              [3, 1])
    data = {"lang": "nl", "title": "T", "subtitle": "", "author": "", "header": "",
            "page_label": "{page}", "figure": "Figuur",
            "blocks": [sector_pdf._paragraph("Inleiding " * words), table]}
    reader = pypdf.PdfReader(io.BytesIO(typeset.render("sector", data)))
    per_page = [page.extract_text().count("rij") for page in reader.pages]
    pages = [(i, n) for i, n in enumerate(per_page) if n]
    assert sum(per_page) == count
    if len(pages) > 1:
        assert pages[0][1] >= 2 and pages[-1][1] >= 3, per_page
    for i, _n in pages:
        assert "kolom" in reader.pages[i].extract_text()
