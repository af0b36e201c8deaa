"""The analysts' export as plain data: a Table of Variables (what each column is: its SPSS
name, question text, codes and labels, the codes declared missing) and its rows, one per
response. The writers (reports/spss.py for .sav and the data CSV, reports/codebook.py for
the codebook) take a Table and know nothing of Flask, the ORM or the questionnaire format.

Also here: safe_name(), which turns an item key into a valid, unique SPSS variable name,
and the CSV form both CSV writers share (RFC 4180, UTF-8 with a byte order mark so that
Excel reads the accents, no text read as a formula)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .xlsx import safe_text

KINDS = ("numeric", "string")
MEASURES = ("nominal", "ordinal", "scale")
# "context": a variable that is no question (the CLB's number, the school's level).
QUESTION_TYPES = ("likert", "single", "multi", "yesno", "number", "text", "context")
MAX_NAME_BYTES = 64                  # SPSS's limit on a variable name
# Words SPSS reserves: a variable cannot be called any of them, in any case.
RESERVED = frozenset({"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or",
                      "to", "with"})
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Letters NFKD does not split into a base letter and an accent.
TRANSLITERATION = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                                 "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                                 "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})
BYTE_ORDER_MARK = "\ufeff"
CSV_CHUNK_ROWS = 500


@dataclass(frozen=True)
class Variable:
    """One column of the export.

    name: SPSS-safe (see safe_name); label: the question text (for a multi option
    "question: option label"); kind: "numeric" or "string"; measure: "nominal", "ordinal"
    or "scale"; value_labels: code -> label (empty for scale and string variables);
    missing: the codes declared user-missing (the non-substantive ones, such as 0 "geen
    zicht"); question_type and question_key: the item's type and key in the
    questionnaire, for the codebook ("context" and the variable's own key for a column
    that is no question, such as the CLB's number); width: a string variable's width in
    bytes (0: the writer takes the longest value)."""

    name: str
    label: str
    kind: str
    measure: str
    value_labels: dict[int, str]
    missing: tuple[int, ...]
    question_type: str
    question_key: str
    width: int = 0

    def __post_init__(self):
        if not valid_name(self.name):
            raise ValueError(f"variable name {self.name!r} is not a valid SPSS name")
        if self.kind not in KINDS:
            raise ValueError(f"variable {self.name}: kind {self.kind!r} not in {KINDS}")
        if self.measure not in MEASURES:
            raise ValueError(f"variable {self.name}: measure {self.measure!r} not in {MEASURES}")
        if self.question_type not in QUESTION_TYPES:
            raise ValueError(f"variable {self.name}: question type {self.question_type!r} "
                             f"not in {QUESTION_TYPES}")
        if self.kind == "string" and (self.value_labels or self.missing):
            raise ValueError(f"variable {self.name}: a string variable has no codes")
        if self.width < 0:
            raise ValueError(f"variable {self.name}: negative width")


@dataclass(frozen=True)
class Table:
    """The variables and the rows: one tuple per response, its values in variable order;
    None is no answer (system missing), ints for numeric variables, str for string ones.
    rows may be an iterator: the writers read it once."""

    variables: tuple[Variable, ...]
    rows: Iterable[tuple]

    def __post_init__(self):
        seen: set[str] = set()
        for variable in self.variables:
            folded = variable.name.lower()
            if folded in seen:
                raise ValueError(f"variable name {variable.name!r} occurs twice "
                                 "(SPSS names ignore case)")
            seen.add(folded)

    @property
    def names(self) -> list[str]:
        return [variable.name for variable in self.variables]


def valid_name(name: str) -> bool:
    """Whether SPSS, R's haven and jamovi accept name as a variable name as it is."""
    return (bool(NAME.match(name)) and len(name) <= MAX_NAME_BYTES
            and name.lower() not in RESERVED)


def safe_name(text: str, taken: set[str]) -> str:
    """A valid SPSS variable name for text (an item key such as "welke-medewerkers"),
    unique against taken (case-insensitively, as SPSS compares names); the name is added
    to taken, so that one set passed along a whole questionnaire keeps every name unique.

    Accented letters lose their accent (é -> e, ß -> ss), other characters become "_"
    (runs of them one, none at either end); a name that would start with a digit, or be
    empty or a word SPSS reserves (AND, TO, ...), gets a leading "v"; a clash gets "_2",
    "_3", ...; the whole stays within 64 bytes, the suffix included."""
    ascii_text = (unicodedata.normalize("NFKD", text.translate(TRANSLITERATION))
                  .encode("ascii", "ignore").decode("ascii"))
    base = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    if not base or base[0].isdigit() or base.lower() in RESERVED:
        base = "v" + base
    folded = {name.lower() for name in taken}
    candidate = base[:MAX_NAME_BYTES].rstrip("_")
    number = 1
    while candidate.lower() in folded:
        number += 1
        suffix = f"_{number}"
        candidate = base[:MAX_NAME_BYTES - len(suffix)].rstrip("_") + suffix
    taken.add(candidate)
    return candidate


def csv_cell(value) -> str | int:
    """A value as the CSV holds it: None blank, numbers as they are, text never a formula
    and without the control characters no spreadsheet shows."""
    if value is None:
        return ""
    return safe_text(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The header and rows as CSV text (RFC 4180: commas, CRLF, quotes where needed),
    starting with a byte order mark, in chunks of a few hundred rows: a download can
    stream it and a file can be written from it, in flat memory."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([csv_cell(name) for name in header])
    for index, row in enumerate(rows, start=1):
        out.writerow([csv_cell(value) for value in row])
        if index % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv_text(header: Sequence[str], rows: Iterable[Sequence], stream) -> None:
    """Write the CSV to a text stream (open a file with encoding="utf-8", newline="")."""
    for chunk in csv_chunks(header, rows):
        stream.write(chunk)
