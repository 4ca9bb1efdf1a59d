"""Tests of the landing model (issue 22, item 4): a fine grid for rho, ages from months, the leave-one-statement-out
check, the landing projection under other priors, and the coverage of its intervals in data simulated from the prior.
"""

from __future__ import annotations

import csv
import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from analysis import compute, load, tables
from analysis.core.config import LANDING_PRIOR_SETS, PRIORS
from analysis.stats import metrics
from analysis.stats import model as M
from analysis.stats import projection as P
from analysis.stats.model import LandingObs, PeriodObs, landing

from .conftest import DATA, real_data

# The real inputs through 2023, as the projection builds them from data/.
REAL, LANDING = P.observations(metrics.known_at_release(real_data(), 2023), 2023)


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _rho_marginal(post) -> tuple[np.ndarray, np.ndarray]:
    """The posterior mass of each rho grid value (in increasing order)."""
    values, idx = np.unique(np.round(post.rho, 12), return_inverse=True)
    return values, np.bincount(idx, weights=post.w)


# ------------------------------------------------------------------------------------------------- rho


@pytest.fixture(scope="module")
def grids():
    return {n: landing.fit_landing(REAL, LANDING, n_rho=n) for n in (8, 16, 32)}


def test_rho_does_not_pile_on_an_edge_cell_and_the_edge_mass_shrinks_as_the_grid_refines(grids):
    """With five prior nodes 69 % of rho's posterior sat on the top node. On the fine grid each edge cell holds
    little mass, and refining the grid (the same range, more cells) shrinks it, as for any smooth density."""
    tops, bottoms = [], []
    for n, post in grids.items():
        values, mass = _rho_marginal(post)
        assert len(values) == n
        tops.append(mass[-1])
        bottoms.append(mass[0])
        assert 0 < int(np.argmax(mass)) < n - 1, (n, mass)  # the mode is inside the grid
    assert max(tops) < 0.01 and max(bottoms) < 0.01, (tops, bottoms)
    assert tops[0] > tops[1] > tops[2] and bottoms[0] > bottoms[1] > bottoms[2]


def test_the_landing_posterior_is_grid_stable(grids):
    """Medians of c, h, rho and the share landed within a year move by less than a tenth of a posterior sd
    when the rho grid doubles, and when the (c, h) grid is half as fine again."""
    finer = landing.fit_landing(REAL, LANDING, n_grid=(36, 36), n_rho=32)

    def medians_and_sds(post):
        c, h, rho = post.draws(40000, np.random.default_rng(1))
        xs = (c, h, rho, landing._F(1, c, h))
        return np.array([np.median(x) for x in xs]), np.array([np.std(x) for x in xs])

    m16, sd = medians_and_sds(grids[16])
    for other in (grids[32], finer):
        m, _ = medians_and_sds(other)
        assert np.all(np.abs(m - m16) < 0.1 * sd), (m, m16, sd)


# ------------------------------------------------------------------------------------------------- months


def test_ages_come_from_the_months_of_the_conferences_and_statements():
    """Read from the csv files directly: a known month is one time (its middle); an unknown month is the
    twelve mid-month times of its year, so the 2020 cohort at the first statement is on average
    ``statement month - 0.5`` twelfths past a year minus half a year old, under a year and a half."""
    months = {}
    for r in _rows("conferences.csv"):
        if r["month"]:
            months[int(r["year"])] = int(r["month"])
    source = {r["source_id"]: r for r in _rows("sources.csv")}
    landing_rows = [r for r in _rows("landing.csv") if r["first_year"] == "2019" and r["last_year"] == "2020"]
    first = source[landing_rows[0]["source_id"]]
    s_year, s_month = int(first["date_year"]), int(first["date_month"])
    s1 = LANDING[0]
    assert (s1.first_year, s1.last_year, s1.vintage) == (2019, 2020, s_year)
    assert s1.at == (s_year + (s_month - 0.5) / 12,)
    assert 2020 not in months  # the 2020 conference's month is not known: uniform over the year
    ages, probs = landing._ages((s1.signed_at[1],), s1.at)
    assert len(ages) == 12 and np.allclose(probs, 1 / 12)
    assert float(ages @ probs) == pytest.approx(s_year - 2020 + (s_month - 0.5) / 12 - 0.5)
    assert ages.max() < 1.5 and ages.min() > 0
    # a conference with a known month is one time: the 2021 cohort at the 2022 statement
    s2 = LANDING[1]
    assert s2.signed_at[2021 - s2.first_year] == (2021 + (months[2021] - 0.5) / 12,)


