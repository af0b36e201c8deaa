"""Building a round's reports from the database: the files of `survey reports build`, their
numbers recomputed here from the raw answers, remarks only after review."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from datetime import timedelta

import openpyxl
import pytest
from babel.messages.catalog import Catalog
from pypdf import PdfReader

from instrument import i18n
from reports import workbook
from reports.feedback import DATA_COLUMNS
from survey import engine_text
from survey.extensions import db
from survey.models import Remark, Round
from survey.services import reports
from survey.translations import catalogues

LEVELS = ("bao", "so", "bubao", "buso")


def expected_groups(given, minimum):
    """Independently of reports/: per (CLB, level or totaal, statement) the counts per
    code from the raw answers the schools gave."""
    counts = defaultdict(lambda: defaultdict(int))
    for centre, level, values in given:
        for item, code in values.items():
            counts[(centre, level, item)][code] += 1
            counts[(centre, "totaal", item)][code] += 1
    return counts


def sheet_rows(data: bytes, name: str = "Data") -> list[dict]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    # the item's short label and text stand beside its number
    assert list(rows[0]) == DATA_COLUMNS[:5] + ["item_label", "item_text"] + DATA_COLUMNS[5:]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_build_writes_every_file_and_the_data_sheet_matches_the_answers(
        app, answered_round, tmp_path, questionnaire):
    round_id, given = answered_round()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        files = reports.build_round(db.session, rnd, tmp_path / "out", jobs=1)
    names = sorted(p.name for p in files)
    assert names == ["100001.pdf", "100001.xlsx", "100002.pdf", "100002.xlsx",
                     "sector.xlsx", "sectorrapport.pdf", "sectorrapport.xlsx"]
    counts = expected_groups(given, 5)
    numbers = [s.number for s in questionnaire.statements]
    for centre in ("100001", "100002"):
        rows = sheet_rows((tmp_path / "out" / f"{centre}.xlsx").read_bytes())
        assert len(rows) == 5 * len(numbers)
        assert {(r["level"], r["item"]) for r in rows} == {
            (lv, n) for lv in (*LEVELS, "totaal") for n in numbers}
        for r in rows:
            c = counts[(centre, r["level"], r["item"])]
            n = sum(c[k] for k in (1, 2, 3, 4))
            if r["suppressed"]:
                assert all(r[k] is None for k in DATA_COLUMNS[5:-1])
                continue
            assert n == 0 or n >= 5, "a shown group is never smaller than the minimum"
            assert r["n"] == n and r["n_geen_zicht"] == c[0]
            assert (r["n_helemaal_akkoord"], r["n_eerder_akkoord"],
                    r["n_eerder_niet_akkoord"], r["n_helemaal_niet_akkoord"]) == \
                (c[4], c[3], c[2], c[1])
            if n:
                assert r["pct_agree"] == pytest.approx(100 * (c[3] + c[4]) / n, abs=0.05)
                mean = (4 * c[4] + 3 * c[3] + 2 * c[2] + c[1]) / n
                assert r["mean"] == pytest.approx(mean, abs=0.0005)
                assert r["ci_low"] <= r["pct_agree"] <= r["ci_high"]
            else:
                assert r["pct_agree"] is None
        # the only other CLB is no sector (the round asks 3): no sector figure, a reason
        for r in rows:
            assert r["sector_pct_agree"] is None and r["sector_pct_agree_adjusted"] is None
            if not r["suppressed"] and r["level"] in ("totaal", "bao", "so"):
                assert r["sector_note"] == "minder dan 3 andere CLB's met antwoorden"


def test_small_groups_are_hidden_in_the_data_sheet(app, answered_round, tmp_path):
    """100001 has 2 so schools: so is hidden, and so is bao beside the shown total
    (otherwise total minus bao would give so away)."""
    round_id, _ = answered_round()
    with app.app_context():
        fb = reports.feedback(db.session, db.session.get(Round, round_id), "100001")
    from reports.workbook import centre_workbook
    rows = sheet_rows(centre_workbook(fb))
    by_level = defaultdict(set)
    for r in rows:
        by_level[r["level"]].add(r["suppressed"])
    assert by_level["so"] == {True}
    assert by_level["bao"] == {True}
    assert False in by_level["totaal"]


def test_sector_workbook_matrix_and_answers_without_school_identities(
        app, answered_round, tmp_path):
    round_id, given = answered_round()
    with app.app_context():
        data = reports.sector_workbook(db.session, db.session.get(Round, round_id))
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["Overzicht", "Respons", "Data", "Antwoorden"]
    answers = list(wb["Antwoorden"].iter_rows(values_only=True))
    header, rows = answers[0], answers[1:]
    assert header[:3] == ("respondent", "centre_number", "level")
    assert len(rows) == len(given), "submitted responses only, the draft is left out"
    text = " ".join(str(v) for row in wb["Antwoorden"].iter_rows(values_only=True)
                    for v in row)
    assert "Testschool" not in text and "9000" not in text
    got = sorted((r[1], r[2], tuple(r[3:])) for r in rows)
    items = [int(h.split("_")[1]) for h in header[3:]]
    assert got == sorted((c, lv, tuple(v[n] for n in items)) for c, lv, v in given)
    matrix = list(wb["Overzicht"].iter_rows(values_only=True))
    assert [row[0] for row in matrix[2:]] == ["100001", "100002"]


def test_pdf_text_has_the_clb_and_every_statement(app, answered_round, questionnaire):
    round_id, _ = answered_round()
    with app.app_context():
        fb = reports.feedback(db.session, db.session.get(Round, round_id), "100002")
    from reports.sheet_data import render
    reader = PdfReader(io.BytesIO(render(fb)))
    # cover, summary, 2 pages of bars (sections flow on), levels, aspects (2), remarks
    assert len(reader.pages) >= 7
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Vrij CLB Test 100002" in text
    for item in questionnaire.statements:
        assert f"{item.number}. {item.label[:20]}" in text.replace("\n", " ")


def test_remarks_reach_a_clb_only_after_approval(app, answered_round):
    from survey.services import remarks as review

    round_id, _ = answered_round()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        assert reports.feedback(db.session, rnd, "100002").remarks == []
        pending = review.for_review(db.session, rnd, "pending", "100002")
        assert len(pending) == 16
        first, second, third = (p.remark for p in pending[:3])
        review.review(db.session, rnd, first.response_id, first.key, "approve", None)
        review.review(db.session, rnd, second.response_id, second.key, "redact", None,
                      "Ingekorte tekst")
        review.review(db.session, rnd, third.response_id, third.key, "hide", None)
        db.session.commit()
        fb = reports.feedback(db.session, rnd, "100002")
        shown = [t for _, texts in fb.remarks for t in texts]
        assert sorted(shown) == sorted([first.text, "Ingekorte tekst"])
        assert db.session.get(Remark, (second.response_id, second.key)).text != \
            "Ingekorte tekst", "the original is kept"
        with pytest.raises(review.ReviewError):
            review.review(db.session, rnd, second.response_id, second.key, "redact", None,
                          "   ")


def test_remarks_stay_hidden_for_a_clb_below_the_minimum(app, answered_round):
    from survey.services import remarks as review

    round_id, _ = answered_round(min_group_size=9)
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        for item in review.for_review(db.session, rnd, "pending", "100001"):
            review.review(db.session, rnd, item.remark.response_id, item.remark.key,
                          "approve", None)
        db.session.commit()
        assert reports.feedback(db.session, rnd, "100001").remarks is None  # 8 < 9


def test_parallel_build_gives_the_same_figures(app, answered_round, tmp_path):
    round_id, _ = answered_round()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        reports.build_round(db.session, rnd, tmp_path / "one", jobs=1)
        reports.build_round(db.session, rnd, tmp_path / "two", jobs=2)
    for name in ("100001.xlsx", "100002.xlsx", "sector.xlsx"):
        one = sheet_rows((tmp_path / "one" / name).read_bytes())
        two = sheet_rows((tmp_path / "two" / name).read_bytes())
        assert one == two


def test_reference_round_supplies_the_sector(app, answered_round, make_invited,
                                             questionnaire):
    """The sector comes from the reference round, and the sheet says so."""
    from survey.services import answers as answer_service

    reference_id, given = answered_round(state="open")
    round_id, _ = answered_round()
    extra = [make_invited(reference_id, "bao", "100003") for _ in range(5)]
    with app.app_context():
        for inv in extra:
            assert answer_service.save(db.session, inv.invitation_id,
                                       {s.number: 4 for s in questionnaire.statements},
                                       submit=True) == answer_service.SUBMITTED
        ref = db.session.get(Round, reference_id)
        ref.name, ref.state = "Referentie 2025", "published"
        db.session.get(Round, round_id).reference_round_id = reference_id
        # the reference round has two CLBs besides 100001 (100002 and 100003)
        db.session.get(Round, round_id).min_benchmark_centres = 2
        db.session.commit()
        fb = reports.feedback(db.session, db.session.get(Round, round_id), "100001")
    assert "Referentie 2025" in fb.sector_text
    counts = expected_groups(given, 5)
    item = questionnaire.statements[0].number
    # bao: 100002's and the five 100003 schools of the reference round
    c = counts[("100002", "bao", item)]
    n = sum(c[k] for k in (1, 2, 3, 4))
    agree = c[3] + c[4] + 5
    assert fb.row(item, "bao").sector_pct == pytest.approx(100 * agree / (n + 5))
    assert math.isclose(fb.row(item, "bao").sector.n, n + 5)
    # so has only 100002: no so figure, and no total (total minus bao would be 100002's so)
    assert fb.row(item, "so").sector_pct is None and fb.row(item).sector_pct is None
    assert fb.row(item).sector_reason == "minder dan 2 andere CLB's met antwoorden"


def test_cli_builds_a_round(app, runner, answered_round, tmp_path):
    round_id, _ = answered_round()
    result = runner.invoke(args=["reports", "build", str(round_id), "--out",
                                 str(tmp_path / "cli"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "7 files" in result.output   # 2 CLBs x 2, the sector workbook, the sector report x 2
    assert (tmp_path / "cli" / "sector.xlsx").exists()
    missing = runner.invoke(args=["reports", "build", "999"])
    assert missing.exit_code != 0 and "No round 999" in missing.output


def test_an_earlier_published_round_gives_a_trend(app, answered_round):
    earlier_id, _ = answered_round()
    later_id, _ = answered_round()
    with app.app_context():
        earlier = db.session.get(Round, earlier_id)
        earlier.name = "Bevraging 2025"
        later = db.session.get(Round, later_id)
        later.created_at = earlier.created_at + timedelta(seconds=1)
        db.session.commit()
        fb = reports.feedback(db.session, later, "100002")
        first = reports.feedback(db.session, earlier, "100002")
    assert fb.trend.rounds == ("Bevraging 2025", "Testbevraging")
    assert first.trend is None, "a round has no trend from rounds after it"
    item = fb.layout.numbers[0]
    assert fb.trend.pct[item][0] == pytest.approx(first.row(item).figures.pct_agree)


def test_a_round_too_large_leaves_the_answers_to_the_separate_download(
        app, answered_round, monkeypatch):
    round_id, given = answered_round()
    monkeypatch.setattr(reports, "SECTOR_RESPONSE_ROWS", len(given) - 1)
    with app.app_context():
        data = reports.sector_workbook(db.session, db.session.get(Round, round_id))
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["Overzicht", "Respons", "Data", "Antwoorden"]
    assert [row for row in wb["Antwoorden"].iter_rows(values_only=True)] == [
        (workbook.TOO_MANY_RESPONSES,)]
    assert "apart" in workbook.TOO_MANY_RESPONSES


# --- The files' language reaches the workers

TEST_LANGUAGE = {"te weinig antwoorden": "zu-wenig-xx", "Samenvatting": "Zusammenfassung-xx"}


def _test_catalogue(base) -> str:
    """A catalogue of the made-up language "xx" changing a few texts, compiled into base."""
    catalog = Catalog(locale=None, domain=catalogues.DOMAIN, fuzzy=False)
    for msgid, text in TEST_LANGUAGE.items():
        catalog.add(msgid, text)
    folder = catalogues.language_dir("xx", base)
    folder.mkdir(parents=True)
    (folder / "messages.mo").write_bytes(catalogues.compiled(catalog))
    return str(base)


def _texts(data: bytes) -> tuple[list[str], set[str]]:
    """A workbook's sheet names and every text in its cells."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    texts = {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str)}
    return wb.sheetnames, texts


