"""What an accessible PDF must carry, read from the file itself (pikepdf): its language and
title, the structure tree (headings, tables with header cells, figures with a text
alternative), embedded fonts and extractable text. Used by the tests of every kind of PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pypdf import PdfReader


@dataclass
class Node:
    role: str
    depth: int
    alt: str | None = None
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Structure:
    lang: str | None
    title: str | None
    display_title: bool
    marked: bool
    root: Node | None
    fonts: dict[str, bool]          # base font -> embedded
    text: str
    pages: int

    def nodes(self, role: str) -> list[Node]:
        return [node for node in self.root.walk() if node.role == role] if self.root else []


def _node(dictionary, depth: int) -> Node:
    alt = dictionary.get("/Alt")
    node = Node(str(dictionary.get("/S", "")).lstrip("/"), depth,
                None if alt is None else str(alt))
    kids = dictionary.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            node.children.append(_node(kid, depth + 1))
    return node


def _embedded(font) -> bool:
    if "/DescendantFonts" in font:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def read(payload: bytes) -> Structure:
    pdf = pikepdf.open(io.BytesIO(payload))
    root = pdf.Root
    tree = root.get("/StructTreeRoot")
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            fonts[str(font.get("/BaseFont"))] = _embedded(font)
    preferences = root.get("/ViewerPreferences", {})
    mark = root.get("/MarkInfo", {})
    reader = PdfReader(io.BytesIO(payload))
    text = " ".join(page.extract_text() for page in reader.pages)
    title = pdf.docinfo.get("/Title")
    return Structure(
        lang=str(root["/Lang"]) if "/Lang" in root else None,
        title=None if title is None else str(title),
        display_title=bool(preferences.get("/DisplayDocTitle", False)),
        marked=bool(mark.get("/Marked", False)),
        root=_node(tree, 0) if tree is not None else None,
        fonts=fonts, text=" ".join(text.split()), pages=len(pdf.pages))


def assert_accessible(payload: bytes, *, title_contains: str) -> Structure:
    """The checks every PDF of ours passes; returns the structure for more."""
    structure = read(payload)
    assert structure.lang == "nl"
    assert structure.title and title_contains in structure.title
    assert structure.display_title and structure.marked
    assert structure.nodes("H1"), "no heading"
    tables = structure.nodes("Table")
    assert tables, "no table"
    for table in tables:
        assert [n for n in table.walk() if n.role == "TH"], "a table without header cells"
    for figure in structure.nodes("Figure"):
        assert figure.alt and len(figure.alt) > 20, f"a figure without alternative: {figure}"
    assert structure.fonts and all(structure.fonts.values()), structure.fonts
    assert len(structure.text) > 200
    return structure
