"""Every user-facing text goes through the message catalogues (Flask-Babel), and the Dutch
catalogue is complete and compiled: a later language needs only its own catalogue."""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from conftest import csrf_in, login

from helpers import FormPage
from instrument import loader
from instrument.errors import QuestionnaireError
from survey import create_app
from survey.formatting import local_datetime
from survey.services import accounts, sector_import
from survey.translations import catalogues

ROOT = Path(__file__).resolve().parents[1]
NL = catalogues.language_dir("nl")
REFRESH = "run .venv/bin/python -m survey.translations.catalogues (docs/translations.md)"


def _texts(catalog) -> dict:
    """(msgid, context) -> msgstr of every entry but the header (a plural's as tuples)."""
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value
    return {(plain(message.id), message.context): plain(message.string)
            for message in catalog if message.id}


def _filled(string) -> bool:
    strings = string if isinstance(string, tuple) else (string,)
    return all(strings)


@pytest.fixture(scope="module")
def fresh():
    return catalogues.extract()


@pytest.fixture(scope="module")
def dutch():
    return catalogues.read(NL / "messages.po", "nl")


def test_the_template_holds_every_text_of_a_fresh_extraction(fresh):
    template = catalogues.read(catalogues.TEMPLATE)
    assert set(_texts(fresh)) == set(_texts(template)), REFRESH


def test_the_dutch_catalogue_has_every_text_filled_and_none_fuzzy(fresh, dutch):
    texts = _texts(dutch)
    template = catalogues.read(catalogues.TEMPLATE)
    for key in {*_texts(fresh), *_texts(template)}:
        assert key in texts, f"{key[0]!r} is not in the Dutch catalogue: {REFRESH}"
        assert _filled(texts[key]), f"{key[0]!r} has no Dutch text: {REFRESH}"
    assert not dutch.fuzzy
    assert [m.id for m in dutch if m.id and m.fuzzy] == []


def test_dutch_is_the_source_language_so_its_texts_are_the_texts_themselves(dutch):
    for message in dutch:
        if message.id:
            assert message.string == message.id


def test_the_committed_mo_is_the_po_compiled(dutch):
    with open(NL / "messages.mo", "rb") as committed:
        shipped = _texts(read_mo(committed))
    assert shipped == _texts(dutch), REFRESH
    assert len(shipped) > 150   # the console, sign-in, portal and error texts at least


def test_extraction_finds_texts_of_templates_python_and_plurals(fresh):
    texts = _texts(fresh)
    assert ("Aanmelden", None) in texts                            # template {{ _() }}
    assert ("Pagina niet gevonden", None) in texts                 # lazy_gettext
    assert ("Dit wachtwoord is te eenvoudig.", None) in texts      # gettext in a service
    assert ("Bevraging over de samenwerking met uw CLB", None) in texts   # N_()
    plurals = [key for key in texts if isinstance(key[0], tuple)]
    assert ("%(num)d onzeker bericht wordt bij de volgende verzending opnieuw verstuurd.",
            "%(num)d onzekere berichten worden bij de volgende verzending opnieuw "
            "verstuurd.") in [key[0] for key in plurals]
    trimmed = [key[0] for key in texts if isinstance(key[0], str)
               and key[0].startswith("Een .xlsx- of .csv-bestand")]
    assert trimmed and "\n" not in trimmed[0]     # {% trans trimmed %}: one line


# --- a test catalogue proves the texts are looked up, not just written in Dutch

CHANGED = {
    "Aanmelden": "Inloggen-test",                                   # template
    "E-mailadres": "Adres-test",                                    # lazy form label
    "E-mailadres of wachtwoord klopt niet.": "Fout-test.",          # service, in a request
    "Pagina niet gevonden": "Weg-test",                             # lazy, module level
    'Vragen over deze bevraging? Mail <a href="mailto:%(address)s">%(address)s</a>.':
        "Vragen-test: %(address)s",                                 # {% trans %} block
    "het bestand is geen UTF-8-tekst": "Geen-UTF8-test",            # the engine (instrument)
    "veld '%(name)s' ontbreekt": "Veld-test %(name)s",              # the engine, a value
    "Deze link werkt niet": "Link-test",                            # the school's pages
    "Uw antwoorden zijn bewaard.": "Flash-test.",                   # a flash, in a view
    "Onbekende vraag.": "Vraag-test.",                              # the autosave's JSON
    "Automatisch bewaard om %(time)s.": "Bewaard-test %(time)s",    # respond.js's texts
    ("%(answered)s van %(total)s stelling beantwoord",              # a plural, with markup
     "%(answered)s van %(total)s stellingen beantwoord"):
        ("%(answered)s/%(total)s-een", "%(answered)s/%(total)s-meer"),
}


