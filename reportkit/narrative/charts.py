"""The report's chart theme and numbered, captioned chart outputs.

Charts are drawn on a ``matplotlib.figure.Figure`` inside ``rc_context(THEME)``: no pyplot, no backend switch and
no dependence on whatever global style a reused kernel carries. Each chart is written twice, without a timestamp
or version stamp so the same data give the same bytes under papermill, nbclient and JupyterLab:

- SVG for the page: vector, crisp at any zoom, its text drawn as outlines (``svg.fonttype: path``), so it needs no
  font on the reader's phone or in WeasyPrint and every Vietnamese letter shows as drawn here; each glyph is
  defined once and reused, which keeps a 10-bar chart near 20 KB;
- PNG for exports that need a raster (the Word file).

Sizes are chosen for a phone first: a chart is drawn 4 in (384 CSS px) wide with 10 pt text, so shown across a
375 px screen (351 px of text width) its labels stay above 12 px; the page never enlarges it past 30rem.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import matplotlib
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportkit import vn
from reportkit.core import content
from reportkit.narrative import _state
from reportkit.narrative.phrasing import unit_name

FONT = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese letter (tested)
WIDTH_IN = 4.0
HEIGHT_IN = 3.4
DPI = 200  # the PNG's; the SVG has none
BAR_COLOR = "#1f4e79"
TEXT_PT = 10  # every label; 10 pt = 13.3 px at the drawn size, 12.2 px across a 375 px phone
MIN_SHOWN_PX = 11  # the smallest text a chart may show on a 375 px phone (tests/test_browser.py measures it)

THEME: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": TEXT_PT,
    "axes.titlesize": TEXT_PT,
    "axes.titleweight": "bold",
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": TEXT_PT,
    "ytick.labelsize": TEXT_PT,
    "legend.fontsize": TEXT_PT,
    "figure.figsize": (WIDTH_IN, HEIGHT_IN),
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.prop_cycle": matplotlib.cycler(color=[BAR_COLOR, "#c55a11", "#548235", "#7f6000", "#7030a0"]),
    "axes.unicode_minus": False,
    "svg.hashsalt": "reportkit",
    "svg.fonttype": "path",
}


def use_theme() -> None:
    """Apply the report theme to matplotlib's global settings (for charts drawn with pyplot in the notebook)."""
    matplotlib.rcParams.update(THEME)


def theme():
    """``with theme(): fig, ax = plt.subplots()`` — the report theme for one block of code."""
    return matplotlib.rc_context(THEME)


def tick_label(x: float, _pos: object = None) -> str:
    """An axis tick in the official format: 1200 → "1.200", 2.5 → "2,5".

    >>> tick_label(1200.0), tick_label(2.5)
    ('1.200', '2,5')
    """
    if float(x).is_integer():
        return vn.number(int(x))
    return vn.number(round(float(x), 6))


def format_axis(ax, axis: str = "y") -> None:
    """Official-format tick labels on ``ax``'s ``axis`` ("x", "y" or "both")."""
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_formatter(FuncFormatter(tick_label))


@dataclass
class Chart:
    """A numbered report chart; displays as SVG (the page's) and PNG (a raster for Word), with alt text and a
    "Biểu đồ N." caption; ``width``/``height`` are the drawn size in CSS pixels."""

    png: bytes
    svg: bytes
    caption: str
    alt: str
    number: int
    width: int
    height: int
    tone_style: str = "classic"
    metadata: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return vn.tone_style(f"Biểu đồ {self.number}. {self.caption}", self.tone_style)

    @property
    def alt_text(self) -> str:
        return vn.tone_style(self.alt, self.tone_style)

    def to_html(self) -> str:
        data = base64.b64encode(self.svg).decode("ascii")
        return (
            '<figure class="reportkit-chart" style="margin:1em 0">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(self.alt_text)}" '
            f'width="{self.width}" height="{self.height}" style="width:100%;max-width:30rem;height:auto">'
            f"<figcaption>{html.escape(self.title)}</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "image/svg+xml": self.svg.decode("utf-8"),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/html": self.to_html(),
            "text/plain": f"{self.title} ({self.alt_text})",
        }
        meta = content.figure_metadata(
            mime="image/svg+xml",
            title=self.title,
            alt=self.alt_text,
            number=self.number,
            width=self.width,
            height=self.height,
        )
        meta["image/png"] = dict(meta["image/svg+xml"])
        meta["reportkit"].update(self.metadata)
        return data, meta


