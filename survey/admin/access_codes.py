"""The console's pages for an anonymous round's codes: make them per school (and class),
download them as printable slips and as .xlsx, follow how many are spent.

The plain codes exist only while they are made: the POST that makes them answers with the
file itself (the PDF of slips or the .xlsx list, reports/code_slips.py). Nothing is
kept to download again later: holding the codes, even encrypted for minutes, would put
every unused code of a school in one place on the server; an inspector who loses the file
makes more codes (the lost ones are simply never used).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from instrument.domain import AUDIENCE_PLURALS, Audience
from reports import code_slips

from ..database import write_transaction
from ..extensions import db
from ..formatting import local_datetime
from ..models import Invitation
from ..results import attachment, xlsx_download
from ..services import access_codes, accounts
from . import bp
from .forms import MakeCodesForm
from .rounds import round_or_404


@bp.get("/rondes/<int:round_id>/codes")
def round_codes(round_id: int):
    rnd = round_or_404(round_id)
    # A link round's page says so (the directors answer with their personal links).
    schools = access_codes.figures(db.session, rnd.id) if rnd.uses_codes else []
    return render_template("admin/round_codes.html", rnd=rnd, schools=schools,
                           form=MakeCodesForm())


@bp.post("/rondes/<int:round_id>/codes")
def round_codes_make(round_id: int):
    rnd = round_or_404(round_id)
    if not rnd.uses_codes:
        abort(404)
    form = MakeCodesForm()
    invitation = None
    if (form.invitation.data or "").isdigit() and len(form.invitation.data) < 10:
        invitation = db.session.get(Invitation, int(form.invitation.data))
    if not form.validate_on_submit() or invitation is None or invitation.round_id != rnd.id:
        problems = [m for errors in form.errors.values() for m in errors] or [
            gettext("Kies een school van deze bevraging.")]
        for problem in problems:
            flash(problem, "error")
        return redirect(url_for(".round_codes", round_id=rnd.id), 303)
    try:
        groups = access_codes.parse_groups(form.groups.data, form.count.data)
        with write_transaction(db.session):
            made = access_codes.make_codes(db.session, rnd, invitation, groups)
            accounts.audit(db.session, current_user, "access codes made", rnd.name,
                           school=invitation.school.number, codes=len(made))
    except access_codes.CodeError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".round_codes", round_id=rnd.id), 303)
    school = invitation.school
    base = current_app.config["SURVEY_BASE_URL"].rstrip("/")
    audience = AUDIENCE_PLURALS.get(Audience(rnd.audience), rnd.audience)
    sheet = code_slips.SlipSheet(
        round_name=rnd.name, school_name=school.name, school_number=school.number,
        audience=gettext(audience), entry_url=f"{base}/c",
        closes=local_datetime(rnd.closes_at) if rnd.closes_at else None,
        slips=[code_slips.Slip(code=plain.code, url=f"{base}/c/{plain.code}",
                               group=plain.group or None) for plain in made])
    filename = f"codes-{rnd.id}-{school.number}"
    if request.form.get("format") == "pdf":
        return attachment(code_slips.slips_pdf(sheet), "application/pdf", f"{filename}.pdf")
    return xlsx_download(code_slips.slips_xlsx([sheet]), f"{filename}.xlsx")