def test_the_workers_build_the_files_in_the_language_asked(app, answered_round, tmp_path,
                                                           monkeypatch):
    """CLB 100001 has 2 so schools (minimum 5): its so figures are hidden, "te weinig
    antwoorden" in Dutch. Built in "xx", its workbook and PDF (made in a worker, even with
    one job) say the test catalogue's texts; the inspectors' sector workbook stays in the
    app's language, and so does this process's translator."""
    round_id, _ = answered_round()
    monkeypatch.setitem(app.config, "BABEL_TRANSLATION_DIRECTORIES",
                        _test_catalogue(tmp_path / "translations"))
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        reports.build_round(db.session, rnd, tmp_path / "xx", jobs=1, language="xx")
        reports.build_round(db.session, rnd, tmp_path / "nl", jobs=1)
    sheets, texts = _texts((tmp_path / "xx" / "100001.xlsx").read_bytes())
    assert sheets[0] == "Zusammenfassung-xx" and "Per niveau" in sheets   # untranslated
    assert "zu-wenig-xx" in texts and "te weinig antwoorden" not in texts
    pdf_text = "".join(page.extract_text() for page in
                       PdfReader(tmp_path / "xx" / "100001.pdf").pages)
    assert "Zusammenfassung-xx" in pdf_text and "Samenvatting" not in pdf_text
    sheets, texts = _texts((tmp_path / "nl" / "100001.xlsx").read_bytes())
    assert sheets[0] == "Samenvatting" and "te weinig antwoorden" in texts
    assert _texts((tmp_path / "xx" / "sector.xlsx").read_bytes())[0][0] == "Overzicht"
    assert i18n._("te weinig antwoorden") == "te weinig antwoorden"