def chart(figure: Figure, *, caption: str, alt: str) -> Chart:
    """Turn a matplotlib figure into a numbered report chart (and close it so it is not shown twice).

    ``alt`` describes the chart for a reader who cannot see it ("Biểu đồ cột: số buổi tuyên truyền theo tổ …").
    """
    if not caption or not str(caption).strip():
        raise ValueError("chart(): a caption is required (it reads 'Biểu đồ N. <caption>')")
    if not alt or not str(alt).strip():
        raise ValueError(
            "chart(): alt text is required: describe what the chart shows for a reader who cannot see it"
        )
    with matplotlib.rc_context(THEME):
        # The tight box once for both files: "tight" in each savefig would lay the figure out twice more.
        figure.draw_without_rendering()
        box = figure.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
        if isinstance(figure.get_layout_engine(), PlaceHolderLayoutEngine):
            # What tight_layout() leaves behind does nothing at a draw, but its presence makes each savefig
            # lay the whole figure out once more before drawing it: a quarter of a chart's time, twice.
            with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
                figure.set_layout_engine(None)  # None, not a fresh engine a matplotlibrc would ask for
        buffer = io.BytesIO()
        # No "Software"/timestamp chunks: identical bytes for identical charts.
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches=box,
                       facecolor="white")  # fmt: skip
        png = buffer.getvalue()
        vector = io.BytesIO()
        figure.savefig(vector, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box,
                       facecolor="white")  # fmt: skip
    _close(figure)
    svg = _compact_svg(vector.getvalue())
    width, height = _png_size(png)
    # Displayed at the figure's size in CSS pixels (96 per inch), not at the PNG's pixel size.
    scale = 96 / DPI
    state = _state.state()
    return Chart(
        png=png,
        svg=svg,
        caption=vn.nfc(str(caption).strip()),
        alt=vn.nfc(str(alt).strip()),
        number=state.next_number("chart"),
        width=round(width * scale),
        height=round(height * scale),
        tone_style=state.tone_style,
    )


def _close(figure: Figure) -> None:
    try:
        import matplotlib.pyplot as plt

        if plt.fignum_exists(figure.number):  # type: ignore[attr-defined]
            plt.close(figure)
    except (AttributeError, ImportError):
        pass


