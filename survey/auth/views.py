"""Routes of sign-in and sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user

from ..database import write_transaction
from ..extensions import db
from ..services import accounts
from . import bp
from .forms import LoginForm, LogoutForm, SetPasswordForm
from .session import end_staff_session, start_staff_session


def _home_for(user) -> str:
    return url_for("admin.dashboard") if user.is_inspector else url_for("portal.home")


def _safe_next(target: str | None) -> str | None:
    r"""Only a path on this site, never another host. Decided on what a browser makes of
    the value: it drops tabs and newlines anywhere, strips leading spaces and control
    characters, and reads a backslash as a slash, so "/\t/evil" and "/\evil" both mean
    "//evil", another host. Anything with a control character is refused outright (a CR/LF
    would also break the Location header)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    seen = target.replace("\\", "/").strip()
    if not seen.startswith("/") or seen.startswith("//"):
        return None
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return None
    return seen


@bp.route("/aanmelden", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = accounts.check_login(db.session, form.email.data, form.password.data,
                                      request.remote_addr or "?")
        if result.user is not None:
            with write_transaction(db.session):
                accounts.audit(db.session, result.user, "login")
            login_user(result.user)
            start_staff_session()
            return redirect(_safe_next(request.args.get("next")) or _home_for(result.user))
        flash(result.message, "error")
        status = 429 if result.throttled else 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/afmelden")
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        with write_transaction(db.session):
            user = current_user._get_current_object()
            accounts.end_sessions(user)
            accounts.audit(db.session, user, "logout")
        end_staff_session()
        flash(gettext("U bent afgemeld."), "success")
    return redirect(url_for(".login"))


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    invite = accounts.find_invite(db.session, token)
    if invite is None:
        return render_template("auth/link_expired.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            with write_transaction(db.session):
                user = accounts.redeem_invite(db.session, token, form.password.data)
                accounts.audit(db.session, user, "password set")
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(gettext("Uw wachtwoord is ingesteld. Meld u aan."), "success")
            return redirect(url_for(".login"))
    return render_template("auth/set_password.html", form=form, user=invite.user,
                           minimum_length=accounts.MIN_PASSWORD)
