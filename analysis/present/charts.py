"""Charts of the results: one question per chart, one style, labels in zh or en from the vocabulary.

Every chart function takes :class:`analysis.stats.results.Results` (or one of its parts), a language and a
``size`` (``"wide"`` for laptops and notebooks, ``"narrow"`` for phones: fewer words per line,
larger type relative to the width) and returns a :class:`matplotlib.figure.Figure` built without
pyplot, so a notebook shows it once as the cell's value and an analyst can restyle it in the next
cell. Numbers are formatted by :mod:`analysis.core.locale` (thousands separators on axes too).

Rules kept by every chart:

* an aggregate period (2019–2020) is one observation: one bar spanning its years at its annual
  average, or one point at its end; single years inside it are never drawn;
* a derived value is hatched or hollow and labelled as such; a figure a source states only as a
  bound (超1500, 210余) is drawn as a bound (an open triangle pointing up), not as an exact value;
* a group without a stated amount is labelled "未公布", never drawn as a zero bar.

The font is Noto Sans CJK SC shipped by the ``mplfonts`` package, registered with matplotlib's font
manager by :func:`setup_style` (so the bytes are the same on every machine).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import inspect
import io
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from ..core import columns, locale
from ..core.qualifiers import LOWER_BOUNDS, UPPER_BOUNDS, nominal
from ..stats import metrics
from . import prose

__all__ = [
    "DPI",
    "MIN_TEXT_PX",
    "PNG_COLORS",
    "SCALE",
    "SHOWN_PX",
    "SIZES",
    "compare",
    "css_size",
    "cumulative",
    "font_path",
    "has_cjk",
    "landing",
    "mix",
    "png",
    "projection",
    "record",
    "save",
    "setup_style",
    "signings",
]

#: CSS px per inch of a chart on a page: its ``<img>`` is ``figure width × DPI`` CSS px wide.
DPI = 110
#: Device pixels per CSS px of a saved PNG: 2, sharp on phones' and laptops' dense screens.
SCALE = 2
#: Colours of a saved PNG's palette (flat colours and the anti-aliasing between them; a quarter of the bytes
#: of full colour at the same size).
PNG_COLORS = 128
#: Figure widths (inches) for laptops and phones; heights are per chart. At DPI 110 they are 770 and
#: 396 CSS px wide, close to the width a page shows them at.
SIZES = {"wide": 7.0, "narrow": 3.6}
#: The narrowest a page shows each rendering (CSS px): the wide one above 640 px (a 641 px window less the
#: page's margins), the narrow one in a 390 px phone window (less the margins).
SHOWN_PX = {"wide": 605, "narrow": 354}
#: No chart text is smaller than this on screen (CSS px) at :data:`SHOWN_PX`.
MIN_TEXT_PX = 10.0
FONT_FILE = "NotoSansCJKsc-Regular.otf"

_PALETTE = sns.color_palette("deep")
C_PROJECTS = _PALETTE[0]
C_INVESTMENT = _PALETTE[1]
C_STATED = _PALETTE[3]
C_MUTED = "0.55"
C_NOTE = "0.3"
HATCH_DERIVED = "///"

_RC = {
    "axes.unicode_minus": False,
    "axes.titlesize": 13,
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.labelsize": 11,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "savefig.dpi": DPI,
    "hatch.linewidth": 1.0,
    "text.parse_math": False,  # data text is text: a group name with two $ is not TeX (nor a failed chart)
}

_family: str | None = None
_CJK_CLASS = locale.CJK_CLASS
#: matplotlib's own layout of a text (:func:`_text_layouts` memoises it while charts are drawn)
_PLAIN_LAYOUT = Text._get_layout
_CJK = re.compile(f"[{_CJK_CLASS}]")
_TOKENS = re.compile(f"[{_CJK_CLASS}]|\\s+|[^\\s{_CJK_CLASS}]+")


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains a Chinese character (or CJK punctuation).

    Parameters
    ----------
    text : str
        Any text (None counts as empty).

    Returns
    -------
    bool
        Whether a CJK character is in it.

    Examples
    --------
    >>> from analysis import charts
    >>> charts.has_cjk("签约 projects"), charts.has_cjk("projects")
    (True, False)
    """
    return bool(_CJK.search(text or ""))


# --------------------------------------------------------------------------------------------- style


def font_path() -> Path:
    """Noto Sans CJK SC as shipped by the ``mplfonts`` package.

    Returns
    -------
    pathlib.Path
        The font file.

    Examples
    --------
    >>> from analysis import charts
    >>> charts.font_path().name
    'NotoSansCJKsc-Regular.otf'
    """
    return Path(str(importlib.resources.files("mplfonts") / "fonts" / FONT_FILE))


