"""The wheel carries everything the app needs: templates, questionnaires, static files,
migrations; an app started from the installed wheel alone serves the school form."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    return next(out.glob("*.whl"))


def test_wheel_contains_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["survey/templates/base.html", "survey/templates/respond/form.html",
                   "survey/questionnaires/clb-samenwerking-school-2026.1.toml",
                   "survey/static/survey.css", "survey/static/respond.js",
                   "survey/migrations/env.py", "survey/migrations/alembic.ini",
                   "survey/migrations/versions/0001_initial_schema.py",
                   "survey/questionnaires/voorbeeld-alle-vraagtypes-2026.1.toml",
                   "survey/translations/nl/LC_MESSAGES/messages.mo",
                   "survey/migrations/versions/0010_questionnaire_library.py",
                   "instrument/types/multi.py", "reports/__init__.py"]:
        assert needed in names, needed
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "survey = survey.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_runs_without_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                    "--target", str(target), str(wheel)], check=True)
    script = textwrap.dedent(f"""
        import survey, flask_migrate
        assert survey.__file__.startswith({str(target)!r}), survey.__file__
        from survey import create_app
        from survey.extensions import db
        app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/w.sqlite3",
                           "SECRET_KEY": "k"}})
        with app.app_context():
            flask_migrate.upgrade(directory=app.extensions["migrate"].directory)
            from survey.questionnaire import bundled
            assert len(bundled("clb-samenwerking-school").statements) == 21
        page = app.test_client().get("/")
        assert page.status_code == 200 and "persoonlijke link" in page.get_data(as_text=True)
        print("ok")
    """)
    env = {"PYTHONPATH": str(target), "SURVEY_INSTANCE_PATH": str(tmp_path / "inst"),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