def _write_catalogue(base: Path, language: str, changes: dict[str, str]) -> None:
    catalog = catalogues.read(NL / "messages.po", language)
    for message in catalog:
        key = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
        if key in changes:
            message.string = changes[key]
    folder = catalogues.language_dir(language, base)
    folder.mkdir(parents=True)
    (folder / "messages.mo").write_bytes(catalogues.compiled(catalog))


@pytest.fixture
def catalogue_app(database_url, tmp_path, monkeypatch):
    base = tmp_path / "translations"
    _write_catalogue(base, "nl", CHANGED)
    _write_catalogue(base, "fr", {"Aanmelden": "Se connecter"})
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": database_url,
                       "BABEL_TRANSLATION_DIRECTORIES": str(base)})


def test_a_changed_catalogue_changes_the_pages(catalogue_app):
    client = catalogue_app.test_client()
    page = client.get("/account/aanmelden").get_data(as_text=True)
    assert "<h1>Inloggen-test</h1>" in page and "<h1>Aanmelden</h1>" not in page
    assert "Adres-test" in page
    refused = login(client, "niemand@example.org", "een verkeerd wachtwoord")
    assert refused.status_code == 401 and "Fout-test." in refused.get_data(as_text=True)
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404 and "<h1>Weg-test</h1>" in missing.get_data(as_text=True)


def test_the_schools_pages_flashes_and_script_texts_come_from_the_catalogue(
        catalogue_app, make_invited):
    client = catalogue_app.test_client()
    unknown = client.get("/s/bestaat-niet")
    assert unknown.status_code == 404 and "<h1>Link-test</h1>" in unknown.get_data(as_text=True)
    school = FormPage(client, make_invited())
    page = school.open().get_data(as_text=True)
    assert "Vragen-test: clb@onderwijsinspectie.be" in page     # the schools' footer
    assert ('<span id="answered-count">0</span>/<span id="total-count">21</span>-meer'
            in page)
    texts = json.loads(re.search(r'<script type="application/json" id="teksten">(.*?)'
                                 r'</script>', page, re.S).group(1))
    assert texts["saved"] == "Bewaard-test %(time)s"
    assert texts["saving"] == "Bezig met bewaren…"                  # unchanged: Dutch
    saved = school.post({1: 4})
    assert saved.status_code == 303
    assert "Flash-test." in client.get(saved.headers["Location"]).get_data(as_text=True)
    reply = school.autosave("bestaat_niet", "1")
    assert reply.status_code == 422 and reply.get_json()["message"] == "Vraag-test."


def test_the_engine_speaks_the_request_language_and_dutch_outside_one(catalogue_app):
    with catalogue_app.test_request_context():
        with pytest.raises(QuestionnaireError) as refused:
            loader.loads(b"\xff\xfe", "vragenlijst.toml")
        assert refused.value.problems == ["Geen-UTF8-test"]
        with pytest.raises(QuestionnaireError) as incomplete:
            loader.loads(b'format = 2\nversion = "1"\n', "vragenlijst.toml")
        assert "questionnaire: Veld-test id" in incomplete.value.problems
    with pytest.raises(QuestionnaireError) as outside:
        loader.loads(b"\xff\xfe", "vragenlijst.toml")
    assert outside.value.problems == ["het bestand is geen UTF-8-tekst"]


def test_the_session_language_is_used_only_when_it_has_a_catalogue(catalogue_app):
    client = catalogue_app.test_client()
    with client.session_transaction() as session:
        session["language"] = "fr"
    page = client.get("/account/aanmelden").get_data(as_text=True)
    assert "<h1>Se connecter</h1>" in page and '<html lang="fr">' in page
    with client.session_transaction() as session:
        session["language"] = "de"         # no catalogue: the default
    page = client.get("/account/aanmelden").get_data(as_text=True)
    assert "<h1>Inloggen-test</h1>" in page and '<html lang="nl">' in page


