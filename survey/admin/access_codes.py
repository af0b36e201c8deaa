"""The console's pages for an anonymous round's codes: make them per school (and class),
download them as printable slips and as .xlsx, follow how many are spent.

The plain codes exist only while they are made: the POST that makes them answers with the
file itself (an .xlsx, or the PDF of slips when reports/code_slips.py is there). Nothing is
kept to download again later: holding the codes, even encrypted for minutes, would put
every unused code of a school in one place on the server; an inspector who loses the file
makes more codes (the lost ones are simply never used).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from instrument.domain import AUDIENCE_PLURALS, Audience
from reports import xlsx

from ..database import write_transaction
from ..extensions import db
from ..formatting import local_datetime
from ..models import Invitation
from ..results import attachment, xlsx_download
from ..services import access_codes, accounts
from . import bp
from .forms import MakeCodesForm
from .rounds import round_or_404


def _slips_module():
    """reports.code_slips when it is installed (the PDF of slips), else None."""
    try:
        from reports import code_slips
    except ImportError:
        return None
    return code_slips if hasattr(code_slips, "slips_pdf") else None


@bp.get("/rondes/<int:round_id>/codes")
def round_codes(round_id: int):
    rnd = round_or_404(round_id)
    # A link round's page says so (the directors answer with their personal links).
    schools = access_codes.figures(db.session, rnd.id) if rnd.uses_codes else []
    return render_template("admin/round_codes.html", rnd=rnd, schools=schools,
                           form=MakeCodesForm(), pdf=_slips_module() is not None)


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
    rows = [(plain.group or "", plain.code, f"{base}/c/{plain.code}") for plain in made]
    filename = f"codes-{rnd.id}-{school.number}"
    slips = _slips_module()
    if slips is not None and request.form.get("format") == "pdf":
        audience = AUDIENCE_PLURALS.get(Audience(rnd.audience), rnd.audience)
        sheet = slips.SlipSheet(
            round_name=rnd.name, school_name=school.name, school_number=school.number,
            audience=gettext(audience), entry_url=f"{base}/c",
            closes=local_datetime(rnd.closes_at) if rnd.closes_at else None,
            slips=[slips.Slip(code=code, url=url, group=group or None)
                   for group, code, url in rows])
        return attachment(slips.slips_pdf(sheet), "application/pdf", f"{filename}.pdf")
    data = xlsx.workbook([(gettext("Codes"), [gettext("Groep"), gettext("Code"),
                                             gettext("Link")], rows)])
    return xlsx_download(data, f"{filename}.xlsx")
