"""The inspectors' console. Every route requires a signed-in inspector."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.before_request
def _inspectors_only():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not current_user.is_inspector:
        abort(403)
    return None


from . import rounds, sending, views  # noqa: E402,F401  (register the routes on bp)
