"""Diverging stacked bars: for each statement the CLB's bar right above the sector's, the
four agreement levels around a centre line, "geen zicht" counted apart beside the bars.
Drawn on a given matplotlib Axes (a PDF page) or on a Figure of its own (SVG for the web);
never through pyplot.

Speed: matplotlib pays per text object and per character. Bars sit on a grid of equal
slots (CLB, sector, gap), so the labels, the CLB/Sector tags and the n's are each one
multi-line text whose line step is the slot height, not one text per bar."""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from instrument.i18n import _

from .content import SUPPRESSED_TEXT
from .statistics import Figures

# ColorBrewer PuOr, 4 classes: diverging and safe for the common colour-vision deficiencies.
COLOURS = {1: "#e66101", 2: "#fdb863", 3: "#b2abd2", 4: "#5e3c99"}
TEXT_ON = {1: "#000000", 2: "#000000", 3: "#000000", 4: "#ffffff"}
NEGATIVE, POSITIVE = (2, 1), (3, 4)   # from the centre line outwards
GREY = "#6b6b6b"
SLOTS = 3                              # per statement: CLB bar, sector bar, gap

Pair = tuple[str, Figures | None, Figures | None]   # label, CLB, sector


@functools.lru_cache(maxsize=64)
def _unit_step(size: float, family: tuple[str, ...]) -> float:
    """How far apart, in points, the lines of a text are at linespacing 1 (measured, as
    matplotlib versions compute it differently)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(dpi=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    heights = [fig.text(0, 0, "\n".join("l" * k), fontsize=size, linespacing=1,
                        family=list(family)).get_window_extent(renderer).height
               for k in (2, 3)]
    return heights[1] - heights[0]


def linespacing(size: float, step_points: float) -> float:
    """The linespacing that puts successive lines of a text step_points apart."""
    family = tuple(matplotlib.rcParams["font.family"])
    return step_points / _unit_step(size, family)


def slots(pairs: int) -> int:
    return max(pairs * SLOTS - 1, 1)


def draw(ax, pairs: Sequence[Pair], *, fontsize: float = 7.0, label_x: float = -0.75,
         label_width: int = 44, layers: tuple[str, ...] = ("static", "dynamic")) -> None:
    """Bars from top to bottom, x from -100 % (disagree) to +100 % (agree). Labels start
    at label_x (in axes widths, left of the axes) and wrap onto at most two lines.

    layers: "static" draws what is the same for every CLB of a round (axes, labels,
    tags), "dynamic" the bars and numbers."""
    count = slots(len(pairs))
    ax.set_xlim(-100, 100)
    ax.set_ylim(-count + 0.5, 0.5)          # exactly one unit per slot
    ax.set_yticks([])
    ax.set_xticks([-100, -50, 0, 50, 100], ["100 %", "50 %", "0", "50 %", "100 %"],
                  fontsize=fontsize - 1)
    ax.tick_params(axis="x", length=2, pad=2, colors=GREY)
    bbox = ax.get_position()
    fig_height = ax.figure.get_size_inches()[1]
    step = bbox.height * fig_height * 72 / count          # points per slot
    static, dynamic = "static" in layers, "dynamic" in layers
    if static:
        _frame(ax)
        _static_texts(ax, pairs, fontsize, label_x, label_width, step)
    else:
        ax.set_axis_off()
    if dynamic:
        _bars(ax, pairs, fontsize, step)


def _frame(ax) -> None:
    ax.axvline(0, color="#333333", linewidth=0.8, zorder=3)
    for x in (-50, 50):
        ax.axvline(x, color="#dddddd", linewidth=0.5, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#bbbbbb")


def _baseline(size: float, step: float) -> float:
    """Where a text's baseline goes so that its letters centre on a slot, in slots."""
    return -0.36 * size / step


def _column(ax, x: float, lines: list[str], size: float, step: float, **kw) -> None:
    """One text, a line per slot from the top one down. A multi-line text's "baseline"
    is its last line's, so that is where it is anchored."""
    ax.text(x, _baseline(size, step) - (len(lines) - 1), "\n".join(lines), va="baseline",
            fontsize=size, linespacing=linespacing(size, step),
            transform=ax.get_yaxis_transform(), clip_on=False, **kw)


def _static_texts(ax, pairs, size, label_x, label_width, step) -> None:
    labels, tags = [], []
    for label, _own, _sector in pairs:
        lines = textwrap.wrap(label, label_width)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), label_width,
                                                placeholder="…")]
        labels += (lines + ["", "", ""])[:SLOTS]
        tags += [_("CLB"), _("Sector"), ""]
    _column(ax, label_x, labels, size, step, ha="left")
    _column(ax, -0.015, tags, size - 1, step, ha="right", color=GREY)


