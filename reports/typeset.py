"""The one PDF renderer: a Typst template (templates/reports/<name>.typ) filled with plain
data, compiled in one pass to a tagged PDF/UA-1 (title, language, headings, table headers,
figures with their text alternative, fonts embedded as subsets, text extractable).

A template reads its data with `json("/data.json")` (a file this module writes before each
compile; the older way, `json(bytes(sys.inputs.data))`, still works for a template that asks
for it); every text it shows comes from the data (translated in Python), so a layout change
is a change of one template and a language needs no template. Strings from the data are
inserted as text, never evaluated as Typst markup, so a remark with `#`, `*` or `$` in it is
printed as written.

Why a file and not sys.inputs: Typst's layout caches (comemo) outlive a compile, but every
cached layout is keyed on the standard library, which holds sys.inputs; new inputs make a
new library and so miss every cache. With the data in a file only what reads it is
evaluated again, and each table cell, paragraph or block whose content, styles and place
are the same as in the previous document (the statements' labels, headings, explanations)
is taken from the cache: about a third of a CLB sheet's instructions (docs/benchmarks.md).
A template keeps what differs per document out of its styles for the same reason
(sheet.typ: the title set last, the running header read from a metadata element).

Why Typst: measured here, a simple A4 page with a table compiles in about 2 ms with a
kept compiler, and its PDF is tagged; matplotlib and ReportLab write untagged PDF. The
fonts are matplotlib's DejaVu Sans (always installed with it), system fonts ignored, so
every machine makes the same bytes from the same data.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import typst

_HERE = Path(__file__).resolve().parent
# A checkout keeps templates/ beside the packages; the wheel packs it into survey/.
TEMPLATE_DIRS = (_HERE.parent / "templates" / "reports",
                 _HERE.parent / "survey" / "templates" / "reports")
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

# A compiler keeps its caches between documents (fonts, parsed templates, layouts), which
# makes the second sheet several times cheaper than the first; it is not meant for two
# threads at once. Compilers and the workspace belong to the process that made them (a
# forked worker makes its own).
_lock = threading.Lock()
DATA_FILE = "data.json"


@dataclass
class _Compiler:
    typst: typst.Compiler
    reads_inputs: bool          # the template reads sys.inputs.data (the older way)


@dataclass
class _Workspace:
    """This process's folder for Typst: data.json (the document being compiled), one
    main file per template (`#include` of it) and templates/, a link to the template
    folder (so an edited template is read at the next compile)."""

    pid: int
    root: Path
    compilers: dict[str, _Compiler]


_workspace: _Workspace | None = None


class RenderError(RuntimeError):
    """The template could not be compiled with these data (a programming error)."""


def started() -> bool:
    """Whether this process has compiled a document (and so runs Typst's threads)."""
    return _workspace is not None and _workspace.pid == os.getpid() and \
        bool(_workspace.compilers)


def template_dir() -> Path:
    for folder in TEMPLATE_DIRS:
        if folder.is_dir():
            return folder
    raise RenderError(f"no report templates in {', '.join(map(str, TEMPLATE_DIRS))}")


def _remove(root: Path, pid: int) -> None:
    if os.getpid() == pid:          # not from a forked child that inherited the hook
        shutil.rmtree(root, ignore_errors=True)


def _current_workspace() -> _Workspace:
    global _workspace
    if _workspace is None or _workspace.pid != os.getpid():
        root = Path(tempfile.mkdtemp(prefix="survey-typst-"))
        (root / "templates").symlink_to(template_dir(), target_is_directory=True)
        (root / DATA_FILE).write_text("{}")
        _workspace = _Workspace(os.getpid(), root, {})
        # at the process's end, a pool worker's too (it leaves without atexit)
        multiprocessing.util.Finalize(None, _remove, args=(root, os.getpid()),
                                      exitpriority=0)
    return _workspace


_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def _compiler(workspace: _Workspace, template: str) -> _Compiler:
    compiler = workspace.compilers.get(template)
    if compiler is None:
        path = template_dir() / f"{template}.typ"
        if not path.is_file():
            raise RenderError(f"no report template {path}")
        main = workspace.root / f"{template}.typ"
        main.write_text(f'#include "templates/{template}.typ"\n')
        compiler = _Compiler(
            typst.Compiler(str(main), root=str(workspace.root), font_paths=[str(FONT_DIR)],
                           ignore_system_fonts=True, sys_inputs={"data": "{}"}),
            "sys.inputs" in _COMMENT.sub("", path.read_text(encoding="utf-8")))
        workspace.compilers[template] = compiler
    return compiler


def _compile(template: str, data: Mapping, **options):
    """Compile under the lock: the data into data.json (and sys.inputs for a template that
    reads them there; new inputs cost that compile Typst's caches)."""
    payload = _payload(data)
    with _lock:
        workspace = _current_workspace()
        compiler = _compiler(workspace, template)
        (workspace.root / DATA_FILE).write_text(payload, encoding="utf-8")
        if compiler.reads_inputs:
            options["sys_inputs"] = {"data": payload}
        return compiler.typst.compile(**options)


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


# The same test on the data as JSON, in three quick scans: the characters other than
# printable ASCII (few, and few kinds), control characters (JSON writes them escaped: \b,
# \f, \r, \u0001) and the longest word (split at white space; the separators have a
# space, so JSON's punctuation makes no long word). A match may be a false alarm (an
# escaped backslash, a word just under the limit in its quotes); it only sends the data
# the slower way, string by string.
_NOT_ASCII = re.compile("[^\x20-\x7e]")
_ESCAPED = re.compile(r"\\(?:[bfr]|u00[01])")


def _plain_json(text: str) -> bool:
    return (not _ESCAPED.search(text)
            and not any(_UNPRINTABLE.match(c) or _ASTRAL.match(c)
                        for c in set(_NOT_ASCII.findall(text)))
            and max(map(len, text.split()), default=0) <= LONGEST_WORD)


def _payload(data: Mapping) -> str:
    """The data as JSON with every string printable: most data need no change, which a few
    scans of their JSON show (faster than looking at each string)."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    except TypeError:               # a mapping or sequence JSON does not know: cleaned below
        text = None
    if text is not None and _plain_json(text):
        return text
    return json.dumps(printable(data), ensure_ascii=False, separators=(",", ":"))


def render(template: str, data: Mapping) -> bytes:
    """templates/reports/<template>.typ with `data` as a tagged PDF/UA-1."""
    try:
        return _compile(template, data, format="pdf", pdf_standards=["ua-1"])
    except typst.TypstError as error:
        raise RenderError(f"{template}.typ: {error}") from error


def render_png(template: str, data: Mapping, page: int = 1, ppi: float = 96) -> bytes:
    """One page as PNG (to look at a layout without a PDF viewer)."""
    pages = _compile(template, data, format="png", ppi=ppi)
    return pages[page - 1] if isinstance(pages, list) else pages
