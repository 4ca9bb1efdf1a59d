"""The charts the reports show, each drawn once per test process: test_chart_layout.py and test_plotting.py check the
same figures (every chart of every release, in both languages and at both sizes), so they share them here.

:func:`chart` draws a chart (the warnings its drawing raised kept beside it); what the checks read of it is made
on first use and kept: the texts its draw shows with their boxes (:attr:`Drawn.texts`) and its PNG
(:attr:`Drawn.png`). A test reads a shared figure and never changes it (a test that restyles draws its own).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from unittest import mock

from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.present import charts as P
from analysis.stats.results import compute

from .conftest import real_data, real_plan

#: the releases the build writes a report for (the period report notebook's ``through``)
RELEASES = sorted({j.parameters["through"] for j in real_plan() if j.through})
LATEST = RELEASES[-1]


def notebook_charts(res, analyses: bool) -> list:
    """``(name, draw(lang, size))`` of every chart a notebook draws: the period report's, and, for the
    release the analysis notebooks show (the latest), theirs."""
    out = [
        ("signings-projects", lambda lang, size: P.signings(res, lang, "projects", size=size)),
        ("cumulative-investment", lambda lang, size: P.cumulative(res, lang, "investment", size=size)),
    ]
    if len(res.landing):
        out.append(("landing", lambda lang, size: P.landing(res, lang, size=size)))
    if res.projection is not None:
        out.append(("projection", lambda lang, size: P.projection(res, lang, "investment", size=size)))
    mixes = res.mix.items() if analyses else [(p, b) for p, b in res.mix.items() if p == res.period]
    for period, by in mixes:
        for scheme, mx in by.items():
            out.append((f"mix-{period.key}-{scheme}", _bind(P.mix, res, mx)))
    if analyses:
        out += [
            ("signings-investment", lambda lang, size: P.signings(res, lang, "investment", size=size)),
            ("cumulative-projects", _bind(P.cumulative, res, "projects", projection=False)),
            ("cumulative-inv-past", _bind(P.cumulative, res, "investment", projection=False)),
            ("projection-projects", _bind(P.projection, res, "projects")),
        ]
        out += [(f"compare-{s}", _bind(P.compare, res, s, "projects")) for s in res.comparable_schemes()]
    return out


def _bind(fn, res, *args, **kwargs):
    return lambda lang, size: fn(res, lang, *args, size=size, **kwargs)


@functools.cache
def results(through: int):
    """The results of a release, from the real data (the same object for every test of the process)."""
    return compute(real_data(), through)


@functools.cache
def _drawers(through: int) -> dict:
    """Every chart a notebook may draw for this release (the analysis notebooks' too), by name."""
    return dict(notebook_charts(results(through), analyses=True))


def _caught(fn):
    """``fn()`` and the warnings it raised (as ``Category: message``; ResourceWarnings left out)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, ResourceWarning)]


@dataclass
class Drawn:
    """One chart as drawn for a release, a language and a size; its shown texts and PNG made on first use."""

    fig: Figure
    #: the warnings drawing it raised
    warnings: list
    _png: tuple | None = field(default=None, repr=False)

    @functools.cached_property
    def texts(self) -> list:
        """The texts a draw at the PNG's resolution really draws (``Text.draw`` is watched: a tick label outside
        the view is not drawn, an annotation outside the axes is not), with their window extents (device px)."""
        seen: list[Text] = []
        original = Text.draw

        def watched(text, renderer):
            if text.get_visible() and text.get_text().strip():
                seen.append(text)
            return original(text, renderer)

        self.fig.dpi = P.DPI * P.SCALE  # the resolution png() saves at (the charts' own)
        with mock.patch.object(Text, "draw", watched):
            self.fig.draw_without_rendering()
        r = self.fig.canvas.get_renderer()
        return [(t, t.get_window_extent(r)) for t in seen]

    @property
    def png(self) -> bytes:
        """The chart's PNG (:func:`analysis.present.charts.png`)."""
        if self._png is None:
            self._png = _caught(lambda: P.png(self.fig))
        return self._png[0]

    @property
    def png_warnings(self) -> list:
        """The warnings making the PNG raised (the Agg canvas draws the glyphs then: a missing one would warn)."""
        self.png  # noqa: B018  (made on first use)
        return self._png[1]


@functools.cache
def chart(through: int, name: str, lang: str, size: str) -> Drawn:
    """The chart ``name`` of ``through`` (a name of :func:`notebook_charts`), drawn once per process.

    Parameters
    ----------
    through : int
        The release.
    name : str
        The chart, as :func:`notebook_charts` names it.
    lang : str
        ``"zh"`` or ``"en"``.
    size : str
        ``"wide"`` or ``"narrow"``.

    Returns
    -------
    Drawn
        The figure and the warnings of its drawing; its texts and PNG on first use.
    """
    fig, caught = _caught(lambda: _drawers(through)[name](lang, size))
    return Drawn(fig, caught)
