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


# Four CLBs with their own names, sizes and figures (per level: responded, agree of 10).
_CLBS = {"L": ("Lommelberg", {"bao": 9, "so": 6}, 8),
         "M": ("Mechelenveld", {"bao": 14, "so": 7, "buso": 5}, 3),
         "T": ("Tiensestraat", {"bao": 6, "bubao": 5}, 6),
         "Z": ("Zottegemse", {"bao": 11, "so": 12}, 1)}


def _clb_cube():
    spec = {}
    for number, (_, responded, agree) in _CLBS.items():
        for level, n in responded.items():
            for item in NUMBERS:
                # a distribution of the CLB's own, which also shifts with the statement
                yes = round(n * ((agree + item) % 11) / 10)
                spec[(number, level, item)] = {4: yes // 2, 3: yes - yes // 2,
                                               1: n - yes, 0: item % 2}
    return cube_of(spec)


def _clb_feedback(number: str, cube) -> content.Feedback:
    name, responded, _ = _CLBS[number]
    remark = content.Remark("algemeen", f"Opmerking alleen voor {name}.")
    data = content.CentreInput(content.CentreInfo(number, f"CLB {name}", f"net-{name}"),
                               {lv: n + 3 for lv, n in responded.items()}, responded,
                               [remark])
    return content.build(INFO, LAYOUT, cube, data)


def test_no_sheet_carries_another_clbs_name_or_figures_through_the_static_cache():
    """Several CLBs of one round drawn through the same static layer (cached from the
    first): each layered sheet says exactly what it says drawn alone in one pass, and no
    other CLB's name is on it. A CLB text left out of the dynamic layer would be drawn
    once into the shared static layer and then show up on every other CLB's sheet."""
    pdf._static.clear()
    cube = _clb_cube()
    sheets = {}
    for number in ("L", "M", "T"):
        fb = _clb_feedback(number, cube)
        layered = pdf.render(fb)
        assert _words(layered) == _words(pdf.render_full(fb)), number
        sheets[number] = " ".join(p.extract_text() for p in
                                  PdfReader(io.BytesIO(layered)).pages)
    assert len(pdf._static) == 2          # fixed pages and extra pages, drawn once
    for number, text in sheets.items():
        for other, (name, _, _) in _CLBS.items():
            assert (name in text) == (other == number), (number, name)


def _example_feedback(number: str, seed: int = 3) -> content.Feedback:
    """A CLB's feedback on the example questionnaire (every question type), from a cube
    of random answers over five CLBs."""
    import random

    from instrument.loader import load
    from reports.layout import from_snapshot

    layout = from_snapshot(load("questionnaires/voorbeeld-alle-vraagtypes-2026.1.toml")
                           .to_dict())
    rng = random.Random(seed)
    cube: dict = {}

    def add(*key):
        cube[key] = cube.get(key, 0) + 1
    for centre in ("P", "Q", "R", "S", "U"):
        for level in ("bao", "so", "buso"):
            for _ in range(rng.randint(2, 9)):
                for slot in layout.statements:
                    add(centre, level, slot, rng.choice([1, 2, 3, 4]))
                for q in layout.questions:
                    if q.type == "multi":
                        for option in q.options:
                            add(centre, level, option.slot, rng.choice([0, 1]))
                    elif q.type == "number":
                        add(centre, level, q.options[0].slot, rng.randint(0, 10))
                    else:
                        add(centre, level, q.options[0].slot, rng.choice(q.options).code)
    given = content.CentreInput(content.CentreInfo(number, f"CLB {number}-stad", "GO"),
                                {"bao": 9, "so": 9, "buso": 9}, {"bao": 5, "so": 5,
                                                                 "buso": 5})
    return content.build(INFO, layout, cube, given)


def test_other_questions_layered_say_what_one_pass_says_and_name_no_other_clb():
    pdf._static.clear()
    sheets = {}
    for number in ("P", "Q", "R"):
        fb = _example_feedback(number)
        layered = pdf.render(fb)
        assert _words(layered) == _words(pdf.render_full(fb)), number
        sheets[number] = " ".join(p.extract_text() for p in
                                  PdfReader(io.BytesIO(layered)).pages)
        assert "Andere vragen" in sheets[number]
        for summary in fb.questions:
            assert summary.question.label in sheets[number]
    for number, text in sheets.items():
        for other in ("P", "Q", "R"):
            assert (f"CLB {other}-stad" in text) == (other == number)


def test_school_questionnaire_has_no_other_questions_page():
    fb = content.build(INFO, LAYOUT, cube_of(uniform(7, 6)), centre_input())
    assert fb.questions == [] and LAYOUT.questions == ()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.render(fb))).pages)
    assert "Andere vragen" not in text
