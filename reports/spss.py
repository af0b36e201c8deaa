"""The analysts' export of a round's answers as an SPSS .sav file (variable labels, value
labels, the non-substantive codes declared user-missing, measure levels; strings in UTF-8)
and as a data CSV (the variable names as header). Both take a reports.analysis.Table.

pyreadstat writes the .sav (the ReadStat library R's haven uses too, so haven and jamovi
read what it writes). It wants a pandas data frame: the rows are gathered column by column
(numbers in a compact array of doubles, as SPSS stores them) rather than as Python rows,
so 100,000 responses of 60 variables stay some tens of megabytes. The file is written with
SPSS's own row compression, as SPSS saves by default (every reader knows it): small codes
take a byte instead of eight, 100,000 such responses some 16 MB instead of 77."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from itertools import islice
from os import PathLike

from instrument.i18n import N_, _

from .analysis import Table, Variable, write_csv_text
from .xlsx import xml_text

FILE_LABEL = N_("Antwoorden van de scholen op de bevraging over hun CLB")
# SPSS's limits, in bytes of UTF-8: longer texts are cut at a character boundary here,
# rather than by the library in the middle of a character.
MAX_FILE_LABEL = 64
MAX_VARIABLE_LABEL = 256
MAX_VALUE_LABEL = 120
MAX_STRING = 32767
MAX_DISCRETE_MISSING = 3             # SPSS: three codes, or one range and one code
MAX_DISPLAY_WIDTH = 40
CHUNK_ROWS = 5000


def cut(text: str, limit: int) -> str:
    """text within limit bytes of UTF-8, cut between characters."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def missing_declaration(variable: Variable) -> list:
    """The variable's missing codes as pyreadstat declares them: up to three codes, or,
    for more, one range and at most one code. A range may hold no valid code (a labelled
    code not declared missing); missing codes no declaration can hold are an error."""
    codes = sorted(set(variable.missing))
    if len(codes) <= MAX_DISCRETE_MISSING:
        return codes
    valid = set(variable.value_labels) - set(codes)
    # Try the widest run of consecutive missing codes with no valid code between them;
    # the one code left over, if any, is declared on its own.
    for length in range(len(codes), len(codes) - 2, -1):
        for start in range(len(codes) - length + 1):
            run = codes[start:start + length]
            if any(run[0] < code < run[-1] for code in valid):
                continue
            rest = codes[:start] + codes[start + length:]
            return [{"lo": run[0], "hi": run[-1]}, *rest]
    raise ValueError(f"variable {variable.name}: SPSS cannot declare missing codes {codes}")


def integer_width(numbers: Iterable[int]) -> int:
    """Characters (digits and sign) the widest of the whole numbers takes; at least 1."""
    return max((len(str(number)) for number in numbers), default=1)


