"""Every chart the reports show, for every release, in both languages and both sizes, as the saved PNG draws it:
no two texts overlap, none leaves the figure, none is under 10 CSS px where the page shows it, and the alt text
states a finding made of the chart's own numbers (never its title).

The texts are those matplotlib really draws (``Text.draw`` is watched during a draw at the PNG's resolution: a
tick label outside the view is not drawn, an annotation outside the axes is not), measured with the renderer's
window extents. Each chart is drawn once per process (``tests/_charts_cache.py``, shared with test_plotting.py).
"""

from __future__ import annotations

import itertools
import re

import pytest

from analysis.core import locale
from analysis.core.qualifiers import nominal
from analysis.present import charts as P

from ._charts_cache import LATEST, RELEASES, chart, notebook_charts, results


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0.5 and h > 0.5 else 0.0  # half a device pixel: a quarter of a CSS px


def _css_px(points: float, size: str, fig) -> float:
    """A font size on screen: points at the PNG's dpi are device pixels; the page shows the PNG's
    ``width × DPI × SCALE`` pixels in SHOWN_PX CSS px."""
    device_px = points / 72 * P.DPI * P.SCALE
    png_width = fig.get_figwidth() * P.DPI * P.SCALE
    return device_px * P.SHOWN_PX[size] / png_width


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("through", RELEASES)
def test_every_chart_is_legible_and_says_its_finding(through, lang):
    """No text overlaps another, leaves the figure or is under MIN_TEXT_PX CSS px; the title sits where matplotlib's
    own placement puts it; the alt text (the same at both sizes) is not the title, is in the chart's language,
    writes only the data's numbers and differs per chart."""
    res = results(through)
    known = _data_numbers(res)
    bad, alts = [], []
    for name, _ in notebook_charts(res, analyses=through == LATEST):
        said = set()
        for size in P.SIZES:
            drawn = chart(through, name, lang, size)
            fig, texts = drawn.fig, drawn.texts
            assert texts, name
            where = f"{through} {name} {lang} {size}"
            for (a, ba), (b, bb) in itertools.combinations(texts, 2):
                if _overlap(ba, bb):
                    bad.append(f"{where}: {a.get_text()!r} overlaps {b.get_text()!r}")
            frame = fig.bbox
            for t, b in texts:
                if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > frame.x1 + 0.5 or b.y1 > frame.y1 + 0.5:
                    bad.append(f"{where}: {t.get_text()!r} leaves the figure")
                if _css_px(t.get_fontsize(), size, fig) < P.MIN_TEXT_PX:
                    bad.append(f"{where}: {t.get_text()!r} at {_css_px(t.get_fontsize(), size, fig):.1f} CSS px")
            bad += [f"{where}: {m}" for m in _title_not_where_matplotlib_puts_it(fig)]
            title = fig.axes[0].get_title(loc="left").replace("\n", "")
            alt = fig.alt
            if not alt or alt == title or title in alt:
                bad.append(f"{where}: alt text {alt!r} is empty or the title")
            for text in _NUMBER.findall(alt):
                if not any(_written(x, text) for x in known):
                    bad.append(f"{where}: {text} in {alt!r} is not a number of the data")
            if P.has_cjk(alt) != (lang == "zh"):
                bad.append(f"{where}: alt text {alt!r} is not in {lang}")
            said.add(alt)
        assert len(said) == 1, said  # one finding whatever the size
        alts += said
    assert not bad, "\n".join(bad)
    assert len(set(alts)) == len(alts)  # each chart says its own finding


def _title_not_where_matplotlib_puts_it(fig) -> list[str]:
    """Why the title's given place (y = 1, the top of the axes, plus the pad) is not the one matplotlib's automatic
    placement would find: that placement starts at y = 1 and moves the title up only when its bottom is below the
    top of the axes (or, when the x axis has no tick marks or has them at the top, of its tick labels and label),
    or when the y axis' offset text runs into it. Empty when none of these can happen: the place is matplotlib's."""
    ax = fig.axes[0]
    title = ax._left_title  # the chart's question (loc="left")
    r = fig.canvas.get_renderer()
    out = []
    if title.get_position()[1] != 1.0:
        out.append(f"the title is at y={title.get_position()[1]}")
    if ax.yaxis.offsetText.get_visible() and ax.yaxis.offsetText.get_text():
        out.append(f"the y axis has an offset text {ax.yaxis.offsetText.get_text()!r}")
    xaxis = ax.xaxis.get_tightbbox(r)
    top = max(ax.get_window_extent(r).y1, xaxis.y1 if xaxis is not None else -float("inf"))
    if title.get_window_extent(r).y0 < top:
        out.append("the title's bottom is below the top of the axes or of the x axis' labels")
    return out