def _register_font() -> str:
    global _family
    if _family is None:
        path = str(font_path())
        if not any(getattr(f, "fname", None) == path for f in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
        _family = FontProperties(fname=path).get_name()
    return _family


def setup_style(lang: str = "zh") -> str:
    """Apply the one style of all charts (seaborn whitegrid, CJK font); return the font family.

    Parameters
    ----------
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
        Every language gets the same style; an unknown one raises ValueError.

    Returns
    -------
    str
        The font family.

    Examples
    --------
    >>> from analysis import charts
    >>> charts.setup_style("en")
    'Noto Sans CJK SC'
    """
    locale.of(lang)  # the same style for every language; a bad one is refused here as everywhere
    family = _register_font()
    sans = [family] + [f for f in mpl.rcParamsDefault["font.sans-serif"] if f != family]
    sns.set_theme(
        context="notebook", style="whitegrid", palette="deep", font=family, rc={**_RC, "font.sans-serif": sans}
    )
    return family


def _ensure_style(lang) -> locale.Locale:
    """The Locale of ``lang`` (a bad one refused), after making sure the charts' style is applied."""
    loc = locale.of(lang)
    if _family is None or mpl.rcParams["font.family"] != [_family] or mpl.rcParams["axes.unicode_minus"]:
        setup_style(lang)
    return loc


def png(fig: Figure) -> bytes:
    """The figure as a sharp PNG: :data:`SCALE` device pixels per CSS px, a palette of :data:`PNG_COLORS`.

    Identical bytes on every save (no Software tag, no time stamp); shown at ``figure width × DPI`` CSS px.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.

    Returns
    -------
    bytes
        The PNG.

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> fig = charts.signings(compute(load(), 2023), "en")
    >>> data = charts.png(fig)
    >>> data[:4], int.from_bytes(data[16:20], "big") == 2 * round(fig.get_figwidth() * charts.DPI)
    (b'\x89PNG', True)
    """
    from PIL import Image

    dpi = fig.dpi
    fig.dpi = DPI * SCALE  # the pixels drawn, as the canvas counts them (unchanged, the figure stays as drawn)
    try:
        pixels, size = _rgba(fig)
    finally:
        fig.dpi = dpi
    rgb = Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1).convert("RGB")
    flat = rgb.quantize(PNG_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    flat.save(out, format="png", compress_level=9)
    return out.getvalue()


#: The ``savefig.*`` settings under which savefig saves the pixels a draw of the canvas makes.
_SAVED_AS_DRAWN = {
    "savefig.bbox": None,
    "savefig.facecolor": "auto",
    "savefig.edgecolor": "auto",
    "savefig.transparent": False,
}


def _rgba(fig: Figure) -> tuple[bytes | memoryview, tuple[int, int]]:
    """The figure's pixels (RGBA) at its dpi and their size, from one draw when it has an Agg canvas.

    The pixels of an Agg canvas are its own buffer (not copied): read them before the canvas draws again.

    ``savefig`` draws a figure with a layout engine twice: once to lay it out (nothing rendered), then again
    with the layout engine off to render it. A chart's own Agg canvas (:func:`_new`) lays it out and renders it
    in one draw: the same layout, done once, and the same pixels. Any other figure, or any figure while the
    ``savefig.*`` settings would make ``savefig`` save other pixels than the canvas draws, goes through ``savefig``.
    """
    canvas = fig.canvas
    if type(canvas) is FigureCanvasAgg and all(mpl.rcParams[k] == v for k, v in _SAVED_AS_DRAWN.items()):
        canvas.draw()
        return canvas.buffer_rgba(), canvas.get_width_height(physical=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=fig.dpi)
    return buf.getvalue(), fig.canvas.get_width_height(physical=True)


def css_size(fig: Figure) -> tuple[int, int]:
    """The size (CSS px) a page shows the chart at, at most: ``figure size × DPI``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.

    Returns
    -------
    tuple of int
        Width and height.

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> charts.css_size(charts.signings(compute(load(), 2023), "en", size="narrow"))[0]
    396
    """
    w, h = fig.get_size_inches()
    return round(w * DPI), round(h * DPI)


def save(fig: Figure, path) -> Path:
    """Write ``fig`` as PNG, as :func:`png` makes it (identical bytes on every save).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.
    path : str or pathlib.Path
        Where to write it (folders are made).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from analysis import charts, compute, load
    >>> with tempfile.TemporaryDirectory() as d:
    ...     charts.save(charts.landing(compute(load(), 2023), "en"), pathlib.Path(d) / "landing.png").stat().st_size > 0
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(fig))
    return path


# --------------------------------------------------------------------------------------------- text layouts

#: The layouts of the texts drawn (``Text._get_layout``: the text's box and lines), by everything they depend on.
_LAYOUTS: dict = {}
_LAYOUTS_MAX = 20_000
#: How deep in :func:`_text_layouts` the process is (the memo is on while above 0), and the font setting then.
_memo_depth = 0
_setting: tuple = ()


def _font_setting() -> tuple:
    """What a text's layout depends on beyond the text itself: the fonts known and the rcParams that pick a font
    for a family and set its metrics (hinting, kerning)."""
    rc = mpl.rcParams
    families = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")
    return (
        id(font_manager.fontManager),
        len(font_manager.fontManager.ttflist),
        *(tuple(rc[k]) for k in families),
        rc["text.hinting"],
        rc["text.hinting_factor"],
        rc["text.kerning_factor"],
    )


def _memo_layout(self, renderer):
    """``Text._get_layout`` memoised: the same text, font, size, dpi, alignment, rotation and spacing give the same
    layout. A wrapped, TeX or math text is laid out afresh."""
    text = self._text
    if self._wrap or self.get_usetex() or (self._parse_math and "$" in text):
        return _PLAIN_LAYOUT(self, renderer)
    key = (
        _setting,
        type(renderer),
        text,
        tuple(self._fontproperties.__dict__.values()),
        self.get_figure(root=True).dpi,
        self._linespacing,
        self.get_rotation(),
        self._rotation_mode,
        self._horizontalalignment,
        self._verticalalignment,
        self._multialignment,
    )
    hit = _LAYOUTS.get(key)
    if hit is None:
        if len(_LAYOUTS) >= _LAYOUTS_MAX:
            _LAYOUTS.clear()
        hit = _LAYOUTS[key] = _PLAIN_LAYOUT(self, renderer)
    box, lines, corner = hit
    return box.frozen(), list(lines), corner  # the box is mutable: each caller gets its own


@contextlib.contextmanager
def _text_layouts():
    """While a chart is drawn or its texts measured, matplotlib lays each distinct text out once.

    matplotlib lays a text out again each time it asks for its box: a draw asks for each tick label's many times
    (the layout's tight boxes, the axis label and title positions, the draw itself), and every chart has the same
    tick labels and legends. Inside this context ``Text._get_layout`` returns the layout already computed for
    the same text, font properties, dpi, alignment, rotation and line spacing, under the same fonts and font
    settings (:func:`_font_setting`): the same numbers, so the same pixels. Outside it matplotlib is untouched.
    """
    global _memo_depth, _setting
    if _memo_depth == 0:
        _setting = _font_setting()
        Text._get_layout = _memo_layout
    _memo_depth += 1
    try:
        yield
    finally:
        _memo_depth -= 1
        if _memo_depth == 0:
            Text._get_layout = _PLAIN_LAYOUT


# --------------------------------------------------------------------------------------------- helpers


def _width(token: str) -> int:
    return sum(2 if _CJK.match(c) else 1 for c in token)


def wrap(text: str, width: int) -> str:
    """Wrap mixed zh/en text to ``width`` columns (a Chinese character counts 2), never inside a word.

    Parameters
    ----------
    text : str
        Text in zh, en or both; its own line breaks are kept.
    width : int
        Columns per line.

    Returns
    -------
    str
        The text with line breaks.

    Examples
    --------
    >>> from analysis import charts
    >>> print(charts.wrap("How many projects are signed a year?", 20))
    How many projects
    are signed a year?
    """
    lines = []
    for para in text.split("\n"):
        line, w = "", 0
        for tok in _TOKENS.findall(para):
            if tok.isspace():
                if line:
                    line, w = line + " ", w + 1
                continue
            tw = _width(tok)
            if w + tw > width and line.strip() and not re.fullmatch(f"[{locale.NO_LINE_START}]", tok):
                lines.append(line.rstrip())
                line, w = "", 0
            line, w = line + tok, w + tw
        lines.append(line.rstrip())
    return "\n".join(lines)


def _columns(size: str) -> int:
    """Characters per line of a title or note at this size (a Chinese character counts 2)."""
    return 64 if size == "wide" else 32


class Chart(Figure):
    """A matplotlib Figure that a notebook displays as PNG by itself (whatever the backend).

    The PNG has the same bytes as :func:`png`, shown at its CSS size (:func:`css_size`); :attr:`alt` says the
    chart's finding. Everything else is a plain Figure an analyst can restyle.

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> fig = charts.signings(compute(load(), 2023), "zh")
    >>> isinstance(fig, charts.Chart), fig._repr_png_()[0] == charts.png(fig), fig.alt != ""
    (True, True, True)
    """

    #: The chart's finding in one sentence (the image's alt text), set by the function that drew it.
    alt: str = ""

    def _repr_png_(self) -> tuple[bytes, dict]:
        w, h = css_size(self)
        return png(self), {"width": w, "height": h}  # a notebook shows the 2x PNG at its CSS size

    def draw(self, renderer) -> None:
        """Draw the chart; its layout is redone only when something changed since its last draw.

        A draw lays the figure out (constrained layout), then draws it. A chart whose last draw (the layout draw
        of its label placement, at the same size and dpi) left it unchanged (``stale`` false: any change of an
        artist, the size or the dpi makes it stale) keeps that layout: the layout engine is off for this draw, as
        ``savefig`` turns it off after its own layout draw. The texts' layouts are memoised meanwhile
        (:func:`_text_layouts`).

        Parameters
        ----------
        renderer : matplotlib.backend_bases.RendererBase
            The renderer to draw with.
        """
        engine = self.get_layout_engine()
        with _text_layouts():
            if self.stale or engine is None:
                super().draw(renderer)
                return
            self.set_layout_engine("none")
            try:
                super().draw(renderer)
            finally:
                self.set_layout_engine(engine)


def _redrawable(fn):
    """Keep on each figure ``fn`` draws what it was drawn from (``fig.drawn_from``: the results and the
    language) and how to draw it again at another size (``fig.redraw("narrow")``: what a build shows on
    phones, :func:`analysis.present.notebook.show`). The drawing is ``fn``'s own."""
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def draw(*args, **kwargs):
        fig = fn(*args, **kwargs)
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()

        def redraw(size: str) -> Figure:
            again = sig.bind(*bound.args, **bound.kwargs)
            again.arguments["size"] = size
            return draw(*again.args, **again.kwargs)

        fig.drawn_from = (bound.arguments["res"], bound.arguments["lang"])
        fig.drawn_call = (draw, *bound.args)  # what analysis.present.output.chart_csv reads
        fig.redraw = redraw
        return fig

    return draw


def _new(size: str, height: float) -> Figure:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    h = height if size == "wide" else height * 1.15
    fig = Chart(figsize=(SIZES[size], h), layout="constrained", dpi=DPI * SCALE)
    FigureCanvasAgg(fig)  # text is measured (label placement) as the saved PNG draws it
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08)
    return fig


def _title(ax, text: str, size: str) -> None:
    """The chart's question over its axes, at the top of the axes (``y=1``) plus the title pad.

    matplotlib places a title there too, unless tick labels, the x axis label or the y axis' offset text sit at
    the top of the axes; no chart puts any there, so its place is given (``y=1``), which spares every draw the
    search (the y axis' tick boxes, measured again for each of the three titles of the axes). A restyle that
    moves tick labels to the top sets the title's place again: ``ax.set_title(..., y=1.1)``.
    """
    ax.set_title(wrap(text, _columns(size) - 10), loc="left", fontsize=13 if size == "wide" else 12.5, y=1.0)


def _note(fig: Figure, notes: list[str], size: str) -> None:
    notes = [n for n in notes if n]
    if notes:
        fig.supxlabel(
            "\n".join(wrap(n, _columns(size) + 8) for n in notes),
            x=0.01,
            ha="left",
            multialignment="left",
            fontsize=10,
            color=C_NOTE,
        )


def _thousands(ax, axis: str = "y", counts: bool = False) -> None:
    """Thousands separators on an axis; whole-number ticks for counts of projects."""
    a = ax.yaxis if axis == "y" else ax.xaxis
    a.set_major_formatter(FuncFormatter(locale.thousands))
    if counts:
        a.set_major_locator(MaxNLocator(nbins=6, integer=True))


def _period_text(first: int, last: int, loc: locale.Locale) -> str:
    return loc.period(first, last, suffix=False)


def _unstated(ax, x, y, loc: locale.Locale, **kw):
    kw = {"ha": "center", "va": "bottom", "color": C_MUTED, "fontsize": 10, "style": "italic", **kw}
    return ax.text(x, y, loc.chart_word("not_stated"), **kw)


def _legend_below(fig: Figure, handles: list, size: str) -> None:
    if handles:
        fig.legend(handles=handles, loc="outside lower left", ncols=2 if size == "wide" else 1, fontsize=10.5)


# --------------------------------------------------------------------------------------------- label placement

#: Where a value label may sit around its point: an offset in points and the alignment, by name.
SPOTS = {
    "above": ((0, 8), "center", "bottom"),
    "upper_left": ((-8, 8), "right", "bottom"),
    "upper_right": ((8, 8), "left", "bottom"),
    "left": ((-10, 0), "right", "center"),
    "right": ((10, 0), "left", "center"),
    "lower_right": ((8, -8), "left", "top"),
    "lower_left": ((-8, -8), "right", "top"),
    "below": ((0, -10), "center", "top"),
}


def shown_texts(fig: Figure) -> list:
    """The texts a draw of ``fig`` shows: visible and not empty; of the tick labels, those of ticks in view.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart whose layout has been done (drawn, or ``draw_without_rendering``).

    Returns
    -------
    list of matplotlib.text.Text
        The texts.

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> fig = charts.signings(compute(load(), 2023), "en")
    >>> "How many projects are signed a year?" in [t.get_text() for t in charts.shown_texts(fig)]
    True
    """
    from matplotlib.text import Text

    tick_label = {}
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for t in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_label[id(t.label1)] = tick_label[id(t.label2)] = False
            lo, hi = sorted(axis.get_view_interval())
            tol = (hi - lo) * 1e-9
            locs = axis.get_majorticklocs()
            for x, t in zip(locs, axis.get_major_ticks(len(locs)), strict=False):
                tick_label[id(t.label1)] = tick_label[id(t.label2)] = bool(lo - tol <= x <= hi + tol)
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and tick_label.get(id(t), True)]