def test_the_shipped_catalogue_gives_the_dutch_texts(client):
    page = client.get("/account/aanmelden").get_data(as_text=True)
    assert '<html lang="nl">' in page and "<h1>Aanmelden</h1>" in page
    empty = client.post("/account/aanmelden", data={"csrf_token": csrf_in(page)})
    assert "Dit veld is vereist." in empty.get_data(as_text=True)   # WTForms' own messages


def test_services_outside_an_app_give_the_dutch_source_texts():
    with pytest.raises(accounts.AccountError, match="^Kies een wachtwoord van minstens 12 "
                                                    "tekens.$"):
        accounts.check_password_strength("kort")
    _, faults = sector_import._check({"school_number": "12a", "school_name": "",
                                      "level": "", "centre_number": "", "centre_name": "",
                                      "network": "", "email": ""})
    assert faults[0] == "ongeldig schoolnummer '12a' (zes cijfers 0-9, bijvoorbeeld 012345)"
    assert local_datetime(datetime(2027, 3, 3, 8, 5, tzinfo=UTC)) == "3 maart 2027 om 09:05"


# --- no bare text left in the templates that are done

# Templates whose texts are not yet marked (their owners mark them; then remove them here).
NOT_YET = re.compile(r"^$")     # none left (a template's path is never empty)
TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
# A macro named *_attrs writes attributes for a tag its caller opens: markup, not text.
ATTRIBUTE_MACRO = re.compile(r"{%-?\s*macro\s+\w*_attrs\b.*?{%-?\s*endmacro\s*-?%}", re.S)
TEXT_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


def _done_templates() -> list[Path]:
    folder = ROOT / "templates"
    return [path for path in sorted(folder.rglob("*.html"))
            if not NOT_YET.match(path.relative_to(folder).as_posix())]


@pytest.mark.parametrize("path", _done_templates(), ids=lambda p: p.name)
def test_a_done_template_has_no_text_outside_the_catalogue(path):
    source = TRANS_BLOCK.sub("", path.read_text(encoding="utf-8"))
    attributes = [JINJA.sub("", value) for value in TEXT_ATTRIBUTE.findall(source)]
    text = TAG.sub(" ", JINJA.sub(" ", ATTRIBUTE_MACRO.sub(" ", source)))
    words = re.findall(r"[^\W\d_]{2,}", text + " ".join(attributes))
    assert words == [], f"{path.name}: text outside _() or {{% trans %}}: {words}"


# --- no bare message left in the Python modules that are done

# Modules whose messages are not yet marked (their owners mark them; then remove them here),
# and those whose texts are for operators at a console, in English by design.
PY_NOT_YET = re.compile(r"^$")     # none left (a module's path is never empty)
PY_OPERATORS = re.compile(r"^survey/(config|backup|cli|cli_mail|demo|gunicorn_config)\.py$|"
                          r"^survey/migrations/|^survey/translations/")
PROGRAMMING_ERRORS = {"ValueError", "TypeError", "RuntimeError", "LookupError", "KeyError",
                      "FrozenError",   # reports/frozen.py: bytes no version wrote
                      "AssertionError", "NotImplementedError"}
# Where a user-facing message is the n-th positional argument.
MESSAGE_ARGUMENT = {"flash": 0, "Rejection": 1, "LoginResult": 1}


def _done_modules() -> list[Path]:
    return [path for path in sorted((ROOT / "survey").rglob("*.py"))
            if not PY_NOT_YET.match(rel := path.relative_to(ROOT).as_posix())
            and not PY_OPERATORS.match(rel)]


