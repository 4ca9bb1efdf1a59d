"""What a chart costs to show (issue 20, item 5: a fast build and suite): how often a chart is drawn.

A build's chart cell (``notebook.show(fig, name, fig_dir)``) draws the narrow rendering (its label placement
lays the figure out, one draw a round) and saves two PNGs. Each PNG is one draw of the figure: its own Agg
canvas lays it out and renders it in that draw (``savefig`` drew it twice, a layout draw and then the draw
that renders, 4 draws a chart more than needed). The pixels are those ``savefig`` makes.
"""

from __future__ import annotations

import functools
import subprocess
import sys

import matplotlib as mpl
import pytest
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure

from analysis import charts, compute, load, notebook
from analysis.core import locale

from .conftest import DATA


@functools.cache
def _res():
    """The 2023 results, computed when a test first draws (not when pytest collects the file)."""
    return compute(load(DATA), 2023)


CHARTS = {
    "signings-projects": lambda: charts.signings(_res(), "en", "projects"),
    "cumulative-investment": lambda: charts.cumulative(_res(), "zh", "investment"),
    "landing": lambda: charts.landing(_res(), "zh"),
    "projection": lambda: charts.projection(_res(), "en"),
}


@pytest.fixture
def draws(monkeypatch):
    """The number of ``Figure.draw`` calls (each one a layout or a render of a whole figure) so far."""
    count = [0]
    original = Figure.draw

    def counted(self, renderer):
        count[0] += 1
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    return count


def test_a_png_draws_the_chart_once(draws):
    fig = CHARTS["signings-projects"]()
    draws[0] = 0
    charts.png(fig)
    assert draws[0] == 1


@pytest.mark.parametrize("name", CHARTS)
def test_showing_a_chart_in_a_build_draws_each_png_once(name, draws, tmp_path):
    fig = CHARTS[name]()
    draws[0] = 0
    fig.redraw("narrow")
    layout = draws[0]  # the narrow rendering's own layout draws (label placement), counted apart
    draws[0] = 0
    notebook.show(fig, name, str(tmp_path))
    assert draws[0] == layout + 2, "the narrow rendering's layout draws, then one draw for each of the two PNGs"


@pytest.mark.parametrize("name", CHARTS)
def test_a_png_has_the_pixels_savefig_makes(name):
    fast, other = CHARTS[name](), CHARTS[name]()
    FigureCanvasBase(other)  # not an Agg canvas: png() goes through savefig
    first = charts.png(fast)
    assert first == charts.png(other)
    assert charts.png(fast) == first, "a second PNG of the same figure has the same bytes"


def test_a_png_follows_the_savefig_settings_as_savefig_does():
    fast, other = CHARTS["landing"](), CHARTS["landing"]()
    FigureCanvasBase(other)
    with mpl.rc_context({"savefig.facecolor": "0.8", "savefig.bbox": "tight"}):
        shaded = charts.png(fast)
        assert shaded == charts.png(other)
    assert shaded != charts.png(fast)


def test_the_command_line_starts_without_pandas():
    code = "import sys, analysis.pipeline.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_missing_still_knows_pandas_na():
    import pandas as pd

    assert locale.missing(pd.NA) and locale.missing(None) and not locale.missing(0)
