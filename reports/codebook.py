"""The codebook beside the analysts' export: what every variable of the .sav and the data
CSV is, as a CSV an analyst opens in Excel.

One row per variable, in the order of the data, like SPSS's Variable View: an analyst
looks a column up by its name, filters on the question type or key, and reads the codes of
that variable in one cell ("1 = Ja; 2 = Nee"). A row per code would repeat every question
text for each of its codes and leave the name column blank or repeated, which neither
filters nor sorts well; the .sav holds the labels in machine-readable form for anyone who
needs them one by one.

Columns (Dutch, as the analysts read them): naam, vraag, vraagtype, sleutel, meetniveau,
codes en labels (the codes that count, ascending), ontbrekend (the codes declared missing,
ascending, with their labels)."""

from __future__ import annotations

from instrument.i18n import N_, _

from .analysis import Table, Variable, write_csv_text

HEADER = (N_("naam"), N_("vraag"), N_("vraagtype"), N_("sleutel"), N_("meetniveau"),
          N_("codes en labels"), N_("ontbrekend"))
# The types' Dutch titles, as the console names them (instrument/types: ItemType.title).
QUESTION_TYPES = {
    "likert": N_("Stelling op een schaal"),
    "single": N_("Eén keuze"),
    "multi": N_("Meerdere keuzes"),
    "yesno": N_("Ja of nee"),
    "number": N_("Getal"),
    "text": N_("Open vraag"),
    "context": N_("Achtergrond"),
}
MEASURES = {"nominal": N_("nominaal"), "ordinal": N_("ordinaal"), "scale": N_("schaal")}
SEPARATOR = "; "


def code_list(codes, labels: dict[int, str]) -> str:
    """ "1 = Ja; 2 = Nee": each code with its label, ascending; a code without a label as
    the bare code."""
    return SEPARATOR.join(f"{code} = {labels[code]}" if code in labels else str(code)
                          for code in sorted(codes))


def codebook_row(variable: Variable) -> tuple[str, ...]:
    missing = set(variable.missing)
    valid = [code for code in variable.value_labels if code not in missing]
    return (variable.name, variable.label,
            _(QUESTION_TYPES[variable.question_type]), variable.question_key,
            _(MEASURES[variable.measure]),
            code_list(valid, variable.value_labels),
            code_list(missing, variable.value_labels))


def codebook_rows(table: Table) -> list[tuple[str, ...]]:
    """One row per variable (the header not included), in the table's order."""
    return [codebook_row(variable) for variable in table.variables]


def write_codebook_csv(table: Table, stream) -> None:
    """Write the codebook to a text stream (open a file with encoding="utf-8",
    newline=""): RFC 4180 with a byte order mark, no text read as a formula. It reads only
    the variables, never the rows."""
    write_csv_text([_(title) for title in HEADER], codebook_rows(table), stream)
