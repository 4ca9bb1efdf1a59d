"""Charts: drawn from the real data in zh and en without any matplotlib warning, honest about aggregates."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from analysis import metrics as M
from analysis import plotting as P
from analysis.data import load

from .conftest import DATA

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def tables(ds):
    mixes = M.mixes(ds)
    return {
        "trends": M.trends(ds),
        "landing": M.landing_rates(ds),
        "expected": M.expected_landing(ds),
        "mix_category": mixes[M.Period(2022, 2022)]["category"],
        "mix_place": mixes[M.Period(2022, 2022)]["place"],
        "harmonised": M.harmonised_mix(ds, "category"),
        "projection": _projection_table(),
    }


def _projection_table() -> pd.DataFrame:
    """A table shaped like analysis.projection's (kept synthetic: these tests are about drawing)."""
    rows = []
    for j, year in enumerate((2023, 2024, 2025), start=1):
        for metric, base, step in (
            ("projects", 0, 40.0),
            ("investment_100m_yuan", 0, 280.0),
            ("cumulative_projects", 161, 40.0),
            ("cumulative_investment_100m_yuan", 1080, 280.0),
        ):
            mean = base + step * j if base else step
            w = 0.3 * step * (j**0.5 if base else 1)
            rows.append(
                {"year": year, "metric": metric, "mean": mean, "pi80_lo": mean - w, "pi80_hi": mean + w,
                 "pi95_lo": mean - 1.6 * w, "pi95_hi": mean + 1.6 * w}
            )
    return pd.DataFrame(rows)


#: One call of every chart function, each saved to PNG in both languages (saving is the slow part).
CHARTS = {
    "periods": lambda t, lang: P.plot_periods(t["trends"], lang),
    "cumulative": lambda t, lang: P.plot_cumulative(t["trends"], lang, projection_table=t["projection"]),
    "landing": lambda t, lang: P.plot_landing(t["landing"], t["expected"], lang),
    "mix": lambda t, lang: P.plot_mix(t["mix_place"], lang),
    "harmonised_mix": lambda t, lang: P.plot_harmonised_mix(t["harmonised"], lang, value="investment_share"),
    "projection": lambda t, lang: P.plot_projection(t["projection"], "cumulative_investment_100m_yuan", lang, history=t["trends"]),
}
#: Further variants, checked without saving.
VARIANTS = {
    "cumulative_no_projection": lambda t, lang: P.plot_cumulative(t["trends"], lang),
    "landing_no_expected": lambda t, lang: P.plot_landing(t["landing"], None, lang),
    "mix_category": lambda t, lang: P.plot_mix(t["mix_category"], lang),
    "harmonised_projects": lambda t, lang: P.plot_harmonised_mix(t["harmonised"], lang),
    "projection_per_year": lambda t, lang: P.plot_projection(t["projection"], "investment_100m_yuan", lang, history=t["trends"]),
    "projection_no_history": lambda t, lang: P.plot_projection(t["projection"], "cumulative_projects", lang),
}


def _drawing_warnings(caught) -> list[str]:
    """Warnings raised while drawing. ResourceWarnings are left out: they come from objects of
    earlier tests (e.g. an unclosed event loop) that the garbage collector happens to finalise now."""
    return [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, ResourceWarning)]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# --------------------------------------------------------------------------------------------- every chart


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_chart_draws_without_warnings(tables, chart, lang, tmp_path):
    path = tmp_path / f"{chart}_{lang}.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = CHARTS[chart](tables, lang)
        texts = _texts(fig)
        P.save(fig, path)  # the Agg canvas draws the glyphs here: a missing one would warn now
    assert not _drawing_warnings(caught)
    assert isinstance(fig, Figure)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 20_000
    cjk = [t for t in texts if P.has_cjk(t)]
    if lang == "zh":
        assert cjk, "a zh chart carries Chinese labels"
    else:
        assert not cjk, f"an en chart carries Chinese text: {cjk}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_chart_variants(tables, variant, lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = VARIANTS[variant](tables, lang)
    assert not _drawing_warnings(caught)
    assert isinstance(fig, Figure)
    cjk = [t for t in _texts(fig) if P.has_cjk(t)]
    assert bool(cjk) == (lang == "zh"), cjk
    plt.close(fig)