def test_a_cohort_younger_than_a_year_is_less_likely_to_have_landed_than_a_year_old_one():
    """Before months were used the May 2021 statement's 2020 cohort counted as a full year old."""
    g = landing._chain_groups(REAL, LANDING)[0][0]  # 2019–2020 at the first statement
    c, h = np.array([0.9]), np.array([0.6])
    months = g.Fbar(LANDING[0].at, c, h)[0]
    whole = 0.5 * (landing._F(2, c, h) + landing._F(1, c, h))[0]  # ages 2 and 1, as before
    assert months < whole
    assert months == pytest.approx(
        0.5 * sum(np.mean(c * (1 - (1 - h) ** (LANDING[0].at[0] - np.array(t)))) for t in g.signed_at)
    )


def test_time_nodes_are_uniform_over_an_unknown_month():
    t = np.array(M.time_nodes(2022))
    assert len(t) == 12 and np.allclose(np.diff(t), 1 / 12) and t.mean() == pytest.approx(2022.5)
    assert M.time_nodes(2023, 9) == (2023 + 8.5 / 12,)


# ------------------------------------------------------------------------------------------------- leave one out


def test_the_statement_predictive_agrees_with_simulated_predictions():
    """The exact predictive of a later statement (the chain, given the earlier one) against the model's own
    simulations of the same count (``predict_existing``), fitted to the first statement only."""
    whole = [dataclasses.replace(s, at=(), signed_at=()) for s in LANDING]
    post = landing.fit_landing(REAL, whole[:1])
    pmf = landing.statement_predictive(post, REAL, whole[1], whole[:1])
    new = REAL[1]
    sims = post.predict_existing(
        whole[1].vintage, 40000, np.random.default_rng(2), new_groups=[(new.first_year, new.last_year, new.projects)]
    )
    # the second statement's cohort is the first's plus the new period's projects
    assert whole[1].signed == REAL[0].projects + new.projects
    k = np.arange(len(pmf))
    mean, sd = float(pmf @ k), math.sqrt(float(pmf @ k**2) - float(pmf @ k) ** 2)
    # the simulations jitter the parameters within their grid cells: a small extra spread
    assert abs(sims["landed"].mean() - mean) < 0.05 * sd + 3 * sd / math.sqrt(40000)
    assert abs(sims["landed"].std() - sd) < 0.05 * sd
    assert pmf[: whole[0].landed_bounds[0]].sum() == 0  # a landed project stays landed


def test_leave_one_out_places_each_stated_count_in_its_predictive():
    rows = M.leave_one_out(REAL, LANDING)
    assert [(r["first_year"], r["last_year"], r["vintage"]) for r in rows] == [
        (s.first_year, s.last_year, s.vintage) for s in LANDING
    ]
    for r, s in zip(rows, LANDING, strict=True):
        pmf = landing.statement_predictive(
            landing.fit_landing(REAL, [x for x in LANDING if x is not s]),
            REAL,
            s,
            [x for x in LANDING if x.vintage < s.vintage],
        )
        cdf = np.cumsum(pmf)
        lo, hi = s.landed_bounds
        assert r["pit"] == pytest.approx(0.5 * ((cdf[lo - 1] if lo else 0.0) + cdf[hi]))
        assert r["pi95_lo"] <= r["pi80_lo"] <= r["median"] <= r["pi80_hi"] <= r["pi95_hi"] <= s.signed
        assert cdf[int(r["pi80_lo"])] >= 0.1 and (r["pi80_lo"] == 0 or cdf[int(r["pi80_lo"]) - 1] < 0.1)


@pytest.fixture(scope="module")
def res():
    return compute(load(DATA), 2023)


def test_the_landing_check_table_shows_every_statement_as_stated(res):
    stated = {(int(r["first_year"]), int(r["last_year"])): r for r in _rows("landing.csv")}
    for lang in ("zh", "en"):
        t = tables.landing_check(res, lang).data
        assert len(t) == len(LANDING)
    t = P.landing_check(res.projection, res.dataset)
    exact = stated[(2019, 2021)]  # a statement with its counts written out
    row = t[(t["first_year"] == 2019) & (t["last_year"] == 2021)].iloc[0]
    assert (row["landed_lo"], row["landed_hi"], row["signed"]) == (
        int(exact["landed"]),
        int(exact["landed"]),
        int(exact["signed"]),
    )


