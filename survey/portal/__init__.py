"""The CLB portal: a centre's staff see and download the results of published rounds.
Every query is filtered by the signed-in user's own CLB; anything else is a 404."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("portal", __name__, url_prefix="/clb")


@bp.before_request
def _centre_staff_only():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if current_user.role != "centre" or current_user.centre_id is None:
        abort(403)
    return None


from . import follow_up, views  # noqa: E402,F401  (register the routes on bp)
