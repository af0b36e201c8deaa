"""Accounts: create users, set passwords through one-time links, check logins with a rate
limit that holds across workers (failed attempts are rows in the database), audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.lists import format_list
from flask_babel import get_locale, gettext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import tokens
from ..database import write_transaction
from ..models import ROLES, AuditEvent, Centre, LoginAttempt, User, UserInvite, utcnow
from . import throttle

MIN_PASSWORD = 12
WINDOW = timedelta(minutes=15)
MAX_FAILS_PER_ACCOUNT = 5
MAX_FAILS_PER_ADDRESS = 20
INVITE_HOURS = 72
# Checked when the e-mail is unknown, so that a wrong address costs as much time as a wrong
# password and does not tell which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is Dutch."""


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError(gettext("%(email)s is geen geldig e-mailadres.", email=repr(email)))
    return email


def create_user(session: Session, email: str, role: str, *, centre: Centre | None = None,
                name: str = "") -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(gettext("Onbekende rol %(role)s: kies %(roles)s.", role=repr(role),
                                   roles=format_list(ROLES, style="or",
                                                     locale=get_locale() or "nl")))
    if (role == "centre") != (centre is not None):
        raise AccountError(gettext("Een CLB-account hoort bij precies één CLB; een inspecteur "
                                   "bij geen."))
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(gettext("Er bestaat al een account voor %(email)s.", email=email))
    user = User(email=email, role=role, centre_id=centre.id if centre else None, name=name)
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(gettext("Kies een wachtwoord van minstens %(minimum)d tekens.",
                                   minimum=MIN_PASSWORD))
    if password.strip() != password or len(set(password)) < 5:
        raise AccountError(gettext("Dit wachtwoord is te eenvoudig."))


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)  # scrypt, salted
    user.session_epoch += 1  # other sessions of this account end


def issue_invite(session: Session, user: User, hours: int = INVITE_HOURS,
                 now: datetime | None = None) -> str:
    """A one-time set-password link token; earlier unused links of the user stop working."""
    now = now or utcnow()
    session.execute(delete(UserInvite).where(UserInvite.user_id == user.id,
                                             UserInvite.used_at.is_(None)))
    token = tokens.new_token()
    session.add(UserInvite(user_id=user.id, token_hash=tokens.hash_token(token),
                           expires_at=now + timedelta(hours=hours)))
    session.flush()
    return token


def find_invite(session: Session, token: str, now: datetime | None = None) -> UserInvite | None:
    if not tokens.plausible(token):
        return None
    invite = session.scalar(select(UserInvite).where(
        UserInvite.token_hash == tokens.hash_token(token)))
    now = now or utcnow()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    return invite


def redeem_invite(session: Session, token: str, password: str,
                  now: datetime | None = None) -> User:
    invite = find_invite(session, token, now)
    if invite is None:
        raise AccountError(gettext("Deze link is verlopen of al gebruikt. Vraag een nieuwe aan."))
    set_password(invite.user, password)
    invite.used_at = now or utcnow()
    return invite.user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""
    throttled: bool = False


