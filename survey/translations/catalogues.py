"""Keep the message catalogues in step with the code (docs/translations.md).

Dutch is the source language: every text in the code is the Dutch text, and the Dutch
catalogue maps each one to itself. After changing or adding a text, run from the checkout

    .venv/bin/python -m survey.translations.catalogues

which extracts every text into messages.pot, updates each language's messages.po (the Dutch
one filled, new texts of other languages left empty for their translators) and compiles
every messages.mo. `--add fr` starts a new language. tests/test_translations.py uses the
same functions to check that the committed files are complete and current.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parents[1]
TEMPLATE = HERE / "messages.pot"
SOURCE_LANGUAGE = "nl"
DOMAIN = "messages"
# Besides gettext's usual names: flask_babel's lazy variants (module-level texts), and _l,
# the usual short name of lazy_gettext in form classes.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "_l": None}
PROJECT = "clb-survey"


def _new_catalog(locale: str | None = None) -> Catalog:
    # fuzzy=False: Babel marks a new catalogue's header fuzzy, and compilers skip those.
    return Catalog(locale=locale, domain=DOMAIN, project=PROJECT, fuzzy=False,
                   charset="utf-8", copyright_holder="Onderwijsinspectie")


def extract(root: Path = CHECKOUT) -> Catalog:
    """Every marked text in the files babel.cfg names, as a template catalogue."""
    with open(root / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(root / "babel.cfg"))
    template = _new_catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True):
        template.add(message, None, [(Path(filename).as_posix(), lineno)],
                     auto_comments=comments, context=context)
    return template


def language_dir(language: str, base: Path = HERE) -> Path:
    return base / language / "LC_MESSAGES"


def languages(base: Path = HERE) -> list[str]:
    return sorted(path.parent.parent.name for path in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as file:
        return read_po(file, locale=locale)


def fill_source(catalog: Catalog) -> None:
    """The source language's texts are their own translation; an entry can never be fuzzy."""
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        message.string = message.id   # a plural's (singular, plural) pair as well


def updated(template: Catalog, language: str, base: Path = HERE) -> Catalog:
    """The language's catalogue with the template's texts: new ones empty (or, for Dutch,
    filled), gone ones dropped from Dutch and kept as obsolete for translators elsewhere.
    No fuzzy matching: a guessed translation would be shown until someone checks it."""
    path = language_dir(language, base) / f"{DOMAIN}.po"
    catalog = read(path, language) if path.exists() else _new_catalog(language)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False
    if language == SOURCE_LANGUAGE:
        fill_source(catalog)
        catalog.obsolete.clear()
    return catalog


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_po(path: Path, catalog: Catalog) -> None:
    """Written with file names but no line numbers (they would change with every edit of
    the code), and not at all when only the creation date would change."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False)
    if path.exists() and _undated(path.read_bytes()) == _undated(buffer.getvalue()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def _undated(content: bytes) -> bytes:
    return re.sub(rb'^"(POT-Creation-Date|PO-Revision-Date): .*$', b"", content, flags=re.M)


def refresh(root: Path = CHECKOUT, base: Path = HERE, add: tuple[str, ...] = ()) -> None:
    template = extract(root)
    _write_po(base / TEMPLATE.name, template)
    for language in sorted({*languages(base), SOURCE_LANGUAGE, *add}):
        catalog = updated(template, language, base)
        folder = language_dir(language, base)
        _write_po(folder / f"{DOMAIN}.po", catalog)
        # Compiled from the file as kept, so an unchanged .po gives the same .mo bytes.
        mo = folder / f"{DOMAIN}.mo"
        binary = compiled(read(folder / f"{DOMAIN}.po", language))
        if not mo.exists() or mo.read_bytes() != binary:
            mo.write_bytes(binary)
        missing = sum(1 for message in catalog
                      if message.id and not all(_strings(message)))
        print(f"{language}: {len(template)} texts, {missing} without a translation")


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", action="append", default=[], metavar="LANGUAGE",
                        help="start a catalogue for this language (e.g. fr)")
    refresh(add=tuple(parser.parse_args(argv).add))


if __name__ == "__main__":
    main()
