"""Diverging stacked bars: for each statement the CLB's bar right above the sector's, the
four agreement levels around a centre line, "geen zicht" counted apart beside the bars.
Drawn on a given matplotlib Axes (a PDF page) or on a Figure of its own (SVG for the web);
never through pyplot."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from .statistics import Figures

# ColorBrewer PuOr, 4 classes: diverging and safe for the common colour-vision deficiencies.
COLOURS = {1: "#e66101", 2: "#fdb863", 3: "#b2abd2", 4: "#5e3c99"}
TEXT_ON = {1: "black", 2: "black", 3: "black", 4: "white"}
NEGATIVE, POSITIVE = (2, 1), (3, 4)   # from the centre line outwards
GREY = "#6b6b6b"


@dataclass(frozen=True)
class Bar:
    label: str                 # shown left of the bar (empty for the sector's bar)
    who: str                   # "CLB" or "Sector"
    figures: Figures | None    # None: suppressed


def section_bars(statements: Sequence[tuple[str, Figures | None, Figures | None]]
                 ) -> list[Bar]:
    """Per statement (label, CLB figures, sector figures): the CLB's bar, then the
    sector's."""
    bars = []
    for label, own, sector in statements:
        bars.append(Bar(label, "CLB", own))
        bars.append(Bar("", "Sector", sector))
    return bars


def draw(ax, bars: Sequence[Bar], *, fontsize: float = 7.0, label_x: float = -0.75,
         label_width: int = 44) -> None:
    """Bars from top to bottom, x from -100 % (disagree) to +100 % (agree); labels start
    at label_x (in axes widths, left of the axes) and wrap onto at most two lines."""
    n = len(bars)
    ys = [n - 1 - i - (i // 2) * 0.6 for i in range(n)]   # a gap after each pair
    ax.set_xlim(-100, 100)
    ax.set_ylim(min(ys, default=0) - 0.7, max(ys, default=0) + 0.7)
    ax.axvline(0, color="#333333", linewidth=0.8, zorder=3)
    for x in (-50, 50):
        ax.axvline(x, color="#dddddd", linewidth=0.5, zorder=0)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100 %", "50 %", "0", "50 %", "100 %"],
                  fontsize=fontsize - 1)
    ax.set_yticks([])
    ax.tick_params(axis="x", length=2, pad=2, colors=GREY)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#bbbbbb")
    lefts: dict[int, list[float]] = {c: [] for c in COLOURS}
    widths: dict[int, list[float]] = {c: [] for c in COLOURS}
    heights: dict[int, list[float]] = {c: [] for c in COLOURS}
    centres: dict[int, list[float]] = {c: [] for c in COLOURS}
    for y, bar in zip(ys, bars, strict=True):
        height = 0.8 if bar.who == "CLB" else 0.55
        ax.text(-103, y, bar.who, ha="right", va="center", fontsize=fontsize - 1,
                color=GREY)
        f = bar.figures
        if f is None or f.n == 0:
            text = "te weinig antwoorden" if f is None else "geen antwoorden"
            ax.text(0, y, text, ha="center", va="center", fontsize=fontsize - 0.5,
                    color=GREY, style="italic")
            continue
        for codes, sign in ((NEGATIVE, -1), (POSITIVE, 1)):
            start = 0.0
            for code in codes:
                share = 100 * f.counts.get(code, 0) / f.n
                left = start if sign > 0 else start - share
                lefts[code].append(left)
                widths[code].append(share)
                heights[code].append(height)
                centres[code].append(y)
                if share >= 9:
                    ax.text(left + share / 2, y, f"{share:.0f}", ha="center", va="center",
                            fontsize=fontsize - 1.5, color=TEXT_ON[code])
                start += sign * share
        ax.text(104, y, f"n={f.n}" + (f"  gz={f.n_no_view}" if f.n_no_view else ""),
                ha="left", va="center", fontsize=fontsize - 1.5, color=GREY,
                clip_on=False)
    for code in COLOURS:
        if widths[code]:
            ax.barh(centres[code], widths[code], height=heights[code], left=lefts[code],
                    color=COLOURS[code], linewidth=0)
    transform = ax.get_yaxis_transform()     # x in axes widths, y in data
    for y, bar in zip(ys, bars, strict=True):
        if bar.label:
            lines = textwrap.wrap(bar.label, label_width)
            if len(lines) > 2:
                lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), label_width,
                                                    placeholder="…")]
            ax.text(label_x, y - 0.5, "\n".join(lines), ha="left", va="center",
                    fontsize=fontsize, transform=transform, clip_on=False)


def legend(fig: Figure, x: float, y: float, labels: dict[int, str], *,
           fontsize: float = 7.0) -> None:
    """The four agreement levels in the order they sit on the bar, at figure coords."""
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=COLOURS[c], label=labels[c]) for c in (1, 2, 3, 4)]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x, y), ncol=4,
               fontsize=fontsize, frameon=False, handlelength=1.2, columnspacing=1.0)


def svg(bars: Sequence[Bar], labels: dict[int, str]) -> str:
    """One section's bars as an SVG document for the web page (text kept as text)."""
    height = 0.42 * len(bars) + 0.9
    fig = Figure(figsize=(9.5, height))
    top = 1 - 0.45 / height
    ax = fig.add_axes((0.42, 0.35 / height, 0.48, top - 0.35 / height - 0.05))
    draw(ax, bars, fontsize=9)
    legend(fig, 0.30, 1.0, labels, fontsize=8.5)
    buf = io.StringIO()
    import matplotlib
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "clb"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]
