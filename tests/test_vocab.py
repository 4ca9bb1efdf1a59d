"""The vocabulary: golden strings typed from the articles (not produced by the code under test)."""

from __future__ import annotations

import pytest

from analysis.core import locale


@pytest.mark.parametrize(
    "value, qualifier, unit, zh, en",
    [
        # as the articles write them: 约280.66亿元, 210余个, 超1500亿元, 近80%, 超过九成 (90)
        (280.66, "approx", "yi_yuan", "约280.66亿元", "about 280.66 hundred million yuan"),
        (210, "more_than", "projects", "210余个", "more than 210 projects"),
        (1500, "over", "yi_yuan", "超1500亿元", "over 1,500 hundred million yuan"),  # as the 2023 article writes it
        (80, "nearly", "percent", "近80%", "nearly 80%"),
        (90, "over", "percent", "超90%", "over 90%"),
        (1080, "exact", "yi_yuan", "1080亿元", "1,080 hundred million yuan"),
        (37, "exact", "projects", "37个", "37 projects"),
        (None, None, "yi_yuan", "未公布", "not published"),
        # the upper bounds, as Chinese statistical writing puts them: 不足X个 before, X个以内 after the unit
        (252, "under", "yi_yuan", "不足252亿元", "under 252 hundred million yuan"),
        (30, "under", "projects", "不足30个", "under 30 projects"),
        (252, "at_most", "yi_yuan", "252亿元以内", "at most 252 hundred million yuan"),
        (30, "at_most", "projects", "30个以内", "at most 30 projects"),
    ],
)
def test_hedged_values(value, qualifier, unit, zh, en):
    assert locale.hedged(value, qualifier, "zh", unit) == zh
    assert locale.hedged(value, qualifier, "en", unit) == en


@pytest.mark.parametrize(
    "x, text",
    [
        (1080, "1,080"),
        (280.66, "280.66"),
        (799.34, "799.34"),
        (12.0, "12"),
        (552, "552"),
        (1506.47, "1,506.47"),
        (0.5, "0.5"),
        (None, "not published"),
    ],
)
def test_published_numbers_keep_their_precision(x, text):
    assert locale.num(x) == text


@pytest.mark.parametrize(
    "x, text",
    [
        (1856.2, "1,860"),
        (426.81, "427"),
        (45.3, "45"),
        (5.43, "5.4"),
        (933.0914, "933"),
        (0.0, "0"),
        (213.4, "213"),
        (39.0, "39"),
    ],
)
def test_computed_numbers_are_rounded_for_reading(x, text):
    assert locale.rounded(x) == text


def test_periods_dates_and_lists():
    assert locale.period(2019, 2020, "zh") == "2019—2020年" and locale.period(2022, None, "zh") == "2022年"
    assert locale.period(2019, 2020, "en") == "2019–2020"
    assert locale.date((2021, 5, 14), "zh") == "2021年5月14日" and locale.date((2021, 5, 14), "en") == "14 May 2021"
    assert locale.date((2022, 0, 15), "zh") == "2022年"  # the 2022 article gives the day but not the month
    assert locale.of("zh").join(["产业", "交通", "公共服务"]) == "产业、交通和公共服务"
    assert locale.of("en").join(["a", "b", "c"]) == "a, b and c"
    assert locale.pct(0.782258) == "78.2%" and locale.of("en").signed_pct(-0.0513) == "−5.1%"
    assert locale.of("zh").signed_pct(0.351) == "+35.1%"
    assert locale.count_zh(2) == "两" and locale.count_zh(3) == "三"


def test_words_and_languages():
    assert locale.word("investment", "zh") == "意向投资额" and locale.word("landing_rate", "en") == "landing rate"
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        locale.word("investment", "fr")
    with pytest.raises(KeyError, match="no word 'nosuch'"):
        locale.word("nosuch", "zh")
    import re

    latin = [zh for zh, _ in locale.WORDS.values() if re.search("[A-Za-z]", re.sub(r"\{\w+\}", "", zh))]
    assert latin == []  # Chinese words carry no English


def test_a_derived_range_is_written_as_its_bounds():
    """约500 − 约300: 160 to 240, no hedge word fits; a range open above says only its lower end."""
    assert locale.hedged(200, "range", "zh", "yi_yuan", bounds=(160, 240)) == "160～240亿元"
    assert locale.hedged(200, "range", "en", "yi_yuan", bounds=(160, 240)) == "160–240 hundred million yuan"
    assert locale.hedged(54, "range", "zh", "projects", bounds=(50, 58)) == "50～58个"
    assert locale.hedged(0, "range", "en", "projects", bounds=(0, None)) == "at least 0 projects"
    with pytest.raises(ValueError, match="needs its bounds"):
        locale.hedged(200, "range", "en")
