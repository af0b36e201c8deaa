"""Sign-in for inspectors and CLB staff: login, logout, set-password links, session limits."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from . import views  # noqa: E402,F401  (registers the routes on bp)
