"""Settings: defaults, then the instance folder's config.py, then SURVEY_* environment variables.

Every setting a user can change is listed in SETTINGS with its environment variable; the
README's configuration table is written from the same list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    kind: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SQLALCHEMY_DATABASE_URI", "SURVEY_DATABASE_URL", str,
            "Database URL; default SQLite file survey.sqlite3 in the instance folder. "
            "PostgreSQL: postgresql+psycopg://user:pass@host/db"),
    Setting("SECRET_KEY", "SURVEY_SECRET_KEY", str,
            "Signs sessions, CSRF tokens and form tickets. Required in production."),
    Setting("SURVEY_BASE_URL", "SURVEY_BASE_URL", str,
            "Public address used in the links sent to schools, e.g. https://bevraging.example.be"),
    Setting("SURVEY_SESSION_HOURS", "SURVEY_SESSION_HOURS", float,
            "Idle lifetime of a school's session in hours (default 12)"),
    Setting("SURVEY_TICKET_DAYS", "SURVEY_TICKET_DAYS", float,
            "How long an open form page can still save after its session expired (default 7)"),
    Setting("SURVEY_SQLITE_BUSY_MS", "SURVEY_SQLITE_BUSY_MS", int,
            "SQLite only: how long a writer waits for the write lock, in ms (default 30000)"),
    Setting("SURVEY_STAFF_IDLE_MINUTES", "SURVEY_STAFF_IDLE_MINUTES", float,
            "Inspectors and CLB staff are signed out after this many idle minutes (default 30)"),
    Setting("SURVEY_STAFF_MAX_HOURS", "SURVEY_STAFF_MAX_HOURS", float,
            "... and after this many hours whatever they do (default 12)"),
    Setting("SURVEY_SMTP_HOST", "SURVEY_SMTP_HOST", str,
            "Mail server; empty: mails are written as .eml files to the instance outbox/"),
    Setting("SURVEY_SMTP_PORT", "SURVEY_SMTP_PORT", int, "Mail server port (default 25)"),
    Setting("SURVEY_SMTP_USER", "SURVEY_SMTP_USER", str, "Mail server user, if it needs one"),
    Setting("SURVEY_SMTP_PASSWORD", "SURVEY_SMTP_PASSWORD", str, "Mail server password"),
    Setting("SURVEY_SMTP_STARTTLS", "SURVEY_SMTP_STARTTLS", bool,
            "Use STARTTLS (default off)"),
    Setting("SURVEY_SMTP_PER_CONNECTION", "SURVEY_SMTP_PER_CONNECTION", int,
            "Mails sent over one connection to the mail server before a new one is made "
            "(default 100)"),
    Setting("SURVEY_MAIL_FROM", "SURVEY_MAIL_FROM", str,
            "Sender of mails to schools (default Onderwijsinspectie <noreply@localhost>)"),
    Setting("SESSION_COOKIE_SECURE", "SURVEY_COOKIE_SECURE", bool,
            "Send cookies over https only (default: on when SURVEY_BASE_URL is https)"),
    Setting("SURVEY_TRUSTED_PROXIES", "SURVEY_TRUSTED_PROXIES", int,
            "Number of reverse proxies in front of the app whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (default 0: ignored, they can be forged). "
            "1 behind one nginx: the client address is the proxy's last hop"),
    Setting("SURVEY_REDIS_URL", "SURVEY_REDIS_URL", str,
            "Redis for the job queue, e.g. redis://10.0.0.5:6379/0, so that workers on several "
            "hosts share the jobs; empty (default): the embedded queue, jobs.sqlite3 in the "
            "instance folder, for workers on this host"),
    Setting("SURVEY_JOB_WORKERS", "SURVEY_JOB_WORKERS", int,
            "Jobs one `survey worker` runs at the same time (default 2)"),
    Setting("SURVEY_JOB_WORKER_TYPE", "SURVEY_JOB_WORKER_TYPE", str,
            "process (default: each job in a worker process of its own) or thread"),
    Setting("SURVEY_MAIL_PER_MINUTE", "SURVEY_MAIL_PER_MINUTE", int,
            "Most mails one mail job hands to the mail server per minute (default 600; "
            "0: no limit)"),
    Setting("SURVEY_JOB_LEASE_SECONDS", "SURVEY_JOB_LEASE_SECONDS", int,
            "A running job whose worker has not been heard of for this long is counted as "
            "stopped, and started again or shown as failed (default 120)"),
    Setting("SURVEY_JOB_ATTEMPTS", "SURVEY_JOB_ATTEMPTS", int,
            "How often a job is started in all when its worker stops under it (default 3)"),
    Setting("SURVEY_EXPORT_KEEP_DAYS", "SURVEY_EXPORT_KEEP_DAYS", float,
            "Days an export file (all answers of a round, in instance/exports/) is kept; "
            "the newest per round and kind stays until a newer one or this age (default 7; "
            "0: no age limit)"),
    Setting("SURVEY_ENV", "SURVEY_ENV", str,
            "production or development (default; production when served by gunicorn). "
            "Production refuses to start without a long random SURVEY_SECRET_KEY"),
)

DEV_SECRET_KEY = "dev-only-not-secret"
# Inside the package, so a checkout and an installed wheel find the catalogues at the same
# place (docs/translations.md).
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to run; the message says which."""


