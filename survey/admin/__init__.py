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


def allow_large_uploads(app) -> None:
    """An import file may be larger than any other form (past the limit: a Dutch 413 page).
    Registered before CSRFProtect, whose check reads the form first."""
    from ..tabular import MAX_BYTES

    @app.before_request
    def _import_limit():
        if request.endpoint == "admin.import_upload":
            request.max_content_length = MAX_BYTES + 64 * 1024


from . import questionnaires, reports, rounds, sending, views  # noqa: E402,F401  (register the routes on bp)
