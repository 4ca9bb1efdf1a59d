"""Prose from the templates: what the data say, the same verdicts in every renderer, Chinese as Chinese."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load
from analysis.core import locale
from analysis.present import prose, tables
from analysis.present.output import metrics_dict, metrics_text, results_dict
from analysis.stats.metrics import Period
from analysis.stats.results import compute

from .conftest import DATA, find_line, real_prose, set_cell
from .synth import new_folder, write_dataset
from .test_metrics import CUM_INV, CUM_PROJECTS, INV19_20, INV23, INV_2022, P19_20, P23, P24, TOTAL_2022

THROUGHS = (2019, 2020, 2021, 2022, 2023, 2024)
ZH = locale.of("zh")  # expected wording is written through the Locale: its periods, hedges and ranges


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def results(ds):
    return {t: compute(ds, t) for t in THROUGHS}


@pytest.mark.parametrize("through", THROUGHS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_renders_without_placeholders(through, lang):
    for section in prose.SECTIONS:
        text = re.sub(r"<?https?://\S+", "", real_prose(through, section, lang))
        assert not re.search(r"\b(None|nan|NaN)\b", text) and "{{" not in text, (section, text)


@pytest.mark.parametrize("through", THROUGHS)
def test_chinese_prose_has_no_english_words(through):
    for section in prose.SECTIONS:
        text = re.sub(r"<?https?://\S+", "", real_prose(through, section, "zh"))
        assert not re.findall(r"[A-Za-z]{2,}", text), (section, text)
        assert "," not in re.sub(r"\d,\d", "", text) and "(" not in text, (section, "half-width punctuation")


def test_main_points_state_the_release(results):
    zh = prose.render("main_points", results[2023], "zh")
    assert f"2023年签约项目{P23}个，意向投资额约{INV23}亿元" in zh  # 现场签约50个合作项目,意向投资额约426.81亿元
    assert (
        f"累计签约项目210余个，意向投资额累计{ZH.hedged(1500, 'over', 'yi_yuan')}" in zh
    )  # 累计签约项目210余个,意向投资额超1500亿元
    en = prose.render("main_points", results[2022], "en")
    assert f"{TOTAL_2022} projects signed, about {INV_2022} hundred million yuan of intended investment" in en
    assert f"{CUM_PROJECTS} projects and {CUM_INV:,} hundred million yuan in all through 2022" in en


def test_aggregate_period_report_says_single_years_are_not_published(results):
    """2019–2020 came out with 2021, in one article: no report of its own, the 2021 report states it."""
    assert results[2019].through == results[2020].through == 2021
    zh = prose.render("trends", results[2020], "zh")
    assert (
        f"**{ZH.period(2019, 2020)}**（两年合计）：签约项目{P19_20}个，涉及资金{INV19_20}亿元" in zh
    )  # 过去两年…签约85个项目,涉及资金552亿元
    assert f"{ZH.period(2019, 2020)}只公布了两年合计数，单年数字未公布" in prose.render("basis", results[2020], "zh")


def test_reports_cite_what_was_known_at_the_release(results):
    basis = prose.render("basis", results[2021], "zh")
    assert "一篇报道（中国新闻网2021年5月14日）" in basis and "北京日报" not in basis
    since = prose.render("since_then", results[2022], "zh")
    over1500, over1800 = ZH.hedged(1500, "over", "yi_yuan"), ZH.hedged(1800, "over", "yi_yuan")
    assert (
        "新京报2023年9月19日" in since and f"{ZH.period(2019, 2023)}累计签约项目210余个，意向投资额{over1500}" in since
    )
    assert "2022年之间" not in since
    assert f"2022年至2023年9月19日之间，{ZH.period(2019, 2021)}的项目至少又有3个落地" in since
    # each later cumulative figure once, though the 2023 article and the 2023 release both state 210余
    assert since.count(f"{ZH.period(2019, 2023)}累计签约项目210余个") == 1
    since23 = prose.render("since_then", results[2023], "zh")
    assert (
        "北京青年报客户端2024年9月26日" in since23
        and f"{ZH.period(2019, 2024)}累计签约项目290余个，意向投资额{over1800}" in since23
    )
    assert "此后尚无新的公布" in prose.render("since_then", results[2024], "zh")


def test_landing_prose_reasons_across_vintages(results):
    zh = prose.render("landing", results[2022], "zh")
    assert f"报道称落地率超90%，即{ZH.hedged(77, 'range', 'projects', bounds=(77, 85))}" in zh  # 超过九成 of 85
    assert "2021年的39个项目中至多20个落地" in zh
    en = prose.render("landing", results[2023], "en")
    assert "the article says 85% had landed: 137 projects" in en  # 已达85% of 161


def test_projection_words_use_median_intervals_and_plain_assumptions(results):
    zh = prose.render("projection", results[2023], "zh")
    assert "2024年签约项目数约" in zh and "有80%的可能在" in zh and "平均值" in zh
    assert "95%" not in zh  # one interval level in the main text
    sep = re.escape(ZH.interval("a", "b", fmt=str)[1:-1])  # the Locale's range dash
    assert re.search(rf"约\d{{2,3}}个，有80%的可能在\d+{sep}\d+个之间", zh)
    assert not re.search(r"\d\.\d{3}", zh)  # no false precision
    model = prose.render("model", results[2023], "zh")
    assert "不拆分到单年" in model and "权重" in model and "没有按实际结果调整" in model


def test_backtest_of_the_previous_projection(results):
    en = prose.render("backtest", results[2022], "en")
    # 2023 and 2024 projects and investment (4), the 2024 cumulative totals (2: the one-year-ahead ones add
    # nothing the yearly ones do not), and the 2023 release's landing statement about 2019–2022 (1)
    n = 2 * 2 + 2 + 1
    assert f"against these {n} figures" in en
    assert f"2023: projects {P23}, intended investment about {INV23} hundred million yuan; 2024: projects {P24}" in en
    assert "The 2023 figure for intended investment was above the 80% interval" in en
    assert "no backtest" in prose.render("backtest", results[2024], "en")


def _five_left(data_copy):
    """约280.66 with the stated category amounts 5 亿元 short of it (a synthetic edit of the real data)."""
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="产业类")
    set_cell(f, line, "investment_100m_yuan", "110.77")
    set_cell(f, line, "evidence", "产业类签约项目28个,意向投资额约110.77亿元")
    return load(data_copy)


def test_five_left_over_gives_the_same_sentence_everywhere(data_copy):
    ds = _five_left(data_copy)
    res = compute(ds, 2022, projection=False)
    m = results_dict(res)
    assert m["mix_summary"]["2022"]["category"]["remainder_verdict"] == "positive"
    zh = prose.render("mix", res, "zh")
    assert "营商环境类和公共服务类未公布投资额；总额约280.66亿元减去已公布的275.66亿元，这些组合计约5亿元" in zh
    en = prose.render("mix", res, "en")
    assert "leaves 5 hundred million yuan for them together" in en
    assert "the total leaves 5 for them together" in metrics_text(res)
    # the chart's note is the same sentence (one template), wrapped to the chart's width
    from analysis.present import charts

    fig = charts.mix(res, "zh", res.mix[Period(2022, 2022)]["category"], "investment")
    note = "".join(t.get_text() for t in fig.texts).replace("\n", "")
    assert "这些组合计约5亿元" in note and note == prose.mix_note(
        res.mix[Period(2022, 2022)]["category"], "zh", "amounts"
    )


def test_chinese_sentences_are_not_split_by_soft_line_breaks(results):
    """A line break inside a Markdown paragraph renders as a space; Chinese has none between sentences."""
    for section in ("mix", "compare", "claims", "landing", "backtest"):
        zh = prose.render(section, results[2023], "zh")
        assert not re.search(r"[\u4e00-\u9fff。；）]\n[^\n\-*#|]", zh), (section, zh)


def test_compare_shows_how_names_were_mapped_as_known_then(results):
    zh23 = prose.render("compare", results[2023], "zh")
    assert "- 现代服务业项目：2023年新设的分组" in zh23 and "未列出" in zh23
    zh22 = prose.render("compare", results[2022], "zh")
    assert "基础设施类：2022年含平谷线" in zh22 and "现代服务业" not in zh22  # 2023's names were not known yet
    assert results_dict(results[2023])["compare_notes"]["category"][-1]["note_zh"].startswith("2023年新设")


@st.composite
def histories(draw):
    years = []
    for i in range(draw(st.integers(1, 3))):
        n = draw(st.integers(2, 4))
        counts = draw(st.lists(st.integers(1, 30), min_size=n, max_size=n))
        stated = draw(st.lists(st.one_of(st.none(), st.integers(1, 200).map(float)), min_size=n, max_size=n))
        known = sum(a for a in stated if a is not None)
        extra = 0.0 if all(a is not None for a in stated) else float(draw(st.integers(0, 50)))
        years.append(
            {
                "year": 2019 + i,
                "projects": sum(counts),
                "investment": known + extra,
                "groups": list(zip(counts, stated, strict=True)),
            }
        )
    return years


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(histories())
def test_notebook_text_and_json_give_the_same_verdicts(years):
    """The remainder verdict and the claims' verdicts are decided once: prose, terminal text and JSON agree."""
    folder = new_folder() / "data"
    ds = load(write_dataset(folder, years))
    res = compute(ds, projection=False)
    m = results_dict(res)
    text = metrics_text(res)
    for key, summary in m["mix_summary"].items():
        for scheme, s in summary.items():
            mx = res.mix[next(p for p in res.mix if p.key == key)][scheme]
            note = prose.mix_note(mx, "en", "amounts")  # the sentence of the page and of the chart
            assert note in prose.render("mix", res, "en")
            terminal, page = {
                None: (None, ""),
                "no_total": ("no total to imply one", "without a total none can be implied"),
                "zero": ("make up the total as written", "the total implies nothing"),
                "positive": ("the total leaves", "leaves"),
                "counts_only": ("splits the projects only", "gives the number of projects of each group only"),
            }[s["remainder_verdict"]]
            if terminal:
                assert terminal in text and page in note
            else:
                assert note == ""
    verdicts = list(tables.claims(res, "en").data["verdict"])
    assert verdicts == [
        {True: "consistent", False: "INCONSISTENT", None: "not checkable"}[c["consistent"]] for c in m["claims"]
    ]


