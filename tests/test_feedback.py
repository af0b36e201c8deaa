"""A CLB's feedback figures from a counts cube, and the cube from the database."""

from __future__ import annotations

import pytest

from helpers import all_answers
from reports.feedback import DATA_COLUMNS, centre_rows, data_rows
from reports.suppression import TOTAL
from survey.extensions import db
from survey.models import Invitation
from survey.services import answers as svc
from survey.services.counts import cube as counts_cube
from survey.services.rounds import revoke

# CLB A: 6 bao schools answer statement 4 (4,4,4,3,2,1) and one says "geen zicht";
# 2 so schools answer (4,1). CLB B (the sector for A): 10 bao (6x3, 4x4: all agree, but
# not all alike, which would hide them), 10 so (5x3, 5x2).
CUBE = {
    ("A", "bao", 4, 4): 3, ("A", "bao", 4, 3): 1, ("A", "bao", 4, 2): 1, ("A", "bao", 4, 1): 1,
    ("A", "bao", 4, 0): 1, ("A", "so", 4, 4): 1, ("A", "so", 4, 1): 1,
    ("B", "bao", 4, 3): 6, ("B", "bao", 4, 4): 4, ("B", "so", 4, 3): 5, ("B", "so", 4, 2): 5,
}


def _rows(minimum=5):
    return {r.level: r for r in centre_rows(CUBE, "A", [4], minimum)}


def test_centre_total_and_levels_with_the_sector_without_the_centre():
    rows = _rows()
    total = rows[TOTAL]
    assert (total.figures.n, total.figures.agree, total.figures.n_no_view) == (8, 5, 1)
    assert total.figures.pct_agree == pytest.approx(62.5)
    assert total.sector_pct == pytest.approx(75.0)               # B: 15 of 20
    # A's mix: 6/8 bao, 2/8 so; B: bao 100 %, so 50 % -> 0.75*100 + 0.25*50 = 87.5
    assert total.sector_adjusted_pct == pytest.approx(87.5)
    assert rows["bao"].sector_pct == pytest.approx(100.0)
    assert rows["so"].sector_pct == pytest.approx(50.0)


def test_a_level_big_enough_on_both_sides_is_shown_with_its_verdict():
    rows = _rows(minimum=2)  # so (2) may now be shown, and bao (6) beside it
    assert rows["bao"].figures.pct_agree == pytest.approx(400 / 6)
    assert rows["so"].figures.pct_agree == pytest.approx(50.0)
    assert rows["so"].verdict == "geen duidelijk verschil"


def test_complementary_suppression_reaches_the_sheet():
    rows = _rows()
    assert rows["so"].suppressed and rows["bao"].suppressed, \
        "so (2) is small; bao beside the total would give so away"
    assert not rows[TOTAL].suppressed
    assert not rows["bubao"].suppressed and rows["bubao"].figures.n == 0


def test_a_small_centre_shows_nothing():
    rows = _rows(minimum=9)
    assert all(r.suppressed for lv, r in rows.items() if lv in (TOTAL, "bao", "so"))


def test_data_sheet_rows_keep_keys_and_empty_figures_when_suppressed():
    table = data_rows("Ronde", "A", "CLB A", centre_rows(CUBE, "A", [4], 5))
    assert len(table) == 5 and all(len(r) == len(DATA_COLUMNS) for r in table)
    total = dict(zip(DATA_COLUMNS, table[0], strict=True))
    assert total["level"] == TOTAL and total["n"] == 8 and total["n_geen_zicht"] == 1
    assert (total["n_helemaal_akkoord"], total["n_eerder_akkoord"]) == (4, 1)
    assert total["pct_agree"] == 62.5 and total["suppressed"] is False
    so = dict(zip(DATA_COLUMNS, table[2], strict=True))
    assert so["level"] == "so" and so["suppressed"] is True
    assert all(so[c] is None for c in DATA_COLUMNS[5:-1])


def test_the_cube_counts_submitted_answers_only(app, make_round, make_invited,
                                                 questionnaire):
    round_id = make_round()
    done = [make_invited(round_id, "bao", "100001") for _ in range(2)]
    draft = make_invited(round_id, "bao", "100001")
    withdrawn = make_invited(round_id, "so", "100002")
    with app.app_context():
        svc.save(db.session, done[0].invitation_id, all_answers(questionnaire, 4),
                 submit=True)
        svc.save(db.session, done[1].invitation_id, {**all_answers(questionnaire, 3), 18: 0},
                 submit=True)
        svc.save(db.session, draft.invitation_id, all_answers(questionnaire, 1))
        svc.save(db.session, withdrawn.invitation_id, all_answers(questionnaire, 1),
                 submit=True)
        revoke(db.session, db.session.get(Invitation, withdrawn.invitation_id))
        db.session.commit()
        cube = counts_cube(db.session, round_id)
    assert cube[("100001", "bao", 4, 4)] == 1 and cube[("100001", "bao", 4, 3)] == 1
    assert cube[("100001", "bao", 18, 0)] == 1
    assert sum(cube.values()) == 2 * 21
    assert not any(key[0] == "100002" for key in cube)