def _clash(box, others, frame, pad: float) -> float:
    """How badly ``box`` sits: its area outside ``frame`` plus its overlap with ``others`` (grown by ``pad``)."""
    out = box.width * box.height - max(0, min(box.x1, frame.x1) - max(box.x0, frame.x0)) * max(
        0, min(box.y1, frame.y1) - max(box.y0, frame.y0)
    )
    for o in others:
        w = min(box.x1, o.x1 + pad) - max(box.x0, o.x0 - pad)
        h = min(box.y1, o.y1 + pad) - max(box.y0, o.y0 - pad)
        if w > 0 and h > 0:
            out += w * h
    return out


def _put(ann, spot: str) -> None:
    (dx, dy), ha, va = SPOTS[spot]
    ann.xyann = (dx, dy)
    ann.set_horizontalalignment(ha)
    ann.set_verticalalignment(va)


@_text_layouts()
def _place_labels(fig: Figure, labels: list, rounds: int = 3) -> None:
    """Put each value label at the first of its spots where it overlaps no other text and stays in the figure.

    ``labels``: ``(annotation, [spot names of SPOTS])`` in order of importance; a label that fits nowhere takes
    its least bad spot. The layout is redone after a label moves (labels count in it), up to ``rounds`` times.
    """
    if not labels:
        return
    for ann, spots in labels:  # each label starts at its first choice, so a first round that keeps it moves nothing
        _put(ann, spots[0])
    for _ in range(rounds):
        fig.draw_without_rendering()
        r = fig.canvas.get_renderer()
        pad = fig.dpi / 72  # one point between two texts
        movable = {id(a) for a, _ in labels}
        placed = [t.get_window_extent(r) for t in shown_texts(fig) if id(t) not in movable]
        moved = False
        for ann, spots in labels:
            was = (tuple(ann.xyann), ann.get_horizontalalignment(), ann.get_verticalalignment())
            scores = []
            for spot in spots:
                _put(ann, spot)
                scores.append(_clash(ann.get_window_extent(r), placed, fig.bbox, pad))
                if scores[-1] == 0:
                    break
            _put(ann, spots[scores.index(min(scores))])
            placed.append(ann.get_window_extent(r))
            moved |= (tuple(ann.xyann), ann.get_horizontalalignment(), ann.get_verticalalignment()) != was
        if not moved:  # every label is where this round's layout measured it: the figure is as drawn
            fig.stale = False
            return


@_text_layouts()
def _room_for_labels(fig: Figure, ax, labels: list, axis: str = "x") -> None:
    """Widen the data limits of ``axis`` (its upper end) so that every label beside a bar's end stays in the axes."""
    if not labels:
        return
    try:
        fig.get_layout_engine().execute(fig)  # the axes' place: the layout of a draw, without the draw
    except ValueError:  # a figure too small to lay out: a draw goes on without the layout too
        pass
    r = fig.canvas.get_renderer()
    box = ax.get_window_extent(r)
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    length = box.width if axis == "x" else box.height
    pad = 2 * fig.dpi / 72
    need = hi
    for ann in labels:
        b = ann.get_window_extent(r)
        anchor = ann.xy[0] if axis == "x" else ann.xy[1]
        # how far the label reaches past its anchor (px): the same whatever the limits
        reach = (b.x1 - box.x0 if axis == "x" else b.y1 - box.y0) - (anchor - lo) / (hi - lo) * length
        if reach + pad < length:
            need = max(need, lo + (anchor - lo) * length / (length - reach - pad))
    if need > hi:
        (ax.set_xlim if axis == "x" else ax.set_ylim)(lo, need)