def test_metrics_json_and_results_agree(ds):
    assert (
        metrics_dict(ds, 2022, projection=False)["cumulative"]
        == results_dict(compute(ds, 2022, projection=False))["cumulative"]
    )


def test_a_one_period_history_says_in_both_languages_that_no_projection_is_compared():
    """The zh and en main points have one structure: the clause zh had alone for a single period is in en too."""
    folder = new_folder() / "data"
    res = compute(
        load(write_dataset(folder, [{"year": 2019, "projects": 10, "investment": 20.0, "groups": [(10, 20.0)]}])),
        projection=False,
    )
    zh, en = prose.render("main_points", res, "zh"), prose.render("main_points", res, "en")
    assert "尚无可以确定的新情况" in zh and "nothing new can be told for certain yet" in en


@given(
    lo=st.floats(0, 1, allow_nan=False),
    width=st.floats(0, 1, allow_nan=False),
    scale=st.sampled_from([1.0, 100.0]),
)
def test_a_findings_range_is_rounded_outward(lo, width, scale):
    """The range a sentence prints holds every value the hedges allow: its lower end rounded down, its upper up
    (31.797% is written 31%, never 32%; "at least 90.588%" is 不低于90.5%)."""
    from analysis.present.prose import _figure_facts
    from analysis.stats.findings import Figure

    hi = lo + width
    facts = _figure_facts(Figure(lo, "range", lo, hi), scale=scale, nd=1)
    assert facts["lo"] <= lo * scale + 1e-9 and facts["hi"] >= hi * scale - 1e-9
    assert facts["lo"] > lo * scale - 0.1 - 1e-9 and facts["hi"] < hi * scale + 0.1 + 1e-9  # by less than a step
