"""The analysts' export of a round's answers as an SPSS .sav file (variable labels, value
labels, the non-substantive codes declared user-missing, measure levels; strings in UTF-8)
and as a data CSV (the variable names as header). Both take a reports.analysis.Table.

pyreadstat writes the .sav (the ReadStat library R's haven uses too, so haven and jamovi
read what it writes). It wants a pandas data frame: the rows are gathered column by column
(numbers in a compact array of doubles, as SPSS stores them) rather than as Python rows,
so 100,000 responses of 60 variables stay some tens of megabytes."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from os import PathLike

from .analysis import Table, Variable, write_csv_text
from .xlsx import xml_text

FILE_LABEL = "Antwoorden van de scholen op de bevraging over hun CLB"
# SPSS's limits, in bytes of UTF-8: longer texts are cut at a character boundary here,
# rather than by the library in the middle of a character.
MAX_FILE_LABEL = 64
MAX_VARIABLE_LABEL = 256
MAX_VALUE_LABEL = 120
MAX_STRING = 32767
MAX_DISCRETE_MISSING = 3             # SPSS: three codes, or one range and one code
MAX_DISPLAY_WIDTH = 40


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


def integer_width(largest: float, smallest: float) -> int:
    """Digits (and sign) the widest whole number of the column takes."""
    width = 1
    for bound in (largest, smallest):
        if not math.isnan(bound):
            width = max(width, len(str(int(bound))))
    return width


class Columns:
    """The rows gathered per variable: numbers as doubles (NaN for no answer), texts as a
    list (None for no answer), and the widths the metadata needs."""

    def __init__(self, variables: Sequence[Variable]):
        self.variables = variables
        self.values: list = [array("d") if v.kind == "numeric" else [] for v in variables]
        self.widths = [v.width for v in variables]      # strings: bytes; numbers: digits
        self.largest = [math.nan] * len(variables)
        self.smallest = [math.nan] * len(variables)
        self.count = 0

    def add_all(self, rows: Iterable[tuple]) -> None:
        appenders = [column.append for column in self.values]
        numeric = [v.kind == "numeric" for v in self.variables]
        size = len(self.variables)
        for row in rows:
            self.count += 1
            if len(row) != size:
                raise ValueError(f"row {self.count} has {len(row)} values for {size} variables")
            for index, value in enumerate(row):
                if numeric[index]:
                    appenders[index](self.number(index, value))
                else:
                    appenders[index](self.text(index, value))

    def number(self, index: int, value) -> float:
        if value is None:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"row {self.count}, variable {self.variables[index].name}: "
                             f"{value!r} is not a whole number")
        # Only the extremes are kept: the display format needs the widest number.
        if not value <= self.largest[index]:
            self.largest[index] = value
        if not value >= self.smallest[index]:
            self.smallest[index] = value
        return float(value)

    def text(self, index: int, value) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"row {self.count}, variable {self.variables[index].name}: "
                             f"{value!r} is not a text")
        # Text stored before the input was cleaned may hold characters that no reader
        # shows (a NUL would even end the value in C); longer than SPSS holds is cut.
        value = cut(xml_text(value), MAX_STRING)
        size = len(value.encode("utf-8"))
        if size > self.widths[index]:
            self.widths[index] = size
        return value

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
            digits = integer_width(columns.largest[index], columns.smallest[index])
            for code in (*variable.value_labels, *variable.missing):
                digits = max(digits, len(str(code)))
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
        file_label=cut(file_label, MAX_FILE_LABEL),
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
