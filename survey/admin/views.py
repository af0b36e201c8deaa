"""Routes of the inspectors' console: overview, sector import, users, audit log."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..database import write_transaction
from ..extensions import db
from ..models import AuditEvent, Centre, Invitation, Response, Round, School, User
from ..routing import page_number
from ..services import accounts
from ..services.sector_import import apply_import, plan_import
from ..tabular import MAX_BYTES, TableError, read_table
from . import audit_labels, bp, uploads
from .forms import AccountActionForm, ConfirmImportForm, InviteUserForm, UploadForm


@bp.get("/")
def dashboard():
    counts = dict(db.session.execute(
        select(Invitation.round_id, func.count()).group_by(Invitation.round_id)).all())
    submitted = dict(db.session.execute(
        select(Invitation.round_id, func.count())
        .join(Response, Response.invitation_id == Invitation.id)
        .where(Response.status == "submitted").group_by(Invitation.round_id)).all())
    rounds = db.session.scalars(select(Round).order_by(Round.created_at.desc())).all()
    sector = {"centres": db.session.scalar(select(func.count()).select_from(Centre)),
              "schools": db.session.scalar(select(func.count()).select_from(School))}
    return render_template("admin/dashboard.html", rounds=rounds, invited=counts,
                           submitted=submitted, sector=sector)


@bp.route("/inlezen", methods=["GET", "POST"])
def import_upload():
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_BYTES + 1)
        filename = form.file.data.filename or ""
        try:
            table = read_table(data, filename)
            plan = plan_import(db.session, table)
        except TableError as exc:
            form.file.errors.append(str(exc))
        else:
            # kept only when there is something to confirm; deleted once applied or cancelled
            upload = uploads.keep(data, filename) if plan.changes else None
            with write_transaction(db.session):
                accounts.audit(db.session, current_user, "import dry run", filename,
                               rows=plan.rows, rejected=len(plan.rejected))
            return render_template("admin/import_plan.html", plan=plan, filename=filename,
                                   confirm=ConfirmImportForm(upload=upload) if upload else None)
    status = 400 if form.errors else 200
    return render_template("admin/import_upload.html", form=form), status


@bp.post("/inlezen/bevestigen")
def import_confirm():
    form = ConfirmImportForm()
    kept = uploads.fetch(form.upload.data or "") if form.validate_on_submit() else None
    if kept is None:
        flash(gettext("Dit voorbeeld is verlopen. Lees het bestand opnieuw in."), "error")
        return redirect(url_for(".import_upload"))
    data, name = kept
    try:
        table = read_table(data, name)
    except TableError as exc:   # read the same way as in the dry run; kept for safety
        uploads.discard(form.upload.data)
        flash(str(exc), "error")
        return redirect(url_for(".import_upload"))
    plan = apply_import(db.session, table)
    uploads.discard(form.upload.data)
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, "import applied", name,
                       changes=plan.changes, rejected=len(plan.rejected))
    flash(" ".join((
        gettext("Ingelezen: CLB's %(centres_new)d nieuw, %(centres_changed)d gewijzigd; "
                "scholen %(schools_new)d nieuw, %(schools_changed)d gewijzigd.",
                centres_new=len(plan.centres_new), centres_changed=len(plan.centres_changed),
                schools_new=len(plan.schools_new), schools_changed=len(plan.schools_changed)),
        ngettext("%(num)d rij geweigerd.", "%(num)d rijen geweigerd.", len(plan.rejected)))),
        "success")
    return redirect(url_for(".dashboard"))


@bp.route("/gebruikers", methods=["GET", "POST"])
def users():
    form = InviteUserForm()
    centres = db.session.scalars(select(Centre).order_by(Centre.name)).all()
    form.centre.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.name} ({c.number})") for c in centres]
    link = None
    if form.validate_on_submit():
        centre = db.session.get(Centre, int(form.centre.data)) if form.centre.data else None
        try:
            with write_transaction(db.session):
                user = accounts.create_user(
                    db.session, form.email.data, form.role.data,
                    centre=centre if form.role.data == "centre" else None,
                    name=form.name.data or "")
                token = accounts.issue_invite(db.session, user)
                accounts.audit(db.session, current_user, "user invited", user.email,
                               role=user.role)
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            link = _set_password_link(token)
    return _users_page(form=form, link=link)


def _set_password_link(token: str) -> str:
    return current_app.config["SURVEY_BASE_URL"] + url_for("auth.set_password", token=token)


def _users_page(form=None, link=None, error=None, status=200):
    if form is None:
        form = InviteUserForm(formdata=None)
        form.centre.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(c.id), f"{c.name} ({c.number})")
            for c in db.session.scalars(select(Centre).order_by(Centre.name))]
    return render_template("admin/users.html", form=form, people=accounts.users_with_state(
        db.session), link=link, error=error, action_form=AccountActionForm(),
        invite_hours=accounts.INVITE_HOURS), status


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/gebruikers/<int:user_id>/deactiveren", methods=["GET", "POST"])
def user_deactivate(user_id: int):
    """GET asks for confirmation; the POST of that page deactivates."""
    user = _account(user_id)
    form = AccountActionForm()
    if form.validate_on_submit():
        try:
            accounts.deactivate(db.session, current_user, user)
        except accounts.AccountError as exc:
            return _users_page(error=str(exc))
        flash(gettext("Het account %(email)s is gedeactiveerd; het kan niet meer aanmelden.",
                      email=user.email), "success")
        return redirect(url_for(".users"))
    if request.method == "POST":
        abort(400)
    return render_template("admin/users_deactivate.html", user=user, form=form)


@bp.post("/gebruikers/<int:user_id>/heractiveren")
def user_reactivate(user_id: int):
    user = _account(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    accounts.reactivate(db.session, current_user, user)
    flash(gettext("Het account %(email)s is opnieuw actief.", email=user.email), "success")
    return redirect(url_for(".users"))


@bp.post("/gebruikers/<int:user_id>/link")
def user_new_link(user_id: int):
    user = _account(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    try:
        token = accounts.send_new_link(db.session, current_user, user)
    except accounts.AccountError as exc:
        return _users_page(error=str(exc))
    return _users_page(link=_set_password_link(token))


@bp.get("/logboek")
def audit_log():
    """Newest first, 100 a page; optionally one kind of action (`soort`, as stored)."""
    page = page_number(request.args)
    kind = request.args.get("soort", "")[:100]
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if kind:
        query = query.where(AuditEvent.action == kind)
    events = db.session.scalars(query.limit(100).offset((page - 1) * 100)).all()
    kinds = audit_labels.choices(list(db.session.scalars(
        select(AuditEvent.action).distinct())))
    return render_template("admin/audit.html", events=events, page=page, kind=kind,
                           kinds=kinds, action_label=audit_labels.action_label,
                           detail_label=audit_labels.detail_label,
                           detail_value=audit_labels.detail_value)