# --------------------------------------------------------------------------------------------- findings (alt text)


def _span(value, qualifier, bounds=None, n: int = 1) -> tuple[float, float]:
    """The true values a figure allows (its hedge, or a derived range), divided by ``n`` years."""
    if bounds is not None:
        lo, hi = bounds
        hi = np.inf if hi is None or locale.missing(hi) else float(hi)
        return float(lo) / n, hi / n
    iv = nominal(float(value), qualifier if isinstance(qualifier, str) and qualifier else "exact")
    return iv.lo / n, iv.hi / n


def _change(loc: locale.Locale, measure: str, a: tuple, b: tuple | None) -> str:
    """``measure`` from ``a`` to ``b`` (each ``(period, text, span)``): a rise or fall only when every value the
    hedges allow says so, else the two figures side by side."""
    if b is None:
        return loc.chart_word("alt_one", measure=measure, a_period=a[0], a=a[1])
    key = "alt_up" if b[2][0] > a[2][1] else "alt_down" if b[2][1] < a[2][0] else "alt_two"
    return loc.chart_word(key, measure=measure, a_period=a[0], a=a[1], b_period=b[0], b=b[1])


def _sentence(loc: locale.Locale, *parts: str) -> str:
    return loc.chart_word("alt_sep").join(p for p in parts if p) + loc.chart_word("alt_end")


# --------------------------------------------------------------------------------------------- 1 signings


@_redrawable
def signings(res, lang: str = "zh", measure: str = "projects", size: str = "wide") -> Figure:
    """Projects (or intended investment) per year by published period.

    An aggregate period is ONE bar spanning its years at its annual average (labelled "年均"); a
    derived value is hatched. A value not published is written "未公布" with no bar.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    measure : str
        ``"projects"`` or ``"investment"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> fig = charts.signings(res, "en", "investment")
    >>> fig.axes[0].get_title(loc="left")
    'How much intended investment a year?'
    """
    loc = _ensure_style(lang)
    if measure not in ("projects", "investment"):
        raise ValueError(f"measure must be 'projects' or 'investment', got {measure!r}")
    df = res.periods.sort_values(["first_year", "last_year"]).reset_index(drop=True)
    col = "projects" if measure == "projects" else "investment_100m_yuan"
    q_col = "projects_qualifier" if measure == "projects" else "investment_qualifier"
    st_col = "projects_status" if measure == "projects" else "investment_status"
    color = C_PROJECTS if measure == "projects" else C_INVESTMENT
    fig = _new(size, 4.4)
    ax = fig.subplots()
    top = 0.0
    derived_any = False
    labels, seen = [], []
    unit = "projects" if measure == "projects" else "yi_yuan"
    for r in df.to_dict("records"):
        n = int(r["n_years"])
        x = (r["first_year"] + r["last_year"]) / 2
        total = r[col]
        if locale.missing(total):
            _unstated(ax, x, 0, loc)
            continue
        avg = float(total) / n
        derived = r[st_col] == "derived"
        derived_any |= derived
        ax.bar(
            x, avg, width=n * 0.9, color=color, edgecolor="white", linewidth=2, hatch=HATCH_DERIVED if derived else None
        )
        b = r[q_col.replace("qualifier", "range")]
        b = None if b is None else tuple(None if x is None else x / n for x in b)
        text = loc.hedged(avg if n > 1 else total, r[q_col], fmt=(lambda v: loc.num(v, 1)) if n > 1 else None, bounds=b)
        if n > 1:
            text = loc.chart_word("avg_value", value=text)
        if derived:
            text += f"\n({loc.chart_word('derived')})"
        labels.append(
            ax.annotate(
                text, (x, avg), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=10
            )
        )
        top = max(top, avg)
        said = loc.hedged(
            avg if n > 1 else total, r[q_col], unit, fmt=(lambda v: loc.num(v, 1)) if n > 1 else None, bounds=b
        )
        seen.append(
            (
                loc.period(r["first_year"], r["last_year"]),
                loc.chart_word("alt_avg", value=said) if n > 1 else said,
                _span(total, r[q_col], r[q_col.replace("qualifier", "range")], n),
            )
        )
    ticks = [(r["first_year"] + r["last_year"]) / 2 for r in df.to_dict("records")]
    ax.set_xticks(ticks, [_period_text(a, b, loc) for a, b in zip(df["first_year"], df["last_year"], strict=True)])
    ax.set_xlim(df["first_year"].min() - 0.7, df["last_year"].max() + 0.7)
    ax.set_ylim(0, (top or 1) * 1.22)
    ax.set_ylabel(loc.chart_word("per_year_axis" if measure == "projects" else "yi_yuan_per_year_axis"))
    _thousands(ax, counts=measure == "projects")
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word(f"signings_{measure}"), size)
    if derived_any:
        _legend_below(
            fig,
            [Patch(facecolor=C_MUTED, hatch=HATCH_DERIVED, edgecolor="white", label=loc.chart_word("derived_value"))],
            size,
        )
    _room_for_labels(fig, ax, labels, "y")
    what = loc.chart_word(f"alt_signings_{measure}")
    fig.alt = _sentence(
        loc,
        _change(loc, what, seen[0], seen[-1] if len(seen) > 1 else None)
        if seen
        else loc.chart_word("alt_none", measure=what),
    )
    return fig


# --------------------------------------------------------------------------------------------- 2 cumulative


def cumulative_points(res, measure: str) -> pd.DataFrame:
    """End-of-period cumulative figures: the sum of the periods, and what a source states for that span.

    Columns: year, sum (None after an unknown period), stated, stated_qualifier, bound (the stated
    figure is a lower bound: 超/余), upper (an upper bound: 不足/以内).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    measure : str
        ``"projects"`` or ``"investment"``.

    Returns
    -------
    pandas.DataFrame
        One row per period end.

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> charts.cumulative_points(res, "projects")["year"].tolist()
    [2020, 2021, 2022, 2023]
    """
    col = "projects" if measure == "projects" else "investment_100m_yuan"
    q = "projects_qualifier" if measure == "projects" else "investment_qualifier"
    df = res.periods.sort_values(["first_year", "last_year"])
    sig = res.dataset["signings"]
    first = int(df["first_year"].min()) if len(df) else None
    stated = sig[(sig["dimension"] == "total") & (sig["first_year"] == first)]
    rows, run = [], 0.0
    for r in df.to_dict("records"):
        v = r[col]
        run = None if run is None or locale.missing(v) else run + float(v)
        s = stated[stated["last_year"] == r["last_year"]]
        sv = s.iloc[0][col] if len(s) and not locale.missing(s.iloc[0][col]) else None
        sq = s.iloc[0][q] if sv is not None else None
        rows.append(
            {
                "year": int(r["last_year"]),
                "sum": run,
                "stated": None if sv is None else float(sv),
                "stated_qualifier": sq,
                "bound": sq in LOWER_BOUNDS,
                "upper": sq in UPPER_BOUNDS,
                "n_years": int(r["n_years"]),
            }
        )
    return pd.DataFrame(rows)