def test_the_narrow_cumulative_chart_keeps_552_apart_from_the_800_tick():
    """The collision of the issue: on the phone's cumulative chart the label 552 ran into the tick 800 ("800552")."""
    texts = {t.get_text(): b for t, b in chart(2023, "cumulative-investment", "zh", "narrow").texts}
    assert "552" in texts and "800" in texts
    assert not _overlap(texts["552"], texts["800"])


# --------------------------------------------------------------------------------------------- alt text

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in _NUMBER.findall(text)]


def _written(x: float, text: str) -> bool:
    """Whether ``text`` (a number as the alt writes it) is ``x`` at the precision written, or rounded for reading
    (3 significant figures)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text.replace(",", "")) - x) <= max(0.5 * 10**-decimals, 0.005 * abs(x)) + 1e-9


def _data_numbers(res) -> set[float]:
    """The numbers the charts rest on, from the results' frames (not from the chart): periods and
    years, figures and yearly averages, sums, shares and rates in percent, the projection's quantiles."""
    per = res.periods
    nums = {float(y) for y in list(per["first_year"]) + list(per["last_year"])}
    nums.add(80.0)  # the interval level a projection names
    for col in ("projects", "investment_100m_yuan"):
        vals = [float(v) for v in per[col] if not locale.missing(v)]
        nums |= set(vals)
        nums |= {float(v) / n for v, n in zip(per[col], per["n_years"], strict=True) if not locale.missing(v)}
        nums |= {sum(vals[: i + 1]) for i in range(len(vals))}
    sig = res.dataset["signings"]
    for col in ("projects", "investment_100m_yuan"):
        nums |= {float(v) for v in sig[col] if not locale.missing(v)}
    if res.projection is not None:
        tab = res.projection.table
        for col in ("year", "median", "pi80_lo", "pi80_hi"):
            nums |= {float(v) for v in tab[col]}
    for s in res.landing_statements:
        nums |= {float(x) for x in (s.first_year, s.last_year, s.signed, *s.vintage) if x}
        nums |= {float(x) for x in (s.landed, s.stated_rate_pct) if x is not None}
        if s.rate is not None:
            nums.add(100 * s.rate)
    for by in res.mix.values():
        for mx in by.values():
            g = mx.groups
            nums |= {float(v) for c in ("projects", "investment_100m_yuan") for v in g[c] if not locale.missing(v)}
            nums |= {
                100 * float(v) for c in ("project_share", "investment_share") for v in g[c] if not locale.missing(v)
            }
            nums |= {float(n) for n in range(len(g) + 1)}  # how many groups are not stated
    for c in res.compare.values():
        nums |= {float(v) for v in c["projects"] if not locale.missing(v)}
        nums |= {float(y) for y in list(c["first_year"]) + list(c["last_year"])}
    return nums


@pytest.mark.parametrize("through", RELEASES)
def test_the_signings_finding_rises_or_falls_only_as_the_data_do(through):
    """The yearly figure of the first and the last period: a rise is written only when the last is above the first
    for every value the hedges allow, a fall only when below (never a fall written as a rise)."""
    res = results(through)
    per = res.periods.sort_values("first_year")
    first, last = per.iloc[0], per.iloc[-1]
    for measure, col in (("projects", "projects"), ("investment", "investment_100m_yuan")):
        q = f"{measure}_qualifier"
        assert first[f"{measure}_range"] is None and last[f"{measure}_range"] is None  # as published
        a, b = (nominal(float(r[col]), r[q]) for r in (first, last))
        (a_lo, a_hi), (b_lo, b_hi) = ((iv.lo / r["n_years"], iv.hi / r["n_years"]) for iv, r in ((a, first), (b, last)))
        alt = chart(through, f"signings-{measure}", "en", "wide").fig.alt
        assert ("rose" in alt) == (b_lo > a_hi) and ("fell" in alt) == (b_hi < a_lo), alt
        assert not ("rose" in alt and float(last[col]) / last["n_years"] < float(first[col]) / first["n_years"])
