"""Prose generated from the numbers (analysis.report): it says what the data say, in zh and en."""

from __future__ import annotations

import pytest

from analysis import metrics as M
from analysis import report as R
from analysis.data import load

from .conftest import DATA


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def _total(ds, first, last, col):
    sig = ds["signings"]
    row = sig[(sig["dimension"] == "total") & (sig["first_year"] == first) & (sig["last_year"] == last)].iloc[0]
    return row[col]


def test_year_inside_the_aggregate_says_not_published(ds):
    for lang, phrase in (("en", "not published"), ("zh", "未公布")):
        text = R.year_md(ds, 2020, lang)
        assert phrase in text and "2019–2021" in text
        assert f"{_total(ds, 2019, 2021, 'projects')}" in text


def test_single_year_states_its_figures_with_the_hedge(ds):
    text = R.year_md(ds, 2022, "en")
    assert f"{_total(ds, 2022, 2022, 'projects')} projects" in text
    assert f"about {_total(ds, 2022, 2022, 'investment_100m_yuan'):.2f} 亿元" in text
    assert f"约{_total(ds, 2022, 2022, 'investment_100m_yuan'):.2f}亿元" in R.year_md(ds, 2022, "zh")


def test_trends_prose_shows_the_derivation(ds):
    derived = _total(ds, 2019, 2022, "investment_100m_yuan") - _total(ds, 2022, 2022, "investment_100m_yuan")
    for lang in ("zh", "en"):
        text = R.trends_md(ds, None, lang)
        assert f"{derived:.2f}" in text and "1080 (2019–2022) − 280.66 (2022)" in text


def test_mix_prose_names_unstated_groups_and_remainder(ds):
    mx = M.mix(ds, M.Period(2022, 2022), "category")
    text = R.mix_md(mx, "zh")
    assert all(g in text for g in mx.unstated_groups)
    stated = mx.groups["investment_100m_yuan"].sum()  # 115.77 + 164.89 already make up 约280.66
    assert f"已公布各组合计{R.num(stated)}亿元,已与总额约{R.num(mx.total_investment)}亿元相符" in text
    assert "余下" not in text


def test_backtest_of_the_previous_projection(ds):
    assert M.previous_period_end(ds, 2022) == 2021 and M.previous_period_end(ds, 2020) is None
    text = R.backtest_section(ds, 2022, "en")
    assert f"actual {_total(ds, 2022, 2022, 'projects')}" in text and "actual 280.66" in text
    assert "nothing to backtest" in R.backtest_section(ds, 2020, "en")


@pytest.mark.parametrize(
    "kwargs,fragment",
    [({"lang": "fr"}, "lang must be one of"), ({"lang": "zh", "year": 2031}, "not a conference year"),
     ({"lang": "en", "through": 2018}, "outside the conference years"), ({"lang": "en", "horizon": 0}, "horizon")],
)
def test_notebook_parameters_are_validated(ds, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        R.check_params(ds, **kwargs)


@pytest.mark.parametrize(
    "value,qualifier,lang,expected",
    [(280.66, "approx", "zh", "约280.66亿元"), (210, "more_than", "zh", "210余亿元"), (1500, "over", "en", "over 1,500 亿元"),
     (80, "nearly", "en", "nearly 80 亿元"), (None, None, "en", "not published")],
)
def test_hedges_are_kept_in_prose(value, qualifier, lang, expected):
    assert R.hedge(value, qualifier, lang, "亿元") == expected


def test_caveats_come_from_the_data(ds):
    v = M.period_values(ds)[M.Period(2019, 2021)]["investment_100m_yuan"]
    text = R.caveats_md(ds, 2022, "en")
    assert f"derived ({v.formula}) from the 2019–2022 total, and was not known before 2022" in text
    yanjiao = ds["details"].set_index("fact_id").loc["yanjiao_investment"]
    assert f"{R.num(yanjiao['amount_100m_yuan'])} 亿元 intended investment" in text
    assert "derived" not in R.caveats_md(ds, 2020, "en")  # nothing derived is shown through 2020
    assert "燕郊中心" not in R.caveats_md(ds, 2021, "zh")  # the 2022 article is not yet out
