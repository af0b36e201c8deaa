"""The survey platform's Flask application: create_app() builds it."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale, gettext

from instrument import i18n as instrument_i18n

from . import config as settings
from . import routing
from .database import tune_engine
from .extensions import babel, csrf, db, migrate

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """Templates and questionnaires live at the top of a checkout and inside the package
    when installed from a wheel (see pyproject.toml's force-include)."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def available_languages() -> frozenset[str]:
    """The languages that have a compiled catalogue, the default always among them (in an
    app context)."""
    return frozenset(str(locale) for locale in babel.list_translations())


def select_locale() -> str:
    """The language of this request: the default (Dutch) unless the session asks for another
    that has a catalogue (a round's language will set it). Outside a request (CLI, jobs)
    always the default."""
    languages = current_app.extensions["survey_languages"]
    wanted = session.get("language") if has_request_context() else None
    if isinstance(wanted, str) and wanted in languages:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def engine_text(message: str) -> str:
    """The questionnaire engine's translator: the request's language inside a request, the
    Dutch source text outside one (CLI, jobs, tests calling the engine)."""
    return gettext(message) if has_request_context() else message


def current_language() -> str:
    """The page's language for <html lang>: "nl", "fr", "nl-BE"."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).replace("_", "-")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or None,
                instance_relative_config=True, template_folder=str(_resource_dir("templates")))
    routing.register(app)  # ids in URLs bounded to the database's integers, app-wide
    app.config.from_mapping(settings.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(settings.from_environment(os.environ))
    else:
        app.config.update(test_config)
    settings.finalise(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := int(app.config["SURVEY_TRUSTED_PROXIES"] or 0):
        # Only the last `proxies` hops of X-Forwarded-For are believed: whatever a client
        # puts in the header itself comes before them. Every limit keys on remote_addr.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        app.extensions["survey_languages"] = available_languages()
    app.add_template_global(current_language)
    instrument_i18n.install(engine_text)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)
    from .admin import allow_large_uploads

    allow_large_uploads(app)  # before CSRFProtect: see there
    csrf.init_app(app)
    with app.app_context():
        tune_engine(db.engine, app.config["SURVEY_SQLITE_BUSY_MS"])

    from . import errors, formatting, security
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .auth import session as staff_session
    from .portal import bp as portal_bp
    from .respond import bp as respond_bp

    staff_session.init(app)
    csrf.exempt(respond_bp)  # checked per POST in respond.access, with the form ticket
    app.register_blueprint(respond_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(portal_bp)
    errors.register(app)
    security.register(app)
    formatting.register(app)

    from . import jobs

    jobs.init_app(app)  # the job queue: built from the config, nothing at import time

    from .cli import register_commands

    register_commands(app)
    return app
