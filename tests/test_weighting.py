"""Averaging vs stacking vs one local-linear-trend model, and the prior-sensitivity table (issue 22, item 5).

Each check recomputes by another path: the stacking weights by a brute-force grid over the simplex, the log
score of a count from ``scipy.stats.poisson``, the integrated-out next-year moments from simulated futures, the
averaging score from the production model's own predictive draws, the default row of the sensitivity table from
the projection itself. Bands come from the number of draws or fits and the nominal level.
"""

from __future__ import annotations

import itertools
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import compute, load
from analysis.core.config import PRIORS
from analysis.stats import calibration, weighting
from analysis.stats import model as M
from analysis.stats import posterior as PS
from analysis.stats.model import signings


@pytest.fixture(scope="module")
def res2023():
    return compute(load(), 2023)


# ---------------------------------------------------------------------------------------------- scores


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stacking_weights_are_the_best_point_of_a_grid_over_the_simplex(seed):
    rng = np.random.default_rng(seed)
    log_dens = rng.normal(-3, 1.0, size=(5, 3))
    w = weighting.stacking_weights(log_dens)

    def objective(v):
        return float(np.sum(np.log(np.exp(log_dens) @ np.asarray(v))))

    step = 0.01
    grid = [
        (a * step, b * step, 1 - (a + b) * step) for a, b in itertools.product(range(101), repeat=2) if a + b <= 100
    ]
    values = [objective(v) for v in grid]
    best = grid[int(np.argmax(values))]
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)
    assert objective(w) >= max(values) - 1e-9  # no grid point does better
    assert np.max(np.abs(w - np.array(best))) <= 2 * step  # and it is the grid's best, up to the grid's step


def test_stacking_weights_without_a_score_are_equal():
    assert weighting.stacking_weights(np.full((2, 3), np.nan)).tolist() == pytest.approx([1 / 3] * 3)


def test_log_score_of_a_count_is_the_poisson_mixture_of_scipy():
    rng = np.random.default_rng(3)
    rate = rng.gamma(20.0, 2.0, 500)
    w = rng.random(500)
    w /= w.sum()
    for y in (0, 17, 40, 95):
        expect = math.log(np.sum(w * stats.poisson.pmf(y, rate)))
        assert weighting.log_score_count((y, y), rate, w) == pytest.approx(expect, rel=1e-9)
    # a hedged count ("more than 40": 41 or more; "between 30 and 35") scores the probability of its interval
    assert weighting.log_score_count((41, math.inf), rate, w) == pytest.approx(
        math.log(np.sum(w * stats.poisson.sf(40, rate))), rel=1e-9
    )
    assert weighting.log_score_count((30, 35), rate, w) == pytest.approx(
        math.log(np.sum(w * (stats.poisson.cdf(35, rate) - stats.poisson.cdf(29, rate)))), rel=1e-9
    )


def test_log_score_of_investment_is_the_density_of_its_log_under_the_mixture():
    z = np.log([200.0, 300.0, 400.0])
    w = np.array([0.2, 0.5, 0.3])
    x = 310.0
    # the density of the reported figure (a lognormal mixture, scipy) times x: the density of its log
    dens_x = np.sum(w * stats.lognorm.pdf(x, M.INVESTMENT_MEASUREMENT_SD, scale=np.exp(z)))
    assert weighting.log_score_investment(x, z, w) == pytest.approx(math.log(dens_x * x), rel=1e-9)


# ---------------------------------------------------------------------------------------------- the llt model


def test_llt_paths_follow_the_local_linear_trend_recursion():
    T = 6
    m = signings._Model("llt", T)
    x, _, _ = m.sample_prior(np.random.default_rng(4), 3)
    eta, a = m.paths(x)
    for path, first, prev, steps in (
        (eta, "beta", "u", slice(m.nf, m.nf + m.ne)),
        (a, "gamma", "w", slice(m.nf + m.ne, m.D)),
    ):
        level = x[:, m.ix["mu" if first == "beta" else "alpha"]].copy()
        slope = x[:, m.ix[first]].copy()
        d = x[:, steps]
        assert np.allclose(path[:, 0], level)
        for t in range(1, T):
            if t >= 2:
                slope = slope + x[:, m.ix[f"{prev}{t}"]]
            level = level + slope + d[:, t - 1]
            assert np.allclose(path[:, t], level)


