"""An A4 page of the feedback sheet: a matplotlib Figure with a text cursor in inches.

A page is drawn in one of three modes. "full" draws everything. "static" draws only what
is the same for every CLB of a round (headings, explanations, statement labels, axes);
"dynamic" only what differs (names, figures, bars). pdf.py renders the static layer once
per round and lays each CLB's dynamic layer over it: matplotlib pays per character."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import charts
from .pdftext import Layer

WIDTH, HEIGHT = 8.27, 11.69          # A4 in inches
MARGIN = 0.75
INK, GREY, ACCENT = "#1a1a1a", "#6b6b6b", "#3b2a6b"
FULL, STATIC, DYNAMIC = "full", "static", "dynamic"
ASCENT, LINE = 0.76, 1.17      # DejaVu Sans: baseline below the top, line step (in em)


class Hidden(str):
    """A table cell that stands for a hidden group ("te weinig antwoorden" in the reader's
    language): written apart, smaller and grey. A mark on the value rather than a
    comparison with a display text, which differs per language."""


class Page:
    """In static and full mode a matplotlib Figure; in dynamic mode a pdftext.Layer of
    drawing operators, which pdf.py lays over the static page."""

    def __init__(self, mode: str, header: str, number: int | None, title: str = "", *,
                 numbered_dynamic: bool = False):
        self.fig = None if mode == DYNAMIC else Figure(figsize=(WIDTH, HEIGHT))
        self.layer = Layer() if mode == DYNAMIC else None
        self.mode = mode
        self.y = MARGIN
        self.text(MARGIN, 0.45, header, size=7, color=GREY, dynamic=True)
        if number is not None:
            # the fixed pages have the same numbers for every CLB; the pages after them
            # (trend, remarks) do not
            self.text(WIDTH - MARGIN, HEIGHT - 0.45, f"{number}", size=7, color=GREY,
                      ha="right", dynamic=numbered_dynamic)
        if title:
            self.heading(title)

    def draws(self, dynamic: bool) -> bool:
        return self.mode == FULL or (self.mode == DYNAMIC) == dynamic

    def text(self, x: float, y: float, s: str, *, size: float = 9, color: str = INK,
             ha: str = "left", weight: str = "normal", style: str = "normal",
             dynamic: bool = False) -> None:
        if not self.draws(dynamic):
            return
        if self.layer is not None:
            first = y + ASCENT * size / 72          # the first line's baseline, in inches
            for i, line in enumerate(s.split("\n")):
                self.layer.text(x * 72, (HEIGHT - first) * 72 - i * LINE * size, line, size,
                                color, ha)
            return
        self.fig.text(x / WIDTH, 1 - y / HEIGHT, s, fontsize=size, color=color, ha=ha,
                      va="top", fontweight=weight, fontstyle=style)

    def heading(self, s: str, size: float = 15) -> None:
        self.text(MARGIN, self.y, s, size=size, weight="bold", color=ACCENT)
        self.y += size / 72 + 0.2

    def subheading(self, s: str) -> None:
        lines = textwrap.wrap(s, 78)
        self.y += 0.08
        self.text(MARGIN, self.y, "\n".join(lines), size=11, weight="bold")
        self.y += 0.28 + (len(lines) - 1) * 11 * 1.2 / 72

    def paragraph(self, s: str, *, size: float = 9, width: int = 100, x: float = MARGIN,
                  color: str = INK, gap: float = 0.08, dynamic: bool = False) -> None:
        lines = textwrap.wrap(s, width) or [""]
        self.text(x, self.y, "\n".join(lines), size=size, color=color, dynamic=dynamic)
        self.y += len(lines) * size * 1.2 / 72 + gap

    def table(self, columns: list[tuple[str, float, str]], rows: list[list[str]], *,
              size: float = 8, row_height: float = 0.2,
              dynamic: frozenset[int] = frozenset(), headed: bool = True,
              dynamic_headers: bool = False, rule: bool = True) -> None:
        """columns: (header, x in inches, alignment); `dynamic`: the indexes of columns
        whose cells differ per CLB. Each column is one multi-line text (see charts.py);
        a suppressed cell is written apart, in italics. `rule`: a line under the headers
        (drawn in the static layer: leave it out where the table's place differs per CLB)."""
        if headed:
            for header, x, ha in columns:
                self.text(x, self.y, header, size=size - 0.5, color=GREY, ha=ha,
                          weight="normal" if dynamic_headers else "bold",
                          dynamic=dynamic_headers)
            self.y += row_height + 0.02
        if headed and rule and self.draws(False):
            self.fig.add_artist(Line2D([MARGIN / WIDTH, 1 - MARGIN / WIDTH],
                                       [1 - (self.y - 0.06) / HEIGHT] * 2,
                                       color="#cccccc", linewidth=0.6))
        baseline = self.y + 0.75 * size / 72       # the first row's baseline
        last = baseline + (len(rows) - 1) * row_height   # a column's anchor: its last line
        spacing = charts.linespacing(size, row_height * 72)
        for index, (_, x, ha) in enumerate(columns):
            if not self.draws(index in dynamic):
                continue
            cells = [row[index] for row in rows]
            if self.layer is not None:
                for r, cell in enumerate(cells):
                    small = isinstance(cell, Hidden)
                    self.layer.text(x * 72, (HEIGHT - baseline - r * row_height) * 72, cell,
                                    size - 1.5 if small else size, GREY if small else INK,
                                    ha)
                continue
            plain = ["" if isinstance(c, Hidden) else c for c in cells]
            self.fig.text(x / WIDTH, 1 - last / HEIGHT, "\n".join(plain), fontsize=size,
                          ha=ha, va="baseline", linespacing=spacing, color=INK)
            for r, cell in enumerate(cells):
                if isinstance(cell, Hidden):
                    self.fig.text(x / WIDTH, 1 - (baseline + r * row_height) / HEIGHT, cell,
                                  fontsize=size - 1.5, ha=ha, va="baseline", color=GREY)
        self.y += len(rows) * row_height

    def chart(self, left: float, width: float, height: float, pairs, *, fontsize: float,
              label_width: int) -> None:
        """Diverging bars in a box below the cursor (inches); labels from the margin."""
        if self.layer is not None:
            charts.draw_direct(self.layer, (left * 72, (HEIGHT - self.y - height) * 72,
                                            width * 72, height * 72), pairs,
                               fontsize=fontsize)
            return
        ax = self.fig.add_axes((left / WIDTH, 1 - (self.y + height) / HEIGHT,
                                width / WIDTH, height / HEIGHT))
        charts.draw(ax, pairs, fontsize=fontsize, label_x=-(left - MARGIN) / width,
                    label_width=label_width,
                    layers=("static",) if self.mode == STATIC else ("static", "dynamic"))

    def legend(self, labels) -> None:
        if self.draws(False):
            charts.legend(self.fig, MARGIN / WIDTH, 1 - self.y / HEIGHT, labels,
                          fontsize=7.5)
        self.y += 0.35