@dataclass
class _Geometry:
    """Where everything of the dynamic part goes, in data units (x: -100..100, y: slots);
    the matplotlib and the direct renderer both draw from it."""

    boxes: list[tuple[int, float, float, float, float]] = field(default_factory=list)
    numbers: list[tuple[float, float, str, int]] = field(default_factory=list)
    notes: list[tuple[float, str]] = field(default_factory=list)
    counts: list[tuple[float, str]] = field(default_factory=list)


def _geometry(pairs: Sequence[Pair]) -> _Geometry:
    g = _Geometry()
    for i, (_label, own, sector) in enumerate(pairs):
        for slot, f, height in ((0, own, 0.8), (1, sector, 0.55)):
            y = -(i * SLOTS + slot)
            if f is None or f.n == 0:
                g.notes.append((y, _(SUPPRESSED_TEXT) if f is None else _("geen antwoorden")))
                continue
            g.counts.append((y, _("n=%(n)s  gz=%(no_view)s", n=f.n, no_view=f.n_no_view)
                             if f.n_no_view else f"n={f.n}"))
            for codes, sign in ((NEGATIVE, -1), (POSITIVE, 1)):
                start = 0.0
                for code in codes:
                    share = 100 * f.counts.get(code, 0) / f.n
                    left = start if sign > 0 else start - share
                    g.boxes.append((code, left, share, y, height))
                    if slot == 0 and share >= 9:   # numbers on the CLB's bar only
                        g.numbers.append((left + share / 2, y, f"{share:.0f}", code))
                    start += sign * share
    return g


def _bars(ax, pairs, size, step) -> None:
    g = _geometry(pairs)
    for code in COLOURS:
        # one collection per colour: no per-bar patches, no autoscaling
        boxes = [[(x, y - h / 2), (x + w, y - h / 2), (x + w, y + h / 2), (x, y + h / 2)]
                 for c, x, w, y, h in g.boxes if c == code]
        if boxes:
            ax.add_collection(PolyCollection(boxes, facecolors=COLOURS[code],
                                             linewidths=0), autolim=False)
    for x, y, text, code in g.numbers:
        ax.text(x, y, text, ha="center", va="center", fontsize=size - 1.5,
                color=TEXT_ON[code])
    for y, text in g.notes:
        ax.text(0, y, text, ha="center", va="center", fontsize=size - 0.5, color=GREY)
    by_slot = dict(g.counts)
    lines = [by_slot.get(-s, "") for s in range(slots(len(pairs)) + 1)]
    _column(ax, 1.02, lines, size - 1.5, step, ha="left", color=GREY)


def draw_direct(layer, box: tuple[float, float, float, float], pairs: Sequence[Pair], *,
                fontsize: float = 7.0) -> None:
    """The dynamic part of draw() (bars, numbers, n) written straight into a pdftext
    Layer, at the same places: box = (left, bottom, width, height) of the axes in
    points."""
    left, bottom, width, height = box
    count = slots(len(pairs))
    low = -count + 0.5
    unit = height / count                                    # points per slot

    def px(x: float) -> float:
        return left + (x + 100) / 200 * width

    def py(y: float) -> float:
        return bottom + (y - low) * unit

    g = _geometry(pairs)
    for code, x, w, y, h in g.boxes:
        layer.box(px(x), py(y) - h * unit / 2, w / 200 * width, h * unit, COLOURS[code])
    small, tiny = fontsize - 0.5, fontsize - 1.5
    for x, y, text, code in g.numbers:
        layer.text(px(x), py(y) - 0.36 * tiny, text, tiny, TEXT_ON[code], "center")
    for y, text in g.notes:
        layer.text(px(0), py(y) - 0.36 * small, text, small, GREY, "center")
    for y, text in g.counts:
        layer.text(left + 1.02 * width, py(y) - 0.36 * tiny, text, tiny, GREY)


def legend(fig: Figure, x: float, y: float, labels: dict[int, str], *,
           fontsize: float = 7.0) -> None:
    """The four agreement levels in the order they sit on the bar, at figure coords."""
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=COLOURS[c], label=labels[c]) for c in (1, 2, 3, 4)]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x, y), ncol=4,
               fontsize=fontsize, frameon=False, handlelength=1.2, columnspacing=1.0)


def svg(pairs: Sequence[Pair], labels: dict[int, str]) -> str:
    """One section's bars as an SVG document for the web page (text kept as text)."""
    height = 0.21 * slots(len(pairs)) + 0.9
    fig = Figure(figsize=(9.5, height))
    top = 1 - 0.45 / height
    from .fonts import drawing

    with drawing, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "clb"}):
        ax = fig.add_axes((0.42, 0.35 / height, 0.46, top - 0.35 / height - 0.05))
        draw(ax, pairs, fontsize=9, label_x=-0.88, label_width=48)
        legend(fig, 0.30, 1.0, labels, fontsize=8.5)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]
