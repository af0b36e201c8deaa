"""The codebook (reports/codebook.py): one row per variable, every question type, the codes
that count apart from the codes declared missing; the CSV as Excel opens it."""

from __future__ import annotations

import io

from reports.analysis import Table, Variable
from reports.codebook import HEADER, codebook_rows, write_codebook_csv

VARIABLES = (
    Variable("clb", "CLB-nummer", "string", "nominal", {}, (), "context", "clb"),
    Variable("onafhankelijk", "Stellen zich onafhankelijk op", "numeric", "ordinal",
             {4: "Helemaal akkoord", 3: "Eerder akkoord", 2: "Eerder niet akkoord",
              1: "Helemaal niet akkoord", 0: "Geen zicht"}, (0,), "likert", "onafhankelijk"),
    Variable("contact", "Hoe vaak hebt u contact?", "numeric", "nominal",
             {3: "Zelden", 1: "Wekelijks", 2: "Maandelijks"}, (), "single", "contact"),
    Variable("medewerkers_1", "Met welke medewerkers werkt u samen?: Psycholoog", "numeric",
             "nominal", {0: "Niet aangeduid", 1: "Aangeduid"}, (), "multi", "medewerkers"),
    Variable("verzoek", "Deed u dit jaar een verzoek?", "numeric", "nominal",
             {1: "Ja", 2: "Nee"}, (), "yesno", "verzoek"),
    Variable("leerlingen", "Hoeveel leerlingen?", "numeric", "scale", {}, (9999,),
             "number", "leerlingen"),
    Variable("opmerking", "-Opmerkingen; vrij", "string", "nominal", {}, (), "text",
             "opmerking"),
)


def rows_never_read():
    raise AssertionError("the codebook reads the rows")
    yield ()


def test_one_row_per_variable_codes_ascending_missing_apart():
    assert codebook_rows(Table(VARIABLES, rows_never_read())) == [
        ("clb", "CLB-nummer", "Achtergrond", "clb", "nominaal", "", ""),
        ("onafhankelijk", "Stellen zich onafhankelijk op", "Stelling op een schaal",
         "onafhankelijk", "ordinaal", "1 = Helemaal niet akkoord; 2 = Eerder niet akkoord; "
         "3 = Eerder akkoord; 4 = Helemaal akkoord", "0 = Geen zicht"),
        ("contact", "Hoe vaak hebt u contact?", "Eén keuze", "contact", "nominaal",
         "1 = Wekelijks; 2 = Maandelijks; 3 = Zelden", ""),
        ("medewerkers_1", "Met welke medewerkers werkt u samen?: Psycholoog",
         "Meerdere keuzes", "medewerkers", "nominaal",
         "0 = Niet aangeduid; 1 = Aangeduid", ""),
        ("verzoek", "Deed u dit jaar een verzoek?", "Ja of nee", "verzoek", "nominaal",
         "1 = Ja; 2 = Nee", ""),
        # a missing code without a label is named bare
        ("leerlingen", "Hoeveel leerlingen?", "Getal", "leerlingen", "schaal", "", "9999"),
        ("opmerking", "-Opmerkingen; vrij", "Open vraag", "opmerking", "nominaal", "", ""),
    ]


def test_the_csv_has_dutch_headers_and_no_formulas():
    stream = io.StringIO()
    write_codebook_csv(Table(VARIABLES[4:], rows_never_read()), stream)
    assert HEADER == ("naam", "vraag", "vraagtype", "sleutel", "meetniveau",
                      "codes en labels", "ontbrekend")
    assert stream.getvalue() == (
        "\ufeffnaam,vraag,vraagtype,sleutel,meetniveau,codes en labels,ontbrekend\r\n"
        "verzoek,Deed u dit jaar een verzoek?,Ja of nee,verzoek,nominaal,1 = Ja; 2 = Nee,\r\n"
        "leerlingen,Hoeveel leerlingen?,Getal,leerlingen,schaal,,9999\r\n"
        "opmerking,'-Opmerkingen; vrij,Open vraag,opmerking,nominaal,,\r\n")