def test_reports_needs_neither_flask_nor_the_database():
    import subprocess
    import sys

    # every module of the package, the renderer and its data included
    code = ("import importlib, pkgutil, sys, reports\n"
            "names = [m.name for m in pkgutil.iter_modules(reports.__path__)]\n"
            "assert {'content', 'sheet_data', 'typeset', 'workbook', 'sector'} <= set(names)\n"
            "for name in names: importlib.import_module('reports.' + name)\n"
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'survey') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_one_level_clb_shows_its_level_and_its_total_alike():
    cube = {("A", "so", 4, 3): 6, ("A", "so", 4, 1): 2, ("B", "so", 4, 4): 7,
            ("B", "so", 4, 3): 3}
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5)}
    assert rows[TOTAL].figures.pct_agree == rows["so"].figures.pct_agree == 75.0
    assert rows[TOTAL].sector_adjusted_pct == rows["so"].sector_pct == 100.0
    assert all(rows[lv].figures.n == 0 for lv in ("bao", "bubao", "buso"))


def test_a_statement_answered_only_with_no_view_is_hidden_not_zero():
    cube = {("A", "bao", 4, 0): 9, ("B", "bao", 4, 4): 10}
    total = next(r for r in centre_rows(cube, "A", [4], 5) if r.level == TOTAL)
    assert total.suppressed, "no answers on the scale: nothing to show, not 0 %"


def test_a_clb_without_any_answer():
    rows = centre_rows({("B", "bao", 4, 4): 10}, "A", [4], 5)
    assert [r.level for r in rows if r.suppressed] == [TOTAL]
    assert all(r.figures.n == 0 for r in rows if r.level != TOTAL)


# --- The sector benchmark needs enough other CLBs ------------------------------------

def _sector_cube(agree_by_centre: dict[str, dict[str, int]], item: int = 4) -> dict:
    """Each CLB: per level 10 answers to `item`, of which `agree` say 4 and the rest 1."""
    cube = {}
    for centre, levels in agree_by_centre.items():
        for level, agree in levels.items():
            cube[(centre, level, item, 4)] = agree
            cube[(centre, level, item, 1)] = 10 - agree
    return cube


def test_two_clbs_and_no_reference_round_give_no_sector_figure():
    """Lommel and Mechelen alone: each one's "sector" would be the other's own figures."""
    cube = _sector_cube({"L": {"bao": 8, "so": 6}, "M": {"bao": 3, "so": 5}})
    for centre in ("L", "M"):
        rows = centre_rows(cube, centre, [4], 5, min_centres=3)
        for row in rows:
            assert row.sector_pct is None and row.sector_adjusted_pct is None, row
            assert row.verdict is None and row.z is None
            if row.level in ("bubao", "buso"):          # nobody there: nothing to say
                assert row.sector_reason is None and row.sector.n == 0
                continue
            assert row.sector is None
            assert row.sector_reason == "minder dan 3 andere CLB's met antwoorden"
        # the CLB's own figures are still there
        assert {r.level: r for r in rows}[TOTAL].figures.agree == (14 if centre == "L" else 8)
        table = data_rows("R", centre, centre, rows)
        for values in table:
            record = dict(zip(DATA_COLUMNS, values, strict=True))
            assert record["sector_pct_agree"] is None
            assert record["sector_pct_agree_adjusted"] is None
    # with the old rule (one other CLB is a sector) Lommel's sector is Mechelen's own
    old = {r.level: r for r in centre_rows(cube, "L", [4], 5, min_centres=1)}
    assert old[TOTAL].sector_pct == pytest.approx(40.0)          # M: 8 of 20


def test_four_clbs_give_each_a_sector_of_the_three_others():
    cube = _sector_cube({"A": {"bao": 8, "so": 6}, "B": {"bao": 3, "so": 5},
                         "C": {"bao": 10, "so": 2}, "D": {"bao": 6, "so": 7}})
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    # B + C + D: bao 19 of 30, so 14 of 30, together 33 of 60
    assert rows["bao"].sector_pct == pytest.approx(100 * 19 / 30)
    assert rows["so"].sector_pct == pytest.approx(100 * 14 / 30)
    assert rows[TOTAL].sector_pct == pytest.approx(55.0)
    # A's mix is half bao, half so: 0.5 * 63.33 + 0.5 * 46.67 = 55
    assert rows[TOTAL].sector_adjusted_pct == pytest.approx(55.0)
    assert all(r.sector_reason is None for r in rows.values())
    assert rows[TOTAL].verdict is not None


