"""Tests of analysis.projection: calibration on synthetic histories, then behaviour on the real data.

Calibration tolerance
---------------------
Coverage is measured over ``R`` synthetic histories, each with its own fit and ``S`` simulations.
With ``R = 400`` the binomial standard error of a measured coverage is ``sqrt(p(1-p)/R)``: 0.011
at 95 % and 0.020 at 80 %. A measured coverage must lie within 3 standard errors of nominal plus a
model allowance: ``ALLOW_LOW = 0.03`` below (normal approximation of the log-rate, plug-in
dispersion and project-size parameters, Monte-Carlo quantiles from ``S`` draws) and
``ALLOW_HIGH = 0.06`` above (counts are discrete, so inverted-CDF intervals cover at least the
nominal level; with the true dispersion at the floor, ``max(floor, estimate)`` errs wide). The
seeds are fixed, so the tests are deterministic; the tolerances say how far chance alone could
move the figures.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import metrics
from analysis.data import load
from analysis.projection import (
    ALPHA_FLOOR,
    DEFAULT_SEED,
    DEFAULT_SIGMA,
    METRICS,
    Scenario,
    estimate_sigma,
    fit_rate,
    fit_sizes,
    interval_score,
    predictive_interval,
    project,
    simulate_counts,
    simulate_investment,
)

DATA = Path(__file__).resolve().parent.parent / "data"

R = 400  # synthetic histories per calibration test
S = 2000  # simulations per history
ALLOW_LOW = 0.03
ALLOW_HIGH = 0.06

TRUE_MU = 40.0  # projects a year, like the real history
TRUE_MEAN_PER_PROJECT = 6.7  # 亿元 a project, like 1080 / 161


def band(nominal: float) -> tuple[float, float]:
    se = math.sqrt(nominal * (1 - nominal) / R)
    return nominal - 3 * se - ALLOW_LOW, min(1.0, nominal + 3 * se + ALLOW_HIGH)


def assert_calibrated(c80: float, c95: float) -> None:
    lo80, hi80 = band(0.80)
    lo95, hi95 = band(0.95)
    assert lo80 <= c80 <= hi80, f"80 % coverage {c80:.3f} outside [{lo80:.3f}, {hi80:.3f}]"
    assert lo95 <= c95 <= hi95, f"95 % coverage {c95:.3f} outside [{lo95:.3f}, {hi95:.3f}]"


def annual_counts(rng, mu: float, alpha: float, size) -> np.ndarray:
    """Independent NB(mu, alpha) annual counts (Poisson when alpha = 0)."""
    lam = rng.gamma(1 / alpha, alpha * mu, size) if alpha > 0 else np.full(size, mu)
    return rng.poisson(lam)


def project_amounts(rng, n: int, sigma: float) -> np.ndarray:
    return np.exp(math.log(TRUE_MEAN_PER_PROJECT) - sigma**2 / 2 + sigma * rng.standard_normal(n))


def covered(sims: np.ndarray, y: float) -> tuple[bool, bool]:
    lo80, hi80 = predictive_interval(sims, 0.80)
    lo95, hi95 = predictive_interval(sims, 0.95)
    return bool(lo80 <= y <= hi80), bool(lo95 <= y <= hi95)


def history_like_ours(rng, alpha: float):
    """Years 1-3 published only as one block, year 4 alone, year 5 the one to predict."""
    years = annual_counts(rng, TRUE_MU, alpha, 5)
    return [int(years[:3].sum()), int(years[3])], [3, 1], years


def coverage_projects(alpha: float, model: str, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    hits = np.zeros(2)
    for _ in range(R):
        counts, n_years, years = history_like_ours(rng, alpha)
        fit = fit_rate(counts, n_years, model=model)
        hits += covered(simulate_counts(fit, [1], S, rng)[:, 0], years[4])
    return hits[0] / R, hits[1] / R


def coverage_investment(sigma: float, estimate: bool, seed: int) -> tuple[float, float]:
    """Lognormal compound process; sigma given, or estimated from a random 4-group split of year 4."""
    rng = np.random.default_rng(seed)
    hits = np.zeros(2)
    for _ in range(R):
        counts, n_years, years = history_like_ours(rng, ALPHA_FLOOR)
        amounts = [project_amounts(rng, int(n), sigma) for n in years]
        invest = [sum(a.sum() for a in amounts[:3]), amounts[3].sum()]
        s = sigma
        if estimate:
            group = rng.integers(0, 4, amounts[3].size)
            split = [(int((group == g).sum()), float(amounts[3][group == g].sum())) for g in range(4)]
            est = estimate_sigma([split])
            s = DEFAULT_SIGMA if est is None else est[0]
        rate = fit_rate(counts, n_years)
        sizes = fit_sizes(counts, invest, s)
        sims = simulate_investment(sizes, simulate_counts(rate, [1], S, rng), rng)[:, 0]
        hits += covered(sims, amounts[4].sum())
    return hits[0] / R, hits[1] / R


# --------------------------------------------------------------------------------------------- calibration


def test_projects_negbin_calibrated_when_dispersion_is_at_the_floor():
    # measured (seed 11): 80 % -> ~0.85, 95 % -> ~0.97 (conservative: discrete counts, floored alpha)
    assert_calibrated(*coverage_projects(ALPHA_FLOOR, "negbin", seed=11))


def test_projects_poisson_calibrated_on_poisson_counts():
    assert_calibrated(*coverage_projects(0.0, "poisson", seed=12))


def test_investment_calibrated_on_lognormal_compound_with_known_sigma():
    # sigma as estimated on the real 2022 breakdown (~1.87): a very heavy tail
    assert_calibrated(*coverage_investment(1.87, estimate=False, seed=13))


def test_investment_calibrated_with_sigma_estimated_from_a_breakdown_moderate_tail():
    assert_calibrated(*coverage_investment(1.0, estimate=True, seed=14))


@pytest.mark.xfail(strict=True, reason="known limitation: with a heavy tail, sigma estimated from one small "
                   "breakdown is usually too small and is treated as known, so intervals are too narrow")
def test_investment_with_sigma_estimated_from_a_breakdown_heavy_tail():
    assert_calibrated(*coverage_investment(1.87, estimate=True, seed=15))


# --------------------------------------------------------------------------------------------- fitting core


def test_aggregate_is_one_observation_with_exposure():
    pois = fit_rate([124, 37], [3, 1], model="poisson")
    assert pois.rate() == pytest.approx(161 / 4)
    assert math.sqrt(pois.cov[0, 0]) == pytest.approx(1 / math.sqrt(161), rel=1e-6)
    nb = fit_rate([124, 37], [3, 1], model="negbin")
    assert nb.rate() == pytest.approx(161 / 4)
    assert nb.alpha == ALPHA_FLOOR and nb.alpha_source == "floor"
    assert nb.cov[0, 0] == pytest.approx(pois.cov[0, 0] * (1 + ALPHA_FLOOR * 161 / 4))


def test_single_period_uses_the_floor():
    fit = fit_rate([124], [3])
    assert fit.rate() == pytest.approx(124 / 3)
    assert fit.alpha == ALPHA_FLOOR and fit.alpha_moment is None
    with pytest.raises(ValueError):
        fit_rate([124], [3], trend=True)


def test_overdispersed_periods_give_a_moment_estimate_above_the_floor():
    fit = fit_rate([180, 20], [3, 1])
    assert fit.alpha_source == "moment" and fit.alpha > ALPHA_FLOOR
    mu = fit.rate()
    n = np.array([3, 1])
    y = np.array([180, 20])
    pearson = np.sum((y - n * mu) ** 2 / (n * mu + fit.alpha * n * mu**2))
    assert pearson == pytest.approx(1.0)  # equals its degrees of freedom


def test_estimate_sigma_moment_formula():
    assert estimate_sigma([[(10, 10.0)]]) is None
    sigma, cv2, df = estimate_sigma([[(10, 10.0), (10, 30.0)]])
    # M = 2, SS = 10*(1-2)^2 + 10*(3-2)^2 = 20, (G-1) M^2 = 4
    assert (cv2, df) == (pytest.approx(5.0), 1)
    assert sigma == pytest.approx(math.sqrt(math.log(6.0)))


def test_simulated_means_match_the_fitted_values():
    rng = np.random.default_rng(1)
    rate = fit_rate([124, 37], [3, 1])
    counts = simulate_counts(rate, [1, 2], 50_000, rng)
    se = counts.std() / math.sqrt(counts.shape[0])
    assert abs(counts.mean() - 40.25) < 4 * se
    sizes = fit_sizes([124, 37], [799.34, 280.66], 1.0)
    inv = simulate_investment(sizes, counts, rng)
    se = inv.std() / math.sqrt(inv.size)
    assert abs(inv.mean() - counts.mean() * 1080 / 161) < 4 * se


@settings(max_examples=50, deadline=None)
@given(
    y=st.floats(-1e3, 1e3, allow_nan=False),
    lo=st.floats(-1e3, 1e3, allow_nan=False),
    width=st.floats(0, 1e3, allow_nan=False),
)
def test_interval_score_properties(y, lo, width):
    hi = lo + width
    score = float(interval_score(y, lo, hi))
    assert score >= width - 1e-9
    if lo <= y <= hi:
        assert score == pytest.approx(width)


def test_interval_score_known_values():
    assert interval_score(5, 0, 10) == 10
    assert interval_score(12, 0, 10) == pytest.approx(10 + 40 * 2)
    assert interval_score(-1, 0, 10) == pytest.approx(10 + 40 * 1)


# --------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def base(ds):
    return project(ds)


@pytest.fixture(scope="module")
def back(ds):
    return project(ds, through=2021)


def _metric(p, metric):
    return p.table[p.table["metric"] == metric].set_index("year")


def test_table_shape_and_nesting(base):
    last = base.model["through"]
    assert last == 2022
    assert sorted(base.table["year"].unique()) == [2023, 2024, 2025]
    assert set(base.table["metric"]) == set(METRICS)
    assert len(base.table) == 3 * len(METRICS)
    t = base.table
    assert (t["pi95_lo"] <= t["pi80_lo"]).all() and (t["pi80_lo"] <= t["pi80_hi"]).all()
    assert (t["pi80_hi"] <= t["pi95_hi"]).all()
    assert ((t["pi95_lo"] <= t["mean"]) & (t["mean"] <= t["pi95_hi"])).all()
    land = base.landing
    assert (land["landed_pi95_lo"] <= land["landed_pi80_lo"]).all()
    assert (land["landed_pi80_hi"] <= land["landed_pi95_hi"]).all()


def test_cumulative_starts_from_published_total_and_widens(ds, base):
    cum = metrics.cumulative(ds, 2022)
    for metric, start in (("cumulative_projects", cum["projects"]), ("cumulative_investment_100m_yuan", cum["investment_100m_yuan"])):
        m = _metric(base, metric)
        assert (m["pi95_lo"] > start).all()
        for name in ("pi80", "pi95"):
            width = (m[f"{name}_hi"] - m[f"{name}_lo"]).to_numpy()
            assert np.all(np.diff(width) > 0), f"{metric} {name} widths {width} do not widen"


def test_growth_scenario_raises_the_central_path(ds, base):
    up = project(ds, scenario=Scenario(growth_projects=0.10, growth_investment_per_project=0.05))
    b, u = _metric(base, "projects"), _metric(up, "projects")
    assert (u["mean"] > b["mean"]).all()
    ratio = (u["mean"] / b["mean"]).to_numpy()
    assert ratio == pytest.approx(1.10 ** np.arange(1, 4), rel=0.03)
    bi, ui = _metric(base, "investment_100m_yuan"), _metric(up, "investment_100m_yuan")
    assert (ui["mean"] > bi["mean"]).all()
    assert (_metric(up, "cumulative_investment_100m_yuan")["mean"] > _metric(base, "cumulative_investment_100m_yuan")["mean"]).all()


def test_trend_is_a_scenario_not_the_default(ds, base):
    assert base.model["scenario"]["trend"] is False and base.model["projects"]["trend_per_year"] is None
    tr = project(ds, scenario=Scenario(trend=True))
    # 41.3 a year in 2019-2021, 37 in 2022: the fitted trend is downwards
    assert tr.model["projects"]["trend_per_year"] < 0
    assert (_metric(tr, "projects")["mean"] < _metric(base, "projects")["mean"]).all()


def test_landing_scenario_changes_the_landing_projection(ds, base):
    ref = metrics.reference_cohort(ds, 2022)
    signed = base.landing[base.landing["kind"] == "signed"]
    # 2022 has signed projects but no landing figures yet
    assert list(signed["cohort"]) == ["2022"] and signed["signed_mean"].iloc[0] == 37
    jeffreys = (ref["landed"] + 0.5) / (ref["signed"] + 1)
    assert base.landing["rate_mean"].iloc[0] == pytest.approx(jeffreys, abs=0.005)
    half = project(ds, scenario=Scenario(landing_rate=0.5))
    assert (half.landing["landed_mean"] < base.landing["landed_mean"]).all()
    assert half.landing["landed_mean"].to_numpy() == pytest.approx(0.5 * half.landing["signed_mean"].to_numpy(), rel=0.03)
    pd.testing.assert_frame_equal(half.table, base.table)  # landing scenario leaves signings alone
    assert len(base.landing[base.landing["kind"] == "projected"]) == 3


def test_same_seed_same_output_other_seed_slightly_different(ds, base):
    again = project(ds, seed=DEFAULT_SEED)
    for name in ("table", "thresholds", "landing", "backtest"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(base, name))
    assert again.to_json() == base.to_json()
    other = project(ds, seed=DEFAULT_SEED + 1)
    assert not other.table.equals(base.table)
    rel = (other.table["mean"] - base.table["mean"]).abs() / base.table["mean"]
    assert rel.max() < 0.03


def test_backtest_2021_has_2022_actuals(ds, back, base):
    full = metrics.trends(ds)
    single = full[(full["n_years"] == 1) & (full["first_year"] == 2022)].iloc[0]
    bt = back.backtest.set_index("metric")
    assert list(back.backtest["year"]) == [2022, 2022]
    assert bt.loc["projects", "actual"] == float(single["projects"])  # 37
    assert bt.loc["investment_100m_yuan", "actual"] == pytest.approx(float(single["investment_100m_yuan"]))  # 280.66
    for metric, r in bt.iterrows():
        proj = _metric(back, metric).loc[2022]
        assert r["mean"] == proj["mean"] and r["pi95_lo"] == proj["pi95_lo"]
        assert r["inside80"] == (r["pi80_lo"] <= r["actual"] <= r["pi80_hi"])
        assert r["inside95"] == (r["pi95_lo"] <= r["actual"] <= r["pi95_hi"])
        assert r["interval_score"] == pytest.approx(float(interval_score(r["actual"], r["pi95_lo"], r["pi95_hi"])))
    # fitted on the 2019-2021 aggregate only: floor dispersion and the default project-size spread
    assert back.model["projects"]["n_periods"] == 1 and back.model["projects"]["alpha"] == ALPHA_FLOOR
    assert back.model["investment"]["sigma"] == DEFAULT_SIGMA
    assert base.model["investment"]["breakdowns"] == ["2022"]


def test_backtest_fills_itself_when_a_year_is_added(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)

    def append(name, row):
        with open(data / name, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        with open(data / name, "a", newline="", encoding="utf-8") as f:
            csv.DictWriter(f, header).writerow(row)

    append("sources.csv", {"source_id": "test2023", "publisher_zh": "测试", "publisher_en": "Test", "date_year": 2023,
                           "language": "zh", "note": "synthetic source for a test"})
    append("conferences.csv", {"year": 2023, "source_id": "test2023", "evidence": "2023年"})
    append("signings.csv", {"source_id": "test2023", "first_year": 2023, "last_year": 2023, "dimension": "total",
                            "projects": 45, "projects_qualifier": "exact", "investment_100m_yuan": 310.5,
                            "investment_qualifier": "exact", "evidence": "45个项目,310.5亿元"})
    ds2 = load(data)
    p = project(ds2, through=2021, n_sims=2000)
    assert sorted(set(p.backtest["year"])) == [2022, 2023]
    assert p.backtest.set_index(["year", "metric"]).loc[(2023, "projects"), "actual"] == 45
    latest = project(ds2, n_sims=2000)
    assert latest.backtest.empty and latest.model["data"]["n_periods"] == 3


def test_no_backtest_at_the_last_year(base):
    assert base.backtest.empty
    assert "backtest" not in base.to_json()


def _plain(x) -> bool:
    if x is None or type(x) in (bool, int, str):
        return True
    if type(x) is float:
        return math.isfinite(x) and round(x, 4) == x
    if type(x) is list:
        return all(_plain(v) for v in x)
    if type(x) is dict:
        return all(type(k) is str and _plain(v) for k, v in x.items())
    return False


def test_to_json_round_trips(base, back):
    for p in (base, back):
        out = p.to_json()
        assert _plain(out)
        assert json.loads(json.dumps(out, allow_nan=False)) == out
        assert [r["year"] for r in out["projection"]] == p.model["years"]
        for r in out["projection"]:
            for metric in METRICS:
                assert set(r[metric]) == {"mean", "pi80", "pi95"} and len(r[metric]["pi95"]) == 2
        assert {"projection_model", "threshold_probabilities", "landing_projection"} <= set(out)
    bt = back.to_json()["backtest"]
    assert {b["metric"] for b in bt} == {"projects", "investment_100m_yuan"}
    assert set(bt[0]) == {"year", "metric", "actual", "mean", "pi80", "pi95", "inside80", "inside95", "interval_score"}


def test_horizon_and_thresholds(ds):
    one = project(ds, horizon=1, n_sims=2000)
    assert list(one.table["year"].unique()) == [2023] and len(one.to_json()["projection"]) == 1
    five = project(ds, horizon=5, n_sims=2000, thresholds=(1200.0,))
    assert list(five.table["year"].unique()) == [2023, 2024, 2025, 2026, 2027]
    thr = five.thresholds
    assert len(thr) == 5 and (thr["threshold_100m_yuan"] == 1200.0).all()
    assert thr["probability"].is_monotonic_increasing
    assert len(five.landing[five.landing["kind"] == "projected"]) == 5


def test_data_note_is_written_from_the_numbers(base, back):
    en = base.data_note()
    assert "2 published periods" in en and "161 projects" in en and "2019–2021 is a 3-year aggregate" in en
    assert "0.04" in en
    zh = base.data_note("zh")
    assert "2个公布期间" in zh and "3年合计数" in zh and "161个项目" in zh
    en1 = back.data_note()
    assert "1 published period " in en1 and "124 projects" in en1 and "default sigma" in en1


@pytest.mark.parametrize("kwargs", [{"through": 2018}, {"through": 2020}, {"through": 2030}, {"horizon": 0}, {"model": "ols"}])
def test_bad_arguments_raise(ds, kwargs):
    with pytest.raises(ValueError):
        project(ds, n_sims=1000, **kwargs)


def test_bad_scenario_raises():
    with pytest.raises(ValueError):
        Scenario(landing_rate=1.5)
    with pytest.raises(ValueError):
        Scenario(growth_projects=-1.0)