_SVG_COMMENT = re.compile(rb"<!--.*?-->\s*", re.DOTALL)
_SVG_HEAD = re.compile(rb"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?")
_SVG_METADATA = re.compile(rb"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_SPACE = re.compile(rb">\s+<")
_SVG_DECIMALS = re.compile(rb"(?<![\d.])([1-9]\d*\.\d{2})\d+")  # coordinates, never a glyph's scale(0.015625)


def _compact_svg(svg: bytes) -> bytes:
    """matplotlib's SVG without what a page never uses (XML prolog, comments, RDF metadata, indentation) and with
    coordinates to 1/100 px (numbers of 1 and more only), a third smaller; the drawing is unchanged to the eye."""
    svg = _SVG_HEAD.sub(b"", svg)
    svg = _SVG_COMMENT.sub(b"", svg)
    svg = _SVG_METADATA.sub(b"", svg)
    svg = _SVG_DECIMALS.sub(rb"\1", svg)
    return _SVG_SPACE.sub(b"><", svg).strip() + b"\n"


def _png_size(png: bytes) -> tuple[int, int]:
    # IHDR: width and height are the first two big-endian uint32 after the 16-byte signature+chunk header.
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def bar_chart(
    values: Mapping[str, float] | object,
    *,
    caption: str,
    ylabel: str,
    alt: str | None = None,
    xlabel: str | None = None,
) -> Chart:
    """A bar chart of one figure per tổ, in the report theme: one horizontal bar per tổ, top to bottom in natural
    order, its value written at its end.

    Horizontal, because a phone is narrow and tall: ten names under ten upright bars would need 6 px letters on a
    375 px screen, ten rows of "Tổ 1" … "Tổ 10" beside their bars read at full size. ``values``: {tổ: value} or a
    pandas Series indexed by tổ; ``ylabel`` names the measure (the value axis, now horizontal); ``xlabel``, if
    given, names the tổ axis. The alt text, if not given, lists every value: "Biểu đồ thanh ngang, <ylabel> theo tổ dân
    phố: tổ 1: 120; tổ 2: 98; …".
    """
    items = dict(values.items()) if hasattr(values, "items") else dict(values)  # type: ignore[arg-type]
    if not items:
        raise ValueError("bar_chart(): no values to draw")
    names = sorted(items, key=lambda u: vn.sort_key(str(u)))
    numbers = []
    for name in names:
        v = items[name]
        v = v.item() if hasattr(v, "item") else v
        if v is None or v != v:
            raise ValueError(f"bar_chart(): {name!r} has no value; draw only units that reported")
        numbers.append(float(v))
    labels = [_short(str(n)) for n in names]
    height = min(8.0, 0.75 + 0.27 * len(labels))
    with theme():
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        bars = ax.barh(positions, numbers, color=BAR_COLOR, height=0.68)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()  # Tổ 1 at the top, as in the table
        ax.bar_label(bars, labels=[tick_label(v) for v in numbers], padding=3, fontsize=TEXT_PT)
        ax.set_xlabel(ylabel)
        if xlabel:
            ax.set_ylabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=all(v.is_integer() for v in numbers)))
        format_axis(ax, "x")
        ax.set_xlim(0, max(max(numbers) * 1.18, 1))
        ax.grid(axis="x", color="#d0d0d0", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        fig.tight_layout()
    if alt is None:
        listed = "; ".join(
            f"{unit_name(str(n))}: {tick_label(v)}" for n, v in zip(names, numbers, strict=True)
        )
        alt = f"Biểu đồ thanh ngang, {vn.lower_first(ylabel)} theo tổ dân phố: {listed}"
    return chart(fig, caption=caption, alt=alt)


def _short(name: str) -> str:
    # "Tổ 10" fits under a bar; longer names are wrapped onto two lines at most.
    name = vn.nfc(name)
    if len(name) <= 12:
        return name
    words = name.split()
    half = max(1, len(words) // 2)
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


# Per bar: 50 bars fill the A4 text height (about 24 cm); 9.5-pt names and values stay ≥ 11 px on a 375-px phone,
# where the 4-in chart is shown about 350 px wide.
BARH_INCHES = 0.17
BARH_MAX = 50


def barh_chart(
    values: Mapping[str, float] | object,
    *,
    caption: str,
    xlabel: str,
    alt: str | None = None,
    noun: str = "phường",
) -> Chart:
    """A horizontal bar chart of one figure per unit, for many units (a province's wards): names read down the
    left in natural order, values at the bars' ends; the chart grows with the number of bars, at most
    ``BARH_MAX`` (split a longer list over several charts, as the province notebook does).

    The alt text, if not given, lists every value: "Biểu đồ thanh ngang, <xlabel> theo phường: Phường 1: 120; …".
    """
    items = dict(values.items()) if hasattr(values, "items") else dict(values)  # type: ignore[arg-type]
    if not items:
        raise ValueError("barh_chart(): no values to draw")
    if len(items) > BARH_MAX:
        raise ValueError(
            f"barh_chart(): {len(items)} bars do not fit one page; draw at most {BARH_MAX} per chart"
        )
    names = sorted(items, key=lambda u: vn.sort_key(str(u)))
    numbers = []
    for name in names:
        v = items[name]
        v = v.item() if hasattr(v, "item") else v
        if v is None or v != v:
            raise ValueError(f"barh_chart(): {name!r} has no value; draw only units that reported")
        numbers.append(float(v))
    height = max(HEIGHT_IN, 0.6 + BARH_INCHES * len(names))
    small = len(names) > 25
    with theme():
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        positions = list(range(len(names)))[::-1]  # the first name at the top
        bars = ax.barh(positions, numbers, color=BAR_COLOR, height=0.7)
        ax.set_yticks(positions, [vn.nfc(str(n)) for n in names], fontsize=9.5 if small else TEXT_PT)
        ax.bar_label(
            bars, labels=[tick_label(v) for v in numbers], padding=2, fontsize=9.5 if small else TEXT_PT
        )
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=all(v.is_integer() for v in numbers)))
        format_axis(ax, "x")
        ax.set_xlim(0, max(max(numbers) * 1.15, 1))
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        fig.tight_layout()
    if alt is None:
        listed = "; ".join(f"{vn.nfc(str(n))}: {tick_label(v)}" for n, v in zip(names, numbers, strict=True))
        alt = f"Biểu đồ thanh ngang, {vn.lower_first(xlabel)} theo {noun}: {listed}"
    return chart(fig, caption=caption, alt=alt)
