"""Golden values from the article, computed here by hand from its stated figures (not pasted from output)."""

from __future__ import annotations

import json
import math

import pytest

from analysis import claims as C
from analysis import metrics as M
from analysis.cli import main
from analysis.data import load
from analysis.output import metrics_dict

from .conftest import DATA

# Stated in the article (Beijing Daily, 2022): the only numbers typed here.
TOTAL_2022, INV_2022 = 37, 280.66
CUM_PROJECTS, CUM_INV = 161, 1080
SIGNED_19_21, LANDED_19_21 = 124, 97
CATEGORY_2022 = {"营商环境类": (1, None), "产业类": (28, 115.77), "基础设施类": (3, 164.89), "公共服务类": (5, None)}
PLACE_2022 = {"京津冀及北三县共同签约事项": (3, None), "三河市": (11, 201.65), "大厂县": (10, 34.22), "香河县": (13, 44.79)}


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_periods_and_derived_investment(ds):
    t = M.trends(ds)
    assert [(r.first_year, r.last_year) for r in t.itertuples()] == [(2019, 2021), (2022, 2022)]
    agg, last = t.iloc[0], t.iloc[1]
    assert agg["projects"] == CUM_PROJECTS - TOTAL_2022 == SIGNED_19_21
    assert agg["investment_100m_yuan"] == pytest.approx(CUM_INV - INV_2022)  # 799.34
    assert agg["investment_status"] == "derived" and last["investment_status"] == "reported"
    assert agg["investment_formula"] == "1080 (2019–2022) − 280.66 (2022)"
    assert agg["investment_qualifier"] == "approx"  # 280.66 is 约
    assert agg["projects_per_year"] == pytest.approx(SIGNED_19_21 / 3)
    assert last["investment_per_project_100m_yuan"] == pytest.approx(INV_2022 / TOTAL_2022)
    assert last["change_projects_per_year"] == pytest.approx(TOTAL_2022 / (SIGNED_19_21 / 3) - 1)
    assert last["change_investment_per_year"] == pytest.approx(INV_2022 / ((CUM_INV - INV_2022) / 3) - 1)


def test_cumulative(ds):
    c = M.cumulative(ds)
    assert (c["projects"], c["investment_100m_yuan"]) == (CUM_PROJECTS, pytest.approx(CUM_INV))
    c21 = M.cumulative(ds, 2021)
    assert c21["projects"] == SIGNED_19_21 and c21["investment_100m_yuan"] == pytest.approx(CUM_INV - INV_2022)


def test_single_years_inside_the_aggregate_are_not_published(ds):
    info = M.single_year(ds, 2020)
    assert info["published"] is False and "not published" in info["note"] and info["period"].label == "2019–2021"
    c = M.cumulative(ds, 2020)
    assert c["projects"] is None and "not published" in c["note"]
    assert M.single_year(ds, 2022)["published"] is True
    with pytest.raises(M.NotPublished):
        M.single_year(ds, 2018)


def test_through_before_first_conference_is_an_error(ds):
    with pytest.raises(ValueError, match="before the first conference"):
        M.trends(ds, 2018)


