"""Settings: defaults, instance config.py, SURVEY_* environment variables."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey import create_app
from survey.config import SETTINGS, from_environment, normalise_database_url


@pytest.fixture
def instance(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(path))
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    return path


def test_without_settings_it_uses_sqlite_in_the_instance_folder(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'survey.sqlite3'}"
    assert instance.is_dir()
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None, "CSRF tokens live as long as the session"
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def test_environment_overrides_instance_config(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-file'\nSURVEY_BASE_URL = 'https://file.example/'\n")
    monkeypatch.setenv("SURVEY_SECRET_KEY", "from-env")
    monkeypatch.setenv("SURVEY_SESSION_HOURS", "2.5")
    monkeypatch.setenv("SURVEY_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SURVEY_BASE_URL"] == "https://file.example"
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=2.5)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_test_config_replaces_file_and_environment(instance, monkeypatch):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "from-env")
    app = create_app({"SECRET_KEY": "given", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "given"


def test_a_malformed_setting_says_which_one():
    with pytest.raises(RuntimeError, match="SURVEY_SESSION_HOURS"):
        from_environment({"SURVEY_SESSION_HOURS": "lang"})


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_postgres_url_from_environment_gives_a_psycopg_engine(instance, monkeypatch):
    monkeypatch.setenv("SURVEY_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    app = create_app()
    with app.app_context():
        from survey.extensions import db

        assert db.engine.dialect.driver == "psycopg"


@pytest.mark.parametrize(("key", "refused"), [
    (None, True),                                   # the development default
    ("kort-geheim", True),
    ("x" * 31, True),
    ("a-long-random-value-of-enough-characters-0123", False),
])
def test_production_refuses_a_default_or_short_secret_key(instance, monkeypatch, key,
                                                          refused):
    from survey.config import ConfigError

    monkeypatch.setenv("SURVEY_ENV", "production")
    if key:
        monkeypatch.setenv("SURVEY_SECRET_KEY", key)
    if refused:
        with pytest.raises(ConfigError, match="SURVEY_SECRET_KEY"):
            create_app()
    else:
        assert create_app().config["SURVEY_ENV"] == "production"


def test_development_is_the_default_outside_gunicorn(instance):
    assert create_app().config["SURVEY_ENV"] == "development"


def test_gunicorn_will_not_serve_without_a_secret_key(instance, tmp_path):
    """From outside: the production command of the README, without SURVEY_SECRET_KEY."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    env["SURVEY_INSTANCE_PATH"] = str(instance)
    done = subprocess.run([str(gunicorn), "survey:create_app()", "--bind", "127.0.0.1:0",
                           "--workers", "1"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "SURVEY_SECRET_KEY" in done.stderr


def test_trusted_proxies_default_to_none(instance):
    app = create_app()
    assert app.config["SURVEY_TRUSTED_PROXIES"] == 0
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.2"},
                                  headers={"X-Forwarded-For": "203.0.113.9"}):
        from flask import request

        assert request.remote_addr == "10.0.0.2"


def test_one_trusted_proxy_gives_the_last_forwarded_hop(instance, monkeypatch):
    monkeypatch.setenv("SURVEY_TRUSTED_PROXIES", "1")
    app = create_app()
    seen = {}

    @app.get("/wie")
    def who():
        from flask import request

        seen.update(address=request.remote_addr, scheme=request.scheme)
        return ""

    app.test_client().get("/wie", environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={
        "X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == {"address": "203.0.113.9", "scheme": "https"}


@pytest.mark.parametrize("value", ["-1", "9"])
def test_an_impossible_number_of_proxies_is_refused(instance, monkeypatch, value):
    from survey.config import ConfigError

    monkeypatch.setenv("SURVEY_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="SURVEY_TRUSTED_PROXIES"):
        create_app()


def test_the_shipped_gunicorn_configuration_loads_with_its_documented_values(monkeypatch):
    """As gunicorn reads it (`-c python:survey.gunicorn_config`), and overridable."""
    import importlib
    import multiprocessing

    from gunicorn.config import Config

    import survey.gunicorn_config as shipped

    for name in ("SURVEY_WORKERS", "SURVEY_THREADS", "SURVEY_TIMEOUT", "SURVEY_KEEPALIVE",
                 "SURVEY_WORKER_CONNECTIONS",
                 "SURVEY_BIND", "SURVEY_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    importlib.reload(shipped)

    def loaded() -> Config:
        config = Config()
        for key, value in vars(importlib.reload(shipped)).items():
            if key in config.settings:
                config.set(key, value)
        return config

    config = loaded()
    assert config.worker_class_str == "gthread"
    assert config.workers == 2 * multiprocessing.cpu_count()
    assert config.threads == 16 and config.timeout == 60 and config.keepalive == 0
    assert config.worker_connections == 16
    assert config.graceful_timeout == 30 and config.bind == ["127.0.0.1:8000"]
    monkeypatch.setenv("SURVEY_WORKERS", "3")
    monkeypatch.setenv("SURVEY_THREADS", "8")
    config = loaded()
    assert (config.workers, config.threads, config.worker_connections) == (3, 8, 8)


def test_gunicorn_accepts_the_python_module_form(tmp_path):
    """gunicorn itself reads `-c python:survey.gunicorn_config` (--check-config)."""
    import subprocess
    import sys
    from pathlib import Path

    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run([str(gunicorn), "-c", "python:survey.gunicorn_config",
                           "--check-config", "--print-config", "survey:create_app()"],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "SURVEY_INSTANCE_PATH": str(tmp_path),
                               "SURVEY_SECRET_KEY": "k" * 40, "SURVEY_THREADS": "12"})
    assert done.returncode == 0, done.stderr
    import re

    assert re.search(r"^worker_class\s+= gthread$", done.stdout, re.M)
    assert re.search(r"^threads\s+= 12$", done.stdout, re.M)
    assert re.search(r"^worker_connections\s+= 12$", done.stdout, re.M)