@_redrawable
def cumulative(res, lang: str = "zh", measure: str = "projects", size: str = "wide", projection: bool = True) -> Figure:
    """Cumulative projects (or investment) at the end of each period, as summed and as stated.

    When ``projection`` is true, the projection's median and 80 %/95 % bands follow the last period.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    measure : str
        ``"projects"`` or ``"investment"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).
    projection : bool
        Draw the projection's bands after the last period.

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> charts.cumulative(res, "zh", projection=False).axes[0].get_title(loc="left")
    '累计签约了多少个项目？'
    """
    loc = _ensure_style(lang)
    pts = cumulative_points(res, measure)
    color = C_PROJECTS if measure == "projects" else C_INVESTMENT
    fig = _new(size, 4.6)
    ax = fig.subplots()
    handles = []
    labels = []
    known = pts[pts["sum"].notna()]
    if len(known):
        ax.plot(known["year"], known["sum"], "-", color=color, linewidth=1.8, zorder=2)
        ax.plot(
            known["year"],
            known["sum"],
            "o",
            markersize=7,
            markerfacecolor="white",
            markeredgewidth=1.8,
            color=color,
            zorder=3,
        )
        handles.append(
            Line2D([], [], color=color, marker="o", markerfacecolor="white", label=loc.chart_word("sum_of_periods"))
        )
    for p in pts.itertuples():
        if p.stated is None or pd.isna(p.stated):
            continue
        marker = "^" if p.bound else "v" if p.upper else "o"
        ax.plot(
            p.year,
            p.stated,
            marker,
            markersize=9,
            color=C_STATED,
            markerfacecolor="white" if marker != "o" else C_STATED,
            markeredgewidth=2,
            zorder=4,
        )
        ann = ax.annotate(
            loc.hedged(p.stated, p.stated_qualifier),
            (p.year, p.stated),
            xytext=(-8, 8),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=10,
            color=C_STATED,
        )
        labels.append((ann, ["upper_left", "above", "upper_right", "lower_right", "below"]))
    if pts["stated"].notna().any():
        handles.append(Line2D([], [], color=C_STATED, marker="o", linestyle="", label=loc.chart_word("stated_total")))
    if pts["bound"].any():
        handles.append(
            Line2D(
                [],
                [],
                color=C_STATED,
                marker="^",
                markerfacecolor="white",
                linestyle="",
                label=loc.chart_word("stated_bound"),
            )
        )
    if pts["upper"].any():
        handles.append(
            Line2D(
                [],
                [],
                color=C_STATED,
                marker="v",
                markerfacecolor="white",
                linestyle="",
                label=loc.chart_word("stated_upper_bound"),
            )
        )
    last_sum = known.iloc[-1] if len(known) else None
    if last_sum is not None and not pts.loc[pts["year"] == last_sum["year"], "stated"].notna().any():
        ann = ax.annotate(
            locale.num(last_sum["sum"]),
            (last_sum["year"], last_sum["sum"]),
            xytext=(8, -10),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=10,
            color=color,
        )
        labels.append((ann, ["lower_right", "right", "below", "upper_left"]))
    top = float(pts[["sum", "stated"]].max().max()) if len(pts) else 1.0
    x_max = int(pts["year"].max()) if len(pts) else 0
    metric = "cumulative_projects" if measure == "projects" else "cumulative_investment_100m_yuan"
    forecast = ""
    if projection and res.projection is not None and last_sum is not None:
        tab = res.projection.table
        rows = tab[tab["metric"] == metric].sort_values("year")
        if len(rows):
            handles += _fan(ax, rows, color, loc, start=(float(last_sum["year"]), float(last_sum["sum"])))
            top = max(top, float(rows["pi95_hi"].max()))
            x_max = int(rows["year"].max())
            forecast = _forecast(rows.iloc[-1], loc)
    x_min = int(pts["year"].min()) if len(pts) else 0
    ax.set_xticks(range(x_min, x_max + 1, 1 if size == "wide" or x_max - x_min < 5 else 2))
    ax.set_xlim(x_min - 0.5, x_max + 0.5)
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    _thousands(ax, counts=measure == "projects")
    ax.set_ylabel(loc.word(columns.column("projects" if measure == "projects" else "investment_100m_yuan").unit))
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word(f"cumulative_{measure}"), size)
    _legend_below(fig, handles, size)
    _place_labels(fig, labels)
    fig.alt = _cumulative_finding(res, pts, measure, loc, forecast)
    return fig


def _forecast(row, loc: locale.Locale) -> str:
    """预测2026年中位数为…，80%预测区间为…: one year of a projection table."""
    return loc.chart_word(
        "alt_forecast",
        year=int(row["year"]),
        median=loc.rounded(row["median"]),
        interval=loc.interval(row["pi80_lo"], row["pi80_hi"]),
    )


def _cumulative_finding(res, pts: pd.DataFrame, measure: str, loc: locale.Locale, forecast: str) -> str:
    """The cumulative chart's finding: the sum of the periods to its last known year (with the hedge its parts
    give), what a source last stated, and the projection's last year."""
    from .tables import hedged_total

    what = loc.chart_word(f"alt_cumulative_{measure}")
    unit = "projects" if measure == "projects" else "yi_yuan"
    col = "projects" if measure == "projects" else "investment_100m_yuan"
    known = pts[pts["sum"].notna()]
    said = ""
    if len(known):
        year = int(known["year"].iloc[-1])
        upto = res.periods[res.periods["last_year"] <= year]
        h = hedged_total(upto[col], upto[f"{measure}_qualifier"], upto[f"{measure}_range"], count=measure == "projects")
        said = loc.chart_word(
            "alt_cumulative", year=year, measure=what, value=loc.hedged_sum(h.value, h.qualifier, unit, h.bounds)
        )
    stated = pts[pts["stated"].notna()]
    told = ""
    if len(stated):
        s = stated.iloc[-1]
        told = loc.chart_word(
            "alt_cumulative_stated", year=int(s["year"]), value=loc.hedged(s["stated"], s["stated_qualifier"], unit)
        )
    if not (said or told):
        said = loc.chart_word("alt_none", measure=what)
    return _sentence(loc, said, told, forecast)


