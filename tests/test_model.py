"""Tests of analysis.stats.model: exact aggregates, widening intervals, determinism, landing predictions."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from analysis.core.qualifiers import interval
from analysis.stats import metrics
from analysis.stats import model as M
from analysis.stats import projection as P
from analysis.stats.model import PeriodObs, landing, signings

from .conftest import real_data

# The real history through 2023, as the projection builds it from data/ (tests/test_projection.py
# checks these inputs against the published figures).
REAL, LANDING = P.observations(metrics.known_at_release(real_data(), 2023), 2023)


@pytest.fixture(scope="module")
def real_post():
    return M.fit(REAL, LANDING, seed=7)


def test_priors_are_documented_once():
    for name, p in M.PRIORS.items():
        assert p.dist in {"normal", "halfnormal", "beta", "categorical"}, name
        assert len(p.reason) > 40, name
    assert math.isclose(sum(M.PRIORS["model"].params), 1.0)


def test_aggregate_count_likelihood_is_the_exact_sum_over_latent_years():
    # P(Y_2019 + Y_2020 = 85) summed over every split equals the model's aggregate term.
    periods = [PeriodObs(2019, 2020, 85), PeriodObs(2021, 2021, 39)]
    data = signings._Data(periods)
    eta = np.log(np.array([[30.0, 50.0, 41.0], [44.0, 44.0, 35.0]]))
    ll = data.loglik(eta, np.zeros_like(eta))
    lam = np.exp(eta)
    k = np.arange(86)
    brute = [
        math.log(np.sum(stats.poisson.pmf(k, rates[0]) * stats.poisson.pmf(85 - k, rates[1])))
        + stats.poisson.logpmf(39, rates[2])
        for rates in lam
    ]
    np.testing.assert_allclose(ll, brute, rtol=1e-10)


def test_aggregate_investment_is_the_sum_of_latent_yearly_totals():
    periods = [PeriodObs(2019, 2020, None, None, 552.0), PeriodObs(2021, 2021)]
    data = signings._Data(periods)
    eta = np.log(np.array([[40.0, 45.0, 39.0]]))
    a = np.log(np.array([[5.0, 7.9, 6.0]]))
    total = 40 * 5.0 + 45 * 7.9
    s = M.INVESTMENT_MEASUREMENT_SD
    expect = stats.norm.logpdf(math.log(552.0), math.log(total), s)
    np.testing.assert_allclose(data.loglik(eta, a), [expect], rtol=1e-12)


def test_intervals_widen_with_horizon_on_real_history(real_post):
    sims = real_post.predict([2024, 2025, 2026], 20000, np.random.default_rng(11))
    for k in ("projects", "investment"):
        lo, hi = np.quantile(sims[k], [0.025, 0.975], axis=0)
        width = hi - lo
        assert width[2] > width[0] * 1.1, (k, width)
        assert width[1] > width[0], (k, width)


def test_weights_diagnostics_and_summary(real_post):
    assert set(real_post.weights) == set(M.MODELS)
    assert math.isclose(sum(real_post.weights.values()), 1.0)
    for k, d in real_post.diagnostics().items():
        assert d["ess"] > 200, (k, d)  # importance sampling must not be degenerate on our data
        assert d["khat"] < 0.7, (k, d)
    s = real_post.summary()
    assert {"weights", "models", "averaged", "landing"} <= set(s)
    r = s["averaged"]["rate_next_year"]
    assert r["q10"] < r["q50"] < r["q90"]
    assert "growth" in s["models"]["drift"]


def test_deterministic_given_seed():
    p1 = M.fit(REAL[:2], LANDING[:1], seed=5)
    p2 = M.fit(REAL[:2], LANDING[:1], seed=5)
    a = p1.predict([2022, 2023], 2000, np.random.default_rng(9))
    b = p2.predict([2022, 2023], 2000, np.random.default_rng(9))
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert p1.weights == p2.weights
    c = M.fit(REAL[:2], seed=6).predict([2022, 2023], 2000, np.random.default_rng(9))
    assert not np.array_equal(a["investment"], c["investment"])


def _next_count(last: PeriodObs, n_sims: int = 20000) -> tuple[float, float]:
    """The predictive mean of 2023's count after 2019–2020 (85, investment not published), 2021 (about 247
    亿元, count not published) and ``last``, and its Monte-Carlo standard error: the predictive sd times
    sqrt(1 / ESS + 1 / n_sims), the smallest effective sample size of the three models standing for the
    posterior draws behind the simulations."""
    periods = [
        PeriodObs(2019, 2020, 85, None, None, None),
        PeriodObs(2021, 2021, None, None, 247.0, P._money_bounds(interval(247.0, "approx"))),
        last,
    ]
    post = M.fit(periods, seed=1)
    sims = post.predict([2023], n_sims, np.random.default_rng(2))
    assert np.all(sims["projects"] >= 0) and np.all(sims["investment"] > 0)
    ess = min(d["ess"] for d in post.diagnostics().values())
    x = sims["projects"][:, 0]
    return float(x.mean()), float(x.std() * math.sqrt(1 / ess + 1 / n_sims))


def test_partial_and_hedged_periods():
    """A count published as "over 30" (31 or more) is censored, not read as 31. The likelihood ratio of the two,
    P(Y >= 31 | rate) / P(Y = 31 | rate), increases with the rate, so the posterior of the rate under the
    censored count lies above that under an exact 31 (monotone likelihood ratio), and so does the predictive
    mean of the next count: by more than 4 Monte-Carlo standard errors of the difference."""
    exact, se_exact = _next_count(PeriodObs(2022, 2022, 31, None, 280.0, None))
    over, se_over = _next_count(PeriodObs(2022, 2022, 37, (31, math.inf), 280.0, (280.0, math.inf)))
    assert over - exact > 4 * math.hypot(se_exact, se_over), (exact, over, se_exact, se_over)


def _investment_loglik(bounds, totals):
    """Log-likelihood of one year with 37 projects whose intended investment is ``totals`` (亿元), given a
    published amount with ``bounds``."""
    eta = np.full((len(totals), 1), math.log(37))
    a = np.log(np.asarray(totals, float))[:, None] - math.log(37)
    count_only = signings._Data([PeriodObs(2022, 2022, 37)]).loglik(eta, a)  # the Poisson term of the 37 projects
    return signings._Data([PeriodObs(2022, 2022, 37, None, None, bounds)]).loglik(eta, a) - count_only


def test_an_upper_bound_enters_the_likelihood_as_an_upper_bound():
    """不足300 (0, 300): totals below 300 are all as likely (no centre is invented), one above is far less
    likely; the mirror of 超300, a lower bound."""
    below_far, below, above = _investment_loglik(P._money_bounds(interval(300.0, "under")), [100.0, 250.0, 400.0])
    assert below_far == pytest.approx(below, abs=1e-6) == 0.0
    assert below - above > 50
    lo_far, lo_near, hi = _investment_loglik(P._money_bounds(interval(300.0, "over")), [100.0, 250.0, 400.0])
    assert hi - lo_near > 20 and lo_far < lo_near and hi == pytest.approx(0.0, abs=1e-6)


def test_predict_rejects_past_years(real_post):
    with pytest.raises(ValueError):
        real_post.predict([2023], 10, np.random.default_rng(0))


# ----------------------------------------------------------------------------------------- landing


# The real statements with whole-year ages (no months), as the brute force below counts them.
WHOLE_YEARS = [dataclasses.replace(s, at=(), signed_at=()) for s in LANDING]


def _exact_binomial_loglik(c, h, n_statements: int = 3):
    """Brute-force joint likelihood of the first ``n_statements`` (2 or 3) real landing statements, with
    independent projects and whole-year ages: 2019–2020 in 2021 (a range), 2019–2021 in 2022, 2019–2022 in 2023."""
    s1, s2, s3 = WHOLE_YEARS
    nA, nB, nC = (p.projects for p in REAL[:3])  # 2019–2020, 2021, 2022
    v1, v2, v3 = s1.vintage, s2.vintage, s3.vintage
    F = lambda a: c * (1 - (1 - h) ** a)  # noqa: E731
    FA = lambda v: 0.5 * (F(v - 2019) + F(v - 2020))  # noqa: E731  aggregate: years equally likely
    pA1 = FA(v1)
    qA2 = (FA(v2) - FA(v1)) / (1 - FA(v1))
    qA3 = (FA(v3) - FA(v2)) / (1 - FA(v2))
    pB1, qB2 = F(v2 - 2021), (F(v3 - 2021) - F(v2 - 2021)) / (1 - F(v2 - 2021))
    pC1 = F(v3 - 2022)
    landed2, more3 = s2.landed_bounds[0], s3.landed_bounds[0] - s2.landed_bounds[0]
    total = 0.0
    for a1 in range(s1.landed_bounds[0], s1.landed_bounds[1] + 1):
        for b1 in range(nB + 1):
            a2 = landed2 - a1 - b1
            if a2 < 0 or a2 > nA - a1:
                continue
            first_two = stats.binom.pmf(a1, nA, pA1) * stats.binom.pmf(a2, nA - a1, qA2) * stats.binom.pmf(b1, nB, pB1)
            if n_statements == 2:
                total += first_two
                continue
            pend_a, pend_b = nA - a1 - a2, nB - b1
            pa3 = stats.binom.pmf(np.arange(pend_a + 1), pend_a, qA3)
            pb2 = stats.binom.pmf(np.arange(pend_b + 1), pend_b, qB2)
            pc = stats.binom.pmf(np.arange(nC + 1), nC, pC1)
            conv = np.convolve(np.convolve(pa3, pb2), pc)
            total += first_two * (conv[more3] if conv.size > more3 else 0.0)
    return math.log(total)


def test_landing_chain_close_to_brute_force():
    """The chain is exact while the pending pool is one group (statement 2); at statement 3 the pool
    mixes 2019-2020 and 2021 projects and its mix is taken at its expectation. Compare the posterior
    it gives with the brute-force binomial likelihood on a grid: shares landed within 1 and 3 years
    agree closely; c and h shift by less than about half a posterior sd (stated in the report)."""
    groups = landing._chain_groups(REAL, WHOLE_YEARS)
    cs, hs = np.linspace(0.8, 0.995, 10), np.linspace(0.35, 0.97, 10)
    C, H = (g.ravel() for g in np.meshgrid(cs, hs, indexing="ij"))
    approx_ll = landing._chain_loglik(WHOLE_YEARS, groups, C, H, np.full(C.size, 1e-7))
    exact_ll = np.array([_exact_binomial_loglik(c, h) for c, h in zip(C, H, strict=True)])
    lp = stats.beta.logpdf(C, *M.PRIORS["landing_eventual"].params) + stats.beta.logpdf(
        H, *M.PRIORS["landing_hazard"].params
    )
    # statements 1-2 alone are exact (up to the tiny within-cohort correlation rho = 1e-7: about 1e-4)
    two = landing._chain_loglik(WHOLE_YEARS[:2], groups[:2], np.array([0.9]), np.array([0.7]), np.array([1e-7]))[0]
    assert two == pytest.approx(_exact_binomial_loglik(0.9, 0.7, n_statements=2), abs=1e-3)

    def med(ll, x):
        w = np.exp(lp + ll - (lp + ll).max())
        o = np.argsort(x)
        return x[o][np.searchsorted(np.cumsum(w[o]) / w.sum(), 0.5)]

    for f, tol in (
        (lambda c, h: c * h, 0.02),
        (lambda c, h: c * (1 - (1 - h) ** 3), 0.03),
        (lambda c, h: c, 0.05),
        (lambda c, h: h, 0.08),
    ):
        x = f(C, H)
        assert abs(med(approx_ll, x) - med(exact_ll, x)) <= tol


def test_landing_predictions_are_counts_within_the_cohort(real_post):
    """Predictions are draws of observed counts (whole numbers from 0 to the signed count); their coverage is
    checked against data simulated from the prior in tests/test_landing_model.py."""
    lp = real_post.landing
    rng = np.random.default_rng(4)
    # a new cohort built like the 2019-2022 one, observed at the same ages
    pred = lp.predict_cohort([(p.first_year, p.last_year, p.projects) for p in REAL[:3]], 2023, 20000, rng)
    landed = pred["landed"]
    last = LANDING[-1]  # 2019–2022 in 2023
    assert np.all(landed == np.round(landed)) and landed.min() >= 0 and landed.max() <= last.signed
    # projected cohorts with drawn signed counts
    signed = M.fit(REAL, seed=1).predict([2024], 5000, rng)["projects"][:, 0]
    p2 = lp.predict_cohort([(2024, 2024, signed.astype(int))], 2026, 5000, rng)
    assert np.all(p2["landed"] <= p2["signed"]) and np.all(p2["landed"] >= 0)


def test_existing_cohort_only_gains_landings(real_post):
    lp = real_post.landing
    p = lp.predict_existing(2025, 5000, np.random.default_rng(3))
    landed, signed = LANDING[-1].landed_bounds[0], LANDING[-1].signed
    assert p["landed"].min() >= landed and p["landed"].max() <= signed
    assert landed / signed <= np.median(p["rate"]) <= 1.0
    with pytest.raises(ValueError):
        lp.predict_cohort([(2023, 2023, 50)], 2023, 10, np.random.default_rng(0))


def test_the_model_package_offers_its_public_names():
    """Callers import the model package as they imported the one module it was split from: every public name
    is reachable from the package, and is the object of the module that does that job."""
    assert all(hasattr(M, name) for name in M.__all__)
    assert M.fit is signings.fit and M.Posterior is signings.Posterior
    assert M.fit_landing is landing.fit_landing and M.LandingPosterior is landing.LandingPosterior
    assert {"LEVELS", "central_interval", "PeriodObs", "LandingObs"} <= set(M.__all__)