def test_chinese_labels_need_no_fallback_glyph(tables, tmp_path):
    """Chinese, en dash, minus, ÷ and ≈ all come from the registered CJK font."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = P.plot_periods(tables["trends"], "zh")
        fig.axes[0].set_xlabel("未公布 推算 年均 亿元 2019–2021 1080 − 280.66 ÷ 3 ≈ 近80%")
        P.save(fig, tmp_path / "glyphs.png")
    assert not _drawing_warnings(caught)


def test_figures_are_not_left_open_in_pyplot(tables):
    before = plt.get_fignums()
    fig = P.plot_periods(tables["trends"], "en")
    assert plt.get_fignums() == before  # a notebook shows the returned figure once
    plt.close(fig)


# --------------------------------------------------------------------------------------------- aggregates


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_aggregate_is_one_bar_spanning_its_years(tables, lang):
    tr = tables["trends"]
    fig = P.plot_periods(tr, lang)
    for ax, col in zip(fig.axes[:2], ("projects", "investment_100m_yuan")):
        bars = _bars(ax)
        assert len(bars) == len(tr)  # one bar per period, none per year inside an aggregate
        wide = [b for b in bars if b.get_width() == pytest.approx(3)]
        assert len(wide) == 1
        b = wide[0]
        assert b.get_x() == pytest.approx(2018.5) and b.get_x() + b.get_width() == pytest.approx(2021.5)
        agg = tr[tr["n_years"] == 3].iloc[0]
        assert b.get_height() == pytest.approx(float(agg[col]) / 3)  # the annual average
        inside = [o for o in bars if o is not b and o.get_x() < 2021.5 and o.get_x() + o.get_width() > 2018.5]
        assert not inside
        one = [o for o in bars if o.get_width() == pytest.approx(1)]
        assert len(one) == 1 and one[0].get_x() == pytest.approx(2021.5)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert any(("年均" if lang == "zh" else "annual avg.") in t and "2019–2021" in t for t in ticks)
    plt.close(fig)


def test_derived_value_is_hatched_and_labelled(tables):
    fig = P.plot_periods(tables["trends"], "zh")
    proj_bar = next(b for b in _bars(fig.axes[0]) if b.get_width() == pytest.approx(3))
    inv_bar = next(b for b in _bars(fig.axes[1]) if b.get_width() == pytest.approx(3))
    assert not proj_bar.get_hatch()  # 124 projects are reported
    assert inv_bar.get_hatch()  # 799.34 is derived: 1080 − 280.66
    assert any("推算" in t for t in _texts(fig))
    plt.close(fig)


def test_cumulative_points_only_at_period_ends(tables):
    fig = P.plot_cumulative(tables["trends"], "en")
    ax = fig.axes[0]
    xs = sorted({float(x) for line in ax.get_lines() for x in line.get_xdata()})
    assert xs == [2021.0, 2022.0]  # 2019 and 2020 are not published
    ys = sorted({float(y) for line in ax.get_lines() for y in line.get_ydata()})
    assert ys == [124.0, 161.0]
    plt.close(fig)


def test_cumulative_fan_starts_at_the_last_observation(tables):
    fig = P.plot_cumulative(tables["trends"], "zh", projection_table=tables["projection"])
    ax = fig.axes[1]
    assert len(ax.collections) >= 2  # 80 % and 95 % bands
    mean = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"][0]
    assert float(mean.get_xdata()[0]) == 2022 and float(mean.get_ydata()[0]) == pytest.approx(1080)
    plt.close(fig)


# --------------------------------------------------------------------------------------------- mix


@pytest.mark.parametrize("lang, word", [("zh", "未公布"), ("en", "not stated")])
@pytest.mark.parametrize("which", ["mix_category", "mix_place"])
def test_unstated_groups_are_labelled_not_drawn(tables, lang, word, which):
    mix = tables[which]
    g = mix.groups.reset_index(drop=True)
    fig = P.plot_mix(mix, lang)
    ax_p, ax_i = fig.axes[:2]
    assert len(_bars(ax_p)) == len(g)
    inv_bars = _bars(ax_i)
    stated = g.index[g["investment_100m_yuan"].notna()].tolist()
    unstated = g.index[g["investment_100m_yuan"].isna()].tolist()
    assert unstated  # the 2022 data has groups without an amount
    assert sorted(round(b.get_y() + b.get_height() / 2) for b in inv_bars) == stated
    assert all(b.get_width() > 0 for b in inv_bars)  # no zero bar stands in for "not stated"
    marks = [t for t in ax_i.texts if t.get_text() == word]
    assert sorted(round(t.get_position()[1]) for t in marks) == unstated
    names = [t.get_text().replace("\n", "") for t in ax_p.get_yticklabels()]
    expected = g["group_zh"] if lang == "zh" else g["group_en"].str.replace(" ", "")
    assert [n.replace(" ", "") for n in names] == [e.replace(" ", "") for e in expected]
    note = fig.get_supxlabel().replace("\n", " ")  # the implied remainder of the unstated groups
    col = "group_zh" if lang == "zh" else "group_en"
    assert all(name in note.replace("\n", "") or name.split()[0] in note for name in g.loc[unstated, col])
    assert f"= {mix.remainder_investment:g} " in note
    plt.close(fig)


def test_harmonised_mix_marks_missing_values(tables):
    fig = P.plot_harmonised_mix(tables["harmonised"], "en", value="investment_share")
    ax = fig.axes[0]
    assert len(_bars(ax)) == 2  # industry and infrastructure state amounts
    assert sum(t.get_text() == "not stated" for t in ax.texts) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == list(tables["harmonised"]["harmonised_en"])
    plt.close(fig)


def test_harmonised_mix_groups_bars_by_period(tables):
    h = tables["harmonised"]
    later = h.assign(period="2023")
    fig = P.plot_harmonised_mix(pd.concat([h, later], ignore_index=True), "zh")
    ax = fig.axes[0]
    assert len(_bars(ax)) == 2 * len(h)
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {"2022", "2023"}
    plt.close(fig)


# --------------------------------------------------------------------------------------------- landing


def test_landing_shows_interval_and_stated_rate(tables):
    fig = P.plot_landing(tables["landing"], tables["expected"], "zh")
    texts = _texts(fig)
    assert any("近80%" in t for t in texts)
    assert any("97/124" in t for t in texts)
    fig_en = P.plot_landing(tables["landing"], None, "en")
    assert len(fig_en.axes) == 1
    assert any("nearly 80%" in t for t in _texts(fig_en))
    plt.close(fig)
    plt.close(fig_en)


# --------------------------------------------------------------------------------------------- style, labels, save


def test_label_table():
    assert P.label("not_stated", "zh") == "未公布"
    assert P.label("not_stated", "en") == "not stated"
    assert P.label("projects_per_year", "zh") == "年均签约项目数"
    assert P.label("n_year_average", "zh", n=3) == "三年平均"
    assert P.label("n_year_average", "en", n=3) == "3-year average"
    assert P.label("annual_avg", "en", period="2019–2021") == "2019–2021 (annual avg.)"
    for key, (zh, en) in P._LABELS.items():
        assert P.has_cjk(zh) or key in {"period_total"}, key
        assert not P.has_cjk(en), key
    with pytest.raises(ValueError):
        P.label("x", "fr")
    with pytest.raises(ValueError):
        P.label("not_stated", "fr")
    with pytest.raises(KeyError):
        P.label("no_such_key", "en")


def test_bad_arguments(tables):
    with pytest.raises(ValueError):
        P.plot_periods(tables["trends"], "fr")
    with pytest.raises(ValueError):
        P.plot_projection(tables["projection"], "landed", "en")
    with pytest.raises(ValueError):
        P.plot_harmonised_mix(tables["harmonised"], "en", value="hhi")


def test_setup_style_is_idempotent():
    path = str(P.font_path())
    assert path.endswith("NotoSansCJKsc-Regular.otf")
    family = P.setup_style("zh")
    n = sum(f.fname == path for f in matplotlib.font_manager.fontManager.ttflist)
    assert P.setup_style("en") == family == "Noto Sans CJK SC"
    assert P.setup_style("zh") == family
    assert sum(f.fname == path for f in matplotlib.font_manager.fontManager.ttflist) == n >= 1
    assert matplotlib.rcParams["font.family"] == [family]
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    with pytest.raises(ValueError):
        P.setup_style("fr")


def test_save_is_deterministic(tables, tmp_path):
    fig = P.plot_mix(tables["mix_category"], "zh")
    a = P.save(fig, tmp_path / "a.png")
    b = P.save(fig, tmp_path / "sub" / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert b"Software" not in a.read_bytes()
