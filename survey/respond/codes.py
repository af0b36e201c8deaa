"""The anonymous respondent's journey: type or scan a single-use code, answer, resume with
the same code elsewhere, submit (the code is then spent).

/c/<code> (the slip's QR link) only remembers the code in the session and sends the
browser to /c at once, where it stands filled in; opening it is a POST (CSRF), like every
change. Typos are caught by the code's check symbol without asking the database and are
not counted; a well-formed code that is not found counts against the address's limit for
guessing links (services/throttle.py), so guessing codes is slowed like guessing links.

The session and every form page carry the code's hash, its school's invitation, round and
snapshot stamp (a ticket, as for schools: access.py). The questionnaire pages, forms and
the answer service are the school's; only the texts that speak to a director differ.
"""

from __future__ import annotations

import functools

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from instrument import routing

from .. import tokens
from ..extensions import db
from ..models import Invitation, Response, Round
from ..services import access_codes, basis, throttle
from ..services import answers as answer_service
from ..services.rounds import questionnaire_by_stamp
from . import bp
from .forms import autosaved, collect, form_class, initial_data, progress

SESSION_KEY = "code_respondent"
PENDING_KEY = "code_pending"       # a QR link's code, waiting to be confirmed by a POST
DONE_KEY = "code_done"             # this browser submitted: it may see the thanks page
JOURNEY = {"save": "respond.code_save", "autosave": "respond.code_autosave",
           "questionnaire": "respond.code_questionnaire", "submit": "respond.code_submit"}


def _holder(data) -> dict | None:
    if not isinstance(data, dict):
        return None
    h, i, r, s = data.get("h"), data.get("i"), data.get("r"), data.get("s")
    if isinstance(h, str) and isinstance(i, int) and isinstance(r, int) and isinstance(s, str):
        return {"h": h, "i": i, "r": r, "s": s}
    return None


def _entry_page(status: int = 200, code: str = "", problem: str | None = None):
    # A code already opened on this device: offer to go on without typing it again.
    resume = _holder(session.get(SESSION_KEY)) is not None
    return render_template("respond/code_entry.html", code=code, problem=problem,
                           resume=resume), status


def _notice(template: str, status: int, **context):
    return render_template(f"respond/{template}", **context), status


@bp.get("/c")
def code_entry():
    return _entry_page(code=session.pop(PENDING_KEY, ""))


@bp.get("/c/<path:code>")
def code_link(code: str):
    # The code leaves the address bar at once; Referrer-Policy keeps it out of Referer.
    session[PENDING_KEY] = code[:64]
    return redirect(url_for(".code_entry"), 303)


def _refusal(outcome: str, acc):
    if outcome == access_codes.SPENT:
        return _notice("code_spent.html", 410)
    rnd = db.session.get(Round, acc.round_id)
    if outcome == access_codes.NOT_YET:
        return _notice("code_not_open.html", 403, round=rnd)
    return _notice("code_closed.html", 403, round=rnd)


