"""Who is answering: the personal link is exchanged for a session, and every POST proves
it comes from a form page we served to that school.

A POST must carry the page's ticket (a signed, time-limited reference to the invitation,
unreadable to other sites, so it is an anti-CSRF secret in its own right) and normally also
Flask-WTF's CSRF token. When the session has expired (the CSRF token no longer matches),
a valid ticket still identifies the school: its answers are saved, the session restored.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from .. import tokens
from ..extensions import db
from ..services.rounds import Access, access

SESSION_KEY = "respondent"


def start_session(invitation_id: int, token_hash: str) -> None:
    session[SESSION_KEY] = {"i": invitation_id, "t": token_hash[:16]}
    session.permanent = True


def current_access() -> Access | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    acc = access(db.session, data["i"])
    # A renewed link (new token) ends the sessions opened with the old one.
    if acc is None or not tokens.same(acc.token_hash[:16], str(data.get("t", ""))):
        return None
    return acc


def ticket_for(acc: Access) -> str:
    return tokens.make_ticket(current_app.config["SECRET_KEY"], acc.invitation_id,
                              acc.token_hash)


def authenticate_post() -> tuple[Access | None, bool]:
    """(invitation, restored): restored is True when the session had to be re-established
    from the ticket. (None, False) when the POST cannot be trusted."""
    max_age = current_app.config["SURVEY_TICKET_DAYS"] * 86400
    parsed = tokens.read_ticket(current_app.config["SECRET_KEY"],
                                request.form.get("ticket", ""), max_age)
    if parsed is None:
        return None, False
    inv_id, prefix = parsed
    acc = access(db.session, inv_id)
    if acc is None or not tokens.same(acc.token_hash[:16], prefix):
        return None, False
    try:
        validate_csrf(request.form.get("csrf_token"))
        restored = False
    except ValidationError:
        restored = True
    current = session.get(SESSION_KEY)
    if restored or not isinstance(current, dict) or current.get("i") != acc.invitation_id:
        start_session(acc.invitation_id, acc.token_hash)
    return acc, restored
