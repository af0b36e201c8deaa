"""Slowing down guessing: failed attempts per client address are rows in the database
(table login_attempt, keyed by what was tried), so that a limit holds across every worker
and host. Only failures are counted: schools opening their real links are never slowed,
whoever shares their address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..models import LoginAttempt, utcnow

LINK_WINDOW = timedelta(minutes=10)
LINK_FAILS_PER_ADDRESS = 30          # wrong links per address and window


def link_key(address: str) -> str:
    return f"link:{address}"[:300]


def link_blocked(session: Session, address: str, now: datetime | None = None) -> bool:
    now = now or utcnow()
    fails = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == link_key(address), LoginAttempt.at > now - LINK_WINDOW))
    return fails >= LINK_FAILS_PER_ADDRESS


def link_failed(session: Session, address: str, now: datetime | None = None) -> None:
    """Record a wrong link from this address; forget its failures older than the window."""
    now = now or utcnow()
    with write_transaction(session):
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == link_key(address),
                                                   LoginAttempt.at <= now - LINK_WINDOW))
        session.add(LoginAttempt(key=link_key(address), at=now))