def check_login(session: Session, email: str, password: str, address: str,
                now: datetime | None = None) -> LoginResult:
    """Count recent failures, decide, check the password, record a failure or clear the
    account's failures: one write transaction that holds the locks of the account and the
    address (throttle.lock_keys), so simultaneous guesses are counted one after the other.

    The rule (docs/console.md):
    - an address with MAX_FAILS_PER_ADDRESS failures in the window is refused, whatever
      account it tries: it slows a guesser trying many accounts;
    - an account with MAX_FAILS_PER_ACCOUNT failures in the window is refused only to
      addresses that have failures of their own in the window. A correct password from an
      address that is not guessing still signs in: five wrong guesses from anyone no
      longer lock the owner out. A guesser spread over many addresses gets one guess per
      fresh address and window on such an account; that one failure makes the address a
      guessing address for every account at its limit.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    account_key, address_key = f"account:{email}"[:300], f"address:{address}"[:300]
    with write_transaction(session):
        throttle.lock_keys(session, (account_key, address_key))
        fails = throttle.recent_failures(session, (account_key, address_key), now - WINDOW)
        from_address = fails.get(address_key, 0)
        if (from_address >= MAX_FAILS_PER_ADDRESS
                or (fails.get(account_key, 0) >= MAX_FAILS_PER_ACCOUNT and from_address)):
            return LoginResult(None, gettext(
                "Te veel mislukte pogingen. Probeer het over %(minutes)d minuten opnieuw.",
                minutes=WINDOW // timedelta(minutes=1)), throttled=True)
        user = session.scalar(select(User).where(User.email == email))
        ok = check_password_hash(user.password_hash if user and user.password_hash
                                 else _DUMMY_HASH, password or "")
        if not (ok and user and user.active and user.password_hash):
            session.execute(delete(LoginAttempt).where(
                LoginAttempt.key.in_((account_key, address_key)),
                LoginAttempt.at <= now - WINDOW))
            session.add_all([LoginAttempt(key=key, at=now)
                             for key in (account_key, address_key)])
            return LoginResult(None, gettext("E-mailadres of wachtwoord klopt niet."))
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == account_key))
        user.last_login_at = now
    return LoginResult(user)


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise AccountError(gettext("Er is geen account voor %(email)s.", email=email))
    return user


ACCOUNT_STATES = ("active", "invitation pending", "invitation expired", "deactivated")


def users_with_state(session: Session, now: datetime | None = None) -> list[tuple[User, str]]:
    """Every account with its state (one of ACCOUNT_STATES), inspectors first."""
    now = now or utcnow()
    open_invites = dict(session.execute(
        select(UserInvite.user_id, func.max(UserInvite.expires_at))
        .where(UserInvite.used_at.is_(None)).group_by(UserInvite.user_id)).all())
    listed = []
    for user in session.scalars(select(User).order_by(User.role.desc(), User.email)):
        if not user.active:
            state = "deactivated"
        elif user.password_hash:
            state = "active"
        else:
            expires = open_invites.get(user.id)
            state = "invitation pending" if expires and expires > now else "invitation expired"
        listed.append((user, state))
    return listed


def deactivate(session: Session, actor: User | None, user: User) -> None:
    """The account stops working at once: its sessions end (the epoch moves on), its
    password no longer signs in, its open set-password links die. An inspector cannot
    deactivate their own account, and nobody the last active inspector (then nobody could
    manage accounts in the console)."""
    if actor is not None and actor.id == user.id:
        raise AccountError(gettext("U kunt uw eigen account niet deactiveren."))
    with write_transaction(session):
        # Two inspectors deactivating each other at once must not leave none.
        throttle.lock_keys(session, ["accounts:inspectors"])
        session.refresh(user)
        if not user.active:
            return
        if user.is_inspector and session.scalar(
                select(func.count()).select_from(User)
                .where(User.role == "inspector", User.active.is_(True),
                       User.id != user.id)) == 0:
            raise AccountError(gettext("Dit is de laatste actieve inspecteur: die kan niet "
                                       "gedeactiveerd worden."))
        user.active = False
        end_sessions(user)
        session.execute(delete(UserInvite).where(UserInvite.user_id == user.id,
                                                 UserInvite.used_at.is_(None)))
        audit(session, actor, "user deactivated", user.email)


def reactivate(session: Session, actor: User | None, user: User) -> None:
    with write_transaction(session):
        if user.active:
            return
        user.active = True
        audit(session, actor, "user reactivated", user.email)


def send_new_link(session: Session, actor: User | None, user: User) -> str:
    """A new set-password link (also for an expired invitation); the older ones die."""
    if not user.active:
        raise AccountError(gettext("Dit account is gedeactiveerd: activeer het eerst "
                                   "opnieuw."))
    with write_transaction(session):
        token = issue_invite(session, user)
        audit(session, actor, "set-password link sent", user.email)
    return token


def end_sessions(user: User) -> None:
    """Log out everywhere: every session of this account stops working."""
    user.session_epoch += 1


def audit(session: Session, user: User | None, action: str, subject: str = "",
          **detail) -> None:
    session.add(AuditEvent(user_id=user.id if user else None, action=action,
                           subject=subject[:200], detail=detail))