def _bare_messages(source: str) -> list[int]:
    """Lines where a message is a literal or an f-string instead of a gettext call."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
        if name in MESSAGE_ARGUMENT:
            position = MESSAGE_ARGUMENT[name]
        elif name.endswith("Error") and name not in PROGRAMMING_ERRORS:
            position = 0
        else:
            continue
        if len(node.args) > position:
            argument = node.args[position]
            while isinstance(argument, ast.BinOp):      # "..." + x, "..." % x: the text
                argument = argument.left
            if isinstance(argument, ast.JoinedStr) or (
                    isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", _done_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_done_module_shows_no_message_outside_the_catalogue(path):
    assert _bare_messages(path.read_text(encoding="utf-8")) == [], (
        f"{path.name}: a message not made by gettext/lazy_gettext on these lines")


def test_the_bare_message_check_sees_literals_and_f_strings():
    source = ('flash("Klaar.", "success")\nflash(f"{n} weg")\nraise AccountError("Nee.")\n'
              'flash(gettext("Goed."), "info")\nraise ValueError("programming")\n'
              'Rejection(3, "reden")\nflash("Een " + naam)\nflash(done % {"x": 1})\n')
    assert _bare_messages(source) == [1, 2, 3, 6, 7]


def test_a_lazy_text_is_escaped_in_html_like_any_text():
    from markupsafe import escape

    from survey.translations import lazy_gettext

    assert str(escape(lazy_gettext("Aantal andere CLB's"))) == "Aantal andere CLB&#39;s"
    assert str(lazy_gettext("Aantal %(n)s", n=3)) == "Aantal 3"     # Dutch outside an app


# --- no bare Dutch text left in the reports package

# reports/ has no Flask: every text it shows goes through instrument.i18n's _() (or is
# marked N_() where kept in a constant). A string outside those calls that holds one of these
# Dutch words is a text a reader would see untranslated. (Words of the sheets; codes such as
# "totaal", "bao" or the Data sheet's column names, one token with underscores, are not.)
DUTCH_WORDS = frozenset(re.findall(r"\w+", """
    aandachtspunten aangepast aantal akkoord alle andere antwoord antwoorden bevraging
    bevragingen bij dan datum de deel dit een en evolutie geantwoord geen gemiddelde gz
    het hoe hoger kwartiel lager leest marge mediaan met minder net niet niveau niveaus
    of oordeel op opmerking opmerkingen over per rapport respons ruw samenvatting scholen
    school schooljaar sector stelling stellingen sterktes te tegenover toelichting
    uitgenodigd uw van vervolg verschil voor vraag vragen weinig wie zicht zijn
"""))
GETTEXT_CALLS = {"_", "N_"}
# Modules of reports/ whose owners have not marked their texts yet (none left):
REPORTS_NOT_YET: set[str] = set()
# Strings that hold such a word but are no text for a reader (names, codes).
NOT_TEXT = {("sector.py", "sector"), ("sector_pdf.py", "sector")}


def _bare_dutch(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant outside _()/N_(), a docstring or a dict's
    key (a name, not a text) that holds a Dutch word (f-strings' literal parts included)."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            skipped.update(id(key) for key in node.keys if key is not None)
        name = getattr(getattr(node, "func", None), "id", None)
        if isinstance(node, ast.Call) and name in GETTEXT_CALLS:
            skipped.update(id(inner) for inner in ast.walk(node))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skipped.add(id(body[0].value))                  # a docstring
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in skipped:
            words = {word.lower() for word in re.findall(r"\w+", node.value)}
            if words & DUTCH_WORDS:
                found.append((node.lineno, node.value))
    return sorted(found)


def _report_modules() -> list[Path]:
    return [path for path in sorted((ROOT / "reports").glob("*.py"))
            if path.name not in REPORTS_NOT_YET]


@pytest.mark.parametrize("path", _report_modules(), ids=lambda p: p.name)
def test_a_reports_module_shows_no_dutch_text_outside_the_catalogue(path):
    found = [(line, text) for line, text in _bare_dutch(path.read_text(encoding="utf-8"))
             if (path.name, text) not in NOT_TEXT]
    assert found == [], (
        f"reports/{path.name}: Dutch text outside _() or N_() (instrument.i18n)")


def test_the_dutch_text_check_sees_literals_f_strings_and_constants():
    source = ('"""Een docstring van de module."""\n'
              'TITLE = "Per stelling"\n'
              'KEPT = N_("te weinig antwoorden")\n'
              'def f(n):\n'
              '    """De docstring van f."""\n'
              '    ws.append(["Nr", _("Stelling"), f"{n} antwoorden", "n", "left"])\n'
              '    return _("%(n)s van %(total)s", n=n, total="geen zicht")\n'
              'COLUMNS = ["n_geen_zicht", "pct_agree", "totaal", "bao"]\n'
              'ws.cell(1, 2, "Opmerking")\n'
              'row = {"sector": 1, "label": "de sector"}\n')
    assert _bare_dutch(source) == [(2, "Per stelling"), (6, " antwoorden"), (9, "Opmerking"),
                                   (10, "de sector")]