@pytest.mark.parametrize("kind", [*M.MODELS, "llt"])
def test_next_year_moments_are_those_of_simulated_futures(kind):
    """The Gaussian the scores integrate over equals the future the projection simulates (mean, variance)."""
    m = signings._Model(kind, 5)
    x, sd, tau = m.sample_prior(np.random.default_rng(5), 1)
    n = 200_000
    xs, sds, taus = np.repeat(x, n, axis=0), np.repeat(sd, n), np.repeat(tau, n)
    eta, a = m.future(xs, sds, taus, 1, np.random.default_rng(6))
    m_eta, v_eta, m_a, v_a = m.next_moments(x, sd, tau)
    for draws, mean, var in ((eta[:, 0], m_eta[0], v_eta[0]), (a[:, 0], m_a[0], v_a[0])):
        se = math.sqrt(var / n)
        assert abs(draws.mean() - mean) < 5 * se
        assert abs(draws.var() / var - 1) < 5 * math.sqrt(2 / n)


def test_llt_predictions_cover_its_own_prior_draws():
    """In the llt model's own world, next year's 80 % interval covers the truth at the nominal rate (3 se of n)."""
    rng = np.random.default_rng(7)
    n, T, level = 60, 5, 0.8
    covered = 0
    for i in range(n):
        eta, a = M.sample_prior_paths("llt", T + 1, rng)
        counts = rng.poisson(np.exp(np.minimum(eta, 9.0)))
        totals = np.exp(np.minimum(eta + a, 20.0) + M.INVESTMENT_MEASUREMENT_SD * rng.standard_normal(T + 1))
        periods = [M.PeriodObs(2019 + t, 2019 + t, int(counts[t]), None, float(totals[t])) for t in range(T)]
        f = weighting._fit_llt(periods, i, 400, 5)
        m_eta, v_eta, _, _ = f.model.next_moments(f.x, f.sd, f.tau)
        nodes = m_eta[:, None] + np.sqrt(v_eta)[:, None] * weighting._GH_X[None, :]
        rate, w = np.exp(np.minimum(nodes, 30.0)).ravel(), np.outer(f.weights, weighting._GH_W).ravel()
        y = counts[T]
        below, at = np.sum(w * stats.poisson.cdf(y - 1, rate)), np.sum(w * stats.poisson.pmf(y, rate))
        pit = below + rng.random() * at  # randomised PIT: uniform for a calibrated forecast of a count
        covered += (1 - level) / 2 <= pit <= (1 + level) / 2
    band = 3 * math.sqrt(level * (1 - level) / n)
    assert abs(covered / n - level) <= band


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown model"):
        signings._Model("spline", 4)


# ---------------------------------------------------------------------------------------------- real backtests


def test_real_backtest_scores_every_origin_and_averaging_matches_the_projections_draws():
    res = compute(load(), 2024, projection=False)
    bt = weighting.backtest(res)
    assert sorted(set(bt["year"])) == [o + 1 for o in weighting.ORIGINS]
    assert np.isfinite(bt[list(weighting.METHODS)].to_numpy()).all()
    # at the first origin stacking has nothing to learn from: equal weights
    first = bt[bt["year"] == bt["year"].min()].iloc[0]
    assert [first[f"w_stacking_{k}"] for k in M.MODELS] == pytest.approx([1 / 3] * 3)
    # the averaging score of 2023's count, recomputed from the production model's own predictive draws
    from analysis.stats import metrics
    from analysis.stats.projection import observations

    v = metrics.vintage(res.dataset, 2022)
    periods, _ = observations(v.dataset, 2022)
    y = next(p.projects for p in observations(res.dataset, 2024)[0] if p.first_year == p.last_year == 2023)
    rate = M.fit(periods, seed=0).predict([2023], 20_000, np.random.default_rng(1))["rate"][:, 0]
    pmf = stats.poisson.pmf(y, rate)
    mc = math.log(pmf.mean())
    se = pmf.std() / pmf.mean() / math.sqrt(len(rate))  # delta method
    got = float(bt[(bt["year"] == 2023) & (bt["target"] == "projects")]["averaging"].iloc[0])
    assert abs(got - mc) < 4 * se + 0.01  # 0.01: the two fits' own importance-sampling noise


def test_backtest_uses_only_what_the_vintage_knew(res2023):
    years = set(weighting.backtest(res2023)["year"])
    assert years and years == {o + 1 for o in weighting.ORIGINS if o + 1 <= res2023.through}


