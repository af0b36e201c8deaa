"""The one PDF renderer: a Typst template (templates/reports/<name>.typ) filled with plain
data, compiled in one pass to a tagged PDF/UA-1 (title, language, headings, table headers,
figures with their text alternative, fonts embedded as subsets, text extractable).

The template gets the data as JSON in `sys.inputs.data` and reads it with
`json(bytes(sys.inputs.data))`; every text it shows comes from the data (translated in
Python), so a layout change is a change of one template and a language needs no template.
Strings from the data are inserted as text, never evaluated as Typst markup, so a remark
with `#`, `*` or `$` in it is printed as written.

Why Typst: measured here, a simple A4 page with a table compiles in about 2 ms with a
kept compiler, and its PDF is tagged; matplotlib and ReportLab write untagged PDF. The
fonts are matplotlib's DejaVu Sans (always installed with it), system fonts ignored, so
every machine makes the same bytes from the same data.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import typst

_HERE = Path(__file__).resolve().parent
# A checkout keeps templates/ beside the packages; the wheel packs it into survey/.
TEMPLATE_DIRS = (_HERE.parent / "templates" / "reports",
                 _HERE.parent / "survey" / "templates" / "reports")
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

_compilers: dict[str, typst.Compiler] = {}
# A compiler keeps its caches between documents (fonts, parsed templates), which makes the
# second sheet several times cheaper than the first; it is not meant for two threads at once.
_lock = threading.Lock()


class RenderError(RuntimeError):
    """The template could not be compiled with these data (a programming error)."""


def started() -> bool:
    """Whether this process has compiled a document (and so runs Typst's threads)."""
    return bool(_compilers)


def template_dir() -> Path:
    for folder in TEMPLATE_DIRS:
        if folder.is_dir():
            return folder
    raise RenderError(f"no report templates in {', '.join(map(str, TEMPLATE_DIRS))}")


def _compiler(template: str) -> typst.Compiler:
    compiler = _compilers.get(template)
    if compiler is None:
        folder = template_dir()
        path = folder / f"{template}.typ"
        if not path.is_file():
            raise RenderError(f"no report template {path}")
        compiler = typst.Compiler(str(path), root=str(folder), font_paths=[str(FONT_DIR)],
                                  ignore_system_fonts=True, sys_inputs={"data": "{}"})
        _compilers[template] = compiler
    return compiler


# What PDF/UA forbids in text (Typst refuses the document: "disallowed codepoint", or a
# control character "could not be displayed"): byte order marks, noncharacters, lone
# surrogates and control characters other than line breaks and tabs. Text from users is
# cleaned when it comes in (survey/cleantext.py); this keeps any other text from making a
# report impossible.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufdd0-\ufdef\ufffe\uffff"
                          "\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# A word longer than a column (a pasted link, a row of letters) would run off the page:
# past this many characters without a space it may break (a zero-width space).
LONGEST_WORD = 30
_LONG_WORD = re.compile(f"[^\\s\u200b]{{{LONGEST_WORD}}}(?=[^\\s\u200b])")


# Whether a text needs _clean at all (most do not): one scan instead of three.
_SUSPECT = re.compile(f"{_UNPRINTABLE.pattern}|{_ASTRAL.pattern}"
                      f"|[^\\s\u200b]{{{LONGEST_WORD + 1}}}")


def _clean(text: str) -> str:
    if not _SUSPECT.search(text):
        return text
    text = _LONG_WORD.sub(lambda match: match.group(0) + "\u200b", _UNPRINTABLE.sub("", text))
    if _ASTRAL.search(text):    # the noncharacters U+1FFFE, U+1FFFF ... U+10FFFF
        text = "".join(c for c in text if ord(c) < 0x10000 or ord(c) & 0xFFFE != 0xFFFE)
    return text


def printable(value):
    """`value` (the data: dicts, lists, strings, numbers) with every string made printable."""
    kind = type(value)                  # the plain types first: an ABC check is slow
    if kind is str:
        return _clean(value)
    if kind is dict:
        return {key: printable(item) for key, item in value.items()}
    if kind is list:
        return [printable(item) for item in value]
    if kind in (int, float, bool) or value is None:
        return value
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, Mapping):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


def render(template: str, data: Mapping) -> bytes:
    """templates/reports/<template>.typ with `data` as a tagged PDF/UA-1."""
    payload = json.dumps(printable(data), ensure_ascii=False, separators=(",", ":"))
    with _lock:
        try:
            return _compiler(template).compile(format="pdf", sys_inputs={"data": payload},
                                               pdf_standards=["ua-1"])
        except typst.TypstError as error:
            raise RenderError(f"{template}.typ: {error}") from error


def render_png(template: str, data: Mapping, page: int = 1, ppi: float = 96) -> bytes:
    """One page as PNG (to look at a layout without a PDF viewer)."""
    payload = json.dumps(printable(data), ensure_ascii=False, separators=(",", ":"))
    with _lock:
        pages = _compiler(template).compile(format="png", ppi=ppi,
                                            sys_inputs={"data": payload})
    return pages[page - 1] if isinstance(pages, list) else pages