def test_landing_rate_and_wilson(ds):
    r = M.landing_rates(ds).iloc[0]
    assert (r["signed"], r["landed"]) == (SIGNED_19_21, LANDED_19_21)
    assert r["rate"] == pytest.approx(LANDED_19_21 / SIGNED_19_21)
    lo, hi = wilson_by_hand(LANDED_19_21, SIGNED_19_21)
    assert (r["ci95_lo"], r["ci95_hi"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert r["stated_rate"] == 0.8 and r["stated_qualifier"] == "nearly" and bool(r["consistent"])


def test_expected_landing_of_2022(ds):
    e = M.expected_landing(ds).iloc[0]
    lo, hi = wilson_by_hand(LANDED_19_21, SIGNED_19_21)
    assert e["cohort"] == "2022" and e["signed"] == TOTAL_2022
    assert e["expected"] == pytest.approx(TOTAL_2022 * LANDED_19_21 / SIGNED_19_21)
    assert (e["lo"], e["hi"]) == (pytest.approx(TOTAL_2022 * lo), pytest.approx(TOTAL_2022 * hi))
    assert M.expected_landing(ds, rate=0.5).iloc[0]["expected"] == pytest.approx(TOTAL_2022 * 0.5)


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


def test_mix_of_unpublished_period(ds):
    with pytest.raises(M.NotPublished):
        M.mix(ds, M.Period(2019, 2021), "category")


def test_claims_ledger_all_consistent(ds):
    led = C.ledger(ds).set_index("id")
    assert led["consistent"].map(bool).all(), led[~led["consistent"].map(bool)]
    assert led.at["cumulative_projects_2019-2022", "computed"] == SIGNED_19_21 + TOTAL_2022
    assert led.at["cumulative_investment_2019-2022", "basis"] == "by construction"
    assert led.at["landing_rate_2019-2021", "computed"] == pytest.approx(100 * LANDED_19_21 / SIGNED_19_21)
    assert led.at["infra_public_8", "computed"] == CATEGORY_2022["基础设施类"][0] + CATEGORY_2022["公共服务类"][0]
    assert led.at["joint_items_3", "computed"] == TOTAL_2022 - sum(PLACE_2022[k][0] for k in ("三河市", "大厂县", "香河县"))
    assert led.at["four_conferences", "computed"] == 4
    for d in ("category", "place"):
        assert led.at[f"breakdown_projects_2022_{d}", "consistent"]
        assert led.at[f"breakdown_investment_2022_{d}", "computed"] == pytest.approx(INV_2022)


def test_ledger_through_2021_keeps_earlier_claims(ds):
    ids = set(C.ledger(ds, 2021)["id"])
    assert "landing_rate_2019-2021" in ids and "infra_public_8" not in ids


def test_metrics_json_keys_and_values(ds):
    m = metrics_dict(ds, projection=False)
    json.dumps(m, allow_nan=False)
    assert m["through_year"] == 2022
    assert m["cumulative"]["projects"] == CUM_PROJECTS and m["cumulative"]["investment_100m_yuan"] == CUM_INV
    p = m["periods"][0]
    assert {k for k in ("first_year", "last_year", "projects", "investment_100m_yuan", "investment_status",
                        "projects_per_year", "investment_per_project_100m_yuan")} <= set(p)
    assert p["investment_100m_yuan"] == round(CUM_INV - INV_2022, 6) and p["investment_status"] == "derived"
    lnd = m["landing"][0]
    assert lnd["ci95"] == [round(x, 6) for x in wilson_by_hand(LANDED_19_21, SIGNED_19_21)]
    cat = {g["group_zh"]: g for g in m["mix"]["2022"]["category"]}
    assert cat["公共服务类"]["investment_100m_yuan"] is None and cat["公共服务类"]["investment_share"] is None
    assert cat["产业类"]["harmonised"] == "industry" and cat["产业类"]["group_en"] == "Industry"
    assert all(c["consistent"] for c in m["claims"])
    assert {"id", "text_en", "stated", "qualifier", "computed", "consistent"} <= set(m["claims"][0])


def test_metrics_json_through_2021(ds):
    m = metrics_dict(ds, 2021, projection=False)
    assert [p["last_year"] for p in m["periods"]] == [2021]
    assert m["cumulative"]["projects"] == SIGNED_19_21
    assert m["mix"] == {}


def test_cli_metrics_json(capsys):
    assert main(["metrics", "--data", str(DATA), "--format", "json", "--no-projection"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["cumulative"]["projects"] == CUM_PROJECTS


def test_cli_metrics_table(capsys):
    assert main(["metrics", "--data", str(DATA), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert "1080 (2019–2022) − 280.66 (2022)" in out and "INCONSISTENT" not in out and "BAD" not in out


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
