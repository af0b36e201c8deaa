"""Accounts: create users, set passwords through one-time links, check logins with a rate
limit that holds across workers (failed attempts are rows in the database), audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import tokens
from ..database import write_transaction
from ..models import ROLES, AuditEvent, Centre, LoginAttempt, User, UserInvite, utcnow

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
        raise AccountError(f"{email!r} is geen geldig e-mailadres.")
    return email


def create_user(session: Session, email: str, role: str, *, centre: Centre | None = None,
                name: str = "") -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Onbekende rol {role!r}: kies {' of '.join(ROLES)}.")
    if (role == "centre") != (centre is not None):
        raise AccountError("Een CLB-account hoort bij precies één CLB; een inspecteur bij geen.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"Er bestaat al een account voor {email}.")
    user = User(email=email, role=role, centre_id=centre.id if centre else None, name=name)
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens.")
    if password.strip() != password or len(set(password)) < 5:
        raise AccountError("Dit wachtwoord is te eenvoudig.")


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
        raise AccountError("Deze link is verlopen of al gebruikt. Vraag een nieuwe aan.")
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
    """One write transaction: count recent failures, check the password, record a failure
    or clear the account's failures."""
    now = now or utcnow()
    email = (email or "").strip().lower()
    keys = (f"account:{email}"[:300], f"address:{address}"[:300])
    with write_transaction(session):
        fails = dict(session.execute(
            select(LoginAttempt.key, func.count())
            .where(LoginAttempt.key.in_(keys), LoginAttempt.at > now - WINDOW)
            .group_by(LoginAttempt.key)).all())
        if (fails.get(keys[0], 0) >= MAX_FAILS_PER_ACCOUNT
                or fails.get(keys[1], 0) >= MAX_FAILS_PER_ADDRESS):
            return LoginResult(None, "Te veel mislukte pogingen. Probeer het over 15 minuten "
                               "opnieuw.", throttled=True)
        user = session.scalar(select(User).where(User.email == email))
        ok = check_password_hash(user.password_hash if user and user.password_hash
                                 else _DUMMY_HASH, password or "")
        if not (ok and user and user.active and user.password_hash):
            session.add_all([LoginAttempt(key=k, at=now) for k in keys])
            return LoginResult(None, "E-mailadres of wachtwoord klopt niet.")
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
        user.last_login_at = now
    return LoginResult(user)


def end_sessions(user: User) -> None:
    """Log out everywhere: every session of this account stops working."""
    user.session_epoch += 1


def audit(session: Session, user: User | None, action: str, subject: str = "",
          **detail) -> None:
    session.add(AuditEvent(user_id=user.id if user else None, action=action,
                           subject=subject[:200], detail=detail))