# ---------------------------------------------------------------------------------------------- the verdict


def _table(diffs: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    rows = []
    for m in weighting.METHODS:
        for j, (d, se) in enumerate(diffs.get(m, [(0.0, 0.0)] * 2)):
            rows.append({"process": f"w{j}", "target": "projects", "method": m, "diff": d, "diff_se": se})
    return pd.DataFrame(rows)


def test_verdict_keeps_averaging_unless_another_wins_clearly():
    k = weighting.WIN_SE
    close = _table({"stacking": [(0.9 * k * 0.1, 0.1), (0.0, 0.1)], "llt": [(-0.1, 0.1), (0.05, 0.1)]})
    assert weighting.verdict(close)["keep"] == "averaging"
    clear = _table({"stacking": [(1.1 * k * 0.1, 0.1), (0.0, 0.1)], "llt": [(0.0, 0.1), (0.0, 0.1)]})
    assert weighting.verdict(clear)["keep"] == "stacking"
    mixed = _table({"stacking": [(1.1 * k * 0.1, 0.1), (-1.1 * k * 0.1, 0.1)]})
    assert weighting.verdict(mixed)["keep"] == "averaging"


# ---------------------------------------------------------------------------------------------- the stored study


def test_stored_study_covers_every_world_and_target():
    df, meta = weighting.stored()
    assert set(df["process"]) == set(calibration.PROCESSES)
    assert set(df["target"]) == set(weighting.TARGETS) and set(df["method"]) == set(weighting.METHODS)
    assert (df["n"] == meta["size"]["n_histories"]).all()


def test_stored_study_refuses_an_edited_table(tmp_path):
    for ext in ("csv", "json"):
        shutil.copy(weighting.STORED_DIR / f"weighting.{ext}", tmp_path)
    weighting.stored(tmp_path)
    csv = tmp_path / "weighting.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("averaging", "averagin", 1), encoding="utf-8")
    with pytest.raises(calibration.StaleStudy):
        weighting.stored(tmp_path)


def test_study_is_deterministic_and_a_world_does_not_depend_on_the_others_or_the_workers():
    size = weighting.StudySize(2, n_draws=200, n_grid=4)
    both = weighting.study(size, seed=1, processes=("heavy", "growth"), workers=2)
    alone = weighting.study(size, seed=1, processes=("growth",))
    pd.testing.assert_frame_equal(both[both["process"] == "growth"].reset_index(drop=True), alone)
    assert set(both["method"]) == set(weighting.METHODS) and (both["n"] == 2).all()


# ---------------------------------------------------------------------------------------------- prior sensitivity


def test_sensitivity_default_row_is_the_projection(res2023):
    t = PS.prior_sensitivity(res2023)
    default = t[t["prior"].isna()].iloc[0]
    row = res2023.projection.row(res2023.projection.years[0], "projects")
    assert [default["median"], default["pi80_lo"], default["pi80_hi"]] == [
        row["median"],
        row["pi80_lo"],
        row["pi80_hi"],
    ]
    assert [default[f"weight_{k}"] for k in M.MODELS] == [res2023.projection.weights[k] for k in M.MODELS]


def test_sensitivity_halves_and_doubles_every_scale_and_restores_the_priors(res2023):
    before = dict(PRIORS)
    t = PS.prior_sensitivity(res2023)
    assert PRIORS == before
    varied = t.dropna(subset=["prior"])
    assert list(dict.fromkeys(varied["prior"])) == PS.sensitivity_priors()
    for r in varied.itertuples():
        p = PRIORS[r.prior]
        declared = p.params[1] if p.dist == "normal" else p.params[0]
        assert r.scale == pytest.approx(declared * r.factor)
    assert sorted(set(varied["factor"])) == sorted(PS.SENSITIVITY_FACTORS)


def test_a_wider_trend_prior_lowers_the_drift_weight(res2023):
    """Occam's razor in the evidence: the more growth the prior spreads over, the less the data favour it."""
    t = PS.prior_sensitivity(res2023).set_index(["prior", "factor"])
    default = PS.prior_sensitivity(res2023)["weight_drift"].iloc[0]
    assert t.loc[("rate_trend", 0.5), "weight_drift"] > default > t.loc[("rate_trend", 2.0), "weight_drift"]
