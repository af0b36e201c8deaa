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
    """An import or questionnaire file may be larger than any other form (past the limit:
    a Dutch 413 page).
    Registered before CSRFProtect, whose check reads the form first."""
    from instrument.loader import MAX_FILE_BYTES

    from ..tabular import MAX_BYTES

    limits = {"admin.import_upload": MAX_BYTES, "admin.questionnaire_upload": MAX_FILE_BYTES}

    @app.before_request
    def _import_limit():
        # past a file's own limit the form still arrives, so the page names the limit
        if request.endpoint in limits:
            request.max_content_length = limits[request.endpoint] + 64 * 1024


from . import (  # noqa: E402,F401  (register the routes on bp)
    access_codes,
    follow_up,
    jobs,
    outbox,
    questionnaires,
    remarks,
    reports,
    rounds,
    schedule,
    schools,
    sending,
    themes,
    versions,
    views,
)
