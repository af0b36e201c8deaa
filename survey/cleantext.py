"""Text made clean where it comes in (forms, imports, reviews), so that what is stored can
be written anywhere: a database (PostgreSQL refuses NUL), an .xlsx (XML 1.0 refuses most
control characters), a mail header (one line) and a PDF.

The rule, decided once:

- everything is normalised to NFC (the same name typed or pasted twice is one name);
- C0 and C1 control characters, DEL, lone surrogates and the non-characters U+FFFE and
  U+FFFF are dropped;
- free text (a school's remark, an inspector's redaction) keeps tab and newline; every
  other line break (CR, CR LF, VT, FF, NEL, U+2028, U+2029, the separators U+001C-U+001E
  that str.splitlines() splits on) becomes a newline;
- the byte order mark U+FEFF and the bidirectional embeddings and overrides
  U+202A-U+202E are dropped: an override turns the rest of a name or a sentence around
  wherever it is shown (a PDF, a flash message, a cell) and hides what follows it; a
  single line also loses the isolates U+2066-U+2069 (free text keeps them, and the marks
  U+200E/U+200F everywhere, for right-to-left languages);
- a single line (names, e-mail addresses, municipalities) loses every line break and tab:
  each run of white space becomes one space, and the ends are stripped.

Pure Python, no Flask: the writers in reports/ keep their own guard as well, because data
stored before this rule existed may still hold such characters.
"""

from __future__ import annotations

import re
import unicodedata

# What str.splitlines() splits on besides "\n": each of these is a line break to a reader.
LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Controls except tab and newline, DEL and the C1 block, surrogates, U+FFFE and U+FFFF.
CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\ufeff"
                      "\u202a-\u202e]")
ISOLATES = re.compile("[\u2066-\u2069]")
WHITE_RUNS = re.compile(r"\s+")


def free_text(value: str) -> str:
    """A remark as it is stored: NFC, line breaks as "\\n", no other control characters
    but tab, ends stripped."""
    text = LINE_BREAKS.sub("\n", value)
    text = CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def single_line(value: str) -> str:
    """A name or address as it is stored: NFC, one line, single spaces, ends stripped."""
    text = LINE_BREAKS.sub(" ", value).replace("\t", " ")
    text = ISOLATES.sub("", CONTROLS.sub("", text.replace("\n", " ")))
    return WHITE_RUNS.sub(" ", unicodedata.normalize("NFC", text)).strip()

