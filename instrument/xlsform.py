"""The .xlsx form of a questionnaire (questionnaires/README.md, "The .xlsx form"): read a
workbook into the raw dict of format 2 (the same dict tomllib gives for a TOML file), with
the place in the workbook of every path and field, and write a raw dict as a workbook.

Reading refuses a hostile file before openpyxl parses it (too large, not a zip, a zip that
unpacks to a suspicious size) and then collects every fault of the workbook itself (a
missing sheet, an unknown column, an unknown type word, a show_if that does not parse, a
formula, ...) with its place in Dutch, `vragen, rij 14, kolom C (type): ...`, raised
together as one QuestionnaireError. What the workbook says but the questionnaire forbids
(a duplicate key, a show_if on a later item) is the validator's business: it finds the
place of a path through `place_of(places, path, field)`.

Paths are the validator's: "questionnaire", "scale", "scales.NAME", "choices.NAME",
"scale.options[N]", "choices.NAME.options[N]", "aspects[N]", "sections[N]",
"sections[N].items[M]", counted from 1 as the README's `sections[2].items[3]`.

The normal form (normalise(), with the writer in instrument/xlswrite.py) is the dict both
directions agree on: `read_workbook(write_workbook(raw))[0] == normalise(raw)`. The item
rows and the choice lists are read in instrument/xlsread.py."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from .errors import QuestionnaireError
from .i18n import _
from .xlsread import read_lists, read_sections
from .xlswrite import (
    BOOLEAN_WORDS,
    COLUMNS,
    FIRST_INDEX,
    SHEET_NAMES,
    TEXTS,
    is_whole,
    normalise,
    write_workbook,
)

__all__ = ["Places", "normalise", "place_of", "read_workbook", "write_workbook"]

MAX_BYTES = 2 * 1024 * 1024          # a questionnaire workbook is some tens of kB
MAX_UNPACKED = 10 * 1024 * 1024      # what it may unpack to (5000 rows of 60 cells fit)
MAX_RATIO = 100                      # compression ratio above which a zip is a bomb
MAX_MEMBERS = 200
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_CELL = 20000

# (path, field or None) -> the Dutch place, e.g. "vragen, rij 7, kolom D (label)"
Places = dict[tuple[str, str | None], str]

INTEGER = re.compile(r"[+-]?\d+")
SHOW_IF = re.compile(r"\s*(?:\$\{\s*(?P<braced>[^}]*?)\s*\}|(?P<bare>[^=\s]+))\s*=\s*(?P<codes>.*)")
LANGUAGE_SUFFIX = re.compile(r"(?:.*\()?\s*(?P<code>[a-z]{2,3})\s*\)?\s*")


def place_of(places: Places, path: str, field: str | None = None) -> str | None:
    """Where `path` (and its `field`) is in the workbook: the field's cell when known,
    else the row, else None (a path the workbook did not give, such as a missing sheet's)."""
    if field is not None and (path, field) in places:
        return places[(path, field)]
    return places.get((path, None))


def read_workbook(data: bytes, source: str) -> tuple[dict, Places]:
    """The raw dict (format 2) of the workbook `data` and the places of its paths.
    Raises QuestionnaireError(source, problems) with every fault found."""
    workbook = _open(data)
    if isinstance(workbook, str):
        raise QuestionnaireError(source, [workbook])
    reader = _Reader()
    raw = reader.read(workbook)
    if reader.problems:
        raise QuestionnaireError(source, reader.problems)
    return raw, reader.places


# -- the file ----------------------------------------------------------------------------

def _open(data: bytes):
    """The openpyxl workbook, or the Dutch reason the file is refused."""
    if len(data) > MAX_BYTES:
        return _("Het bestand is groter dan %(megabytes)s MB.",
                 megabytes=MAX_BYTES // (1024 * 1024))
    not_xlsx = _("Dit is geen .xlsx-bestand. Bewaar de vragenlijst in Excel als .xlsx.")
    if data[:4] != b"PK\x03\x04":
        return not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return not_xlsx
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return not_xlsx
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    # The sizes in the zip directory bound what zipfile will inflate, so checking them
    # before openpyxl opens anything stops a bomb.
    if len(infos) > MAX_MEMBERS or unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        return _("Dit bestand wordt geweigerd: het pakt uit tot een verdacht grote omvang "
                 "(mogelijk een zip-bom).")
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception:  # noqa: BLE001 - any parse failure is a refused file
        return _("Dit .xlsx-bestand kan niet worden gelezen. Bewaar het opnieuw vanuit "
                 "Excel.")


# -- the sheets --------------------------------------------------------------------------

@dataclass
class _Cell:
    value: object
    place: str


@dataclass
class _Row:
    number: int
    place: str
    cells: dict[tuple[str, str | None], _Cell] = field(default_factory=dict)

    def get(self, column: str, language: str | None = None) -> _Cell | None:
        return self.cells.get((column, language))

    def filled(self, column: str) -> list[tuple[str | None, _Cell]]:
        return [(key[1], cell) for key, cell in self.cells.items()
                if key[0] == column and not _empty(cell.value)]


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    def __init__(self):
        self.problems: list[str] = []
        self.places: Places = {}
        self.default_language = "nl"

    def fault(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    # -- sheets and columns --
    def read(self, workbook) -> dict:
        sheets = {}
        for sheet in workbook.worksheets:
            kind = SHEET_NAMES.get(sheet.title.strip().lower())
            if kind is None:
                self.problems.append(
                    _("werkblad '%(title)s': onbekend werkblad (verwacht: vragen, "
                    "keuzes, instellingen, aspecten)", title=sheet.title))
            elif kind in sheets:
                self.problems.append(_("werkblad '%(title)s': het werkblad %(kind)s "
                                     "staat er twee keer", title=sheet.title, kind=kind))
            else:
                sheets[kind] = sheet
        for kind in ("vragen", "instellingen"):
            if kind not in sheets:
                self.problems.append(_("het werkblad '%(kind)s' ontbreekt", kind=kind))
        raw: dict = {"format": 2}
        # the settings first: their languages say which language a plain `label` is
        if "instellingen" in sheets:
            self.settings(raw, self.rows(sheets["instellingen"], "instellingen"))
        aspects = self.rows(sheets["aspecten"], "aspecten") if "aspecten" in sheets else []
        if aspects:
            raw["aspects"] = self.aspects(aspects)
        survey = self.rows(sheets["vragen"], "vragen") if "vragen" in sheets else []
        sections = read_sections(self, survey)
        choices = self.rows(sheets["keuzes"], "keuzes") if "keuzes" in sheets else []
        read_lists(self, raw, choices, sections)
        raw["sections"] = sections
        return raw

    def rows(self, sheet, kind: str) -> list[_Row]:
        name = sheet.title
        if sheet.max_row > MAX_ROWS:
            self.problems.append(_("%(name)s: meer dan %(max_rows)s rijen",
                                   name=name, max_rows=MAX_ROWS))
            return []
        if sheet.max_column > MAX_COLUMNS:
            self.problems.append(_("%(name)s: meer dan %(max_columns)s kolommen",
                                   name=name, max_columns=MAX_COLUMNS))
            return []
        grid = list(sheet.iter_rows())
        if not grid:
            return []
        columns = self.header(name, kind, grid[0])
        rows = []
        for line in grid[1:]:
            row = _Row(line[0].row, _("%(sheet)s, rij %(row)s", sheet=name, row=line[0].row))
            for cell in line:
                known = columns.get(cell.column)
                place = (_("%(sheet)s, rij %(row)s, kolom %(column)s (%(header)s)", sheet=name,
                           row=cell.row, column=cell.column_letter, header=known[1])
                         if known else
                         _("%(sheet)s, rij %(row)s, kolom %(column)s", sheet=name,
                           row=cell.row, column=cell.column_letter))
                if not self.acceptable(place, cell) or _empty(cell.value):
                    continue
                if known is None:
                    self.fault(place, _("waarde in een kolom zonder naam in rij 1"))
                    continue
                row.cells[known[0]] = _Cell(cell.value, place)
            if row.cells:
                for key, (letter, header) in self.letters.items():
                    row.cells.setdefault(key, _Cell(None, _(
                        "%(sheet)s, rij %(row)s, kolom %(column)s (%(header)s)", sheet=name,
                        row=row.number, column=letter, header=header)))
                rows.append(row)
        return rows

    def acceptable(self, place: str, cell) -> bool:
        """False (and a fault) for a formula or an overlong text."""
        if cell.data_type == "f":
            self.fault(place, _("een formule is niet toegestaan; typ de waarde zelf"))
            return False
        if isinstance(cell.value, str) and len(cell.value) > MAX_CELL:
            self.fault(place, _("tekst langer dan %(max_cell)s tekens", max_cell=MAX_CELL))
            return False
        return True

    def header(self, sheet: str, kind: str, line) -> dict[int, tuple[tuple, str]]:
        """column number -> ((column, language), header as written); also keeps
        self.letters: (column, language) -> (letter, header) for the places of empty
        cells."""
        columns: dict[int, tuple[tuple, str]] = {}
        self.letters: dict[tuple, tuple[str, str]] = {}
        for cell in line:
            place = _("%(sheet)s, rij %(row)s, kolom %(column)s", sheet=sheet, row=1,
                      column=cell.column_letter)
            if not self.acceptable(place, cell) or _empty(cell.value):
                continue
            header = str(cell.value).strip()
            base, _separator, suffix = header.lower().partition("::")
            base = base.strip()
            language = None
            if suffix:
                match = LANGUAGE_SUFFIX.fullmatch(suffix)
                if base not in TEXTS[kind]:
                    self.fault(place, _("kolom '%(header)s': alleen een tekstkolom kan een "
                                      "taal hebben", header=header))
                    continue
                if not match:
                    self.fault(place, _("kolom '%(header)s': onbekende taalcode", header=header))
                    continue
                language = match["code"]
                if language == self.default_language:
                    language = None        # label::nl is label when nl is the default
            if base not in COLUMNS[kind]:
                self.fault(place, _("onbekende kolom '%(header)s'", header=header))
                continue
            key = (base, language)
            if key in self.letters:
                self.fault(place, _("de kolom '%(header)s' staat er twee keer (ook kolom "
                                  "%(letters)s)", header=header, letters=self.letters[key][0]))
                continue
            columns[cell.column] = (key, header)
            self.letters[key] = (cell.column_letter, header)
        return columns

    # -- cell values --
    def text(self, cell: _Cell | None) -> str | None:
        if cell is None or _empty(cell.value):
            return None
        value = cell.value
        if isinstance(value, bool):
            self.fault(cell.place, _("verwacht een tekst, niet WAAR/ONWAAR"))
            return None
        if isinstance(value, int | float):
            return str(int(value)) if is_whole(value) else repr(value)
        if not isinstance(value, str):
            self.fault(cell.place, _("verwacht een tekst, geen datum"))
            return None
        return value

    def word(self, cell: _Cell | None) -> str | None:
        value = self.text(cell)
        return value.strip() if value is not None else None

    def integer(self, cell: _Cell | None) -> int | None:
        if cell is None or _empty(cell.value):
            return None
        value = cell.value
        if isinstance(value, float | int) and not isinstance(value, bool) and is_whole(value):
            return int(value)
        if isinstance(value, str) and INTEGER.fullmatch(value.strip()):
            return int(value.strip())
        self.fault(cell.place, _("verwacht een geheel getal, niet '%(value)s'", value=value))
        return None

    def boolean(self, cell: _Cell | None) -> bool | None:
        if cell is None or _empty(cell.value):
            return None
        value = cell.value
        if isinstance(value, bool):
            return value
        word = str(int(value)) if is_whole(value) else str(value).strip().lower()
        if word in BOOLEAN_WORDS:
            return BOOLEAN_WORDS[word]
        self.fault(cell.place, _("verwacht ja of nee, niet '%(value)s'", value=value))
        return None

    def words(self, cell: _Cell | None) -> list[str] | None:
        value = self.text(cell)
        if value is None:
            return None
        return [w.strip() for w in value.split(",") if w.strip()]

    def local(self, row: _Row, column: str):
        """A text column and its languages: a string in the default language, or a table
        {language: text} when another language is filled."""
        texts = {}
        for language, cell in row.filled(column):
            text = self.text(cell)
            language = language or self.default_language
            if text is not None and language in texts:
                # label and label::fr when fr is the default language of the settings
                self.fault(cell.place, _("een tweede kolom voor de taal '%(language)s'",
                                         language=language))
            elif text is not None:
                texts[language] = text
        if not texts:
            return None
        if set(texts) == {self.default_language}:
            return texts[self.default_language]
        return texts

    def show_if(self, cell: _Cell | None) -> dict | None:
        text = self.word(cell)
        if text is None:
            return None
        match = SHOW_IF.fullmatch(text)
        codes = [c.strip() for c in match["codes"].split(",")] if match else []
        key = (match["braced"] or match["bare"]) if match else ""
        if not key or not codes or not all(INTEGER.fullmatch(c) for c in codes):
            self.fault(cell.place, _("show_if '%(text)s' is niet te lezen; schrijf bv. "
                                   "'verzoek = 1' of 'verzoek = 1, 2'", text=text))
            return None
        return {"item": key, "codes": [int(c) for c in codes]}

    def place(self, path: str, row: _Row, fields: dict[str, str]) -> None:
        """Record the row of `path` and the cell of each field (field -> column)."""
        self.places[(path, None)] = row.place
        for name, column in fields.items():
            for (base, language), cell in row.cells.items():
                if base == column:
                    self.places[(path, name if language is None else f"{name}.{language}")] \
                        = cell.place

    # -- settings and aspects --
    def settings(self, raw: dict, rows: list[_Row]) -> None:
        if not rows:
            self.problems.append(_("instellingen: de rij met waarden onder de kopjes ontbreekt"))
            return
        for extra in rows[1:]:
            self.fault(extra.place, _("instellingen heeft maar één rij met waarden"))
        row = rows[0]
        languages = self.words(row.get("languages"))
        if languages is not None:
            raw["languages"] = languages
            if languages:
                self.default_language = languages[0]
        for name in ("id", "version"):
            value = self.word(row.get(name))
            if value is not None:
                raw[name] = value
        for name in ("title", "intro"):
            value = self.local(row, name)
            if value is not None:
                raw[name] = value
        self.place("questionnaire", row, {n: n for n in COLUMNS["instellingen"]})

    def aspects(self, rows: list[_Row]) -> list[dict]:
        aspects = []
        for row in rows:
            aspect = {}
            for name in ("id", "code"):
                value = self.word(row.get(name))
                if value is not None:
                    aspect[name] = value
            name = self.local(row, "name")
            if name is not None:
                aspect["name"] = name
            inferred = self.boolean(row.get("code_inferred"))
            if inferred is not None:
                aspect["code_inferred"] = inferred
            self.place(f"aspects[{len(aspects) + FIRST_INDEX}]", row,
                       {n: n for n in COLUMNS["aspecten"]})
            aspects.append(aspect)
        return aspects

