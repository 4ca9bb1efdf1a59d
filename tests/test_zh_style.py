"""Plain Chinese: the zh text reads as a Chinese statistical release writes it (issue 21, item 2).

A release writes a change in words (增长35.1%, 下降5.0%; never "+35%"), a range of values with the wave dash
(31～65个) and a span of years with the one-character dash (2019—2020年), never a hyphen or an en dash between
two numbers; whole numbers without thousands separators (1500亿元, as 国家统计局's communiqués write
1260582亿元); 本报告 for itself (never 本包), no coined terms (修饰 for a hedge, 统一分组, 公布期); the technical
terms of the model (置信区间, 区间得分, CRPS, Pareto k) only in the methods; and one interval level, 80%, in
the main points.

The checker is shown to catch each fault on today's wording, then run over the zh prose of every section
and the zh tables of every vintage (fast), and over every zh page of a build (the shared build of the suite).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis import compute, load, prose, tables
from analysis.core import locale
from analysis.stats import metrics

from .conftest import real_prose

#: A plus sign before a percent: a change written as "+35%" (a release says 增长35%).
PLUS_PERCENT = re.compile(r"\+\s?\d[\d.]*\s?%")
#: A hyphen, en dash or figure dash between two numbers (a percent's % counts as part of its number). The minus
#: sign U+2212 of a subtraction (552 − 超300) is no dash.
DASH_BETWEEN_NUMBERS = re.compile(r"\d%?\s?[-‐‑‒–]\s?\d")
#: A thousands separator (1,500): Chinese releases write whole numbers ungrouped.
THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
#: Words a release never uses: the package's name for itself and terms coined by translation.
NOT_CHINESE = ("本包", "修饰", "统一分组", "公布期")
#: The model's technical terms: the methods only.
TECHNICAL = ("置信区间", "区间得分", "连续分级概率评分", "CRPS", "Pareto", "帕累托")
#: The methods sections (technical terms allowed there).
METHODS = {"basis", "model", "calibration", "claims", "caveats", "sources", "record_methods"}
_URL = re.compile(r"https?://\S+")


def style_problems(text: str, main_text: bool = True, main_points: bool = False) -> list[str]:
    """What in ``text`` (zh) a Chinese release would not write; each problem with the text around it.

    ``main_text``: technical terms are faults too (outside the methods); ``main_points``: so is a 95% level.
    """
    text = _URL.sub("", text)
    found = []

    def where(m: re.Match) -> str:
        return text[max(0, m.start() - 12) : m.end() + 12].replace("\n", " ")

    for name, rx in (
        ("plus sign", PLUS_PERCENT),
        ("dash between numbers", DASH_BETWEEN_NUMBERS),
        ("thousands separator", THOUSANDS),
    ):
        found += [f"{name}: …{where(m)}…" for m in rx.finditer(text)]
    words = NOT_CHINESE + (TECHNICAL if main_text else ()) + (("95%",) if main_points else ())
    for w in words:
        found += [f"{w}: …{where(m)}…" for m in re.finditer(re.escape(w), text)]
    return found


# --------------------------------------------------------------------------------------------- the checker


@pytest.mark.parametrize(
    "bad",
    [
        "与2022年相比，签约项目数+35%，意向投资额+52%",  # the 2023 main points as they read before
        "80%的可能在31–65个之间",
        "80%区间+5.1%至+17.7%",
        "95%置信区间70.2%–84.6%",
        "2019–2020年",
        "2019-2021",
        "意向投资额累计超1,500亿元",
        "20,000次后验预测模拟",
        "资料来源：中国新闻网；本包计算。",
        "公布名称 统一分组 修饰",
        "只有5个公布期可依据",
        "各项的区间得分与连续分级概率评分见下表",
    ],
)
def test_the_checker_catches_each_fault_of_the_old_wording(bad):
    assert style_problems(bad)


@pytest.mark.parametrize(
    "good",
    [
        "与2022年相比，2023年签约项目数增长35.1%，意向投资额下降5.0%",
        "有80%的可能在31～65个之间",
        "2019—2020年签约的85个项目",
        "意向投资额累计超1500亿元；20000次模拟；12345",
        "约426.81亿元，210余个，近80%",
        "推算：552 − 超300 = 不足252",
        "资料来源：中国新闻网（2021年5月14日）；本报告整理计算。",
        "见 https://example.com/a-1-2,345.html",
    ],
)
def test_the_checker_passes_release_style(good):
    assert style_problems(good, main_points=True) == []


def test_technical_terms_and_the_95_level_are_faults_only_where_they_do_not_belong():
    assert style_problems("95%置信区间", main_text=False) == []
    assert style_problems("95%预测区间") == [] and style_problems("95%预测区间", main_points=True)


# --------------------------------------------------------------------------------------------- prose and tables


@pytest.fixture(scope="module")
def vintages():
    ds = load()
    return {r.through: compute(ds, r.through) for r in metrics.releases(ds)}


def test_every_zh_section_of_every_vintage_reads_as_chinese(vintages):
    found = {
        (year, section): problems
        for year in vintages
        for section in prose.SECTIONS
        if (
            problems := style_problems(
                real_prose(year, section, "zh"),  # the text tests/test_prose.py reads too: rendered once
                main_text=section not in METHODS,
                main_points=section in ("main_points", "headline"),
            )
        )
    }
    assert found == {}


def _zh_tables(res):
    yield "periods", tables.periods(res, "zh")
    yield "landing", tables.landing(res, "zh")
    for period, by_scheme in res.mix.items():
        for scheme, mx in by_scheme.items():
            yield f"mix {period.label} {scheme}", tables.mix(mx, "zh")
    for scheme in res.compare:
        yield f"compare {scheme}", tables.compare(res, scheme, "zh")
    if res.projection is not None:
        yield "projection", tables.projection(res, "zh")
    if (bt := tables.backtest(res, "zh")) is not None:
        yield "backtest", bt


def test_every_zh_table_of_every_vintage_reads_as_chinese(vintages):
    found = {
        (year, name): problems
        for year, res in vintages.items()
        for name, table in _zh_tables(res)
        if (problems := style_problems(_visible_text(table.to_html())))
    }
    assert found == {}


def test_a_zh_table_writes_a_hedged_amount_as_the_source_does(vintages):
    """约 before the number in the cell (约164.89, as the article writes 约164.89亿元), no hedge column of its
    own; the plain frame keeps the number and its hedge apart."""
    res = vintages[2022]
    mx = res.mix[next(p for p in res.mix if p.label == "2022")]["category"]
    html = _visible_text(tables.mix(mx, "zh").to_html())
    data = tables.mix(mx, "zh").data
    g = mx.groups
    hedged = g[g["investment_qualifier"] == "approx"]
    assert len(hedged)  # the 2022 article writes 约 on the category amounts
    for amount in hedged["investment_100m_yuan"]:
        assert f"约{amount:.2f}" in html and f"{amount:.2f}约" not in html
    hedge = locale.word("hedge", "zh")
    assert hedge not in html and hedge in data.columns  # the hedge column: in the frame, not on the page


# --------------------------------------------------------------------------------------------- pages of a build


class _PageText(HTMLParser):
    """A page's visible text (and its images' alt text) in three parts: the main points (an element whose class
    holds ``main-points``), the methods (class ``methods``) and the rest of the main text; style and script
    left out."""

    _VOID = ("img", "br", "meta", "link", "input", "hr", "col", "source", "wbr", "area")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.main: list[str] = []
        self.main_points: list[str] = []
        self.methods: list[str] = []
        self._stack: list[tuple[str, str]] = []
        self._skip = 0

    def _part(self) -> list[str]:
        kinds = {k for _, k in self._stack}
        return self.methods if "methods" in kinds else self.main_points if "main-points" in kinds else self.main

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if tag not in self._VOID:
            classes = (a.get("class") or "").split()
            self._stack.append((tag, next((k for k in ("methods", "main-points") if k in classes), "")))
        if a.get("alt"):
            self._part().append(a["alt"])

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if not self._skip:
            self._part().append(data)


def _visible_text(html: str) -> str:
    p = _PageText()
    p.feed(html)
    return "\n".join(p.main_points + p.main + p.methods)


def _zh_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if re.search(r'<html[^>]*\slang="zh', p.read_text(encoding="utf-8")))


def test_every_zh_page_of_a_build_reads_as_chinese(built_reports):
    pages = _zh_pages(built_reports)
    assert len(pages) >= 8  # the index, a report per release and the analysis pages
    found = {}
    for page in pages:
        p = _PageText()
        p.feed(page.read_text(encoding="utf-8"))
        problems = (
            style_problems("\n".join(p.main_points), main_points=True)
            + style_problems("\n".join(p.main))
            + style_problems("\n".join(p.methods), main_text=False)
        )
        if problems:
            found[page.relative_to(built_reports).as_posix()] = problems
    assert found == {}