def _fan(ax, rows: pd.DataFrame, color, loc: locale.Locale, start: tuple[float, float] | None = None) -> list:
    """Median line with shaded 80 % and 95 % bands (quantiles at whole years, joined by straight lines)."""
    x = rows["year"].astype(float).to_numpy()
    cols = {c: rows[c].astype(float).to_numpy() for c in ("median", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi")}
    if start is not None:
        x = np.r_[start[0], x]
        cols = {c: np.r_[start[1], v] for c, v in cols.items()}
    ax.fill_between(x, cols["pi95_lo"], cols["pi95_hi"], color=color, alpha=0.14, linewidth=0)
    ax.fill_between(x, cols["pi80_lo"], cols["pi80_hi"], color=color, alpha=0.3, linewidth=0)
    ax.plot(x, cols["median"], "--", color=color, linewidth=1.8)
    return [
        Line2D([], [], linestyle="--", color=color, label=loc.chart_word("median")),
        Patch(facecolor=color, alpha=0.45, label=loc.chart_word("pi80")),
        Patch(facecolor=color, alpha=0.2, label=loc.chart_word("pi95")),
    ]


# --------------------------------------------------------------------------------------------- 3 landing


def _cohort_label(first: int, last: int, vintage, loc: locale.Locale, size: str = "wide") -> str:
    """A cohort and the date of the statement about it: 2019–2021年批次 / (2022年)."""
    if size == "narrow":  # three short lines: 2019– / 2021 / (2022)
        return f"{first}–\n{last}" + loc.bracket(str(vintage[0]), newline=True)
    cohort = loc.chart_word("cohort", period=loc.period(first, last))
    return cohort + loc.bracket(loc.chart_word("as_of", date=loc.date(vintage)), newline=True)


@_redrawable
def landing(res, lang: str = "zh", size: str = "wide") -> Figure:
    """Each landing statement at its vintage, with the projected next statement.

    Drawn per statement: the counted rate with its 95 % interval and the rate as the source states it (a
    bound drawn as a bound); then the projected next statement with its 80 % interval.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> charts.landing(res, "en").axes[0].get_title(loc="left")
    'How many signed projects have landed?'
    """
    loc = _ensure_style(lang)
    rows = res.landing_statements  # the typed records (metrics.LandingStatement)
    fig = _new(size, 4.4)
    ax = fig.subplots()
    handles = []
    labels = []
    placed = []
    for i, r in enumerate(rows):
        x = i
        labels.append(_cohort_label(r.first_year, r.last_year, r.vintage, loc, size))
        if not locale.missing(r.rate) and not locale.missing(r.landed):
            lo, hi = r.ci95_lo, r.ci95_hi
            ax.errorbar(
                x,
                r.rate,
                yerr=[[r.rate - lo], [hi - r.rate]],
                fmt="o",
                color=C_PROJECTS,
                markersize=8,
                capsize=6,
                elinewidth=2,
                zorder=3,
            )
            ann = ax.annotate(
                f"{locale.num(r.landed_point)}/{locale.num(r.signed)}",
                (x, r.rate),
                xytext=(-10, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=10,
            )
            placed.append((ann, ["left", "lower_left", "upper_left", "below"]))
        if not locale.missing(r.stated_rate):
            q = r.stated_qualifier
            ax.plot(
                x + 0.12,
                r.stated_rate,
                "^" if q in LOWER_BOUNDS else "v" if q in UPPER_BOUNDS else "D",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor=C_STATED,
                markeredgewidth=2,
                zorder=4,
            )
            ann = ax.annotate(
                loc.hedged(r.stated_rate_pct, r.stated_qualifier, "percent"),
                (x + 0.12, r.stated_rate),
                xytext=(8, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=10,
                color=C_STATED,
            )
            placed.append((ann, ["right", "upper_right", "lower_right", "above"]))
    n = len(rows)
    handles.append(Line2D([], [], marker="o", color=C_PROJECTS, label=loc.chart_word("counted")))
    handles.append(
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=C_STATED,
            label=loc.chart_word("stated_rate"),
        )
    )
    proj = res.projection
    if proj is not None and len(proj.landing):
        span = proj.landing[proj.landing["kind"] == "span"]
        if len(span):
            s = span.iloc[0]
            x = n
            sg = max(float(s["signed"]), 1.0)
            med, lo, hi = s["landed_median"] / sg, s["pi80_lo"] / sg, s["pi80_hi"] / sg
            ax.errorbar(
                x,
                med,
                yerr=[[med - lo], [hi - med]],
                fmt="s",
                color=C_MUTED,
                markersize=7,
                capsize=6,
                elinewidth=6,
                alpha=0.7,
                zorder=3,
            )
            labels.append(
                _cohort_label(int(s["first_year"]), int(s["last_year"]), (int(s["vintage"]), 0, 0), loc, size)
            )
            handles.append(
                Line2D([], [], marker="s", color=C_MUTED, linewidth=4, label=loc.chart_word("predicted_landing"))
            )
            n += 1
    ax.set_xticks(range(n), labels, fontsize=10.5 if size == "wide" else 9)
    ax.set_xlim(-0.6, n - 0.2)
    ax.set_ylim(max(0.0, min([0.5] + [r.ci95_lo for r in rows if r.ci95_lo is not None]) - 0.1), 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(loc.chart_word("rate_axis"))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word("landing"), size)
    _legend_below(fig, handles, size)
    _place_labels(fig, placed)
    fig.alt = _landing_finding(rows, loc)
    return fig


def _landing_finding(rows, loc: locale.Locale) -> str:
    """The landing chart's finding: the latest statement that counts landed projects or states a rate."""
    for r in reversed(rows):
        head = {
            "date": loc.date(r.vintage),
            "cohort": loc.period(r.first_year, r.last_year),
            "signed": locale.num(r.signed),
        }
        stated = (
            loc.hedged(r.stated_rate_pct, r.stated_qualifier, "percent") if not locale.missing(r.stated_rate) else ""
        )
        if not locale.missing(r.rate) and not locale.missing(r.landed):
            counted = loc.chart_word("alt_landing", landed=locale.num(r.landed), rate=loc.pct(r.rate), **head)
            return _sentence(loc, counted, loc.chart_word("alt_landing_stated", rate=stated) if stated else "")
        if stated:
            return _sentence(loc, loc.chart_word("alt_landing_only_stated", stated=stated, **head))
    return _sentence(loc, loc.chart_word("alt_landing_none"))


# --------------------------------------------------------------------------------------------- 4 mix


@_redrawable
def mix(res, lang: str, mx, measure: str | None = None, size: str = "wide") -> Figure:
    """One breakdown ``mx``: projects or intended investment by group, in the order published.

    ``mx`` is a :class:`analysis.stats.metrics.Mix` of ``res.mix``; a group without a stated figure is
    labelled, not drawn. ``measure`` None: investment when any amount is stated, else projects
    (``mx.measure``).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    mx : analysis.stats.metrics.Mix
        One breakdown of ``res.mix``.
    measure : str, optional
        ``"projects"`` or ``"investment"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> mx = res.mix[res.period]["category"]
    >>> charts.mix(res, "en", mx, "projects").axes[0].get_title(loc="left")
    '2023: projects by category'
    """
    loc = _ensure_style(lang)
    measure = measure or mx.measure
    g = mx.groups.reset_index(drop=True)
    names = [wrap(str(n), 16 if size == "wide" else 14) for n in loc.col(g, "group")]
    col = "projects" if measure == "projects" else "investment_100m_yuan"
    share = "project_share" if measure == "projects" else "investment_share"
    color = C_PROJECTS if measure == "projects" else C_INVESTMENT
    n = len(g)
    note = prose.mix_note(mx, loc, "amounts" if measure == "investment" else "counts")
    note_lines = wrap(note, _columns(size) + 8).count("\n") + 1 if note else 0
    fig = _new(size, 1.45 + 0.17 * note_lines + _row_pitch(names) * n)
    ax = fig.subplots()
    vals = [None if locale.missing(v) else float(v) for v in g[col]]
    vmax = max([v for v in vals if v is not None] or [1.0])
    labels, items = [], []
    unit = "projects" if measure == "projects" else "yi_yuan"
    for yi, (v, s, q, name) in enumerate(
        zip(vals, g[share], g["investment_qualifier"], loc.col(g, "group"), strict=True)
    ):
        if v is None:
            _unstated(ax, vmax * 0.01, yi, loc, ha="left", va="center")
            continue
        ax.barh(yi, v, height=0.62, color=color)
        text = loc.hedged(v, q if measure == "investment" else None)
        said = loc.hedged(v, q if measure == "investment" else None, unit)
        if not locale.missing(s):
            text += loc.bracket(loc.pct(s, 0))
            # a share of hedged amounts is itself about that much (约59%), as the sentences write it
            hedged_share = measure == "investment" and "approx" in {q, mx.total_investment_qualifier} - {None}
            pct = loc.hedged(round(s * 100), "approx", "percent") if hedged_share else loc.pct(s, 0)
            said += loc.bracket(pct)
        labels.append(
            ax.annotate(text, (v, yi), xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=10)
        )
        items.append((-v, yi, loc.chart_word("alt_item", label=name, value=said)))
    ax.set_yticks(range(n), names)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, vmax * 1.45)
    _thousands(ax, "x", counts=measure == "projects")
    ax.set_xlabel(loc.word(columns.column("projects" if measure == "projects" else "investment_100m_yuan").unit))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    sns.despine(ax=ax, bottom=True)
    dim = loc.pick(res.dimension_labels.get(mx.dimension, (mx.dimension, mx.dimension)))
    _title(
        ax,
        loc.chart_word(f"mix_{measure}", period=loc.period(mx.period.first_year, mx.period.last_year), dim=dim),
        size,
    )
    if note:
        _note(fig, [note], size)
    _room_for_labels(fig, ax, labels, "x")
    period = loc.period(mx.period.first_year, mx.period.last_year)
    said = [t for _, _, t in sorted(items)[:3]]  # the largest first, ties in the published order
    if n > len(items):
        said.append(loc.chart_word("alt_unstated", n=n - len(items)))
    fig.alt = _sentence(
        loc,
        loc.chart_word(
            "alt_mix",
            period=period,
            dim=dim,
            measure=loc.chart_word(f"alt_mix_{measure}"),
            items=loc.chart_word("alt_items_sep").join(said),
        ),
    )
    return fig


def _row_pitch(names: list[str]) -> float:
    """Inches per bar of a horizontal bar chart: room for the longest group name's lines (10.5 pt, 1.2 apart)."""
    lines = max([str(n).count("\n") + 1 for n in names] or [1])
    return max(0.55, 0.18 * lines + 0.14)


# --------------------------------------------------------------------------------------------- 5 compare

_COMPARE_VALUES = ("projects", "project_share", "investment_100m_yuan")


@_redrawable
def compare(res, lang: str, dimension: str, value: str = "projects", size: str = "wide") -> Figure:
    """Periods side by side on the harmonised groups of one classification scheme.

    A period classified under another scheme, or without a breakdown, is labelled so (never drawn as zero).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    dimension : str
        A classification scheme of ``res.compare``.
    value : str
        ``"projects"``, ``"project_share"`` or ``"investment_100m_yuan"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> charts.compare(res, "en", "category").axes[0].get_title(loc="left")
    'How does the mix by category change? (projects signed)'
    """
    loc = _ensure_style(lang)
    if value not in _COMPARE_VALUES:
        raise ValueError(f"value must be one of {', '.join(_COMPARE_VALUES)}, got {value!r}")
    c = res.compare[dimension]
    shown = [p for p, s in metrics.period_statuses(c).items() if s != "not_published"]
    groups = list(dict.fromkeys(c["harmonised"]))
    names = [
        wrap(str(loc.col(c[c["harmonised"] == h], "harmonised").iloc[0]), 14 if size == "wide" else 12) for h in groups
    ]
    k = max(len(shown), 1)
    height = min(0.8 / k, 0.42)
    # periods in time order, light to dark in one hue: readable without telling red from green
    crest = sns.color_palette("crest", as_cmap=True)
    colors = [crest(t) for t in np.linspace(0.15, 0.95, k)] if k > 1 else [C_PROJECTS]
    fig = _new(size, 1.8 + len(groups) * max(_row_pitch(names), 0.3 * k + 0.15))
    ax = fig.subplots()
    vals = [None if locale.missing(v) else float(v) for v in c[value]]
    vmax = max([v for v in vals if v is not None] or [1.0])
    share = value == "project_share"
    bar_labels = []
    for j, (p, color) in enumerate(zip(shown, colors, strict=True)):
        sub = c[c["period"] == p].set_index("harmonised")
        for i, h in enumerate(groups):
            yi = i + (j - (k - 1) / 2) * height
            r = sub.loc[h]
            v = r[value]
            if r["status"] in ("classified_differently", "not_published") or locale.missing(v):
                ax.text(
                    vmax * 0.01,
                    yi,
                    loc.chart_word(r["status"] if r["status"] in locale.CHART_WORDS else "not_published"),
                    ha="left",
                    va="center",
                    fontsize=10,
                    color=C_MUTED,
                    style="italic",
                )
                continue
            ax.barh(yi, float(v), height=height * 0.92, color=color)
            text = loc.pct(v, 0) if share else locale.num(v)
            if r["status"] == "none":
                text = loc.chart_word("none")
            bar_labels.append(
                ax.annotate(
                    text, (float(v), yi), xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=10
                )
            )
    ax.set_yticks(range(len(groups)), names)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, vmax * 1.3)
    if share:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        _thousands(ax, "x", counts=value == "projects")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    sns.despine(ax=ax, bottom=True)
    labels = res.dimension_labels[dimension]
    vlabel = {
        "projects": loc.word("projects"),
        "project_share": loc.chart_word("share_projects"),
        "investment_100m_yuan": loc.word("investment_unit"),
    }[value]
    _title(ax, loc.chart_word("compare", dim=loc.pick(labels), value=vlabel), size)
    _legend_below(fig, [Patch(facecolor=col, label=p) for p, col in zip(shown, colors, strict=True)], size)
    _room_for_labels(fig, ax, bar_labels, "x")
    fig.alt = _compare_finding(c, shown, value, vlabel, loc)
    return fig


def _compare_finding(c: pd.DataFrame, shown: list, value: str, vlabel: str, loc: locale.Locale) -> str:
    """The comparison's finding: the largest group of the latest period shown with values, period by period."""
    last = c.iloc[0:0]
    for p in reversed(shown):  # the latest period whose groups carry the value (a later one may be grouped otherwise)
        last = c[(c["period"] == p) & c[value].notna()]
        if len(last):
            break
    if not len(last):
        return _sentence(loc, loc.chart_word("alt_none", measure=vlabel))
    top = last.loc[last[value].astype(float).idxmax()]
    items = []
    for p in shown:
        r = c[(c["period"] == p) & (c["harmonised"] == top["harmonised"])].iloc[0]
        if locale.missing(r[value]) or r["status"] in ("classified_differently", "not_published", "none"):
            said = loc.chart_word(r["status"] if r["status"] in locale.CHART_WORDS else "not_published")
        elif value == "project_share":
            said = loc.pct(r[value], 0)
        else:
            q = r["investment_qualifier"] if value == "investment_100m_yuan" else None
            said = loc.hedged(r[value], q, "projects" if value == "projects" else "yi_yuan")
        items.append(loc.chart_word("alt_compare_item", period=loc.period(r["first_year"], r["last_year"]), value=said))
    group = loc.col(top, "harmonised")
    return _sentence(
        loc, loc.chart_word("alt_compare", group=group, value=vlabel, items=loc.chart_word("alt_items_sep").join(items))
    )


# --------------------------------------------------------------------------------------------- 6 projection


@_redrawable
def projection(res, lang: str = "zh", measure: str = "projects", size: str = "wide") -> Figure:
    """The projection of one yearly figure, after the published periods.

    The published periods are drawn at their annual average, then the median and 80 %/95 % prediction
    bands of the coming years.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    measure : str
        ``"projects"`` or ``"investment"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`: a notebook shows it as PNG).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> res = compute(load(), 2023)
    >>> charts.projection(res, "zh").axes[0].get_title(loc="left")
    '今后几年签约多少个项目？'
    """
    loc = _ensure_style(lang)
    proj = res.projection
    if proj is None:
        raise ValueError("no projection in these results")
    metric = "projects" if measure == "projects" else "investment_100m_yuan"
    col = metric
    color = C_PROJECTS if measure == "projects" else C_INVESTMENT
    fig = _new(size, 4.4)
    ax = fig.subplots()
    hist = res.periods.sort_values("first_year")
    top = 0.0
    for r in hist.to_dict("records"):
        v = r[col]
        if locale.missing(v):
            continue
        n = int(r["n_years"])
        avg = float(v) / n
        ax.plot(
            [r["first_year"] - 0.4, r["last_year"] + 0.4],
            [avg, avg],
            "-",
            color="0.25",
            linewidth=3,
            solid_capstyle="butt",
        )
        top = max(top, avg)
    rows = proj.table[proj.table["metric"] == metric].sort_values("year")
    last = hist.iloc[-1]
    start = (
        (float(last["last_year"]), float(last[col]) / int(last["n_years"])) if not locale.missing(last[col]) else None
    )
    handles = [Line2D([], [], color="0.25", linewidth=3, label=loc.word("history"))] + _fan(
        ax, rows, color, loc, start=start
    )
    r1 = rows.iloc[0]
    ann = ax.annotate(
        f"{loc.rounded(r1['median'])}\n80%: {loc.interval(r1['pi80_lo'], r1['pi80_hi'])}",
        (float(r1["year"]), float(r1["pi80_hi"])),
        xytext=(0, 6),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=10,
        color=C_NOTE,
    )
    top = max(top, float(rows["pi95_hi"].max()))
    x_min, x_max = int(hist["first_year"].min()), int(rows["year"].max())
    ax.set_xticks(range(x_min, x_max + 1, 1 if size == "wide" else 2))
    ax.set_xlim(x_min - 0.6, x_max + 0.6)
    ax.set_ylim(0, top * 1.1)
    _thousands(ax, counts=measure == "projects")
    ax.set_ylabel(loc.chart_word("per_year_axis" if measure == "projects" else "yi_yuan_per_year_axis"))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word(f"projection_{measure}"), size)
    _legend_below(fig, handles, size)
    _place_labels(fig, [(ann, ["above", "upper_left", "upper_right", "right", "left"])])
    what = loc.chart_word(f"alt_projection_{measure}")
    known = hist[hist[col].notna()]
    before = loc.chart_word("alt_none", measure=what)
    if len(known):
        h = known.iloc[-1]
        n = int(h["n_years"])
        said = loc.hedged(
            h[col] / n if n > 1 else h[col],
            h[f"{measure}_qualifier"],
            "projects" if measure == "projects" else "yi_yuan",
            fmt=(lambda v: loc.num(v, 1)) if n > 1 else None,
            bounds=None
            if h[f"{measure}_range"] is None
            else tuple(None if b is None else b / n for b in h[f"{measure}_range"]),
        )
        before = loc.chart_word(
            "alt_one",
            measure=what,
            a_period=loc.period(h["first_year"], h["last_year"]),
            a=loc.chart_word("alt_avg", value=said) if n > 1 else said,
        )
    fig.alt = _sentence(loc, before, _forecast(r1, loc))
    return fig


