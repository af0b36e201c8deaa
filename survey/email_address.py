"""The one rule for a school's e-mail address, used by the sector import
(services/sector_import.py) and by the directory's fix (services/school_directory.py).

An address is an RFC 5322 dot-atom local part (letters, digits, !#$%&'*+/=?^_`{|}~- and
single dots between them), one @, and a hostname as domain (labels of letters, digits and
inner hyphens, at most 63 characters each, at least two labels, the last not all digits).
ASCII only: the mail servers here do not speak SMTPUTF8. Pure Python, no Flask.
"""

from __future__ import annotations

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*", re.ASCII)
LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
MAX_LENGTH = 254   # what a mail path can carry (RFC 5321 with its angle brackets)


def is_address(text: str) -> bool:
    """Whether `text`, exactly as it is (no cleaning), is a usable address."""
    if not text or len(text) > MAX_LENGTH or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    labels = domain.split(".")
    return (len(local) <= 64 and LOCAL_PART.fullmatch(local) is not None
            and len(domain) <= 253 and len(labels) >= 2
            and all(LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit())
