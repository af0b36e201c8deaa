"""Invitation tokens (random, only their hash stored) and form tickets (signed, short-lived).

A token is 192 random bits in URL-safe base64. SHA-256 of such a token cannot be brute-forced,
so a fast hash is the right choice: the lookup stays one indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_BYTES = 24
TICKET_SALT = "survey.respond.ticket"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible(token: str) -> bool:
    """Cheap shape check before touching the database (a token is 32 url-safe chars)."""
    return 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TICKET_SALT)


def make_ticket(secret_key: str, payload: dict) -> str:
    """A ticket rides along in the school's form: which invitation (and round) the page
    belongs to, signed. When the session has expired, a POST that carries a valid ticket
    still proves it comes from a page we served to that school (a cross-site attacker
    cannot read it), so the answers can be saved instead of lost."""
    return _serializer(secret_key).dumps(payload)


def read_ticket(secret_key: str, ticket: str, max_age_seconds: float) -> dict | None:
    try:
        data = _serializer(secret_key).loads(ticket, max_age=max_age_seconds)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) else None
