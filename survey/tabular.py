"""Read an uploaded table (.xlsx or .csv) into rows of strings, refusing hostile files.

Pure Python plus openpyxl (which parses XML through defusedxml when it is installed, as it
is here: no entity expansion, no external entities). Every refusal is a TableError with a
Dutch message for the inspector.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from flask_babel import gettext

from .cleantext import single_line

MAX_BYTES = 10 * 1024 * 1024          # an upload of the whole sector is well under 1 MB
MAX_UNPACKED = 50 * 1024 * 1024       # what an .xlsx may unpack to
MAX_RATIO = 100                       # compression ratio above which a zip is a bomb
MAX_ROWS = 50_000
MAX_COLUMNS = 50
FORMULA_START = ("=", "+", "-", "@")


class TableError(ValueError):
    """A file that is refused as a whole."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]   # (row number as the user sees it, cells)
    formula_rows: dict[int, str]        # row number -> the column holding a formula
    encoding: str | None = None         # how a text file was read (told in the dry run)


UTF8 = "UTF-8"
CP1252 = "Windows-1252 (cp1252)"
# A valid UTF-8 sequence of two to four bytes. Text saved as cp1252 almost never holds
# one by chance (it would take "Ã©" and the like), so a file that has one was written as
# UTF-8, and an invalid byte in it is damage, not a sign of another encoding.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def read_table(data: bytes, filename: str) -> Table:
    if len(data) > MAX_BYTES:
        raise TableError(gettext("Het bestand is te groot (%(size)s kB); hoogstens "
                                 "%(maximum)s MB.", size=len(data) // 1024,
                                 maximum=MAX_BYTES // (1024 * 1024)))
    name = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx"):
        if not is_zip:
            raise TableError(gettext("Dit is geen geldig .xlsx-bestand."))
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        if is_zip or b"\x00" in data[:4096]:
            raise TableError(gettext("Dit is geen tekstbestand (CSV). Bewaar het als .csv "
                                     "of .xlsx."))
        if (nul := data.find(b"\x00")) >= 0:
            # Past the part sniffed above, a NUL is refused too, with its place: no text
            # file holds one, and a file is read the same way wherever it is.
            raise TableError(gettext(
                "Het bestand is geen gewoon tekstbestand (het bevat een NUL-teken): rij "
                "%(row)s, byte %(byte)s van het bestand (waarde %(value)s). Bewaar het "
                "bestand opnieuw als \"CSV UTF-8\" of als .xlsx.", **_place(data, nul)))
        return _read_csv(data)
    raise TableError(gettext("Alleen .xlsx- en .csv-bestanden kunnen worden ingelezen."))


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in.

    UTF-8 (with or without BOM) when the whole file is valid UTF-8. Otherwise cp1252
    (Belgian Excel's "CSV (;)") only when the file has no UTF-8 multi-byte sequence at all
    and every byte is defined in cp1252; a file that mixes the two (one cp1252 byte pasted
    into a UTF-8 file) or holds an undefined byte is refused, with the row and byte, rather
    than read with every accent wrong."""
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if UTF8_MULTIBYTE.search(data) is None:
        try:
            return data.decode("cp1252"), CP1252
        except UnicodeDecodeError as exc:
            raise TableError(gettext(
                "Het bestand is geen geldige UTF-8 en ook geen Windows-1252 (cp1252): rij "
                "%(row)s, byte %(byte)s van het bestand (waarde %(value)s). Bewaar het "
                "bestand opnieuw als \"CSV UTF-8\" of als .xlsx.",
                **_place(data, exc.start))) from exc
    raise TableError(gettext(
        "Het bestand is geen geldige UTF-8 (het bevat UTF-8-tekens, maar ook een byte die er "
        "niet in past): rij %(row)s, byte %(byte)s van het bestand (waarde %(value)s). "
        "Bewaar het bestand opnieuw als \"CSV UTF-8\" of als .xlsx.",
        **_place(data, utf8_error.start)))


def _place(data: bytes, offset: int) -> dict[str, object]:
    """Where a refused byte is, as the messages name it: row, byte (from 1), value."""
    return {"row": data.count(b"\n", 0, offset) + 1, "byte": offset + 1,
            "value": f"0x{data[offset]:02X}"}


def _read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for n, row in enumerate(reader, start=1):
            records.append((n, row))
    except csv.Error as exc:
        row = len(records) + 1   # the row being read, counted as the import counts rows
        if str(exc).startswith("field larger than field limit"):
            # the csv module's own words are English: say it in Dutch, with the row
            raise TableError(gettext(
                "Het CSV-bestand kan niet worden gelezen: rij %(row)s heeft een cel van meer "
                "dan %(limit)s tekens (misschien een aanhalingsteken dat niet gesloten "
                "wordt).", row=row, limit=f"{csv.field_size_limit():,}".replace(",", ".")
            )) from exc
        raise TableError(gettext("Het CSV-bestand kan niet worden gelezen (rij %(row)s): "
                                 "%(error)s.", row=row, error=exc)) from exc
    return _table(records, encoding)


def _read_xlsx(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise TableError(gettext("Dit is geen geldig .xlsx-bestand.")) from exc
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > 1000 or unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        raise TableError(gettext("Dit bestand wordt geweigerd: het pakt uit tot een verdacht "
                                 "grote omvang (mogelijk een zip-bom)."))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a refused file
        raise TableError(gettext("Dit .xlsx-bestand kan niet worden gelezen. Bewaar het "
                                 "opnieuw vanuit Excel of als .csv.")) from exc
    try:
        sheet = workbook.worksheets[0]
        records = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_ROWS + 1:
                break
            records.append((n, ["" if v is None else _cell(v) for v in row[:MAX_COLUMNS]]))
    finally:
        workbook.close()
    return _table(records)


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # numbers typed in Excel come back as 123456.0
    return str(value)


def _table(records: list[tuple[int, list[str]]], encoding: str | None = None) -> Table:
    # Every cell is a single line of clean text (survey/cleantext.py): a NUL or a line
    # break in a name would fail later, in the database, a mail header or a workbook.
    records = [(n, [single_line(c) for c in row]) for n, row in records]
    records = [(n, row) for n, row in records if any(row)]
    if not records:
        raise TableError(gettext("Het bestand is leeg."))
    if len(records) > MAX_ROWS + 1:
        raise TableError(gettext("Het bestand heeft meer dan %(maximum)s rijen.",
                                 maximum=MAX_ROWS))
    (_, header), body = records[0], records[1:]
    formulas = {}
    for n, row in body:
        for i, cell in enumerate(row):
            if cell.startswith(FORMULA_START) and not _is_number(cell):
                formulas[n] = header[i] if i < len(header) else gettext("kolom %(number)s",
                                                                        number=i + 1)
                break
    return Table(header, body, formulas, encoding)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
