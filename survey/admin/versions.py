"""Console pages of a round's published report versions: the versions, how the live data
differs from the newest published one (per CLB), and the confirmed publication of the next
version (or of version 1, for a round published before versions existed). The work is in
services/report_versions.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange

from ..cleanforms import CleanForm
from ..extensions import db
from ..models import User
from ..services import report_versions
from . import bp
from .rounds import posted, round_or_404


class PublishVersionForm(CleanForm):
    """The number the confirmation page showed: a second post publishes nothing twice."""

    number = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])


def _authors(versions) -> dict[int, str]:
    ids = {v.created_by for v in versions if v.created_by is not None}
    if not ids:
        return {}
    users = db.session.scalars(db.select(User).where(User.id.in_(ids)))
    return {user.id: user.email for user in users}


@bp.get("/rondes/<int:round_id>/versies")
def round_versions(round_id: int):
    rnd = round_or_404(round_id)
    versions = report_versions.versions(db.session, rnd)
    pending = report_versions.pending(db.session, rnd) if rnd.state == "published" else None
    return render_template("admin/versions.html", rnd=rnd, versions=versions,
                           pending=pending, authors=_authors(versions),
                           label=report_versions.label)


@bp.get("/rondes/<int:round_id>/versies/nieuw")
def round_version_confirm(round_id: int):
    """What publishing the next version changes, for how many CLBs; the button posts. A
    round without anything to publish says why, without a button."""
    rnd = round_or_404(round_id)
    pending = blocked = None
    if rnd.state != "published":
        blocked = gettext("Alleen een gepubliceerde bevraging heeft versies.")
    else:
        pending = report_versions.pending(db.session, rnd)
        if pending.newest is not None and not pending.changed:
            blocked = gettext("Er is niets veranderd sinds versie %(number)s.",
                              number=pending.newest.number)
    form = PublishVersionForm(number=pending.next_number if pending else 1)
    return render_template("admin/versions_confirm.html", rnd=rnd, pending=pending,
                           blocked=blocked, form=form, label=report_versions.label)


@bp.post("/rondes/<int:round_id>/versies/nieuw")
def round_version_publish(round_id: int):
    rnd = round_or_404(round_id)
    form = posted(PublishVersionForm())
    try:
        version = report_versions.publish_version(db.session, rnd, current_user,
                                                  form.number.data)
    except report_versions.VersionError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Versie %(number)s is gepubliceerd: de CLB's zien ze nu.",
                      number=version.number), "success")
    return redirect(url_for(".round_versions", round_id=rnd.id))
