"""Console routes of the questionnaire library: upload (every fault shown, nothing stored),
preview as a school would see it (nothing stored), publish after seeing the changes, delete
a concept, download any version as TOML or .xlsx. The library service does the work."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from instrument import routing

from ..database import write_transaction
from ..extensions import db
from ..models import QuestionnaireVersion
from ..respond.forms import collect, form_class, readable
from ..services import accounts, library
from ..services import answers as answer_service
from . import bp
from .forms import LibraryActionForm, QuestionnaireUploadForm


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    library.ensure_bundled(db.session)       # a bookmarked page on a fresh database
    version = library.get(db.session, version_id)
    if version is None:
        abort(404)
    return version


def _library_page(form: QuestionnaireUploadForm, faults=(), filename: str = "",
                  status: int = 200):
    library.ensure_bundled(db.session)
    return render_template("admin/questionnaires.html", form=form, faults=faults,
                           filename=filename, versions=library.versions(db.session),
                           used=library.rounds_using(db.session)), status


@bp.get("/vragenlijsten")
def questionnaires():
    return _library_page(QuestionnaireUploadForm())


@bp.post("/vragenlijsten")
def questionnaire_upload():
    # the app's MAX_CONTENT_LENGTH already stops larger bodies before CSRFProtect reads
    # them; this keeps the library's own limit should that setting ever be raised
    if (request.content_length or 0) > library.MAX_BYTES + 64 * 1024:
        abort(413)
    form = QuestionnaireUploadForm()
    if not form.validate_on_submit():
        return _library_page(form, status=400)
    upload = form.file.data
    filename = upload.filename or ""
    data = upload.read(library.MAX_BYTES + 1)
    try:
        version = library.upload(db.session, current_user, data, filename)
    except library.QuestionnaireError as exc:
        return _library_page(form, faults=exc.problems, filename=filename, status=400)
    except library.LibraryError as exc:
        return _library_page(form, faults=[str(exc)], filename=filename, status=400)
    flash(gettext("%(file)s is gelezen zonder fouten en bewaard als concept: versie "
                  "%(version)s van %(id)s. Bekijk het voorbeeld en publiceer de versie "
                  "wanneer ze klaar is.", file=version.source_name, version=version.version,
                  id=version.questionnaire_id), "success")
    return redirect(url_for(".questionnaire_preview", version_id=version.id), 303)


def _preview_page(version: QuestionnaireVersion, form=None, answers=None, remarks=None,
                  problems=(), checked: bool = False, status: int = 200):
    q = library.questionnaire(version)
    answers = answers or {}
    shown = routing.shown(q, answers)
    missing = routing.missing(q, answers, remarks or {}) if checked else None
    return render_template("admin/questionnaires_preview.html", version=version, q=q,
                           form=form or form_class(q)(), shown=shown, conflicts={},
                           preview=True, problems=problems, missing=missing,
                           checked=checked, rules=routing.client_rules(q)), status


@bp.get("/vragenlijsten/<int:version_id>")
def questionnaire_preview(version_id: int):
    return _preview_page(_version_or_404(version_id))


@bp.post("/vragenlijsten/<int:version_id>")
def questionnaire_preview_check(version_id: int):
    """The preview as posted: checked as a school's answers would be, routing applied,
    and nothing at all written (CSRF is still checked, by CSRFProtect)."""
    version = _version_or_404(version_id)
    q = library.questionnaire(version)
    form = form_class(q)(request.form)
    form.validate()
    problems: list[str] = []
    try:
        given, remarks = collect(q, request.form)
        answer_service.validate(q, given, remarks)
    except answer_service.InvalidAnswers as exc:
        problems = list(exc.problems)
        given, remarks = readable(q, request.form), {}
    answers = {slot: value for slot, value in given.items() if value is not None}
    remarks = {key: text for key, text in remarks.items() if text}
    status = 422 if problems or form.errors else 200
    return _preview_page(version, form, answers, remarks, problems, checked=True,
                         status=status)


@bp.get("/vragenlijsten/<int:version_id>/publiceren")
def questionnaire_publish_confirm(version_id: int):
    version = _version_or_404(version_id)
    before, changes = library.changes(db.session, version)
    return render_template("admin/questionnaires_publish.html", version=version,
                           before=before, changes=changes, form=LibraryActionForm())


@bp.post("/vragenlijsten/<int:version_id>/publiceren")
def questionnaire_publish(version_id: int):
    form = LibraryActionForm()
    if not form.validate_on_submit():
        abort(400)
    _version_or_404(version_id)
    try:
        version = library.publish(db.session, current_user, version_id)
    except library.LibraryError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".questionnaires"), 303)
    flash(gettext("Versie %(version)s van %(id)s is gepubliceerd. Ze kan niet meer worden "
                  "gewijzigd; u kunt er nu een bevraging op aanmaken.",
                  version=version.version, id=version.questionnaire_id), "success")
    return redirect(url_for(".questionnaires"), 303)


@bp.get("/vragenlijsten/<int:version_id>/verwijderen")
def questionnaire_delete_confirm(version_id: int):
    version = _version_or_404(version_id)
    return render_template("admin/questionnaires_delete.html", version=version,
                           form=LibraryActionForm())


@bp.post("/vragenlijsten/<int:version_id>/verwijderen")
def questionnaire_delete(version_id: int):
    form = LibraryActionForm()
    if not form.validate_on_submit():
        abort(400)
    _version_or_404(version_id)
    try:
        name = library.delete(db.session, current_user, version_id)
    except library.LibraryError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Het concept %(name)s is verwijderd.", name=name), "success")
    return redirect(url_for(".questionnaires"), 303)


@bp.get("/vragenlijsten/<int:version_id>/download.toml", defaults={"format_": "toml"})
@bp.get("/vragenlijsten/<int:version_id>/download.xlsx", defaults={"format_": "xlsx"})
def questionnaire_download(version_id: int, format_: str):
    version = _version_or_404(version_id)
    download = library.download(version, format_)
    with write_transaction(db.session):
        accounts.audit(db.session, current_user, "questionnaire downloaded",
                       f"{version.questionnaire_id} {version.version}", format=format_)
    return Response(download.data, mimetype=download.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{download.filename}"'})