class Columns:
    """The rows gathered per variable: numbers as doubles (NaN for no answer), texts as a
    list (None for no answer), and the widths the metadata needs."""

    def __init__(self, variables: Sequence[Variable]):
        self.variables = variables
        self.values: list = [array("d") if v.kind == "numeric" else [] for v in variables]
        self.widths = [v.width for v in variables]      # strings: bytes; numbers: digits
        self.extremes: list[tuple[int, ...]] = [()] * len(variables)   # (smallest, largest)
        self.count = 0

    def add_all(self, rows: Iterable[tuple]) -> None:
        # A few thousand rows at a time turned into columns (zip), so that each check
        # and conversion runs over a column's values at once rather than cell by cell.
        rows = iter(rows)
        size = len(self.variables)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            for offset, row in enumerate(chunk, start=self.count + 1):
                if len(row) != size:
                    raise ValueError(f"row {offset} has {len(row)} values for {size} variables")
            for index, values in enumerate(zip(*chunk, strict=True)):
                if self.variables[index].kind == "numeric":
                    self.add_numbers(index, values)
                else:
                    self.add_texts(index, values)
            self.count += len(chunk)

    def refuse(self, index: int, values: Sequence, wrong, what: str):
        offset, value = next((offset, value) for offset, value in enumerate(values, start=1)
                             if wrong(value))
        raise ValueError(f"row {self.count + offset}, variable {self.variables[index].name}: "
                         f"{value!r} is not {what}")

    def add_numbers(self, index: int, values: Sequence) -> None:
        present = [value for value in values if value is not None]
        if not present:
            self.values[index].extend([math.nan] * len(values))
            return
        # type() rather than isinstance(): True is an int to Python, not an answer.
        if not all(type(value) is int for value in present):
            self.refuse(index, values, lambda value: value is not None and type(value) is not int,
                        "a whole number")
        # Only the extremes are kept: the display format needs the widest number.
        self.extremes[index] = (min(present), max(present), *self.extremes[index])
        self.extremes[index] = (min(self.extremes[index]), max(self.extremes[index]))
        self.values[index].extend([math.nan if value is None else value for value in values])

    def add_texts(self, index: int, values: Sequence) -> None:
        if not all(value is None or type(value) is str for value in values):
            self.refuse(index, values,
                        lambda value: value is not None and not isinstance(value, str), "a text")
        # Text stored before the input was cleaned may hold characters that no reader
        # shows (a NUL would even end the value in C); longer than SPSS holds is cut.
        texts = [None if value is None else cut(xml_text(value), MAX_STRING)
                 for value in values]
        longest = max((len(text.encode("utf-8")) for text in texts if text), default=0)
        self.widths[index] = max(self.widths[index], longest)
        self.values[index].extend(texts)

    def frame(self):
        """The columns as a pandas data frame, the numbers without a copy."""
        import numpy
        import pandas

        data = {}
        for variable, values in zip(self.variables, self.values, strict=True):
            if variable.kind == "numeric":
                data[variable.name] = numpy.frombuffer(values, dtype=numpy.float64)
            else:
                # object, not pandas' own string type: pyreadstat reads None as missing.
                data[variable.name] = pandas.Series(values, dtype=object)
        return pandas.DataFrame(data, copy=False)


def write_sav(table: Table, path: str | PathLike, file_label: str = FILE_LABEL) -> None:
    """Write the table as an SPSS .sav file at path."""
    # pandas and pyreadstat take a second to import: only the processes that write a
    # .sav pay for it, not every one that imports the reports package.
    import pyreadstat

    variables = table.variables
    columns = Columns(variables)
    columns.add_all(table.rows)
    formats, display, missing, value_labels = {}, {}, {}, {}
    for index, variable in enumerate(variables):
        name = variable.name
        if variable.kind == "numeric":
            digits = integer_width((*columns.extremes[index], *variable.value_labels,
                                    *variable.missing))
            formats[name] = f"F{digits}.0"
            display[name] = min(max(8, len(name)), MAX_DISPLAY_WIDTH)
            if variable.missing:
                missing[name] = missing_declaration(variable)
            if variable.value_labels:
                value_labels[name] = {code: cut(xml_text(label), MAX_VALUE_LABEL)
                                      for code, label in variable.value_labels.items()}
        else:
            width = max(1, min(columns.widths[index], MAX_STRING))
            formats[name] = f"A{width}"
            display[name] = min(max(8, width), MAX_DISPLAY_WIDTH)
    frame = columns.frame()
    pyreadstat.write_sav(
        frame, str(path),
        file_label=cut(_(file_label), MAX_FILE_LABEL),
        row_compress=True,
        column_labels=[cut(xml_text(v.label), MAX_VARIABLE_LABEL) for v in variables],
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure={v.name: v.measure for v in variables},
        variable_display_width=display,
        variable_format=formats)


def write_csv(table: Table, stream) -> None:
    """Write the table as CSV to a text stream (open a file with encoding="utf-8",
    newline=""): the variable names as header, one line per response, no answer blank,
    codes as numbers; RFC 4180 with a byte order mark so that Excel reads the accents."""
    write_csv_text(table.names, table.rows, stream)
