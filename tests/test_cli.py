"""The `survey` console script's own commands (the demo has test_demo.py)."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from survey.cli import questionnaire_check
from survey.questionnaire import bundled_dir


def test_check_accepts_the_bundled_questionnaire():
    path = next(bundled_dir().glob("*.toml"))
    result = CliRunner().invoke(questionnaire_check, [str(path)])
    assert result.exit_code == 0, result.output
    assert "OK  clb-samenwerking-school" in result.output and "21 statements" in result.output


def test_check_reports_every_problem_with_its_place(tmp_path):
    bad = tmp_path / "bad.toml"
    source = next(bundled_dir().glob("*.toml")).read_text(encoding="utf-8")
    bad.write_text(source.replace('label = "Stellen zich onafhankelijk op"\n', "")
                   .replace("number = 27", "number = 26"), encoding="utf-8")
    result = CliRunner().invoke(questionnaire_check, [str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: INVALID (2 problem(s))" in result.output
    assert "sections[1].items[1] (statement 4): field 'label' is missing" in result.output
    assert "duplicate statement number 26" in result.output


def test_check_of_several_files_fails_if_one_fails(tmp_path):
    good = tmp_path / "good.toml"
    shutil.copy(next(bundled_dir().glob("*.toml")), good)
    missing = tmp_path / "missing.toml"
    result = CliRunner().invoke(questionnaire_check, [str(good), str(missing)])
    assert result.exit_code == 1
    assert f"{good}: OK" in result.output and "cannot read file" in result.output


def test_commands_are_registered_on_the_app(runner):
    result = runner.invoke(args=["--help"])
    for command in ("demo", "questionnaire", "db"):
        assert command in result.output
