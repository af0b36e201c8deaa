"""Importing CLBs and schools: dry run, rejected rows with their reasons, one transaction,
idempotent re-import, and random rows that never crash the importer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Centre, School
from survey.services.sector_import import apply_import, plan_import
from survey.tabular import Table, TableError, read_table

HEADER = ["Schoolnummer", "Schoolnaam", "Niveau", "CLB-nummer", "CLB", "Net", "E-mail",
          "Gemeente"]
GOOD = [
    ["100001", "Basisschool De Linde", "bao", "114983", "Vrij CLB Antwerpen", "Vrij CLB",
     "directie@linde.example.org", "Antwerpen"],
    ["100002", "Sint-Jozefscollege", "secundair onderwijs", "114983", "Vrij CLB Antwerpen",
     "VCLB", "info@sjc.example.org", "Antwerpen"],
    ["100003", "BuSO De Brug", "BuSO", "200001", "CLB GO! Gent", "GO!",
     "brug@example.org", ""],
]


def table(rows, header=HEADER) -> Table:
    text = "\n".join(";".join(r) for r in [header, *rows])
    return read_table(text.encode("utf-8"), "sector.csv")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_dry_run_counts_and_writes_nothing(app):
    with app.app_context():
        plan = plan_import(db.session, table(GOOD))
    assert (len(plan.centres_new), len(plan.schools_new), plan.rejected) == (2, 3, [])
    assert count(app, School) == 0 and count(app, Centre) == 0


def test_apply_then_the_same_file_again_changes_nothing(app):
    with app.app_context():
        applied = apply_import(db.session, table(GOOD))
        assert applied.changes == 5
        school = db.session.scalar(select(School).where(School.number == "100002"))
        assert (school.level, school.centre.network, school.municipality) == ("so", "vclb",
                                                                              "Antwerpen")
        again = plan_import(db.session, table(GOOD))
    assert again.changes == 0 and (again.centres_same, again.schools_same) == (2, 3)
    assert count(app, School) == 3


def test_changes_are_updates_not_duplicates(app):
    with app.app_context():
        apply_import(db.session, table(GOOD))
        moved = [GOOD[0][:3] + ["200001", "CLB GO! Gent", "GO!", "nieuw@linde.example.org",
                                 "Antwerpen"]]
        plan = apply_import(db.session, table(moved))
        assert list(plan.schools_changed) == ["100001"] and not plan.schools_new
        school = db.session.scalar(select(School).where(School.number == "100001"))
        assert school.centre.number == "200001" and school.email == "nieuw@linde.example.org"
    assert count(app, School) == 3


def _with(**changes) -> list[str]:
    row = dict(zip(HEADER, GOOD[0], strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


@pytest.mark.parametrize(("row", "reason"), [
    (_with(Niveau="lager"), "onbekend niveau 'lager'"),
    (_with(Niveau=""), "niveau ontbreekt"),
    (_with(**{"E-mail": ""}), "e-mailadres ontbreekt"),
    (_with(**{"E-mail": "directie at school"}), "ongeldig e-mailadres"),
    (_with(Schoolnummer="12A456"), "ongeldig schoolnummer"),
    (_with(**{"CLB-nummer": ""}), "ongeldig CLB-nummer"),
    (_with(Net="privé"), "onbekend net 'privé'"),
    (_with(Schoolnaam=""), "schoolnaam ontbreekt"),
    (_with(Schoolnaam="x" * 201), "te lange waarde in schoolnaam"),
    (_with(Schoolnaam="=cmd|' /C calc'!A0"), "cel bevat een formule"),
])
def test_each_rejected_row_says_why(app, row, reason):
    with app.app_context():
        plan = plan_import(db.session, table([GOOD[1], row]))
    assert [r.row for r in plan.rejected] == [3]
    assert reason in plan.rejected[0].reason
    assert len(plan.schools_new) == 1, "the good row is still imported"


def test_duplicates_and_a_school_under_two_centres(app):
    rows = [GOOD[0], GOOD[0], _with(**{"CLB-nummer": "200001", "CLB": "CLB GO! Gent",
                                       "Net": "GO!"}),
            GOOD[1][:4] + ["Andere naam", "Vrij CLB"] + GOOD[1][6:]]
    rows[3][0] = "100009"
    with app.app_context():
        plan = plan_import(db.session, table(rows))
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "staat ook op rij 2" in reasons[3]
    assert "onder een ander CLB" in reasons[4]
    assert "CLB 114983 heeft op rij 2 een andere naam" in reasons[5]


def test_english_headers_in_another_order(app):
    header = ["E-mail", "School number", "School name", "Level", "Centre number",
              "Centre name", "Network"]
    rows = [["a@example.org", "100001", "School A", "bubao", "300001", "OVSG-CLB Gent",
             "OVSG"]]
    with app.app_context():
        plan = apply_import(db.session, table(rows, header))
    assert not plan.rejected and plan.schools_new["100001"]["level"] == "bubao"


def test_missing_columns_are_named(app):
    with app.app_context(), pytest.raises(TableError) as info:
        plan_import(db.session, table([["1", "x"]], ["Schoolnummer", "Schoolnaam"]))
    assert "niveau, CLB-nummer, CLB, net, e-mail" in str(info.value)


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=10), max_size=8))
def test_random_rows_never_crash_the_importer(app, rows):
    records = [(n, [c.strip() for c in row]) for n, row in enumerate(rows, start=2)]
    with app.app_context():
        plan = plan_import(db.session, Table(HEADER, records, {}))
        assert plan.rows == len(rows)
        assert len(plan.rejected) + len(plan.schools_new) + plan.schools_same \
            + len(plan.schools_changed) <= len(rows)
        db.session.rollback()


def test_cli_dry_run_then_apply(app, runner, tmp_path):
    path = tmp_path / "sector.csv"
    path.write_bytes("\n".join(";".join(r) for r in [HEADER, *GOOD, _with(Niveau="x")])
                     .encode("cp1252"))
    dry = runner.invoke(args=["import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Scholen: 3 nieuw" in dry.output and "rij 5: onbekend niveau 'x'" in dry.output
    assert count(app, School) == 0
    declined = runner.invoke(args=["import", str(path)], input="n\n")
    assert "Niets geschreven." in declined.output and count(app, School) == 0
    done = runner.invoke(args=["import", str(path)], input="y\n")
    assert "Toegepast: 5 wijzigingen" in done.output and count(app, School) == 3


def test_cli_refuses_a_bad_file(runner, tmp_path):
    path = tmp_path / "sector.pdf"
    path.write_bytes(b"%PDF")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "Alleen .xlsx- en .csv" in result.output


@pytest.mark.parametrize("number", ["１００００１", "١٠٠٠٠١", "10000１", "۱۲۳۴۵۶", "1234567"])
def test_institution_numbers_are_ascii_digits_only(app, number):
    """Fullwidth or Arabic-Indic digits would pass a Unicode \\d and then bypass the
    duplicate check beside the same number in ASCII; a seventh digit is a typing error."""
    with app.app_context():
        plan = plan_import(db.session, table([GOOD[0], _with(Schoolnummer=number)]))
        centre = plan_import(db.session, table([_with(**{"CLB-nummer": number})]))
    assert [r.row for r in plan.rejected] == [3]
    assert "ongeldig schoolnummer" in plan.rejected[0].reason
    assert "zes cijfers" in plan.rejected[0].reason
    assert "ongeldig CLB-nummer" in centre.rejected[0].reason


def test_a_number_that_lost_its_leading_zero_is_the_same_school(app):
    """Excel shows 012345 as the number 12345: institution numbers have six digits
    (../shared/DOMAIN.md), so a shorter number is padded and finds the same school."""
    with app.app_context():
        apply_import(db.session, table([_with(Schoolnummer="012345",
                                              **{"CLB-nummer": "014983"})]))
        again = plan_import(db.session, table([_with(Schoolnummer="12345",
                                                     **{"CLB-nummer": "14983"})]))
        both = plan_import(db.session, table([_with(Schoolnummer="12345"),
                                              _with(Schoolnummer="012345")]))
    assert again.changes == 0 and again.schools_same == 1 and again.centres_same == 1
    assert "schoolnummer 012345 staat ook op rij 2" in both.rejected[0].reason
    assert count(app, School) == 1


def test_xlsx_number_cells_without_leading_zero_are_padded(app):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append([12345, *GOOD[0][1:3], 14983.0, *GOOD[0][4:]])
    out = __import__("io").BytesIO()
    wb.save(out)
    with app.app_context():
        plan = plan_import(db.session, read_table(out.getvalue(), "s.xlsx"))
    assert list(plan.schools_new) == ["012345"] and list(plan.centres_new) == ["014983"]


def test_names_with_controls_and_line_breaks_are_imported_as_one_clean_line(app):
    """On PostgreSQL a NUL would fail the confirmation after a dry run that passed."""
    rows = [_with(Schoolnaam="Basisschool\r\nDe\x00 Linde\u2028", CLB="Vrij\x0bCLB",
                  Gemeente="Ant\x1bwerpen")]
    with app.app_context():
        planned = plan_import(db.session, Table(HEADER, [(2, r) for r in rows], {}))
        apply_import(db.session, Table(HEADER, [(2, r) for r in rows], {}))
        school = db.session.scalar(select(School))
        assert (school.name, school.centre.name, school.municipality) == (
            "Basisschool De Linde", "Vrij CLB", "Antwerpen")
    assert planned.schools_new["100001"]["name"] == "Basisschool De Linde"


def _upload(client, data: bytes):
    import io

    from conftest import csrf_in

    page = client.get("/beheer/inlezen").get_data(as_text=True)
    return client.post("/beheer/inlezen", data={
        "csrf_token": csrf_in(page), "file": (io.BytesIO(data), "s.csv")},
        content_type="multipart/form-data")


def test_console_dry_run_tells_the_encoding_then_confirms(app, inspector_client, runner,
                                                          tmp_path):
    import re

    from conftest import csrf_in

    rows = [[f"{100100 + i}", f"School {i}", "bao", "114983", "Vrij CLB A", "Vrij CLB",
             f"s{i}@example.org"] for i in range(80)]
    text = "\n".join(";".join(r) for r in [HEADER[:7], *rows]).replace("School 1;", "Élève;")
    for encoding, told in (("cp1252", "Windows-1252"), ("utf-8", "UTF-8")):
        preview = _upload(inspector_client, text.encode(encoding))
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200 and f"tekenset {told}" in html
    upload = re.search(r'name="upload"[^>]*value="([0-9a-f]{32})"', html).group(1)
    confirm = inspector_client.post("/beheer/inlezen/bevestigen",
                                    data={"csrf_token": csrf_in(html), "upload": upload})
    assert confirm.status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(School.name)))
    assert "Élève" in names and len(names) == 80
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode("cp1252"))
    assert "tekenset Windows-1252" in runner.invoke(args=["import", str(path),
                                                          "--dry-run"]).output


def test_console_refuses_a_nul_past_the_first_4_kb_in_the_dry_run(app, inspector_client):
    """Before: the dry run passed, then the confirmation was a bare 500 on PostgreSQL."""
    rows = [[f"{100100 + i}", f"School {i}", "bao", "114983", "Vrij CLB A", "Vrij CLB",
             f"s{i}@example.org"] for i in range(80)]
    rows.append(["100999", "Laatste\x00 school", "bao", "114983", "Vrij CLB A", "Vrij CLB",
                 "laatste@example.org"])
    text = "\n".join(";".join(r) for r in [HEADER[:7], *rows])
    assert text.index("\x00") > 4096
    preview = _upload(inspector_client, text.encode())
    assert preview.status_code == 400
    assert "NUL-teken" in preview.get_data(as_text=True) and "rij 82" in preview.get_data(
        as_text=True)
    assert count(app, School) == 0


def test_an_address_that_no_mail_header_can_carry_is_refused(app):
    with app.app_context():
        plan = plan_import(db.session, table([_with(**{"E-mail": "directie@école.be"})]))
    assert "ongeldig e-mailadres" in plan.rejected[0].reason
    assert "é" in plan.rejected[0].reason


def test_every_fault_of_a_row_is_named(app):
    row = _with(Schoolnummer="12A", Niveau="lager", Net="", **{"E-mail": "geen adres"})
    with app.app_context():
        plan = plan_import(db.session, table([row]))
    assert plan.rejected[0].faults == (
        "ongeldig schoolnummer '12A' (zes cijfers 0-9, bijvoorbeeld 012345)",
        "onbekend niveau 'lager' (verwacht bao, so, bubao of buso)",
        "net van het CLB ontbreekt", "ongeldig e-mailadres 'geen adres'")
    assert plan.rejected[0].reason == "; ".join(plan.rejected[0].faults)


def test_the_dry_run_lists_each_changed_field_with_old_and_new_value(app):
    with app.app_context():
        apply_import(db.session, table(GOOD))
        moved = [_with(Schoolnaam="Basisschool De Linde", **{
            "E-mail": "Nieuw@Linde.example.org", "Gemeente": "", "CLB-nummer": "200001",
            "CLB": "CLB GO! Gent-Eeklo", "Net": "GO!"}), GOOD[1],
            GOOD[2][:4] + ["CLB GO! Gent-Eeklo"] + GOOD[2][5:]]
        plan = plan_import(db.session, table(moved))
    assert {n: [(c.field, c.old, c.new) for c in cs] for n, cs in plan.school_changes.items()} \
        == {"100001": [("email", "directie@linde.example.org", "nieuw@linde.example.org"),
                       ("municipality", "Antwerpen", ""), ("centre_number", "114983",
                                                           "200001")]}
    assert {n: [(c.field, c.old, c.new) for c in cs] for n, cs in plan.centre_changes.items()} \
        == {"200001": [("name", "CLB GO! Gent", "CLB GO! Gent-Eeklo")]}
    assert (plan.schools_same, plan.centres_same) == (2, 1)


def _uploaded(app) -> list[str]:
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_console_dry_run_shows_changes_faults_and_singulars(app, inspector_client):
    with app.app_context():
        apply_import(db.session, table(GOOD))
    changed = _with(**{"E-mail": "nieuw@linde.example.org"})
    bad = _with(Schoolnummer="100009", Niveau="lager", **{"E-mail": "geen adres"})
    text = "\n".join(";".join(r) for r in [HEADER, changed, GOOD[1], bad])
    html = _upload(inspector_client, text.encode()).get_data(as_text=True)
    assert "s.csv: 3 rijen gelezen" in html
    assert "directie@linde.example.org" in html and "nieuw@linde.example.org" in html
    assert "1 geweigerde rij<" in html and "Deze rij wordt niet ingelezen" in html
    assert "<li>onbekend niveau &#39;lager&#39;" in html and "<li>ongeldig e-mailadres" in html
    assert "1 school blijft ongewijzigd." in html


def test_the_file_is_deleted_once_applied_or_cancelled(app, inspector_client):
    import re

    from conftest import csrf_in

    text = "\n".join(";".join(r) for r in [HEADER, *GOOD]).encode()
    html = _upload(inspector_client, text).get_data(as_text=True)
    upload = re.search(r'name="upload"[^>]*value="([0-9a-f]{32})"', html).group(1)
    assert _uploaded(app) == [f"{upload}.csv"]
    cancelled = inspector_client.post("/beheer/inlezen/annuleren",
                                      data={"csrf_token": csrf_in(html), "upload": upload})
    assert cancelled.status_code == 302 and _uploaded(app) == []
    assert count(app, School) == 0

    html = _upload(inspector_client, text).get_data(as_text=True)
    upload = re.search(r'name="upload"[^>]*value="([0-9a-f]{32})"', html).group(1)
    inspector_client.post("/beheer/inlezen/bevestigen",
                          data={"csrf_token": csrf_in(html), "upload": upload})
    assert _uploaded(app) == [] and count(app, School) == 3
    flashed = inspector_client.get("/beheer/").get_data(as_text=True)
    assert "0 rijen geweigerd" in flashed

    same = _upload(inspector_client, text).get_data(as_text=True)
    assert "Er is niets te wijzigen" in same and _uploaded(app) == [], "nothing to keep"


def test_a_stale_upload_is_cleaned_by_the_next_one(app, inspector_client):
    import os
    import time

    text = "\n".join(";".join(r) for r in [HEADER, *GOOD]).encode()
    _upload(inspector_client, text)
    from pathlib import Path

    (old,) = (Path(app.instance_path) / "uploads").glob("*")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    _upload(inspector_client, text)
    assert old.name not in _uploaded(app) and len(_uploaded(app)) == 1
