"""Slowing down guessing: failed attempts per client address are rows in the database
(table login_attempt, keyed by what was tried), so that a limit holds across every worker
and host. Only failures are counted: schools opening their real links are never counted,
whoever shares their address.

Counting and deciding is one atomic step. A limit read in one statement and a failure
written in another let simultaneous guesses all read the same count and all pass (40
parallel guesses went through where 30 were allowed). So every decision runs in one write
transaction that first takes a lock per key: pg_advisory_xact_lock on PostgreSQL (held
until commit, so the next guess for that key counts the rows this one wrote), and on
SQLite the write lock that write_transaction's BEGIN IMMEDIATE already holds.

The client address is request.remote_addr: behind a reverse proxy it is only the client's
own address when SURVEY_TRUSTED_PROXIES says how many proxies to believe (ProxyFix in
create_app); otherwise every client would share the proxy's bucket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..models import LoginAttempt, utcnow

LINK_WINDOW = timedelta(minutes=10)
LINK_FAILS_PER_ADDRESS = 30          # wrong links per address and window

Found = TypeVar("Found")


def link_key(address: str) -> str:
    return f"link:{address}"[:300]


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Inside a write transaction: wait until no other transaction decides about these
    keys. Locks are taken in one order (sorted numbers) so two deciders never deadlock."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already serialises every writer
    numbers = sorted({int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big",
                                     signed=True) for key in keys})
    for number in numbers:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def recent_failures(session: Session, keys: Iterable[str], since: datetime) -> dict[str, int]:
    """Failures per key since the moment given (keys without any are left out)."""
    return dict(session.execute(
        select(LoginAttempt.key, func.count())
        .where(LoginAttempt.key.in_(list(keys)), LoginAttempt.at > since)
        .group_by(LoginAttempt.key)).all())


def link_blocked(session: Session, address: str, now: datetime | None = None) -> bool:
    """A read without a lock: a cheap early answer for an address well past its limit."""
    now = now or utcnow()
    fails = recent_failures(session, [link_key(address)], now - LINK_WINDOW)
    return fails.get(link_key(address), 0) >= LINK_FAILS_PER_ADDRESS


def link_failed(session: Session, address: str, now: datetime | None = None) -> None:
    """Record a wrong link from this address; forget its failures older than the window."""
    now = now or utcnow()
    with write_transaction(session):
        _record_link_failure(session, address, now)


def _record_link_failure(session: Session, address: str, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == link_key(address),
                                               LoginAttempt.at <= now - LINK_WINDOW))
    session.add(LoginAttempt(key=link_key(address), at=now))


def guarded_link(session: Session, address: str, lookup: Callable[[], Found | None],
                 now: datetime | None = None) -> tuple[bool, Found | None]:
    """(blocked, found): look a link up only if the address is under its limit, and count
    a miss, all under the address's lock; at most LINK_FAILS_PER_ADDRESS misses per window
    are ever looked up, however many arrive at once."""
    now = now or utcnow()
    if link_blocked(session, address, now):
        return True, None
    key = link_key(address)
    with write_transaction(session):
        lock_keys(session, [key])
        if recent_failures(session, [key], now - LINK_WINDOW).get(key, 0) \
                >= LINK_FAILS_PER_ADDRESS:
            return True, None
        found = lookup()
        if found is None:
            _record_link_failure(session, address, now)
    return False, found
