"""The one rule for text that comes in: NFC, no control characters, line breaks kept only
in free text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.cleantext import free_text, single_line

BREAKS = ["\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def test_free_text_keeps_tab_and_newline_and_turns_other_breaks_into_newlines():
    for brk in BREAKS:
        assert free_text(f"een{brk}twee\tdrie") == "een\ntwee\tdrie", repr(brk)


def test_free_text_drops_nul_and_other_controls():
    assert free_text("a\x00b\x07c\x1bd\x7fe\x9ff\ufffeg\ud800h") == "abcdefgh"


@pytest.mark.parametrize("value, name, text", [
    ("\ufeff\u202eRTL thema", "RTL thema", "RTL thema"),            # BOM and override
    ("a\u202ab\u202bc\u202cd\u202de", "abcde", "abcde"),          # embeddings, pop
    ("naam \u2067שלום\u2069 x", "naam שלום x", "naam \u2067שלום\u2069 x"),  # isolates
    ("mark\u200fhere\u200e", "mark\u200fhere\u200e", "mark\u200fhere\u200e"),
    ("\ufeff=cmd", "=cmd", "=cmd"),                # nothing hides a formula's "=" any more
])
def test_text_direction_overrides_and_the_byte_order_mark_are_dropped(value, name, text):
    assert single_line(value) == name
    assert free_text(value) == text


def test_names_lose_every_line_break_and_tab():
    for brk in [*BREAKS, "\n", "\t"]:
        assert single_line(f" Basisschool{brk}De  Linde\x00 ") == "Basisschool De Linde"


def test_text_is_nfc():
    decomposed = "E\u0301le\u0300ve"
    assert free_text(decomposed) == single_line(decomposed) == "Élève"


@given(st.text())
def test_clean_text_is_writable_everywhere(value):
    for cleaned in (free_text(value), single_line(value)):
        cleaned.encode("utf-8")                       # no lone surrogates
        assert "\x00" not in cleaned
        assert unicodedata.is_normalized("NFC", cleaned)
        assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in cleaned)
    assert len(single_line(value).splitlines()) <= 1
    assert "\t" not in single_line(value)
    assert single_line(single_line(value)) == single_line(value)
    assert free_text(free_text(value)) == free_text(value)
    assert free_text(value).splitlines() == free_text(value).split("\n") or \
        free_text(value) == ""