# --------------------------------------------------------------------------------------------- 8 the index's series


def series(res, lang: str = "zh", size: str = "narrow") -> Figure:
    """The index's small chart of the whole series: projects signed a year, one bar per published period.

    An aggregate period is one bar at its annual average, spanning its years; a derived count is hatched;
    a count not published is written "未公布" with no bar. Small (the narrow width) for the top of the index.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (all the data, for the index).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    size : str
        ``"narrow"`` (the default: the index shows it small) or ``"wide"``.

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> fig = charts.series(compute(load(), 2023, projection=False), "en")
    >>> " ".join(fig.axes[0].get_title(loc="left").split())
    'How many projects are signed a year?'
    """
    loc = _ensure_style(lang)
    df = res.periods.sort_values(["first_year", "last_year"]).reset_index(drop=True)
    fig = _new(size, 2.6)
    ax = fig.subplots()
    top = 0.0
    for r in df.to_dict("records"):
        n, x = int(r["n_years"]), (r["first_year"] + r["last_year"]) / 2
        if locale.missing(r["projects"]):
            _unstated(ax, x, 0, loc)
            continue
        avg = float(r["projects"]) / n
        hatch = HATCH_DERIVED if r["projects_status"] == "derived" else None
        ax.bar(x, avg, width=n * 0.85, color=C_PROJECTS, edgecolor="white", linewidth=1.5, hatch=hatch)
        b = r["projects_range"]
        b = None if b is None else tuple(None if v is None else v / n for v in b)
        text = loc.hedged(
            avg if n > 1 else r["projects"], r["projects_qualifier"], fmt=lambda v: loc.num(v, 1), bounds=b
        )
        if n > 1:
            text = loc.chart_word("avg_value", value=text)
        ax.annotate(text, (x, avg), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=10)
        top = max(top, avg)
    ax.set_xticks(
        [(a + b) / 2 for a, b in zip(df["first_year"], df["last_year"], strict=True)],
        [_period_text(a, b, loc) for a, b in zip(df["first_year"], df["last_year"], strict=True)],
        fontsize=10,
    )
    ax.set_xlim(df["first_year"].min() - 0.6, df["last_year"].max() + 0.6)
    ax.set_ylim(0, (top or 1) * 1.25)
    ax.set_yticks([])
    ax.grid(False)
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word("signings_projects"), size)
    return fig