def test_a_worker_installs_the_translator_of_the_language(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_TRANSLATION_DIRECTORIES",
                        _test_catalogue(tmp_path / "translations"))
    with app.app_context():
        xx, default = reports.report_language("xx"), reports.report_language()
    assert default.code == "nl" and xx.directories == (str(tmp_path / "translations"),)
    try:
        reports._init_worker(None, str(tmp_path), xx)
        assert i18n._("te weinig antwoorden") == "zu-wenig-xx"
        assert i18n._("< %(minimum)s CLB's", minimum=3) == "< 3 CLB's"   # not in it: Dutch
        reports._init_worker(None, str(tmp_path), reports.report_language("nl"))
        # Dutch: the shipped catalogue gives every text itself, as the parent's translator
        dutch = catalogues.read(catalogues.language_dir("nl") / "messages.po", "nl")
        ids = [m.id for m in dutch if m.id and isinstance(m.id, str)]
        assert len(ids) > 150 and all(i18n._(msgid) == msgid for msgid in ids)
    finally:
        i18n.install(engine_text)       # this process's translator, as create_app left it


# --- The renderer (reports/typeset.py) ---------------------------------------------------


def test_a_sheet_is_the_same_whatever_was_rendered_before_it():
    # Typst's caches serve one CLB's sheet from another's where they agree: what they
    # serve must never be the other CLB's
    from helpers import INFO, LAYOUT, centre_input, cube_of, uniform
    from reports import content, sheet_data

    cube = cube_of(uniform(7, 4))
    first, other = (content.build(INFO, LAYOUT, cube, centre_input(number))
                    for number in ("A", "B"))
    alone = sheet_data.render(first)
    sheet_data.render(other)
    assert sheet_data.render(first) == alone
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(alone)).pages)
    assert "CLB A" in text and "CLB B" not in text


@pytest.mark.parametrize("text", [
    "gewoon", "a\x01b", "regel\r\neinde", "x" * 31, "x" * 30, "bom\ufeff", "\ud800los",
    "del\x7f", "nel\x85", "\ufdd0", "\U0001fffe", "😀", "tab\tnieuw\nregel",
    "schuine \\ streep en \\b", "lang woord: " + "ééé" * 20, "één ‘twee’ – drie"])
def test_the_data_are_cleaned_the_same_by_one_scan_or_string_by_string(text):
    import json

    from reports import typeset

    data = {"remarks": [text, {"inner": (text, 3, None)}], "n": 1.5}
    assert json.loads(typeset._payload(data)) == typeset.printable(data)


def test_a_template_reading_sys_inputs_still_gets_its_data(tmp_path):
    # the sector report and the slips read json(bytes(sys.inputs.data)); the sheet reads
    # /data.json, and a comment naming sys.inputs does not make it read them
    from reports import typeset

    workspace = typeset._current_workspace()
    assert typeset._compiler(workspace, "sector").reads_inputs
    assert not typeset._compiler(workspace, "sheet").reads_inputs
