"""Charts: drawn from the results in zh and en, wide and narrow, without warnings, honest about what was published;
drawn for less: a chart laid out by its label placement is not laid out again for its PNG, and the texts' layouts
are memoised while charts draw, for the same pixels."""

from __future__ import annotations

from unittest import mock

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from analysis import load
from analysis.core import locale
from analysis.present import charts as P
from analysis.stats.metrics import Period
from analysis.stats.results import compute

from ._charts_cache import chart, results
from .conftest import DATA, apply_fixture

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: the release these checks draw
THROUGH = 2023


@pytest.fixture(scope="module")
def res():
    return results(THROUGH)


#: each chart checked here, by the name the shared charts (``tests/_charts_cache.py``) give it
CHARTS = {
    "signings_projects": "signings-projects",
    "signings_investment": "signings-investment",
    "cumulative": "cumulative-investment",
    "cumulative_no_projection": "cumulative-projects",
    "landing": "landing",
    "mix": "mix-2023-category",  # 2023's categories by investment
    "compare": "compare-category",
    "projection": "projection-projects",
}


def _chart(name: str, lang: str, size: str = "wide"):
    """A chart of :data:`CHARTS` as drawn for 2023 (shared: read it, never change it)."""
    return chart(THROUGH, CHARTS[name], lang, size)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.parametrize("size", ["wide", "narrow"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_draws_without_warnings(name, lang, size):
    drawn = _chart(name, lang, size)
    fig, data = drawn.fig, drawn.png  # the Agg canvas draws the glyphs for the PNG: a missing one would warn then
    assert not drawn.warnings and not drawn.png_warnings
    assert data[:8] == PNG_MAGIC and len(data) > 8_000
    assert fig.get_figwidth() == P.SIZES[size]
    cjk = [t for t in _texts(fig) if P.has_cjk(t)]
    assert bool(cjk) == (lang == "zh"), cjk
    assert all(ax.get_title(loc="left") for ax in fig.axes[:1])  # every chart asks its own question


def test_every_chart_asks_its_own_question():
    titles = [_chart(c, "zh").fig.axes[0].get_title(loc="left") for c in CHARTS if c != "cumulative_no_projection"]
    assert len(set(titles)) == len(titles), titles


def test_figures_are_not_left_open_in_pyplot_and_show_themselves(res):
    before = plt.get_fignums()
    fig = P.signings(res, "en")
    assert plt.get_fignums() == before  # a notebook shows the returned figure once
    data, size = fig._repr_png_()  # whatever the kernel's backend
    assert data == P.png(fig) and size == {"width": 770, "height": round(fig.get_figheight() * P.DPI)}


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_png_has_two_pixels_per_css_px_in_a_palette(size):
    """Sharp on a phone: the PNG is twice the width (and height) it is shown at, in one palette of colours."""
    import io

    from PIL import Image

    drawn = _chart("cumulative", "zh", size)
    fig = drawn.fig
    with Image.open(io.BytesIO(drawn.png)) as im:
        w, h = P.css_size(fig)
        assert im.width == 2 * w == 2 * round(P.SIZES[size] * P.DPI) and abs(im.height - 2 * h) <= 1  # whole pixels
        assert im.mode == "P" and len(im.getcolors()) <= P.PNG_COLORS
        assert im.getpixel((0, 0)) == im.getpixel((im.width - 1, im.height - 1))  # the white of the figure


def test_aggregate_is_one_bar_spanning_its_years(res):
    ax = _chart("signings_projects", "zh").fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == len(res.periods)  # one bar per published period, none per year inside 2019–2020
    assert [round(b.get_width(), 2) for b in bars] == [1.8, 0.9, 0.9, 0.9]
    assert bars[0].get_height() == pytest.approx(85 / 2)  # 过去两年…85个项目: shown as the annual average
    assert any("年均" in t for t in _texts(ax.figure))


def test_cumulative_draws_a_stated_bound_as_a_bound(res):
    ax = chart(THROUGH, "cumulative-inv-past", "zh", "wide").fig.axes[0]  # investment, without the projection
    triangles = [line for line in ax.get_lines() if line.get_marker() == "^"]
    assert len(triangles) == 1 and triangles[0].get_xdata()[0] == 2023 and triangles[0].get_ydata()[0] == 1500
    zh = locale.of("zh")
    assert zh.hedged(1500, "over") in _texts(ax.figure) and zh.num(1080) in _texts(ax.figure)
    pts = P.cumulative_points(res, "investment").set_index("year")
    assert pts.at[2023, "bound"] and not pts.at[2022, "bound"] and pts.at[2023, "sum"] == pytest.approx(1506.47)


def test_derived_year_is_hatched(data_copy):
    apply_fixture(data_copy, "cumulative_only_2025")
    res = compute(load(data_copy), projection=False)
    ax = P.signings(res, "en", "investment").axes[0]
    hatched = [b for b in _bars(ax) if b.get_hatch()]
    assert len(hatched) == 1 and "(derived)" in " ".join(_texts(ax.figure))


def test_derived_bars_are_labelled_with_their_hedge_or_range(data_copy):
    """SYNTHETIC upper_bound_2026: 2025 is 900 − 超500 (不足400亿元) and 100 − 不足60 (41 to 100 projects)."""
    apply_fixture(data_copy, "upper_bound_2026")
    res = compute(load(data_copy), projection=False)
    assert "不足400" in " ".join(_texts(P.signings(res, "zh", "investment").axes[0].figure))
    assert "41–100" in " ".join(_texts(P.signings(res, "en", "projects").axes[0].figure))


def test_unstated_groups_are_labelled_not_drawn():
    res = compute(load(DATA), 2022, projection=False)
    mx = res.mix[Period(2022, 2022)]["category"]
    ax = P.mix(res, "zh", mx, "investment").axes[0]
    assert len(_bars(ax)) == 2 and _texts(ax.figure).count("未公布") == 2


def test_another_scheme_is_marked_not_zero(data_copy):
    apply_fixture(data_copy, "new_scheme_2025")
    res = compute(load(data_copy), projection=False)
    texts = _texts(P.compare(res, "zh", "category").axes[0].figure)
    assert "口径不同" in texts
    investor = P.compare(res, "en", "investor")  # a new scheme draws with no code change
    assert any("mix by investor" in t for t in _texts(investor))


def test_bad_arguments(res):
    with pytest.raises(ValueError, match="size must be one of wide, narrow"):
        P.signings(res, "zh", size="tiny")
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        P.landing(res, "fr")
    with pytest.raises(ValueError, match="measure must be 'projects' or 'investment'"):
        P.signings(res, "zh", "money")


def test_png_is_deterministic(res, tmp_path):
    a = _chart("landing", "zh").png  # drawn once in this process
    b = P.save(P.landing(res, "zh"), tmp_path / "b.png").read_bytes()  # drawn afresh
    assert a == b


def test_the_figure_html_carries_the_finding_as_escaped_alt_text_and_both_renderings(res):
    from analysis.present import notebook

    wide, narrow = _chart("landing", "en"), _chart("landing", "en", "narrow")
    html = notebook.figure_markup(wide.fig, narrow.fig, "Source: <b>x</b>", pngs=(wide.png, narrow.png))
    assert f'alt="{wide.fig.alt}"' in html and wide.fig.alt != wide.fig.axes[0].get_title(loc="left")
    assert 'width="770"' in html and 'width="396"' in html and "&lt;b&gt;" in html
    assert html.count("data:image/png;base64,") == 2 and 'data-dpi="110"' in html
    assert notebook.figure_markup(wide.fig, narrow.fig, "Source: <b>x</b>") == html  # the PNGs made here are those
    fig = P.landing(res, "en")  # a figure of its own: a finding carrying markup
    fig.alt = '"><script>alert(1)</script>'  # data text (a group's name) in a finding is text
    assert "<script>" not in notebook.figure_markup(fig, narrow.fig, "", pngs=(wide.png, narrow.png))


@pytest.mark.parametrize("lang", locale.LANGS)
def test_the_comparison_alt_reads_the_latest_period_with_values(lang):
    """2024's categories are grouped otherwise: the alt text names the largest group of the latest period that has
    values (not "not published"), with that period's figure as the data give it."""
    res = compute(load(DATA), 2024, projection=False)
    c = res.compare["category"]
    with_values = c[c["projects"].notna()]
    latest = with_values[with_values["last_year"] == with_values["last_year"].max()]
    top = latest.loc[latest["projects"].astype(float).idxmax()]
    alt = P.compare(res, lang, "category").alt
    loc = locale.of(lang)
    assert loc.col(top, "harmonised") in alt and str(int(top["projects"])) in alt, alt


@pytest.mark.parametrize("lang", locale.LANGS)
def test_a_share_of_hedged_amounts_is_hedged_in_the_alt_text(lang):
    """2022's amounts are 约: the mix chart's alt text writes each share with the hedge (约59%), as the
    sentences do, never a bare percent."""
    res = compute(load(DATA), 2022, projection=False)
    loc = locale.of(lang)
    mx = res.mix[Period(2022, 2022)]["category"]
    alt = P.mix(res, lang, mx, "investment").alt
    g = mx.groups[mx.groups["investment_100m_yuan"].notna()]
    assert len(g)
    for share in g["investment_share"]:
        assert loc.bracket(loc.hedged(round(share * 100), "approx", "percent")) in alt, alt


# --------------------------------------------------------------------------------------------- drawn for less


def test_a_chart_laid_out_by_its_label_placement_is_not_laid_out_again_for_its_png(res):
    """The layout of the label placement's last round is kept for the PNG (the figure did not change since): no
    constrained layout while the PNG draws, and the same bytes as the PNG of the figure laid out again."""
    from matplotlib import layout_engine

    layouts = []
    real = layout_engine.do_constrained_layout

    def counted(*args, **kwargs):
        layouts.append(1)
        return real(*args, **kwargs)

    for draw in (lambda: P.landing(res, "en"), lambda: P.cumulative(res, "zh", "investment", size="narrow")):
        fig = draw()
        with mock.patch.object(layout_engine, "do_constrained_layout", counted):
            layouts.clear()
            kept = P.png(fig)
            assert layouts == []
            fig.stale = True  # as if it had changed: laid out again
            again = P.png(fig)
            assert layouts == [1]
        assert kept == again


def test_a_changed_chart_is_laid_out_again(res):
    """A change after the label placement (a restyle in the next cell) makes the PNG lay the chart out again: a
    longer title takes more room above the axes."""
    fig = P.landing(res, "en")
    before = fig.axes[0].get_position().y1
    fig.axes[0].set_title("A question\nover\nfour lines", loc="left", y=1.0)
    P.png(fig)
    assert fig.axes[0].get_position().y1 < before


def test_a_draw_of_a_laid_out_chart_measures_no_axis(res):
    """A draw of a chart unchanged since its layout measures no axis: no layout, and the title's place is given
    (matplotlib's own placement would measure the y axis' tick labels for each of the axes' three titles)."""
    from matplotlib.axis import XAxis, YAxis

    fig = P.landing(res, "en")
    calls = []
    with (
        mock.patch.object(YAxis, "get_tightbbox", lambda *a, **k: calls.append("y")),
        mock.patch.object(XAxis, "get_tightbbox", lambda *a, **k: calls.append("x")),
    ):
        fig.draw_without_rendering()
    assert calls == []


def test_texts_are_laid_out_once_while_charts_draw_with_the_same_boxes(res):
    """Inside a chart's draw or measure the texts' layouts are memoised: the same boxes as matplotlib's own, a text
    laid out again is the one kept, a text changed is laid out afresh; outside, matplotlib is untouched."""
    fig = P.projection(res, "en")
    assert Text._get_layout is P._PLAIN_LAYOUT  # matplotlib's own outside a chart's draw
    r = fig.canvas.get_renderer()
    texts = P.shown_texts(fig)
    plain = [t.get_window_extent(r).bounds for t in texts]
    P._LAYOUTS.clear()
    with P._text_layouts():
        assert Text._get_layout is not P._PLAIN_LAYOUT
        first = [t.get_window_extent(r).bounds for t in texts]
        kept = len(P._LAYOUTS)
        again = [t.get_window_extent(r).bounds for t in texts]
        assert len(P._LAYOUTS) == kept > 0  # nothing laid out afresh
        title = fig.axes[0]._left_title
        small = title.get_window_extent(r)
        title.set_fontsize(2 * title.get_fontsize())
        assert title.get_window_extent(r).width > 1.5 * small.width
    assert first == again == plain
    assert Text._get_layout is P._PLAIN_LAYOUT