# --------------------------------------------------------------------------------------------- 9 the forecast record


@_redrawable
def record(
    res, lang: str = "zh", rec: pd.DataFrame | None = None, measure: str = "projects", size: str = "wide"
) -> Figure:
    """The archived forecasts' 80 %/95 % intervals beside the yearly figures published later.

    Each archived forecast is drawn in its own shade at the years it forecasts (80 % thick, 95 % thin, the
    median a tick), the forecasts of one year side by side, oldest first; a published single year is a line across.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (the published figures are read from ``res.periods``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    rec : pandas.DataFrame, optional
        What :func:`analysis.stats.record.forecast_record` returns (default: the archive beside the data).
    measure : str
        ``"projects"`` or ``"investment"``.
    size : str
        ``"wide"`` (laptops, notebooks) or ``"narrow"`` (phones).

    Returns
    -------
    matplotlib.figure.Figure
        The chart (a :class:`Chart`).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> fig = charts.record(compute(load(), projection=False), "en")
    >>> " ".join(fig.axes[0].get_title(loc="left").split())
    'Did the archived intervals hold the projects signed?'
    """
    from ..stats.record import forecast_record

    loc = _ensure_style(lang)
    target = "projects" if measure == "projects" else "investment_100m_yuan"
    rec = forecast_record(res.dataset, refit=False) if rec is None else rec
    a = rec[(rec["forecaster"] == "archived") & (rec["target"] == target)]
    fig = _new(size, 4.4)
    ax = fig.subplots()
    throughs = sorted(set(a["through"].astype(int)))
    shades = sns.color_palette("crest", n_colors=len(throughs)) if throughs else []
    width = 0.7 / max(len(throughs), 1)
    handles = []
    top = 0.0
    for i, (t, shade) in enumerate(zip(throughs, shades, strict=True)):
        g = a[a["through"] == t]
        x = g["year"].to_numpy(float) - 0.35 + width * (i + 0.5)
        ax.vlines(x, g["pi95_lo"], g["pi95_hi"], color=shade, linewidth=1.5)
        ax.vlines(x, g["pi80_lo"], g["pi80_hi"], color=shade, linewidth=5)
        ax.plot(x, g["median"], "_", color="white", markersize=6, markeredgewidth=1.5)
        handles.append(Line2D([], [], color=shade, linewidth=5, label=loc.chart_word("record_from", year=t)))
        top = max(top, float(g["pi95_hi"].max()))
    pub = res.periods[(res.periods["n_years"] == 1) & res.periods[target].notna()]
    ax.hlines(pub[target].astype(float), pub["first_year"] - 0.42, pub["first_year"] + 0.42, color="0.1", zorder=5)
    handles.append(Line2D([], [], color="0.1", label=loc.chart_word("record_published")))
    top = max(top, float(pub[target].max()) if len(pub) else 0.0)
    years = sorted(set(a["year"].astype(int)) | set(pub["first_year"].astype(int)))
    if years:
        ax.set_xticks(range(years[0], years[-1] + 1, 1 if size == "wide" else 2))
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_ylim(0, (top or 1) * 1.08)
    _thousands(ax, counts=measure == "projects")
    ax.set_ylabel(loc.chart_word("per_year_axis" if measure == "projects" else "yi_yuan_per_year_axis"))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    _title(ax, loc.chart_word(f"record_{measure}"), size)
    _legend_below(fig, handles, size)
    scored = a[a["status"] == "scored"]
    fig.alt = loc.chart_word(
        "record_alt",
        n=len(scored),
        inside=int(scored["inside95"].sum()),
        measure=loc.word(f"metric_{target}"),
    )
    return fig
