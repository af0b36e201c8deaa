"""Each CLB's layer of the sheet written straight as PDF drawing operators: text in the
sheet's font (Rapport Sans, embedded whole: it is small) and filled boxes.

Why: matplotlib lays out and emits every character in Python, about 0.5 ms a line, and
embeds a font subset per file; a CLB's layer is a few hundred short lines (figures,
names, remarks) over the static layer that matplotlib draws once per round (pdf.py).
Here a line costs a few microseconds. Text stays real text: a ToUnicode map makes it
selectable and extractable, widths come from the font, so right and centred alignment
are exact."""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from . import fonts

FONT_NAME = "/RS"


@dataclass(frozen=True)
class Font:
    data: bytes                      # the TrueType file
    gids: dict[int, int]             # code point -> glyph id
    widths: list[int]                # per glyph id, in 1/1000 em
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    to_unicode: bytes

    def encode(self, text: str) -> tuple[str, float]:
        """The text as hex glyph ids, and its width in 1/1000 em."""
        gids = [self.gids.get(ord(ch), 0) for ch in text]
        return "".join(f"{g:04X}" for g in gids), sum(self.widths[g] for g in gids)


@functools.lru_cache(maxsize=1)
def font() -> Font:
    fonts.family()                                   # makes the file if needed
    path = fonts.path("Regular")
    tt = TTFont(path)
    scale = 1000 / tt["head"].unitsPerEm
    order = tt.getGlyphOrder()
    metrics = tt["hmtx"].metrics
    widths = [round(metrics[name][0] * scale) for name in order]
    gid_of = {name: i for i, name in enumerate(order)}
    gids = {cp: gid_of[name] for cp, name in tt.getBestCmap().items()}
    head = tt["head"]
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    return Font(Path(path).read_bytes(), gids, widths, round(tt["hhea"].ascent * scale),
                round(tt["hhea"].descent * scale), bbox, _to_unicode(gids))


def _to_unicode(gids: dict[int, int]) -> bytes:
    # glyph 0 stands in for a character the font lacks (an emoji in a remark, say):
    # extracted, it reads as U+FFFD rather than vanishing
    pairs = sorted({0: 0xFFFD, **{g: cp for cp, g in gids.items() if cp <= 0xFFFF}}.items())
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i:i + 100]
        lines = "\n".join(f"<{g:04X}> <{cp:04X}>" for g, cp in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\n"
            "end\nend\n").encode()


def font_object(writer: PdfWriter):
    """The font's objects added to `writer`; returns the reference to its font dict."""
    f = font()
    file = StreamObject()
    file._data = zlib.compress(f.data, 6)
    file.update({NameObject("/Filter"): NameObject("/FlateDecode"),
                 NameObject("/Length1"): NumberObject(len(f.data))})
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): NameObject("/RapportSans-Regular"),
        NameObject("/Flags"): NumberObject(32),
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in f.bbox]),
        NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/Ascent"): NumberObject(f.ascent),
        NameObject("/Descent"): NumberObject(f.descent),
        NameObject("/CapHeight"): NumberObject(f.ascent),
        NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile2"): writer._add_object(file),
    })
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): NameObject("/RapportSans-Regular"),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        NameObject("/W"): ArrayObject([NumberObject(0), ArrayObject(
            [NumberObject(w) for w in f.widths])]),
    })
    cmap = StreamObject()
    cmap._data = zlib.compress(f.to_unicode, 6)
    cmap[NameObject("/Filter")] = NameObject("/FlateDecode")
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject("/RapportSans-Regular"),
        NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
        NameObject("/ToUnicode"): writer._add_object(cmap),
    }))


def _rgb(colour: str) -> str:
    colour = colour.lstrip("#")
    return " ".join(f"{int(colour[i:i + 2], 16) / 255:.3f}" for i in (0, 2, 4))


@dataclass
class Layer:
    """Drawing operators for one page, in points from the bottom left (PDF's own)."""

    ops: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, s: str, size: float, colour: str = "#1a1a1a",
             ha: str = "left") -> None:
        """One line of text with its baseline at y."""
        if not s:
            return
        hexed, width = font().encode(s)
        if ha != "left":
            x -= width * size / 1000 / (2 if ha == "center" else 1)
        self.ops.append(f"BT {FONT_NAME} {size:g} Tf {_rgb(colour)} rg "
                        f"1 0 0 1 {x:.2f} {y:.2f} Tm <{hexed}> Tj ET")

    def box(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.ops.append(f"{_rgb(colour)} rg {x:.2f} {y:.2f} {width:.2f} {height:.2f} re f")

    def width(self, s: str, size: float) -> float:
        return font().encode(s)[1] * size / 1000

    def form(self, writer: PdfWriter, font_ref, mediabox) -> StreamObject:
        stream = DecodedStreamObject()
        stream.set_data("\n".join(self.ops).encode())
        stream.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in mediabox]),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
                {NameObject(FONT_NAME): font_ref})}),
        })
        return stream.flate_encode()
