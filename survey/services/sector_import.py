"""Import the sector (CLBs and their schools) from a table: check every row, show what would
change (dry run), and write it all in one transaction only when asked.

Used by `survey import FILE` and by the inspector's upload page. Rows that cannot be used
are rejected with their row number and a Dutch reason; the other rows are still imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cleantext import single_line
from ..database import write_transaction
from ..email_address import is_address
from ..models import Centre, School
from ..tabular import Table, TableError
from ..translations import lazy_gettext


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


COLUMNS: dict[str, tuple[str, ...]] = {
    "school_number": ("schoolnummer", "instellingsnummer school", "nummer school",
                      "school number", "school id", "instellingsnummer"),
    "school_name": ("schoolnaam", "naam school", "school", "school name", "naam"),
    "level": ("niveau", "onderwijsniveau", "level", "school level"),
    "centre_number": ("clb nummer", "clbnummer", "instellingsnummer clb", "nummer clb",
                      "centre number", "center number", "clb number"),
    "centre_name": ("clb", "clb naam", "clbnaam", "naam clb", "centre name", "center name",
                    "clb name", "centre", "center"),
    "network": ("net", "centrumnet", "clb net", "netwerk", "network", "clb network"),
    "email": ("e mail", "email", "e mailadres", "emailadres", "mail", "contact e mail",
              "contact email", "e mail directie"),
    "municipality": ("gemeente", "plaats", "woonplaats", "municipality", "city", "town"),
}
REQUIRED = ("school_number", "school_name", "level", "centre_number", "centre_name",
            "network", "email")
# The columns as the messages name them (lazy: in the language of the request).
COLUMN_NAMES_NL = {"school_number": lazy_gettext("schoolnummer"),
                   "school_name": lazy_gettext("schoolnaam"), "level": lazy_gettext("niveau"),
                   "centre_number": lazy_gettext("CLB-nummer"),
                   "centre_name": lazy_gettext("CLB"), "network": lazy_gettext("net"),
                   "email": lazy_gettext("e-mail"), "municipality": lazy_gettext("gemeente")}


def _names(keys) -> str:
    return ", ".join(str(COLUMN_NAMES_NL[key]) for key in keys)
LEVEL_ALIASES = {
    "bao": ("bao", "basisonderwijs", "gewoon basisonderwijs", "basis"),
    "so": ("so", "secundair onderwijs", "gewoon secundair onderwijs", "secundair"),
    "bubao": ("bubao", "buitengewoon basisonderwijs", "bulo", "bubo"),
    "buso": ("buso", "buitengewoon secundair onderwijs"),
}
NETWORK_ALIASES = {
    "vclb": ("vclb", "vrij clb", "vrij", "vrije clb", "vrij clb net", "katholiek"),
    "go": ("go", "go!", "gemeenschapsonderwijs", "go! onderwijs van de vlaamse gemeenschap"),
    "ovsg": ("ovsg", "officieel gesubsidieerd", "stedelijk", "gemeentelijk"),
    "pov": ("pov", "provinciaal", "provinciaal onderwijs vlaanderen"),
}
_LEVELS = {_norm(a): code for code, aliases in LEVEL_ALIASES.items() for a in aliases}
_NETWORKS = {_norm(a): code for code, aliases in NETWORK_ALIASES.items() for a in aliases}
_HEADERS = {_norm(a): key for key, aliases in COLUMNS.items() for a in (key, *aliases)}
# Institution numbers have six digits (../shared/DOMAIN.md). ASCII digits only: a
# fullwidth or Arabic-Indic "123456" is another string and would slip past the duplicate
# check. A shorter number is one whose leading zeros Excel dropped (a number cell shows
# 012345 as 12345): padded, it finds the same school instead of making a second one.
NUMBER = re.compile(r"[0-9]{1,6}", re.ASCII)
NUMBER_WIDTH = 6


@dataclass(frozen=True)
class Rejection:
    row: int
    reason: str                       # every fault of the row, in one sentence
    faults: tuple[str, ...] = ()      # the same, one by one

    @classmethod
    def of(cls, row: int, faults: list[str]) -> Rejection:
        return cls(row, "; ".join(faults), tuple(faults))


@dataclass(frozen=True)
class Change:
    """One field of a known CLB or school that the import changes."""

    field: str          # "name", "level", ... (FIELD_NAMES says it in words)
    old: str
    new: str

    @property
    def label(self) -> str:
        return str(FIELD_NAMES[self.field])


FIELD_NAMES = {"name": lazy_gettext("naam"), "level": lazy_gettext("niveau"),
               "email": lazy_gettext("e-mailadres"), "municipality": lazy_gettext("gemeente"),
               "centre_number": lazy_gettext("CLB"), "network": lazy_gettext("net")}


@dataclass
class ImportPlan:
    rows: int = 0
    centres_new: dict[str, dict] = field(default_factory=dict)
    centres_changed: dict[str, dict] = field(default_factory=dict)
    centres_same: int = 0
    schools_new: dict[str, dict] = field(default_factory=dict)
    schools_changed: dict[str, dict] = field(default_factory=dict)
    schools_same: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # per number of a changed CLB or school: each field with its old and new value
    centre_changes: dict[str, list[Change]] = field(default_factory=dict)
    school_changes: dict[str, list[Change]] = field(default_factory=dict)
    encoding: str | None = None          # how a text file was read, told in the dry run

    @property
    def changes(self) -> int:
        return (len(self.centres_new) + len(self.centres_changed) + len(self.schools_new)
                + len(self.schools_changed))


def map_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _HEADERS.get(_norm(name))
        if key and key not in found:
            found[key] = index
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise TableError(gettext(
            "Deze kolommen ontbreken: %(missing)s. Verwacht: %(expected)s (%(optional)s mag "
            "ontbreken).", missing=_names(missing), expected=_names(COLUMN_NAMES_NL),
            optional=str(COLUMN_NAMES_NL["municipality"])))
    return found


def _record(columns: dict[str, int], cells: list[str]) -> dict[str, str]:
    # Clean again (read_table did): a Table may also come from elsewhere, and a NUL must
    # never reach the database or a line break a mail header.
    return {key: (single_line(cells[i]) if i < len(cells) else "")
            for key, i in columns.items()}


def institution_number(text: str) -> str | None:
    """The six-digit institution number, or None when `text` is not one."""
    if not NUMBER.fullmatch(text):
        return None
    return text.zfill(NUMBER_WIDTH)


def _check(rec: dict[str, str]) -> tuple[dict | None, list[str]]:
    """The row as values for the database, or every reason it cannot be used (all of
    them, so that one correction of the file is enough)."""
    faults: list[str] = []
    school_number = institution_number(rec["school_number"])
    if school_number is None:
        faults.append(gettext("ongeldig schoolnummer %(value)s (zes cijfers 0-9, bijvoorbeeld "
                              "012345)", value=repr(rec["school_number"])))
    if not rec["school_name"]:
        faults.append(gettext("schoolnaam ontbreekt"))
    level = _LEVELS.get(_norm(rec["level"]))
    if level is None:
        faults.append(gettext("onbekend niveau %(value)s (verwacht bao, so, bubao of buso)",
                              value=repr(rec["level"]))
                      if rec["level"] else gettext("niveau ontbreekt"))
    centre_number = institution_number(rec["centre_number"])
    if centre_number is None:
        faults.append(gettext("ongeldig CLB-nummer %(value)s (zes cijfers 0-9, bijvoorbeeld "
                              "114983)", value=repr(rec["centre_number"])))
    if not rec["centre_name"]:
        faults.append(gettext("naam van het CLB ontbreekt"))
    network = _NETWORKS.get(_norm(rec["network"]))
    if network is None:
        faults.append(gettext("onbekend net %(value)s (verwacht Vrij CLB, GO!, OVSG of POV)",
                              value=repr(rec["network"]))
                      if rec["network"] else gettext("net van het CLB ontbreekt"))
    email = rec["email"]
    if not email:
        faults.append(gettext("e-mailadres ontbreekt"))
    elif not email.isascii():
        faults.append(gettext("ongeldig e-mailadres %(value)s: alleen letters zonder accent, "
                              "cijfers en leestekens (een mail naar dit adres kan niet "
                              "vertrekken)", value=repr(email)))
    elif not is_address(email):   # the one rule, shared with the directory's fix
        faults.append(gettext("ongeldig e-mailadres %(value)s", value=repr(email)))
    too_long = [k for k, limit in
                (("school_name", 200), ("centre_name", 200), ("email", 254),
                 ("municipality", 100)) if len(rec.get(k, "")) > limit]
    if too_long:
        faults.append(gettext("te lange waarde in %(columns)s", columns=_names(too_long)))
    if faults:
        return None, faults
    return {
        "school": {"number": school_number, "name": rec["school_name"], "level": level,
                   "email": email.lower(), "municipality": rec.get("municipality") or None},
        "centre": {"number": centre_number, "name": rec["centre_name"],
                   "network": network},
    }, []


def plan_import(session: Session, table: Table) -> ImportPlan:
    """What importing the table would change; writes nothing."""
    columns = map_columns(table.header)
    plan = ImportPlan(rows=len(table.rows), encoding=table.encoding)
    centres: dict[str, tuple[int, dict]] = {}
    schools: dict[str, tuple[int, dict]] = {}
    for row, cells in table.rows:
        values, faults = _check(_record(columns, cells))
        if row in table.formula_rows:
            faults.insert(0, gettext("cel bevat een formule (kolom %(column)s); vul waarden in",
                                     column=repr(table.formula_rows[row])))
        if faults:
            plan.rejected.append(Rejection.of(row, faults))
            continue
        school, centre = values["school"], values["centre"]
        if school["number"] in schools:
            first, earlier = schools[school["number"]]
            if earlier["centre_number"] != centre["number"]:
                reason = gettext("school %(number)s staat ook op rij %(row)s, onder een "
                                 "ander CLB (een school hoort bij één CLB)",
                                 number=school["number"], row=first)
            else:
                reason = gettext("schoolnummer %(number)s staat ook op rij %(row)s",
                                 number=school["number"], row=first)
            plan.rejected.append(Rejection.of(row, [reason]))
            continue
        if centre["number"] in centres:
            first, known = centres[centre["number"]]
            if known != centre:
                plan.rejected.append(Rejection.of(row, [gettext(
                    "CLB %(number)s heeft op rij %(row)s een andere naam of een ander net",
                    number=centre["number"], row=first)]))
                continue
        else:
            centres[centre["number"]] = (row, centre)
        schools[school["number"]] = (row, {**school, "centre_number": centre["number"]})

    existing_centres = _by_number(session, Centre, list(centres))
    for number, (_, centre) in centres.items():
        current = existing_centres.get(number)
        if current is None:
            plan.centres_new[number] = centre
        elif changes := _changes({"name": current.name, "network": current.network},
                                 centre):
            plan.centres_changed[number] = centre
            plan.centre_changes[number] = changes
        else:
            plan.centres_same += 1

    existing_schools = _by_number(session, School, list(schools))
    centre_numbers = {c.id: c.number for c in session.scalars(select(Centre))}
    for number, (_, school) in schools.items():
        current = existing_schools.get(number)
        if current is None:
            plan.schools_new[number] = school
        elif changes := _changes(
                {"name": current.name, "level": current.level, "email": current.email,
                 "municipality": current.municipality,
                 "centre_number": centre_numbers.get(current.centre_id)}, school):
            plan.schools_changed[number] = school
            plan.school_changes[number] = changes
        else:
            plan.schools_same += 1
    return plan


def _changes(current: dict[str, str | None], new: dict) -> list[Change]:
    """The fields whose stored value differs from the file's, in the order given."""
    return [Change(key, old or "", new[key] or "") for key, old in current.items()
            if (old or None) != (new[key] or None)]