def defaults(instance_path: str) -> dict:
    return {
        "SECRET_KEY": DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "survey.sqlite3"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SURVEY_BASE_URL": "http://127.0.0.1:5000",
        "SURVEY_SESSION_HOURS": 12.0,
        "SURVEY_TICKET_DAYS": 7.0,
        "SURVEY_SQLITE_BUSY_MS": 30000,
        "SURVEY_STAFF_IDLE_MINUTES": 30.0,
        "SURVEY_SMTP_HOST": "",
        "SURVEY_SMTP_PORT": 25,
        "SURVEY_SMTP_USER": "",
        "SURVEY_SMTP_PASSWORD": "",
        "SURVEY_SMTP_STARTTLS": False,
        "SURVEY_SMTP_PER_CONNECTION": 100,
        "SURVEY_MAIL_FROM": "Onderwijsinspectie <noreply@localhost>",
        "SURVEY_STAFF_MAX_HOURS": 12.0,
        "SURVEY_TRUSTED_PROXIES": 0,
        "SURVEY_REDIS_URL": "",
        "SURVEY_JOB_WORKERS": 2,
        "SURVEY_JOB_WORKER_TYPE": "process",
        "SURVEY_MAIL_PER_MINUTE": 600,
        "SURVEY_JOB_LEASE_SECONDS": 120,
        "SURVEY_JOB_ATTEMPTS": 3,
        "SURVEY_EXPORT_KEEP_DAYS": 7.0,
        # Run each job at once, in the request that starts it (huey's immediate mode);
        # None: only when TESTING (a test that wants a real queue sets False)
        "SURVEY_JOBS_IMMEDIATE": None,
        # A director may keep the form open for hours: the CSRF token lives as long as the
        # session instead of Flask-WTF's default hour.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,      # finalise(): on when SURVEY_BASE_URL is https
        "SESSION_COOKIE_NAME": "survey_session",
        # Re-signing the cookie on every response costs time on the submit path; the form
        # page refreshes the session explicitly, and the form ticket covers the rest.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Dutch is the source language of every text; another language needs only its
        # catalogue under translations/ (docs/translations.md).
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIR),
    }


def _parse(kind: type, raw: str):
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def from_environment(environ: os._Environ | dict) -> dict:
    found = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw not in (None, ""):
            try:
                found[setting.key] = _parse(setting.kind, raw)
            except ValueError as exc:
                raise RuntimeError(
                    f"{setting.env}={raw!r} is not a valid {setting.kind.__name__}") from exc
    return found


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def finalise(config) -> None:
    """Derive settings that depend on others, after every source has been read."""
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SURVEY_SESSION_HOURS"])
    config["SURVEY_BASE_URL"] = config["SURVEY_BASE_URL"].rstrip("/")
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = config["SURVEY_BASE_URL"].startswith("https://")
    env = config.get("SURVEY_ENV") or ("production" if _served_by_gunicorn() else
                                       "development")
    if env not in ("production", "development"):
        raise ConfigError(f"SURVEY_ENV={env!r}: use production or development.")
    config["SURVEY_ENV"] = env
    if not 0 <= int(config.get("SURVEY_TRUSTED_PROXIES") or 0) <= 5:
        raise ConfigError("SURVEY_TRUSTED_PROXIES: the number of reverse proxies in front "
                          "of the app, 0 to 5.")
    if config.get("SURVEY_JOBS_IMMEDIATE") is None:
        config["SURVEY_JOBS_IMMEDIATE"] = bool(config.get("TESTING"))
    worker_type = config.get("SURVEY_JOB_WORKER_TYPE")
    if worker_type not in ("process", "thread"):
        raise ConfigError(f"SURVEY_JOB_WORKER_TYPE={worker_type!r}: use process or thread.")
    key = config.get("SECRET_KEY") or ""
    if env == "production" and (key == DEV_SECRET_KEY or len(key) < MIN_SECRET_LENGTH):
        raise ConfigError(
            "Refusing to start in production without a secret key: set SURVEY_SECRET_KEY "
            f"to a random value of at least {MIN_SECRET_LENGTH} characters, the same on "
            "every host (for example: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))').")


def _served_by_gunicorn() -> bool:
    import sys

    return "gunicorn" in sys.modules and "gunicorn" in os.path.basename(sys.argv[0])
