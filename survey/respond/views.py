"""Routes of the school's journey. Thin: the answer service does the work."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext

from instrument import routing

from ..extensions import db
from ..models import Invitation
from ..services import answers as answer_service
from ..services import basis, throttle
from ..services.rounds import (
    Access,
    access,
    find_link,
    questionnaire_by_stamp,
    questionnaire_for,
)
from . import bp
from .access import Respondent, authenticate_post, current_access, start_session, ticket
from .forms import (
    as_posted,
    autosaved,
    collect,
    form_class,
    initial_data,
    progress,
    readable,
)


def _page(template: str, status: int = 200, **context):
    return render_template(f"respond/{template}", **context), status


def _gate(acc: Access | None, *, for_writing: bool):
    """The page to show instead of the form, or None when the school may go on."""
    if acc is None:
        return _page("no_session.html", 403)
    if acc.revoked:
        return _page("revoked.html", 410)
    phase = acc.phase()
    if phase == "open" or (phase == "closed" and not for_writing):
        return None
    rnd = db.session.get(Invitation, acc.invitation_id).round
    if phase == "not_yet":
        return _page("not_open.html", 403, round=rnd)
    draft = answer_service.load_draft(db.session, acc.invitation_id)
    return _page("closed.html", 403, round=rnd, draft=draft)


def _context(acc: Access, **extra):
    inv = db.session.get(Invitation, acc.invitation_id)
    return {"school": inv.school, "centre": inv.centre, "round": inv.round,
            "ticket": ticket(), **extra}


def _form_page(acc: Access, formdata=None, status: int = 200, page_basis=None,
               conflicts=(), draft=None, problems=()):
    """The questionnaire with the draft; or, given `formdata`, as it was posted and
    refused (with the basis that page had, its WTForms messages and the service's
    `problems`). `conflicts`: fields changed in this tab and elsewhere."""
    q = questionnaire_for(db.session, acc)
    draft = draft or answer_service.load_draft(db.session, acc.invitation_id)
    if formdata is None or page_basis is None:
        page_basis = basis.of_draft(q, draft.answers, draft.remarks)
    answers = draft.answers
    if formdata is None:
        form = form_class(q)(data=initial_data(q, draft.answers, draft.remarks))
    else:
        form = form_class(q)(as_posted(q, formdata, draft.answers, draft.remarks))
        form.validate()
        # What the refused page showed as chosen decides its routing, where readable.
        answers = {k: v for k, v in {**answers, **readable(q, formdata)}.items()
                   if v is not None}
    shown = routing.shown(q, answers)
    return render_template("respond/form.html", form=form, q=q, draft=draft, shown=shown,
                           progress=progress(q, shown, draft.answers, draft.remarks),
                           rules=routing.client_rules(q), basis=basis.encode(page_basis),
                           conflicts={c.item.field_name: c for c in conflicts},
                           problems=problems, **_context(acc)), status


@bp.get("/")
def home():
    return render_template("respond/home.html")


@bp.get("/s/<token>")
def open_link(token: str):
    blocked, found = throttle.guarded_link(db.session, request.remote_addr or "?",
                                           lambda: find_link(db.session, token))
    if blocked:
        minutes = int(throttle.LINK_WINDOW.total_seconds() // 60)
        body, status = _page("too_many_links.html", 429, minutes=minutes)
        return body, status, {"Retry-After": str(minutes * 60)}
    if found is None:
        return _page("unknown_link.html", 404)
    start_session(Respondent.of(access(db.session, found.invitation_id), found.token_hash))
    # The token leaves the address bar at once; Referrer-Policy keeps it out of Referer.
    return redirect(url_for(".questionnaire"), 303)


@bp.get("/vragenlijst")
def questionnaire():
    acc = current_access()
    if (blocked := _gate(acc, for_writing=True)) is not None:
        return blocked
    if answer_service.is_submitted(db.session, acc.invitation_id):
        return redirect(url_for(".confirmation"), 303)
    session.modified = True  # every visit of the form restarts the idle lifetime
    return _form_page(acc)


def _posted(who: Respondent | None):
    """The questionnaire a POST answers, or the page to show instead."""
    if who is None:
        return None, _page("expired_form.html", 400)
    q = questionnaire_by_stamp(db.session, who.round_id, who.stamp)
    if q is None:
        return None, _page("expired_form.html", 400)
    return q, None


def _refused(who: Respondent, outcome: str):
    """The page for a save the service refused: closed, withdrawn or a renewed link."""
    acc = access(db.session, who.invitation_id)
    if outcome == answer_service.REVOKED and acc is not None and not acc.revoked:
        return _page("expired_form.html", 400)  # the link was renewed
    return _gate(acc, for_writing=True) or abort(409)


@bp.post("/vragenlijst")
def save_form():
    # The busy path of the platform: no database read before the one write transaction.
    who, restored = authenticate_post()
    q, refused = _posted(who)
    if refused:
        return refused
    try:
        given, remarks = collect(q, request.form)
        answer_service.validate(q, given, remarks)
    except answer_service.InvalidAnswers as exc:
        # Only hostile or broken clients get here: show the form as posted, with WTForms'
        # messages at the fields and the service's in the summary; nothing is written.
        acc = current_access()
        return _gate(acc, for_writing=True) or _form_page(
            acc, request.form, 422, basis.decode(request.form.get("basis")),
            problems=exc.problems)
    action = request.form.get("action", "save")

    submit = False
    if action == "submit":
        # A form with nothing left open submits in one step; otherwise the answers are
        # saved and the school sees what is still open (and confirms, or must answer).
        # Without routing, a page that answers everything needs no read of the draft.
        # With routing or required questions the service decides under its lock, from
        # the draft it reads anyway (no read here).
        submit = q.has_routing or q.has_required or not _open_questions(
            q, answer_service.Draft(), given, remarks) or not _open_questions(
                q, answer_service.load_draft(db.session, who.invitation_id), given, remarks)

    page_basis = basis.decode(request.form.get("basis"))
    outcome = answer_service.save(db.session, who.invitation_id, given, remarks, submit=submit,
                                  questionnaire=q, token_prefix=who.token_prefix,
                                  validated=True, page_basis=page_basis,
                                  only_if_complete=action == "submit")
    if outcome == answer_service.CONFLICT:
        # Saved, except what another tab or device changed too: the school chooses.
        acc = current_access()
        draft = answer_service.load_draft(db.session, who.invitation_id)
        return _gate(acc, for_writing=True) or _form_page(
            acc, status=409, draft=draft, conflicts=answer_service.conflicts(
                q, page_basis, given, remarks, draft))
    if outcome == answer_service.INCOMPLETE:
        # A required question is still open (another tab cleared it meanwhile): saved.
        return redirect(url_for(".confirm_submit"), 303)
    if outcome in (answer_service.SUBMITTED, answer_service.ALREADY_SUBMITTED):
        if outcome == answer_service.ALREADY_SUBMITTED:
            flash(gettext("Uw antwoorden waren al ingediend. Er is niets gewijzigd."), "info")
        return redirect(url_for(".confirmation"), 303)
    if outcome != answer_service.SAVED:
        return _refused(who, outcome)
    if restored:
        flash(gettext("Uw sessie was verlopen. Uw antwoorden zijn toch bewaard."), "info")
    if action == "submit":
        return redirect(url_for(".confirm_submit"), 303)
    if action == "later":
        return redirect(url_for(".saved_for_later"), 303)
    flash(gettext("Uw antwoorden zijn bewaard."), "success")
    section = action.partition(":")[2]
    anchor = f"deel-{section}" if any(s.key == section for s in q.sections) else None
    return redirect(url_for(".questionnaire", _anchor=anchor), 303)


@bp.post("/vragenlijst/autosave")
def autosave():
    """One answer or remark, sent by respond.js as the school answers."""
    who, _restored = authenticate_post()
    q, refused = _posted(who)
    if refused:
        return jsonify(status="expired", message=gettext(
            "Uw sessie is verlopen. Gebruik de knop 'Bewaren': uw antwoorden worden dan toch "
            "bewaard.")), 400
    name = request.form.get("field", "")
    item = q.by_field.get(name)
    if item is None:
        return jsonify(status="invalid", message=gettext("Onbekende vraag.")), 422
    try:
        given, remarks, posted = autosaved(item, request.form)
    except answer_service.InvalidAnswers as exc:
        return jsonify(status="invalid", message=" ".join(exc.problems)), 422
    try:
        outcome = answer_service.save(db.session, who.invitation_id, given, remarks,
                                      questionnaire=q, token_prefix=who.token_prefix)
    except answer_service.InvalidAnswers as exc:
        return jsonify(status="invalid", message=" ".join(exc.problems)), 422
    if outcome in (answer_service.CLOSED, answer_service.REVOKED):
        return jsonify(status=outcome, message=gettext("U kunt niets meer wijzigen.")), 403
    codes = {answer_service.SAVED: 200, answer_service.ALREADY_SUBMITTED: 409}
    # The field's token for the page's basis (respond.js keeps it up to date).
    return jsonify(status=outcome, basis=basis.token(item, posted)), codes[outcome]


def _open_questions(q, draft, given, remarks) -> bool:
    """Whether anything shown is still open once this post is saved over the draft."""
    answers = {k: v for k, v in {**draft.answers, **given}.items() if v is not None}
    texts = {k: v for k, v in {**draft.remarks, **remarks}.items() if v}
    missing = routing.missing(q, answers, texts)
    return bool(missing.required or missing.optional or missing.problems)


def _confirm_page(acc: Access, draft, status: int = 200):
    q = questionnaire_for(db.session, acc)
    shown = routing.shown(q, draft.answers)
    return render_template("respond/confirm_submit.html", q=q,
                           missing=routing.missing(q, draft.answers, draft.remarks),
                           progress=progress(q, shown, draft.answers, draft.remarks),
                           **_context(acc)), status


@bp.get("/vragenlijst/indienen")
def confirm_submit():
    acc = current_access()
    if (blocked := _gate(acc, for_writing=True)) is not None:
        return blocked
    draft = answer_service.load_draft(db.session, acc.invitation_id)
    if draft.submitted:
        return redirect(url_for(".confirmation"), 303)
    return _confirm_page(acc, draft)


@bp.post("/vragenlijst/indienen")
def submit():
    who, _restored = authenticate_post()
    q, refused = _posted(who)
    if refused:
        return refused
    outcome = answer_service.save(db.session, who.invitation_id, {}, {}, submit=True,
                                  questionnaire=q, token_prefix=who.token_prefix)
    if outcome == answer_service.INCOMPLETE:
        # A required question is open: nothing is submitted; the page says what.
        acc = current_access()
        return _gate(acc, for_writing=True) or _confirm_page(
            acc, answer_service.load_draft(db.session, who.invitation_id), 422)
    if outcome not in (answer_service.SUBMITTED, answer_service.ALREADY_SUBMITTED):
        return _refused(who, outcome)
    return redirect(url_for(".confirmation"), 303)


@bp.get("/vragenlijst/bewaard")
def saved_for_later():
    acc = current_access()
    if (blocked := _gate(acc, for_writing=False)) is not None:
        return blocked
    draft = answer_service.load_draft(db.session, acc.invitation_id)
    q = questionnaire_for(db.session, acc)
    shown = routing.shown(q, draft.answers)
    return render_template("respond/saved.html", draft=draft, q=q,
                           progress=progress(q, shown, draft.answers, draft.remarks),
                           **_context(acc))


@bp.get("/vragenlijst/bevestiging")
def confirmation():
    acc = current_access()
    if (blocked := _gate(acc, for_writing=False)) is not None:
        return blocked
    draft = answer_service.load_draft(db.session, acc.invitation_id)
    if not draft.submitted:
        return redirect(url_for(".questionnaire"), 303)
    return render_template("respond/confirmation.html", draft=draft, **_context(acc))


@bp.get("/vragenlijst/kopie")
def copy():
    acc = current_access()
    if (blocked := _gate(acc, for_writing=False)) is not None:
        return blocked
    draft = answer_service.load_draft(db.session, acc.invitation_id)
    q = questionnaire_for(db.session, acc)
    return render_template("respond/copy.html", q=q, draft=draft,
                           shown=routing.shown(q, draft.answers), **_context(acc))