def _by_number(session: Session, model, numbers: list[str]) -> dict:
    found = {}
    for start in range(0, len(numbers), 500):  # stay far below SQLite's variable limit
        chunk = numbers[start:start + 500]
        found.update((o.number, o) for o in session.scalars(
            select(model).where(model.number.in_(chunk))))
    return found


def apply_import(session: Session, table: Table) -> ImportPlan:
    """Plan again under the write lock and apply it, all in one transaction."""
    with write_transaction(session):
        plan = plan_import(session, table)
        centres = _by_number(session, Centre, [*plan.centres_new, *plan.centres_changed])
        for number, values in {**plan.centres_new, **plan.centres_changed}.items():
            centre = centres.get(number)
            if centre is None:
                session.add(Centre(**values))
            else:
                centre.name, centre.network = values["name"], values["network"]
        session.flush()
        ids = {number: cid for cid, number in session.execute(select(Centre.id, Centre.number))}
        schools = _by_number(session, School, [*plan.schools_new, *plan.schools_changed])
        for number, values in {**plan.schools_new, **plan.schools_changed}.items():
            fields = {k: v for k, v in values.items() if k != "centre_number"}
            fields["centre_id"] = ids[values["centre_number"]]
            school = schools.get(number)
            if school is None:
                session.add(School(**fields))
            else:
                for key, value in fields.items():
                    setattr(school, key, value)
    return plan