# ------------------------------------------------------------------------------------------------- priors


def test_a_prior_centred_lower_moves_the_eventual_share_down():
    """The likelihood is the same; Beta(2, 2) against Beta(3, 1) has the density ratio (1 - c) / c up to a
    constant, decreasing in c, so the posterior of c is stochastically smaller (its median lower)."""
    now = landing.fit_landing(REAL, LANDING)
    sceptical = landing.fit_landing(REAL, LANDING, priors=LANDING_PRIOR_SETS["sceptical"])
    assert LANDING_PRIOR_SETS["sceptical"]["landing_eventual"].params == (2.0, 2.0)
    assert PRIORS["landing_eventual"].params == (3.0, 1.0)
    assert sceptical.summary()["eventual_share"]["q50"] < now.summary()["eventual_share"]["q50"]


def test_the_landing_priors_table_keeps_the_projection_and_adds_each_set(res):
    t = P.landing_priors(res.projection, res.dataset)
    assert list(dict.fromkeys(t["priors"])) == ["current", *LANDING_PRIOR_SETS]
    cur = t[t["priors"] == "current"].reset_index(drop=True)
    cols = list(res.projection.landing.columns)
    assert cur[cols].equals(res.projection.landing.reset_index(drop=True)[cols])
    for name in LANDING_PRIOR_SETS:
        rows = t[t["priors"] == name]
        assert list(rows["kind"]) == list(res.projection.landing["kind"])
        assert (rows["pi95_lo"] <= rows["pi80_lo"]).all() and (rows["pi80_hi"] <= rows["pi95_hi"]).all()
    for lang in ("zh", "en"):
        d = tables.landing_priors(res, lang).data
        assert len(d) == 2 * (1 + len(LANDING_PRIOR_SETS))  # the span and the cohort without a statement


# ------------------------------------------------------------------------------------------------- coverage


def test_landing_intervals_cover_as_often_as_they_claim_in_data_simulated_from_the_prior():
    """Draw (c, h, rho) from the prior, a cohort's stated landed count two years after signing and a new
    cohort's count one year after signing; fit to the statement and predict the new cohort. Under the prior
    the new count is distributed as the posterior predictive, so each interval's hit rate over R histories
    has mean the predictive's own mass inside it (at least the nominal level: closed intervals of counts)
    and the binomial sd of R draws; the hit rate must lie within 3.5 sd of that mean, and not below the
    nominal level by more than 3.5 sd."""
    R, n_a, n_b, n_sims = 300, 85, 40, 4000
    rng = np.random.default_rng(20)
    pri = [PRIORS[k] for k in landing.LANDING_PRIOR_KEYS.values()]
    periods = [PeriodObs(2019, 2019, n_a), PeriodObs(2020, 2020, n_b)]
    hits = {0.8: [], 0.95: []}
    inside = {0.8: [], 0.95: []}
    for _ in range(R):
        c, h, rho = (stats.beta.rvs(*p.params, random_state=rng) for p in pri)
        s = 1 / rho - 1

        def landed(n, age, c=c, h=h, s=s):
            p = c * (1 - (1 - h) ** age)
            return rng.binomial(n, rng.beta(max(p * s, 1e-10), max((1 - p) * s, 1e-10)))

        a, b = landed(n_a, 2), landed(n_b, 1)
        post = landing.fit_landing(periods, [LandingObs(2019, 2019, 2021, n_a, (a, a))], n_grid=(16, 16), n_rho=8)
        draws = post.predict_cohort([(2020, 2020, n_b)], 2021, n_sims, rng)["landed"]
        for level in hits:
            lo, hi = M.central_interval(draws, level)
            hits[level].append(lo <= b <= hi)
            inside[level].append(np.mean((draws >= lo) & (draws <= hi)))
    for level in hits:
        rate, expected = np.mean(hits[level]), np.mean(inside[level])
        sd = math.sqrt(expected * (1 - expected) / R)
        nominal_sd = math.sqrt(level * (1 - level) / R)
        assert expected >= level - 0.01  # closed intervals of counts hold at least the nominal mass
        assert abs(rate - expected) <= 3.5 * sd, (level, rate, expected, sd)
        assert rate >= level - 3.5 * nominal_sd, (level, rate)
