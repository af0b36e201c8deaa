"""The `survey` console script's own commands (the demo has test_demo.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli_questionnaire import questionnaire_check
from survey.questionnaire import bundled_dir

SCHOOL = bundled_dir() / "clb-samenwerking-school-2026.1.toml"
WORKBOOK = Path(__file__).parent / "data" / "questionnaires" / "voorbeeld.xlsx"


def test_check_accepts_the_bundled_questionnaire():
    result = CliRunner().invoke(questionnaire_check, [str(SCHOOL)])
    assert result.exit_code == 0, result.output
    assert "OK  clb-samenwerking-school version 2026.1: 25 items (21 statements, 4 " \
           "free-text), 4 sections" in result.output


def test_check_accepts_a_workbook():
    result = CliRunner().invoke(questionnaire_check, [str(WORKBOOK)])
    assert result.exit_code == 0, result.output
    assert "OK  voorbeeld-alle-vraagtypes version 2026.1: 11 items" in result.output


def test_check_reports_every_problem_with_its_place(tmp_path):
    bad = tmp_path / "bad.toml"
    source = SCHOOL.read_text(encoding="utf-8")
    bad.write_text(source.replace('label = "Stellen zich onafhankelijk op"\n', "")
                   .replace("number = 27", "number = 26"), encoding="utf-8")
    result = CliRunner().invoke(questionnaire_check, [str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: INVALID (4 problem(s))" in result.output
    assert "sections[1].items[1] (stelling 4): veld 'label' ontbreekt" in result.output
    assert "sections[4].items[2] (stelling 26): het nummer 26 komt twee keer voor" \
        in result.output


def test_check_of_several_files_fails_if_one_fails(tmp_path):
    good = tmp_path / "good.toml"
    shutil.copy(SCHOOL, good)
    missing = tmp_path / "missing.toml"
    result = CliRunner().invoke(questionnaire_check, [str(good), str(missing)])
    assert result.exit_code == 1
    assert f"{good}: OK" in result.output and "kan het bestand niet lezen" in result.output


def test_questionnaire_list_and_publish(app, runner, tmp_path):
    listed = runner.invoke(args=["questionnaire", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:5] == ["1", "clb-samenwerking-school", "2026.1", "published",
                                    "0"]
    new = tmp_path / "voorbeeld-2026.2.toml"
    example = bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml"
    new.write_text(example.read_text(encoding="utf-8")
                   .replace('version = "2026.1"', 'version = "2026.2"')
                   .replace('label = "Goed bereikbaar"', 'label = "Bereikbaar"'),
                   encoding="utf-8")
    declined = runner.invoke(args=["questionnaire", "publish", str(new)], input="n\n")
    assert declined.exit_code == 0, declined.output
    assert "voorbeeld-alle-vraagtypes version 2026.2 against version 2026.1: 1 change(s)" \
        in declined.output
    assert "Vraag ‘bereikbaar’: het korte label is gewijzigd: “Goed bereikbaar” wordt " \
           "“Bereikbaar”." in declined.output
    assert "Kept as a concept (library id 3)." in declined.output
    published = runner.invoke(args=["questionnaire", "publish", str(new), "--yes"])
    assert published.exit_code == 0, published.output
    assert "Published voorbeeld-alle-vraagtypes version 2026.2 (library id 3)." \
        in published.output
    again = runner.invoke(args=["questionnaire", "publish", str(new), "--yes"])
    assert again.exit_code == 1
    assert "Versie 2026.2 van voorbeeld-alle-vraagtypes is al gepubliceerd" in again.output
    faulty = tmp_path / "fout.toml"
    faulty.write_text(new.read_text(encoding="utf-8").replace('version = "2026.2"',
                                                              'version = ""'),
                      encoding="utf-8")
    refused = runner.invoke(args=["questionnaire", "publish", str(faulty), "--yes"])
    assert refused.exit_code == 1 and "nothing stored" in refused.output
    assert runner.invoke(args=["questionnaire", "list"]).output.count("\n") == 4


def test_commands_are_registered_on_the_app(runner):
    result = runner.invoke(args=["--help"])
    for command in ("demo", "questionnaire", "db", "worker"):
        assert command in result.output
    worker = runner.invoke(args=["worker", "--help"])
    assert "--workers" in worker.output and "--type [process|thread]" in worker.output


def test_users_create_with_a_one_time_link(app, runner):
    result = runner.invoke(args=["users", "create", "--role", "inspector", "Eerste@Example.org",
                                 "--link"])
    assert result.exit_code == 0, result.output
    assert "Created inspector account eerste@example.org." in result.output
    path = result.output.split("http://survey.test", 1)[1].split()[0]
    assert app.test_client().get(path).status_code == 200


def test_users_create_asks_for_a_password(app, runner):
    from conftest import login

    result = runner.invoke(args=["users", "create", "--role", "inspector", "x@example.org"],
                           input="een lang wachtwoord\neen lang wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "x@example.org", "een lang wachtwoord").status_code == 302
    again = runner.invoke(args=["users", "create", "--role", "inspector", "x@example.org"],
                          input="een lang wachtwoord\neen lang wachtwoord\n")
    assert again.exit_code != 0 and "bestaat al" in again.output


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "centre", "c@example.org"], "precies één CLB"),
    (["--role", "centre", "--centre", "999", "c@example.org"], "No CLB with number 999"),
    (["--role", "inspector", "geen-adres"], "geen geldig e-mailadres"),
])
def test_users_create_refuses(runner, args, message):
    result = runner.invoke(args=["users", "create", *args, "--link"])
    assert result.exit_code != 0 and message in result.output


def test_rounds_lifecycle_from_the_command_line(runner, make_round, make_invited):
    round_id = make_round(state="draft")
    make_invited(round_id)
    listing = runner.invoke(args=["rounds", "list"])
    assert f"{round_id:4}  draft" in listing.output and "0/1" in listing.output
    steps = [("publish", 1, "alleen een afgesloten"), ("open", 0, "now open"),
             ("open", 1, "alleen een bevraging in voorbereiding"), ("close", 0, "now closed"),
             ("publish", 0, "now published"), ("close", 1, "alleen een open")]
    for command, code, text in steps:
        result = runner.invoke(args=["rounds", command, str(round_id)])
        assert result.exit_code == code and text in result.output, (command, result.output)
    assert runner.invoke(args=["rounds", "open", "999"]).exit_code != 0


def test_users_lifecycle_on_the_command_line(app, runner, make_user):
    import re

    from conftest import login

    make_user("inspector")  # another inspector stays active
    email = make_user("centre")
    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0 and re.search(re.escape(email) + r".*active", listed.output)
    off = runner.invoke(args=["users", "deactivate", email])
    assert off.exit_code == 0, off.output
    assert login(app.test_client(), email).status_code == 401
    assert re.search(re.escape(email) + r".*deactivated",
                     runner.invoke(args=["users", "list"]).output)
    on = runner.invoke(args=["users", "reactivate", email.upper()])
    assert on.exit_code == 0, on.output
    assert login(app.test_client(), email).status_code == 302
    first = runner.invoke(args=["users", "link", email])
    second = runner.invoke(args=["users", "link", email])
    links = [re.search(r"http://survey\.test(/account/wachtwoord/\S+)", r.output).group(1)
             for r in (first, second)]
    client = app.test_client()
    assert client.get(links[0]).status_code == 410, "the old link dies"
    assert client.get(links[1]).status_code == 200
    unknown = runner.invoke(args=["users", "deactivate", "niemand@example.org"])
    assert unknown.exit_code != 0 and "niemand@example.org" in unknown.output
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import AuditEvent
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"user deactivated", "user reactivated", "set-password link sent"} <= actions


def test_the_last_inspector_cannot_be_deactivated_on_the_command_line(runner, make_user):
    email = make_user("inspector")
    result = runner.invoke(args=["users", "deactivate", email])
    assert result.exit_code != 0 and "laatste" in result.output


IMPORT_HEADER = "Schoolnummer;Schoolnaam;Niveau;CLB-nummer;CLB;Net;E-mail;Gemeente"
LINDE = "100001;Basisschool De Linde;bao;114983;Vrij CLB Antwerpen;Vrij CLB;" \
        "directie@linde.example.org;Antwerpen"


def test_import_says_one_row_each_change_and_every_fault(app, runner, tmp_path):
    path = tmp_path / "sector.csv"
    path.write_text(f"{IMPORT_HEADER}\n{LINDE}\n", encoding="utf-8")
    first = runner.invoke(args=["import", str(path), "--yes"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == "1 rij gelezen (tekenset UTF-8)."
    # the school renamed and given another address, the CLB renamed; a row with two faults
    path.write_text(f"{IMPORT_HEADER}\n"
                    "100001;Basisschool De Eik;bao;114983;Vrij CLB Antwerpen-Noord;Vrij CLB;"
                    "eik@example.org;Antwerpen\n"
                    "12x;;bao;114983;Vrij CLB Antwerpen-Noord;Vrij CLB;eik2@example.org;"
                    "Antwerpen\n", encoding="utf-8")
    dry = runner.invoke(args=["import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0] == "2 rijen gelezen (tekenset UTF-8)."
    assert "  CLB 114983, naam: 'Vrij CLB Antwerpen' -> 'Vrij CLB Antwerpen-Noord'" in lines
    assert "  school 100001, naam: 'Basisschool De Linde' -> 'Basisschool De Eik'" in lines
    assert ("  school 100001, e-mailadres: 'directie@linde.example.org' -> "
            "'eik@example.org'") in lines
    faults = [line for line in lines if line.startswith("  rij 3: ")]
    assert len(faults) == 2, dry.output
    assert faults[0].startswith("  rij 3: ongeldig schoolnummer '12x'")
    assert faults[1] == "  rij 3: schoolnaam ontbreekt"
