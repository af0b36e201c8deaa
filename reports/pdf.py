"""The feedback sheet as a PDF: A4 pages, text kept as selectable text with its fonts
embedded.

Speed: everything that is the same for every CLB of a round (headings, explanations,
statement labels, axes: the static layer) is drawn with matplotlib (Figure, never pyplot)
once per round and process and kept. Each CLB's figures, names, bars and remarks (the
dynamic layer) are written straight as PDF operators (pdftext.py) and laid over the
static pages as form XObjects, which needs no parsing of either. render_full() draws a
sheet in one matplotlib pass: the reference the tests compare the layered sheet with."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from instrument.i18n import _

from . import fonts, pdftext
from .content import SUPPRESSED_TEXT, Feedback
from .pdfpage import DYNAMIC, FULL, STATIC
from .sheet import TITLES, PageMaker, extra_pages, fixed_pages

# ps.fonttype too: matplotlib sizes its PDF glyph subsets by it, and at its default (3) every
# character past U+00FF starts a second copy of the font in the file.
RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "pdf.compression": 6}
_static: OrderedDict[str, bytes] = OrderedDict()
_static_lock = threading.Lock()
STATIC_KEPT = 8


def _pdf(makers: list[tuple[PageMaker, str]], first: int = 1) -> bytes:
    buf = io.BytesIO()
    rc = {**RC, "font.family": fonts.family()}
    with fonts.drawing, matplotlib.rc_context(rc), \
            PdfPages(buf, metadata={"CreationDate": None}) as pdf:
        for number, (make, mode) in enumerate(makers, start=first):
            pdf.savefig(make(mode, number).fig)
    return buf.getvalue()


def render_full(fb: Feedback) -> bytes:
    """The sheet drawn in one pass, without the static cache (for comparison)."""
    return _pdf([(m, FULL) for m in fixed_pages(fb)]
                + [(m, FULL) for _kind, m in extra_pages(fb)])


def _static_key(fb: Feedback) -> str:
    """What the static layer depends on: the round, the questionnaire's layout and the
    language (the app's translator follows the request's: the page titles as translated
    now stand for it)."""
    language = tuple(_(text) for text in (*TITLES, SUPPRESSED_TEXT))
    return hashlib.sha256(repr((fb.round.id, fb.round.name, fb.round.school_year,
                                fb.round.minimum, fb.round.sector_round,
                                fb.round.min_centres, fb.layout,
                                language)).encode()).hexdigest()


def _static_layer(fb: Feedback, kind: str, makers: list[PageMaker]) -> bytes:
    key = f"{_static_key(fb)}:{kind}"
    with _static_lock:
        if key in _static:
            _static.move_to_end(key)
            return _static[key]
    data = _pdf([(m, STATIC) for m in makers])
    with _static_lock:
        _static[key] = data
        while len(_static) > STATIC_KEPT:
            _static.popitem(last=False)
    return data


def render(fb: Feedback) -> bytes:
    """The whole sheet as PDF bytes; the same content gives the same bytes."""
    fixed, extra = fixed_pages(fb), extra_pages(fb)
    templates = {}
    for kind, make in extra:            # the first page of each kind is its template
        templates.setdefault(kind, make)
    static = PdfReader(io.BytesIO(_static_layer(fb, "fixed", fixed)))
    kinds = list(templates)
    static_extra = PdfReader(io.BytesIO(_static_layer(fb, ",".join(kinds),
                                                      list(templates.values()))))
    bases = list(static.pages) + [static_extra.pages[kinds.index(k)] for k, _make in extra]
    makers = fixed + [m for _kind, m in extra]
    writer = PdfWriter()
    font = pdftext.font_object(writer)
    for index, (make, under) in enumerate(zip(makers, bases, strict=True)):
        base = writer.add_page(under)
        layer = make(DYNAMIC, index + 1).layer
        _overlay(writer, base, layer.form(writer, font, base.mediabox), f"/Layer{index}")
    writer.add_metadata({"/Title": _("Feedbackrapport %(centre)s", centre=fb.centre.name),
                         "/Author": "Onderwijsinspectie"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _overlay(writer: PdfWriter, base, form, name: str) -> None:
    """Draw the form XObject `form` over page `base`: its drawing operators keep their own
    resources, so nothing on the page is parsed or renamed."""
    form_ref = writer._add_object(form)
    resources = base["/Resources"].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    xobjects.get_object()[NameObject(name)] = form_ref
    call = DecodedStreamObject()
    call.set_data(f"q {name} Do Q".encode())
    raw = base.raw_get("/Contents")             # the reference: a stream must stay indirect
    contents = raw.get_object()
    parts = list(contents) if isinstance(contents, ArrayObject) else [raw]
    base[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(call)])
