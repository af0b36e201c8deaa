"""The feedback sheet PDF: A4 pages, selectable text with embedded fonts, as many remark
pages as needed, and the same bytes for the same content."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from helpers import INFO, LAYOUT, NUMBERS, centre_input, cube_of, uniform
from reports import content, pdf


def _render(**kwargs) -> PdfReader:
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input(**kwargs))
    return PdfReader(io.BytesIO(pdf.render(fb)))


def test_pages_are_a4_with_the_clb_and_every_statement_as_text():
    reader = _render()
    assert len(reader.pages) == 7
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    assert "CLB A" in text and "Samenvatting" in text and "Per onderwijsniveau" in text
    for n in NUMBERS:
        assert f"{n}. {LAYOUT.statements[n].label[:18]}" in text


def test_fonts_are_embedded():
    reader = _render()
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in \
            font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


# A remark here wraps to 2 lines: 2 x 8.5 pt x 1.2 + 0.14 in = 0.42 in; a page has 9.19 in
# for them, so 21 a page (20 on the first, below its section heading): 120 take 6 pages.
@pytest.mark.parametrize("count, pages", [(0, 7), (10, 7), (21, 8), (120, 12)])
def test_remarks_take_the_pages_they_need(count, pages):
    remarks = [content.Remark("algemeen", f"Opmerking {i}: " + "goed bereikbaar en "
                              "betrokken bij de leerlingen, " * 3) for i in range(count)]
    reader = _render(remarks=remarks)
    assert len(reader.pages) == pages
    text = " ".join(p.extract_text() for p in reader.pages)
    for i in range(count):
        assert f"Opmerking {i}:" in text


def test_the_same_content_gives_the_same_file():
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input())
    assert pdf.render(fb) == pdf.render(fb)


def _words(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return sorted(w for page in reader.pages for w in page.extract_text().split())


def test_layered_sheet_says_exactly_what_a_sheet_drawn_in_one_pass_says():
    """The static layer is drawn once per round and each CLB's figures over it; nothing
    may be lost or doubled on the way."""
    few = [content.Remark("algemeen", "Een opmerking over de samenwerking.")]
    many = [content.Remark("leerlinggericht", f"Opmerking {i} " + "over leerlingen. " * 9)
            for i in range(90)]
    earlier = [content.Earlier("Vorige", cube_of(uniform(5, 5)), 5, "2024-2025")]
    for spec, remarks in ((uniform(7, 6), few), (uniform(2, 9), many)):
        fb = content.build(INFO, LAYOUT, cube_of(spec),
                           centre_input(remarks=remarks, earlier=earlier))
        layered, whole = pdf.render(fb), pdf.render_full(fb)
        assert len(PdfReader(io.BytesIO(layered)).pages) == \
            len(PdfReader(io.BytesIO(whole)).pages)
        assert _words(layered) == _words(whole)


def test_remark_text_survives_as_text_and_a_missing_glyph_is_marked():
    remark = "Fijne samenwerking, café “De Ster” en œuvre – ook 👍"
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)),
                       centre_input(remarks=[content.Remark("algemeen", remark)]))
    text = PdfReader(io.BytesIO(pdf.render(fb))).pages[-1].extract_text()
    assert remark.replace("👍", "\ufffd") in text
