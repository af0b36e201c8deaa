"""Who is answering: the personal link is exchanged for a session, and every POST proves
it comes from a form page we served to that school.

The session and every form page carry the same identity: invitation, link fingerprint,
round and snapshot stamp. A POST must carry the page's ticket (that identity, signed and
time-limited, unreadable to other sites, so an anti-CSRF secret in its own right) and
normally also Flask-WTF's CSRF token. When the session has expired (the CSRF token no
longer matches), a valid ticket still identifies the school: its answers are saved and the
session restored. Authenticating a POST reads nothing from the database; the write itself
checks that the link, invitation and round still allow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, session
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from .. import tokens
from ..extensions import db
from ..services.rounds import Access, access, link_is_valid

SESSION_KEY = "respondent"


@dataclass(frozen=True)
class Respondent:
    invitation_id: int
    token_prefix: str
    round_id: int
    stamp: str

    @classmethod
    def of(cls, acc: Access, link_hash: str) -> Respondent:
        return cls(acc.invitation_id, link_hash[:16], acc.round_id, acc.stamp)

    @classmethod
    def parse(cls, data) -> Respondent | None:
        if not isinstance(data, dict):
            return None
        i, t, r, s = data.get("i"), data.get("t"), data.get("r"), data.get("s")
        if not (isinstance(i, int) and isinstance(r, int) and isinstance(t, str)
                and isinstance(s, str)):
            return None
        return cls(i, t, r, s)

    def payload(self) -> dict:
        return {"i": self.invitation_id, "t": self.token_prefix, "r": self.round_id,
                "s": self.stamp}


def start_session(who: Respondent) -> None:
    session[SESSION_KEY] = who.payload()
    session.permanent = True


def current_access() -> Access | None:
    """The session's invitation, read from the database, for the pages that show it."""
    who = Respondent.parse(session.get(SESSION_KEY))
    if who is None:
        return None
    acc = access(db.session, who.invitation_id)
    # A renewed link (all links revoked) ends the sessions opened with the old ones.
    if acc is None or not link_is_valid(db.session, acc.invitation_id, who.token_prefix):
        return None
    return acc


def ticket() -> str:
    """The ticket for the forms of this session's school."""
    return tokens.make_ticket(current_app.config["SECRET_KEY"], session[SESSION_KEY])


def authenticate_post() -> tuple[Respondent | None, bool]:
    """(respondent, restored): restored is True when the session had to be re-established
    from the ticket. (None, False) when the POST cannot be trusted."""
    max_age = current_app.config["SURVEY_TICKET_DAYS"] * 86400
    who = Respondent.parse(tokens.read_ticket(current_app.config["SECRET_KEY"],
                                              request.form.get("ticket", ""), max_age))
    if who is None:
        return None, False
    try:
        validate_csrf(request.form.get("csrf_token"))
        restored = False
    except ValidationError:
        restored = True
    # The ticket, not the session, says which school a page belongs to (a director of two
    # schools may have both open in one browser).
    if restored or Respondent.parse(session.get(SESSION_KEY)) != who:
        start_session(who)
    return who, restored