@bp.post("/c")
def code_open():
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return _entry_page(400, problem=gettext(
            "Deze pagina was verlopen. Typ uw code opnieuw en probeer nog eens."))
    typed = request.form.get("code", "")[:64]
    code = access_codes.normalised(typed)
    if code is None:
        return _entry_page(422, typed, gettext(
            "Dit is geen geldige code. Controleer ze: een code heeft 15 tekens "
            "(cijfers 2 tot 9 en letters, zonder O, I, L, U en Z)."))
    code_hash = access_codes.hash_code(code)
    result = {}

    def lookup():
        outcome, acc = access_codes.open_code(db.session, code_hash)
        result.update(outcome=outcome, acc=acc)
        return None if outcome == access_codes.UNKNOWN else acc

    blocked, acc = throttle.guarded_link(db.session, request.remote_addr or "?", lookup)
    if blocked:
        minutes = int(throttle.LINK_WINDOW.total_seconds() // 60)
        body, status = _notice("too_many_codes.html", 429, minutes=minutes)
        return body, status, {"Retry-After": str(minutes * 60)}
    if acc is None:
        return _entry_page(404, typed, gettext(
            "We vinden deze code niet. Controleer of u ze juist overtypte."))
    if result["outcome"] != access_codes.OPENED:
        return _refusal(result["outcome"], acc)
    session[SESSION_KEY] = {"h": code_hash, "i": acc.invitation_id, "r": acc.round_id,
                            "s": acc.stamp}
    session.pop(DONE_KEY, None)
    session.permanent = True
    return redirect(url_for(".code_questionnaire"), 303)


def _current():
    """(holder, access, questionnaire) of this session's code while it holds a draft in an
    open round, or (None, page to show instead)."""
    holder = _holder(session.get(SESSION_KEY))
    if holder is None:
        return None, redirect(url_for(".code_entry"), 303)
    acc = access_codes.code_access(db.session, holder["h"])
    if acc is None or acc.state == "spent":
        return None, _spent_meanwhile()
    if acc.revoked or acc.phase() != "open":
        return None, _refusal(access_codes.NOT_YET if acc.phase() == "not_yet"
                              else access_codes.CLOSED, acc)
    q = questionnaire_by_stamp(db.session, acc.round_id, acc.stamp)
    if q is None:
        return None, _notice("code_expired.html", 400)
    return (holder, acc, q), None


def _with_code(view):
    """The view gets (holder, access, questionnaire) of the session's code, or the page to
    show instead is returned."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        found, instead = _current()
        return instead if instead is not None else view(*found, *args, **kwargs)

    return wrapped


def _context(holder: dict, acc, q, **extra):
    inv = db.session.get(Invitation, acc.invitation_id)
    return {"school": inv.school, "centre": inv.centre, "round": inv.round, "q": q,
            "anonymous": True, "journey": JOURNEY,
            "ticket": tokens.make_ticket(current_app.config["SECRET_KEY"], holder), **extra}


def _draft(acc):
    return answer_service.load_response(db.session, db.session.get(Response, acc.response_id))


@bp.get("/c/vragenlijst")
@_with_code
def code_questionnaire(holder, acc, q):
    draft = _draft(acc)
    shown = routing.shown(q, draft.answers)
    form = form_class(q)(data=initial_data(q, draft.answers, draft.remarks))
    return render_template(
        "respond/form.html", form=form, draft=draft, shown=shown,
        progress=progress(q, shown, draft.answers, draft.remarks),
        rules=routing.client_rules(q), conflicts={}, problems=(),
        basis=basis.encode(basis.of_draft(q, draft.answers, draft.remarks)),
        **_context(holder, acc, q))


def _posted():
    """(holder, questionnaire) of a POST's ticket, or None: the ticket, not the session,
    says which code a page belongs to."""
    max_age = current_app.config["SURVEY_TICKET_DAYS"] * 86400
    holder = _holder(tokens.read_ticket(current_app.config["SECRET_KEY"],
                                        request.form.get("ticket", ""), max_age))
    if holder is None:
        return None
    # The signed ticket is the page's anti-CSRF secret (as for schools, access.py): it
    # still proves the page was ours when the session has expired.
    session[SESSION_KEY] = holder
    q = questionnaire_by_stamp(db.session, holder["r"], holder["s"])
    return None if q is None else (holder, q)


def _thanks():
    """This browser submitted: the thanks page is its to see (not anyone's who opens
    /c/bedankt), and the code's session ends."""
    session.pop(SESSION_KEY, None)
    session[DONE_KEY] = True
    return redirect(url_for(".code_thanks"), 303)


def _spent_meanwhile():
    """The code was submitted elsewhere (another device, another tab): what this page
    still held was not saved, and it says so."""
    session.pop(SESSION_KEY, None)
    return _notice("code_spent.html", 409, meanwhile=True)


def _after_refusal(outcome: str):
    if outcome == answer_service.ALREADY_SUBMITTED:
        return _spent_meanwhile()
    _found, instead = _current()
    return instead or _notice("code_expired.html", 400)


@bp.post("/c/vragenlijst")
def code_save():
    posted = _posted()
    if posted is None:
        return _notice("code_expired.html", 400)
    holder, q = posted
    try:
        given, remarks = collect(q, request.form)
        answer_service.validate(q, given, remarks)
    except answer_service.InvalidAnswers as exc:
        return _notice("code_invalid.html", 422, problems=exc.problems)
    action = request.form.get("action", "save")
    outcome = answer_service.save(
        db.session, holder["i"], given, remarks, submit=action == "submit",
        questionnaire=q, validated=True, only_if_complete=True, code_hash=holder["h"])
    if outcome == answer_service.SUBMITTED:
        return _thanks()
    if outcome not in (answer_service.SAVED, answer_service.INCOMPLETE):
        return _after_refusal(outcome)
    if action == "submit" or outcome == answer_service.INCOMPLETE:
        return redirect(url_for(".code_confirm"), 303)
    if action == "later":
        return redirect(url_for(".code_saved"), 303)
    flash(gettext("Uw antwoorden zijn bewaard."), "success")
    return redirect(url_for(".code_questionnaire"), 303)


@bp.post("/c/vragenlijst/autosave")
def code_autosave():
    posted = _posted()
    if posted is None:
        return jsonify(status="expired", message=gettext(
            "Uw sessie is verlopen. Gebruik de knop 'Bewaren': uw antwoorden worden dan toch "
            "bewaard.")), 400
    holder, q = posted
    item = q.by_field.get(request.form.get("field", ""))
    if item is None:
        return jsonify(status="invalid", message=gettext("Onbekende vraag.")), 422
    try:
        given, remarks, posted_fields = autosaved(item, request.form)
        outcome = answer_service.save(db.session, holder["i"], given, remarks,
                                      questionnaire=q, code_hash=holder["h"])
    except answer_service.InvalidAnswers as exc:
        return jsonify(status="invalid", message=" ".join(exc.problems)), 422
    if outcome != answer_service.SAVED:
        return jsonify(status=outcome, message=gettext("U kunt niets meer wijzigen.")), 403
    return jsonify(status=outcome, basis=basis.token(item, posted_fields)), 200


@bp.get("/c/vragenlijst/indienen")
@_with_code
def code_confirm(holder, acc, q, status: int = 200):
    draft = _draft(acc)
    shown = routing.shown(q, draft.answers)
    return render_template("respond/confirm_submit.html",
                           missing=routing.missing(q, draft.answers, draft.remarks),
                           progress=progress(q, shown, draft.answers, draft.remarks),
                           **_context(holder, acc, q)), status


@bp.post("/c/vragenlijst/indienen")
def code_submit():
    posted = _posted()
    if posted is None:
        return _notice("code_expired.html", 400)
    holder, q = posted
    outcome = answer_service.save(db.session, holder["i"], {}, {}, submit=True,
                                  questionnaire=q, code_hash=holder["h"])
    if outcome == answer_service.INCOMPLETE:
        return code_confirm(422)
    if outcome != answer_service.SUBMITTED:
        return _after_refusal(outcome)
    return _thanks()


@bp.get("/c/vragenlijst/bewaard")
@_with_code
def code_saved(holder, acc, q):
    return render_template("respond/code_saved.html", **_context(holder, acc, q))


@bp.get("/c/bedankt")
def code_thanks():
    # Nothing of the answers is shown: once submitted, nothing leads back to them.
    if not session.get(DONE_KEY):
        return redirect(url_for(".code_entry"), 303)
    return render_template("respond/code_thanks.html")

