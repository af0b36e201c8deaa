"""Flask-Login wiring: users are loaded with their session epoch (logout ends every copy of
a session), and staff sessions end after an idle and an absolute limit."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, flash, session
from flask_babel import gettext
from flask_login import current_user, logout_user

from ..extensions import db, login_manager
from ..models import User
from ..translations import lazy_gettext

AUTH_KEYS = ("_user_id", "_fresh", "_id", "staff_since", "staff_seen")


def init(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Lazy, and made a plain text in the request's language when flashed (a flashed
    # message goes into the session cookie, which takes only plain values).
    login_manager.login_message = lazy_gettext("Meld u aan om deze pagina te zien.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    # Flask-Login's "remember me" cookie is not used: every session ends.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        uid, _, epoch = user_id.partition(":")
        if not uid.isdigit() or not epoch.isdigit():
            return None
        user = db.session.get(User, int(uid))
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user

    @app.before_request
    def _limit_staff_sessions():
        if not current_user.is_authenticated:
            return
        now = datetime.now(UTC).timestamp()
        since, seen = session.get("staff_since", 0), session.get("staff_seen", 0)
        idle = current_app.config["SURVEY_STAFF_IDLE_MINUTES"] * 60
        longest = current_app.config["SURVEY_STAFF_MAX_HOURS"] * 3600
        if now - seen > idle or now - since > longest:
            end_staff_session()
            flash(gettext("Uw sessie is verlopen. Meld u opnieuw aan."), "info")
            return
        session["staff_seen"] = now


def start_staff_session() -> None:
    now = datetime.now(UTC).timestamp()
    session["staff_since"] = session["staff_seen"] = now
    session.permanent = True


def end_staff_session() -> None:
    logout_user()
    for key in AUTH_KEYS:  # a school's answering session in the same browser stays
        session.pop(key, None)