def test_a_level_with_too_few_other_clbs_hides_that_level_and_the_adjusted_figure():
    """bao has three other CLBs, buso only one (D): D's buso figure is not shown, and
    neither is the adjusted figure of A, which has buso schools too. The raw total is not
    shown either: total minus the shown levels would be D's buso figure."""
    cube = _sector_cube({"A": {"bao": 8, "buso": 5}, "B": {"bao": 3}, "C": {"bao": 10},
                         "D": {"bao": 6, "buso": 9}})
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert rows["bao"].sector_pct == pytest.approx(100 * 19 / 30)
    assert rows["bao"].sector_reason is None
    assert rows["buso"].sector_pct is None and rows["buso"].verdict is None
    assert rows["buso"].sector_reason == "minder dan 3 andere CLB's met antwoorden"
    assert rows[TOTAL].sector_pct is None and rows[TOTAL].sector_adjusted_pct is None
    assert rows[TOTAL].sector_reason == "minder dan 3 andere CLB's met antwoorden"
    # a CLB without buso schools still gets its adjusted figure (bao alone)
    cube.update({("A", "buso", 4, 4): 0, ("A", "buso", 4, 1): 0})
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert rows[TOTAL].sector_adjusted_pct == pytest.approx(100 * 19 / 30)
    assert rows[TOTAL].sector_pct is None


# --- Homogeneity: a small unanimous group is hidden and not derivable ------------------

def _issue_cube(minimum_other: int = 10) -> dict:
    """CLB A: mixed bao and so; 1 bubao and 4 buso schools, all 'eerder akkoord' (3), one
    buso school 'geen zicht'. CLB B, C, D: the sector, mixed at every level."""
    cube = {("A", "bao", 4, 4): 8, ("A", "bao", 4, 3): 7, ("A", "bao", 4, 2): 3,
            ("A", "so", 4, 4): 4, ("A", "so", 4, 3): 5, ("A", "so", 4, 1): 3,
            ("A", "bubao", 4, 3): 1, ("A", "buso", 4, 3): 4, ("A", "buso", 4, 0): 1}
    for other in ("B", "C", "D"):
        for level in ("bao", "so", "bubao", "buso"):
            cube[(other, level, 4, 4)] = minimum_other
            cube[(other, level, 4, 2)] = 3
    return cube


def test_one_bubao_and_four_buso_schools_all_agreeing_cannot_be_read_from_the_rows():
    rows = {r.level: r for r in centre_rows(_issue_cube(), "A", [4], 5, min_centres=3)}
    assert rows["bubao"].suppressed and rows["buso"].suppressed
    assert not rows[TOTAL].suppressed
    # total minus the shown levels: what the hidden levels have together
    hidden = [lv for lv in ("bao", "so", "bubao", "buso") if rows[lv].suppressed]
    derived = {code: rows[TOTAL].figures.counts[code]
               - sum(rows[lv].figures.counts[code] for lv in ("bao", "so", "bubao", "buso")
                     if lv not in hidden)
               for code in (1, 2, 3, 4)}
    assert derived[3] < sum(derived.values()), \
        f"the hidden levels together must not be '5 of 5 eerder akkoord': {derived}"


def test_a_unanimous_level_is_not_shown_however_large():
    cube = _issue_cube()
    cube.update({("A", "buso", 4, 3): 9, ("A", "bubao", 4, 3): 0})   # 9 of 9 agree
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert rows["buso"].suppressed
    cube[("A", "buso", 4, 3)] = 30                                   # 30 of 30: still
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert rows["buso"].suppressed
    cube[("A", "buso", 4, 2)] = 1                                    # 30 and 1: shown
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert not rows["buso"].suppressed and rows["buso"].figures.n == 31


def test_a_unanimous_sector_level_is_not_shown():
    """Three other CLBs with two buso schools each, all 'helemaal akkoord'."""
    cube = _issue_cube()
    for other in ("B", "C", "D"):
        cube[(other, "buso", 4, 4)], cube[(other, "buso", 4, 2)] = 2, 0
    rows = {r.level: r for r in centre_rows(cube, "A", [4], 5, min_centres=3)}
    assert rows["buso"].sector is None and rows["buso"].sector_pct is None
