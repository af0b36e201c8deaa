"""Fixtures in the Flask-docs shape: app, client, runner, plus creators for data.

Every test that uses `app` runs on SQLite and on PostgreSQL. PostgreSQL needs
SURVEY_TEST_POSTGRES_URL; without it those runs skip, except on CI (CI=true), where a
missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from helpers import FormPage, Invited
from survey import create_app
from survey.extensions import db
from survey.models import Centre, School, utcnow
from survey.questionnaire import bundled
from survey.services import rounds

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL", "")
# every table of the models, so that a new one is emptied between tests without a list here
TABLES = [table.name for table in reversed(db.metadata.sorted_tables)]


def need_service(reason: str):
    """Skip for a missing service outside CI; fail on CI."""
    if ON_CI:
        pytest.fail(f"{reason} (required on CI)")
    pytest.skip(reason)


def _migrate(url: str, instance: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                      "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}", path.parent)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> str:
    """A fresh database next to SURVEY_TEST_POSTGRES_URL's, migrated once per run."""
    if not PG_URL:
        need_service("PostgreSQL tests need SURVEY_TEST_POSTGRES_URL "
                     "(e.g. postgresql://postgres@127.0.0.1:5432/test)")
    base = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"survey_test_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means: no service
        need_service(f"PostgreSQL at {base.render_as_string()} is not reachable: {exc}")
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg"))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "survey.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SURVEY_BASE_URL": "http://survey.test",
    })
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def questionnaire():
    return bundled("clb-samenwerking-school")


@pytest.fixture
def make_round(app, questionnaire):
    """make_round(state="open", opens_in=None, closes_in=None) -> round id."""

    def make(state="open", opens_in: timedelta | None = None,
             closes_in: timedelta | None = timedelta(days=30), min_group_size=5) -> int:
        now = utcnow()
        with app.app_context():
            rnd = rounds.create_round(
                db.session, name="Testbevraging", school_year="2026-2027",
                questionnaire=questionnaire,
                opens_at=now + opens_in if opens_in is not None else now - timedelta(days=1),
                closes_at=now + closes_in if closes_in is not None else None,
                min_group_size=min_group_size)
            if state != "draft":
                rounds.open_round(db.session, rnd)
                rnd.state = state
            db.session.commit()
            return rnd.id

    return make


@pytest.fixture
def make_invited(app, make_round):
    """make_invited(round_id=None, level="bao", centre_number="100001") -> Invited."""
    counter = {"n": 0}

    def make(round_id: int | None = None, level: str = "bao",
             centre_number: str = "100001") -> Invited:
        round_id = round_id or make_round()
        counter["n"] += 1
        with app.app_context():
            from sqlalchemy import select

            from survey.models import Round

            centre = db.session.scalar(select(Centre).where(Centre.number == centre_number))
            if centre is None:
                centre = Centre(number=centre_number, name=f"Vrij CLB Test {centre_number}",
                                network="vclb")
                db.session.add(centre)
                db.session.flush()
            school = School(number=f"9{counter['n']:05d}", name=f"Testschool {counter['n']}",
                            level=level, centre_id=centre.id, email="directie@example.org")
            db.session.add(school)
            db.session.flush()
            issued = rounds.invite(db.session, db.session.get(Round, round_id), [school])[0]
            db.session.commit()
            return Invited(issued.invitation.id, round_id, issued.token)

    return make


@pytest.fixture
def invited(make_invited) -> Invited:
    return make_invited()


@pytest.fixture
def form_page(client, invited) -> FormPage:
    page = FormPage(client, invited)
    page.open()
    return page


PASSWORD = "een lang genoeg wachtwoord"


@pytest.fixture
def make_user(app):
    """make_user(role="inspector", email=None, centre_number=None) -> email."""
    counter = {"n": 0}

    def make(role: str = "inspector", email: str | None = None,
             centre_number: str | None = None) -> str:
        from sqlalchemy import select

        from survey.services import accounts

        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.org"
        with app.app_context():
            centre = None
            if role == "centre":
                number = centre_number or "100001"
                centre = db.session.scalar(select(Centre).where(Centre.number == number))
                if centre is None:
                    centre = Centre(number=number, name=f"CLB {number}", network="go")
                    db.session.add(centre)
                    db.session.flush()
            user = accounts.create_user(db.session, email, role, centre=centre)
            accounts.set_password(user, PASSWORD)
            db.session.commit()
        return email

    return make


def csrf_in(html: str) -> str:
    """The CSRF token of the first form on a page."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/account/aanmelden")
    token = csrf_in(page.get_data(as_text=True))
    return client.post("/account/aanmelden", data={"csrf_token": token, "email": email,
                                                   "password": password})


def sign_in_page(context, url: str, email: str):
    """A browser page of `context` on `url`, after the sign-in form it redirects to."""
    page = context.new_page()
    page.goto(url)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(url)
    return page


@pytest.fixture
def inspector_client(app, make_user):
    client = app.test_client()
    assert login(client, make_user("inspector")).status_code == 302
    return client


@pytest.fixture
def centre_client(app, make_user):
    client = app.test_client()
    assert login(client, make_user("centre")).status_code == 302
    return client


@pytest.fixture
def answered_round(app, make_round, make_invited, questionnaire):
    """answered_round(state="published") -> (round id, answers): two CLBs whose schools
    submitted known answers. answers: (CLB number, level, {statement: code}) per school.

    CLB 100001: 6 bao + 2 so schools; CLB 100002: 10 bao + 6 so; one bao school of
    100001 only starts (a draft, never counted). Each school gives a pattern of codes
    that differs per statement, "geen zicht" (0) included."""
    from survey.services import answers as answer_service

    def make(state: str = "published", min_group_size: int = 5):
        round_id = make_round(min_group_size=min_group_size)
        given = []
        plan = [("100001", "bao", 6), ("100001", "so", 2), ("100002", "bao", 10),
                ("100002", "so", 6)]
        numbers = [s.number for s in questionnaire.statements]
        k = 0
        for centre, level, count in plan:
            for _ in range(count):
                k += 1
                inv = make_invited(round_id, level, centre)
                values = {n: (k * 7 + n * 3 + (2 if centre == "100002" else 0)) % 5
                          for n in numbers}
                with app.app_context():
                    answer_service.save(db.session, inv.invitation_id, values,
                                        {"opmerking-algemeen": f"Opmerking van school {k}"},
                                        submit=True)
                    db.session.commit()
                given.append((centre, level, values))
        draft = make_invited(round_id, "bao", "100001")
        with app.app_context():
            answer_service.save(db.session, draft.invitation_id, dict.fromkeys(numbers, 1))
            from survey.models import Round

            rnd = db.session.get(Round, round_id)
            rnd.state = state
            db.session.commit()
        return round_id, given

    return make


# --- Browser tests --------------------------------------------------------------------

CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never a browser download)."""
    if not Path(CHROMIUM).exists():
        need_service(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_service("browser tests need the playwright package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 in a thread; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
