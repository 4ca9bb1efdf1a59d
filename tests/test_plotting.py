"""Charts: drawn from the results in zh and en, wide and narrow, without warnings, honest about what was published."""

from __future__ import annotations

import warnings

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

from .conftest import DATA, apply_fixture

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def res():
    return compute(load(DATA), 2023)


def _mix(res):
    return res.mix[Period(2023, 2023)]["category"]


CHARTS = {
    "signings_projects": lambda r, lang, size: P.signings(r, lang, "projects", size),
    "signings_investment": lambda r, lang, size: P.signings(r, lang, "investment", size),
    "cumulative": lambda r, lang, size: P.cumulative(r, lang, "investment", size),
    "cumulative_no_projection": lambda r, lang, size: P.cumulative(r, lang, "projects", size, projection=False),
    "landing": lambda r, lang, size: P.landing(r, lang, size),
    "mix": lambda r, lang, size: P.mix(r, lang, _mix(r), "investment", size),
    "compare": lambda r, lang, size: P.compare(r, lang, "category", "projects", size),
    "projection": lambda r, lang, size: P.projection(r, lang, "projects", size),
}


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _drawing_warnings(caught) -> list[str]:
    return [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("size", ["wide", "narrow"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_chart_draws_without_warnings(res, chart, lang, size):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = CHARTS[chart](res, lang, size)
        data = P.png(fig)  # the Agg canvas draws the glyphs here: a missing one would warn now
    assert not _drawing_warnings(caught)
    assert data[:8] == PNG_MAGIC and len(data) > 8_000
    assert fig.get_figwidth() == P.SIZES[size]
    cjk = [t for t in _texts(fig) if P.has_cjk(t)]
    assert bool(cjk) == (lang == "zh"), cjk
    assert all(ax.get_title(loc="left") for ax in fig.axes[:1])  # every chart asks its question


def test_every_chart_asks_its_own_question(res):
    titles = [
        CHARTS[c](res, "zh", "wide").axes[0].get_title(loc="left") for c in CHARTS if c != "cumulative_no_projection"
    ]
    assert len(set(titles)) == len(titles), titles


def test_figures_are_not_left_open_in_pyplot_and_show_themselves(res):
    before = plt.get_fignums()
    fig = P.signings(res, "en")
    assert plt.get_fignums() == before  # a notebook shows the returned figure once
    data, size = fig._repr_png_()  # whatever the kernel's backend
    assert data == P.png(fig) and size == {"width": 770, "height": round(fig.get_figheight() * P.DPI)}


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_png_has_two_pixels_per_css_px_in_a_palette(res, size):
    """Sharp on a phone: the PNG is twice the width (and height) it is shown at, in one palette of colours."""
    import io

    from PIL import Image

    fig = P.cumulative(res, "zh", "investment", size)
    with Image.open(io.BytesIO(P.png(fig))) as im:
        w, h = P.css_size(fig)
        assert im.width == 2 * w == 2 * round(P.SIZES[size] * P.DPI) and abs(im.height - 2 * h) <= 1  # whole pixels
        assert im.mode == "P" and len(im.getcolors()) <= P.PNG_COLORS
        assert im.getpixel((0, 0)) == im.getpixel((im.width - 1, im.height - 1))  # the white of the figure


def test_aggregate_is_one_bar_spanning_its_years(res):
    ax = P.signings(res, "zh", "projects").axes[0]
    bars = _bars(ax)
    assert len(bars) == len(res.periods)  # one bar per published period, none per year inside 2019–2020
    assert [round(b.get_width(), 2) for b in bars] == [1.8, 0.9, 0.9, 0.9]
    assert bars[0].get_height() == pytest.approx(85 / 2)  # 过去两年…85个项目: shown as the annual average
    assert any("年均" in t for t in _texts(ax.figure))


def test_cumulative_draws_a_stated_bound_as_a_bound(res):
    ax = P.cumulative(res, "zh", "investment", projection=False).axes[0]
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
    a = P.save(P.landing(res, "zh"), tmp_path / "a.png").read_bytes()
    b = P.save(P.landing(res, "zh"), tmp_path / "b.png").read_bytes()
    assert a == b


def test_the_figure_html_carries_the_finding_as_escaped_alt_text_and_both_renderings(res):
    from analysis.present import notebook

    wide, narrow = P.landing(res, "en"), P.landing(res, "en", size="narrow")
    html = notebook.figure_markup(wide, narrow, "Source: <b>x</b>")
    assert f'alt="{wide.alt}"' in html and wide.alt != wide.axes[0].get_title(loc="left")
    assert 'width="770"' in html and 'width="396"' in html and "&lt;b&gt;" in html
    assert html.count("data:image/png;base64,") == 2 and 'data-dpi="110"' in html
    wide.alt = '"><script>alert(1)</script>'  # data text (a group's name) in a finding is text
    assert "<script>" not in notebook.figure_markup(wide, narrow, "")


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
