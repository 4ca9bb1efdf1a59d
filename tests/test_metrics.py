"""Golden values from the article, computed here by hand from its stated figures (not pasted from output)."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest

from analysis import load
from analysis.pipeline.cli import main
from analysis.present import facts
from analysis.present.output import metrics_dict
from analysis.stats import claims as C
from analysis.stats import metrics as M

from .conftest import DATA

# Stated in the articles (中国新闻网 2021, 北京日报 2022, 新京报 and the official release 2023, 北京青年报
# 2024): the only numbers typed here.
P19_20, INV19_20 = 85, 552
P21, INV21 = 39, 247
TOTAL_2022, INV_2022 = 37, 280.66
P23, INV23 = 50, 426.81
CUM_PROJECTS, CUM_INV = 161, 1080  # 2019–2022, stated in 2022
CUM23_PROJECTS, CUM23_INV = 210, 1500  # 210余, 超1500, stated in 2023
# bjyouth2024 (北京青年报客户端, 2024-09-26): 80 projects, 331.02亿元 (repost2024 writes 约331.02); 累计290余个,
# 超1800亿元; 六届; by 落地区域 (place) and by 行业领域 (field), counts only
P24, INV24 = 80, 331.02
CUM24_PROJECTS, CUM24_INV = 290, 1800  # 290余, 超1800
CONFERENCES_24 = 6  # 连续举办六届
PLACE_2024 = {"通州区": 18, "三河市": 22, "大厂县": 20, "香河县": 20}
FIELD_2024 = {
    "智能制造与装备": 31,
    "绿色能源与节能环保": 7,
    "现代服务": 16,
    "医药健康": 13,
    "文化旅游": 6,
    "公共服务": 7,
}
SIGNED_19_21, LANDED_19_21 = 124, 97
RATE_19_20, RATE_19_22 = 90, 85  # 超过九成 (2021), 已达85% (2023)
# ... and what they imply, worked out here
LANDED_19_20_MIN = math.floor(P19_20 * RATE_19_20 / 100) + 1  # more than 76.5 of 85: 77
LANDED_19_22 = round(CUM_PROJECTS * RATE_19_22 / 100)  # 85 % of 161 is 136.85: 137, the one whole number in 84.5–85.5 %
PROJECTS_TO_2023 = P19_20 + P21 + TOTAL_2022 + P23  # 211: 210余
PROJECTS_TO_2024 = PROJECTS_TO_2023 + P24  # 291: 290余
INVESTMENT_TO_2023 = INV19_20 + INV21 + INV_2022 + INV23  # 1506.47, of which three parts are 约
INVESTMENT_TO_2024 = INVESTMENT_TO_2023 + INV24  # 1837.49: 超1800
CATEGORY_2022 = {"营商环境类": (1, None), "产业类": (28, 115.77), "基础设施类": (3, 164.89), "公共服务类": (5, None)}
PLACE_2022 = {
    "京津冀及北三县共同签约事项": (3, None),
    "三河市": (11, 201.65),
    "大厂县": (10, 34.22),
    "香河县": (13, 44.79),
}
CATEGORY_2023 = {
    "产业项目": (31, 160.16),
    "交通项目": (2, 150),
    "公共服务项目": (12, 104.65),
    "现代服务业项目": (5, 12),
}


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def wilson_by_statsmodels(k: int, n: int) -> tuple[float, float]:
    """The independent reference for metrics.wilson (the package computes it in closed form)."""
    from statsmodels.stats.proportion import proportion_confint

    return tuple(float(x) for x in proportion_confint(k, n, alpha=0.05, method="wilson"))


def test_periods_are_as_fine_as_the_sources(ds):
    t = M.trends(ds)
    assert [(r.first_year, r.last_year) for r in t.itertuples()] == [
        (2019, 2020),
        (2021, 2021),
        (2022, 2022),
        (2023, 2023),
        (2024, 2024),
    ]
    assert list(t["projects"]) == [P19_20, P21, TOTAL_2022, P23, P24]
    assert list(t["investment_100m_yuan"]) == [INV19_20, INV21, INV_2022, INV23, INV24]
    assert list(t["investment_status"]) == ["reported"] * 5
    # 2024: 北京青年报's exact 331.02 is kept over the repost's 约331.02
    assert list(t["investment_qualifier"]) == ["exact", "approx", "approx", "approx", "exact"]
    assert t.iloc[0]["projects_per_year"] == pytest.approx(P19_20 / 2)
    assert t.iloc[1]["change_projects_per_year"] == pytest.approx(P21 / (P19_20 / 2) - 1)
    assert t.iloc[3]["investment_per_project_100m_yuan"] == pytest.approx(INV23 / P23)


def test_cumulative_as_reported_and_as_known_then(ds):
    c = M.cumulative(ds)
    assert (c["projects"], c["projects_qualifier"], c["investment_100m_yuan"], c["investment_qualifier"]) == (
        CUM24_PROJECTS,
        "more_than",
        CUM24_INV,
        "over",
    )
    assert c["projects_status"] == c["investment_status"] == "reported"
    c23 = M.cumulative(ds, 2023)
    assert (c23["projects"], c23["projects_qualifier"], c23["investment_100m_yuan"], c23["investment_qualifier"]) == (
        CUM23_PROJECTS,
        "more_than",
        CUM23_INV,
        "over",
    )
    c22 = M.cumulative(ds, 2022)
    assert (c22["projects"], c22["investment_100m_yuan"], c22["investment_status"]) == (
        CUM_PROJECTS,
        CUM_INV,
        "reported",
    )
    c21 = M.cumulative(ds, 2021)  # 124 is stated (2022); the amount is the sum 552 + 约247
    assert c21["projects"] == SIGNED_19_21 and c21["investment_100m_yuan"] == INV19_20 + INV21
    assert (c21["investment_status"], c21["investment_qualifier"]) == ("derived", "approx")


def test_single_years_inside_the_aggregate_are_not_published(ds):
    assert M.period_of(ds, 2020).label == "2019–2020" and M.Period(2020, 2020) not in M.period_values(ds)
    c = M.cumulative(ds, 2019)
    assert c["projects"] is None and "not published" in c["note"]
    assert M.period_of(ds, 2021) == M.Period(2021, 2021)
    with pytest.raises(M.NotPublished):
        M.period_of(ds, 2018)


def test_through_before_first_conference_is_an_error(ds):
    with pytest.raises(ValueError, match="before the first conference"):
        M.vintage(ds, 2018)  # the door: the one place ``through`` is checked


def test_landing_statements_keep_their_vintage(ds):
    lr = M.landing_rates(ds).set_index("cohort")
    assert list(lr.index) == ["2019–2020", "2019–2021", "2019–2022"]
    assert list(lr["as_of"]) == ["2021-05-14", "2022", "2023-09-19"]
    # rate only: the signed count is derived from signings, the landed count is what the rate allows
    r = lr.loc["2019–2020"]
    assert (r["signed"], r["signed_status"]) == (P19_20, "derived")
    assert (r["landed_lo"], r["landed_hi"]) == (LANDED_19_20_MIN, P19_20)
    assert pd.isna(r["rate"]) and pd.isna(r["ci95_lo"])
    r = lr.loc["2019–2022"]
    assert (r["signed"], r["signed_status"]) == (CUM_PROJECTS, "derived")
    assert (r["landed_lo"], r["landed_hi"]) == (LANDED_19_22, LANDED_19_22)  # 84.5–85.5 % of 161 holds one whole number
    r = lr.loc["2019–2021"]
    assert (r["signed"], r["landed"], r["signed_status"]) == (SIGNED_19_21, LANDED_19_21, "reported")
    assert r["rate"] == pytest.approx(LANDED_19_21 / SIGNED_19_21)
    lo, hi = wilson_by_statsmodels(LANDED_19_21, SIGNED_19_21)
    assert (r["ci95_lo"], r["ci95_hi"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert r["stated_rate"] == 0.8 and r["stated_qualifier"] == "nearly" and bool(r["consistent"])


@pytest.mark.parametrize("dimension,stated", [("category", CATEGORY_2022), ("place", PLACE_2022)])
def test_mix_2022(ds, dimension, stated):
    mx = M.mix(ds, M.Period(2022, 2022), dimension)
    g = mx.groups.set_index("group_zh")
    assert list(g.index) == list(stated)
    for name, (n, amount) in stated.items():
        assert g.at[name, "projects"] == n
        assert g.at[name, "project_share"] == pytest.approx(n / TOTAL_2022)
        if amount is None:
            assert g.isna().at[name, "investment_100m_yuan"] and g.isna().at[name, "investment_share"]
        else:
            assert g.at[name, "investment_share"] == pytest.approx(amount / INV_2022)
            assert g.at[name, "investment_per_project_100m_yuan"] == pytest.approx(amount / n)
    stated_amounts = [a for _, a in stated.values() if a is not None]
    assert mx.unstated_groups == [k for k, (_, a) in stated.items() if a is None]
    assert mx.remainder_investment == pytest.approx(INV_2022 - sum(stated_amounts), abs=1e-9)
    hhi = sum((a / INV_2022) ** 2 for a in stated_amounts)
    assert mx.hhi_investment == (pytest.approx(hhi), pytest.approx(hhi))
    assert mx.complete


def test_mix_2023_maps_transport_and_modern_services(ds):
    mx = M.mix(ds, M.Period(2023, 2023), "category")
    g = mx.groups.set_index("group_zh")
    assert {k: (g.at[k, "projects"], g.at[k, "investment_100m_yuan"]) for k in CATEGORY_2023} == CATEGORY_2023
    assert (
        g.at["交通项目", "harmonised"] == "infrastructure" and g.at["现代服务业项目", "harmonised"] == "modern_services"
    )
    assert mx.unstated_groups == [] and mx.remainder_investment == 0


def test_compare_categories_across_years(ds):
    cmp = M.compare_mix(ds, "category").set_index(["period", "harmonised"])
    assert cmp.at[("2023", "infrastructure"), "projects"] == CATEGORY_2023["交通项目"][0]
    assert cmp.at[("2022", "infrastructure"), "names_zh"] == "基础设施类"
    # absent from a complete breakdown: none (0), not "not published"
    assert (
        cmp.at[("2022", "modern_services"), "status"] == "none" and cmp.at[("2022", "modern_services"), "projects"] == 0
    )
    assert cmp.at[("2023", "business_environment"), "status"] == "none"
    # no breakdown published for 2019–2020 and 2021
    assert cmp.at[("2021", "industry"), "status"] == "not_published" and pd.isna(
        cmp.at[("2021", "industry"), "projects"]
    )


def test_mix_of_unpublished_period(ds):
    with pytest.raises(M.NotPublished):
        M.mix(ds, M.Period(2021, 2021), "category")


def test_claims_ledger_all_consistent(ds):
    led = C.ledger(ds).set_index("id")
    assert led["consistent"].map(bool).all(), led[~led["consistent"].map(bool)]
    # the 2022 article's figures for 2019–2021 and 2019–2022, checked against the finer periods
    assert led.at["cumulative_projects_2019-2021", "computed"] == P19_20 + P21 == SIGNED_19_21
    assert led.at["cumulative_investment_2019-2022", "computed"] == pytest.approx(INV19_20 + INV21 + INV_2022)
    assert led.at["cumulative_investment_2019-2022", "basis"] == "independent"
    assert led.at["derived_vs_sum_investment_2019-2021", "computed"] == INV19_20 + INV21
    assert f"({CUM_INV - INV_2022:.2f})" in facts.claim(led.loc["derived_vs_sum_investment_2019-2021"])  # 799.34
    # 2023's hedged cumulative: 210余 and 超1500
    assert led.at["cumulative_projects_2019-2023", "computed"] == P19_20 + P21 + TOTAL_2022 + P23
    assert led.at["cumulative_investment_2019-2023", "qualifier"] == "over"
    assert led.at["landing_rate_2019-2021_2022", "computed"] == pytest.approx(100 * LANDED_19_21 / SIGNED_19_21)
    assert led.at["infra_public_8", "computed"] == CATEGORY_2022["基础设施类"][0] + CATEGORY_2022["公共服务类"][0]
    assert led.at["joint_items_3", "computed"] == TOTAL_2022 - sum(
        PLACE_2022[k][0] for k in ("三河市", "大厂县", "香河县")
    )
    assert led.at["four_conferences", "computed"] == 4


def test_cross_vintage_landing_bounds(ds):
    """More than 90 % of 85 is at least 77, so at most 97 − 77 = 20 of the 39 projects of 2021 had landed by
    2022; 85 % of 161 is 137, more than 97 + 37, so at least 3 more 2019–2021 projects landed after 2022."""
    led = C.ledger(ds).set_index("id")
    upper = led.at["landing_vintage_upper_2021_2022", "computed"]
    assert upper == LANDED_19_21 - LANDED_19_20_MIN
    assert facts.formula(led.at["landing_vintage_upper_2021_2022", "formula"]) == f"{LANDED_19_21} − {LANDED_19_20_MIN}"
    lower = led.at["landing_vintage_lower_2019-2021_2022_2023-09-19", "computed"]
    assert lower == LANDED_19_22 - TOTAL_2022 - LANDED_19_21
    assert led.loc[led["kind"] == "landing_vintage", "consistent"].all()


def test_ledger_through_2021_keeps_earlier_claims(ds):
    ids = set(C.ledger(ds, 2021)["id"])
    assert "landing_rate_2019-2021_2022" in ids and "infra_public_8" not in ids


def test_metrics_json_keys_and_values(ds):
    m = metrics_dict(ds, projection=False)
    json.dumps(m, allow_nan=False)
    assert m["through_year"] == 2024
    assert [s["source_id"] for s in m["vintage"]["sources"]] == [
        "cn2021",
        "bjd2022",
        "bjnews2023",
        "release2023",
        "bjyouth2024",
        "repost2024",
    ]
    assert m["vintage"]["n_sources"] == 6 and m["vintage"]["as_of"] == "2024-09-26"
    c = m["cumulative"]
    assert (c["projects"], c["projects_qualifier"], c["investment_100m_yuan"], c["investment_qualifier"]) == (
        CUM24_PROJECTS,
        "more_than",
        CUM24_INV,
        "over",
    )
    assert c["projects_status"] == c["investment_status"] == "reported"
    p = m["periods"][0]
    assert {
        "first_year",
        "last_year",
        "projects",
        "investment_100m_yuan",
        "investment_status",
        "projects_per_year",
        "investment_per_project_100m_yuan",
    } <= set(p)
    assert (p["first_year"], p["last_year"], p["investment_100m_yuan"]) == (2019, 2020, INV19_20)
    lnd = {(x["first_year"], x["last_year"]): x for x in m["landing"]}
    assert [x["as_of"] for x in m["landing"]] == ["2021-05-14", "2022", "2023-09-19"]
    assert lnd[(2019, 2021)]["ci95"] == [round(x, 6) for x in wilson_by_statsmodels(LANDED_19_21, SIGNED_19_21)]
    assert lnd[(2019, 2022)]["signed_status"] == "derived" and lnd[(2019, 2022)]["landed_range"] == [LANDED_19_22] * 2
    cat = {g["group_zh"]: g for g in m["mix"]["2023"]["category"]}
    assert (
        cat["交通项目"]["harmonised"] == "infrastructure" and cat["现代服务业项目"]["harmonised"] == "modern_services"
    )
    claims = {c["id"]: c for c in m["claims"]}
    assert all(c["consistent"] for c in m["claims"])
    assert (
        claims["cumulative_projects_2019-2023"]["consistent"]
        and claims["cumulative_investment_2019-2023"]["consistent"]
    )
    assert (
        claims["cumulative_projects_2019-2024"]["consistent"]
        and claims["cumulative_investment_2019-2024"]["consistent"]
    )
    assert {g["group_zh"]: g["projects"] for g in m["mix"]["2024"]["place"]} == PLACE_2024
    assert {g["group_zh"]: g["projects"] for g in m["mix"]["2024"]["field"]} == FIELD_2024
    assert "since_then" not in m  # nothing was published after the last release


def test_metrics_json_through_2022_is_what_was_known_in_2022(ds):
    m = metrics_dict(ds, 2022, projection=False)
    assert m["vintage"]["as_of"] == "2022" and [s["source_id"] for s in m["vintage"]["sources"]] == [
        "cn2021",
        "bjd2022",
    ]
    assert [p["last_year"] for p in m["periods"]] == [2020, 2021, 2022]
    assert m["cumulative"]["projects"] == CUM_PROJECTS and m["cumulative"]["investment_100m_yuan"] == CUM_INV
    assert [x["as_of"] for x in m["landing"]] == ["2021-05-14", "2022"]
    st = m["since_then"]
    assert [s["source_id"] for s in st["sources"]] == ["bjnews2023", "release2023", "bjyouth2024", "repost2024"]
    # each later cumulative figure once, though two sources state 2023's 210余 / 超1500
    assert [(t["projects"], t["investment_100m_yuan"]) for t in st["totals"]] == [
        (CUM23_PROJECTS, CUM23_INV),
        (CUM24_PROJECTS, CUM24_INV),
    ]
    assert [(x["first_year"], x["last_year"], x["as_of"]) for x in st["landing"]] == [(2019, 2022, "2023-09-19")]
    assert "landing_vintage_lower_2019-2021_2022_2023-09-19" in {c["id"] for c in st["claims"]}


def test_metrics_json_through_2021_is_the_2021_article(ds):
    m = metrics_dict(ds, 2021, projection=False)
    assert [s["source_id"] for s in m["vintage"]["sources"]] == ["cn2021"]
    assert [p["last_year"] for p in m["periods"]] == [2020, 2021]
    assert m["cumulative"]["projects"] == P19_20 + P21 and m["cumulative"]["projects_status"] == "derived"
    assert m["mix"] == {}


def test_cli_metrics_json(capsys):
    assert main(["metrics", "--data", str(DATA), "--format", "json", "--no-projection"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["cumulative"]["projects"] == CUM24_PROJECTS


def test_cli_metrics_table(capsys):
    assert main(["metrics", "--data", str(DATA), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert "At most 20 of the 39 projects of 2021" in out and "INCONSISTENT" not in out and "BAD" not in out


@pytest.mark.parametrize(
    "argv,code,fragment",
    [
        (["metrics", "--through", "2018"], 2, "before the first conference (2019)"),
        (["metrics", "--through", "twenty"], 2, "expected a year such as 2022"),
        (["metrics", "--format", "xml"], 2, "invalid choice: 'xml'"),
        (["metrics", "--data", "/nonexistent"], 1, "fails the data check"),
        (["metrics", "--data", str(DATA / "README.md")], 1, "is a file, not a data directory"),
        (["metrics", "--seed", "-1"], 2, "argument --seed: expected 0 or more, got -1"),
        (["metrics", "--horizon", "51"], 2, "argument --horizon: at most 50 years, got 51"),
        (["metrics", "--horizon", "0"], 2, "argument --horizon: expected 1 or more, got 0"),
        (["calibrate", "--size", "fast", "--write"], 2, "--write stores the full study only"),
        (["calibrate", "--processes", "model", "--write"], 2, "--write stores the full study only"),
    ],
)
def test_cli_bad_arguments_one_line(argv, code, fragment, capsys):
    with pytest.raises(SystemExit) as exc:
        rc = main(argv)
        raise SystemExit(rc)
    err = capsys.readouterr().err + (exc.value.code if isinstance(exc.value.code, str) else "")
    got = exc.value.code if isinstance(exc.value.code, int) else 1
    assert got == code
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("k, n", [(97, 124), (0, 37), (37, 37), (137, 161), (1, 2)])
def test_wilson_matches_statsmodels(k, n):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    got = M.wilson(k, n)
    assert got == (
        pytest.approx(max(0.0, min(lo, k / n)), abs=1e-12),
        pytest.approx(min(1.0, max(hi, k / n)), abs=1e-12),
    )


def test_editing_a_result_cannot_change_the_next_one():
    """Cached results are handed out as copies: an analyst who edits a frame or a mix in one result finds the
    next computation unchanged (in the same kernel, from the same dataset); a value cannot be edited at all."""
    from analysis.stats.results import compute

    ds = load(DATA)
    res = compute(ds, 2024, projection=False)
    res.periods.loc[0, "projects"] = 999
    res.periods["scratch"] = 1
    mx = res.mix[M.Period(2024, 2024)]["place"]
    mx.groups.loc[:, "projects"] = 0
    mx.total_projects = -1
    with pytest.raises(dataclasses.FrozenInstanceError):  # a figure is a fact: it cannot be edited in place
        M.period_values(ds)[M.Period(2024, 2024)]["projects"].value = -5
    again = compute(ds, 2024, projection=False)
    assert again.periods.loc[0, "projects"] == P19_20 and "scratch" not in again.periods
    assert again.mix[M.Period(2024, 2024)]["place"].groups["projects"].sum() == P24
    assert again.mix[M.Period(2024, 2024)]["place"].total_projects == P24
    assert M.period_values(ds)[M.Period(2024, 2024)]["projects"].value == P24
