"""Invitation tokens and form tickets."""

from __future__ import annotations

import base64
import time

from survey import tokens


def test_tokens_are_long_random_and_url_safe():
    seen = {tokens.new_token() for _ in range(1000)}
    assert len(seen) == 1000
    for token in list(seen)[:20]:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert tokens.plausible(token)


def test_only_a_hash_is_kept_and_it_is_stable():
    token = tokens.new_token()
    digest = tokens.hash_token(token)
    assert digest == tokens.hash_token(token)
    assert token not in digest and len(digest) == 64


def test_implausible_tokens_are_rejected_without_lookup():
    for bad in ["", "short", "x" * 65, "abc/def" * 4, "<script>alert(1)</script>aaaa"]:
        assert not tokens.plausible(bad)


def test_ticket_round_trip_and_tampering():
    ticket = tokens.make_ticket("k", {"i": 42, "t": "abab"})
    assert tokens.read_ticket("k", ticket, 60) == {"i": 42, "t": "abab"}
    assert tokens.read_ticket("other-key", ticket, 60) is None
    assert tokens.read_ticket("k", ticket[:-2] + "xx", 60) is None
    assert tokens.read_ticket("k", "", 60) is None


def test_ticket_expires(monkeypatch):
    ticket = tokens.make_ticket("k", {"i": 1})
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert tokens.read_ticket("k", ticket, 60) is None
