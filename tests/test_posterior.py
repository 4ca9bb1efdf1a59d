"""The fitted model as an analyst inspects it (analysis.stats.posterior; issue 20, item 2).

Every expected value is derived here by another path than the module's: the evidences from the raw
importance log-weights the sampler hands to PSIS (captured during a refit), the effective sample size by its
formula, the quantiles by numpy's weighted quantile, the priors' summaries from their closed forms, and the
what-if's fixed year from the count it was given.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp

import analysis
from analysis import compute, load
from analysis.core import columns, locale
from analysis.core.config import PRIORS
from analysis.present import tables
from analysis.stats import model as mdl
from analysis.stats import posterior as V
from analysis.stats import projection as P
from analysis.stats.model import importance, signings

from .conftest import DATA


@pytest.fixture(scope="module")
def res():
    return compute(load(), 2023)


@pytest.fixture(scope="module")
def view(res):
    return V.posterior(res)


@pytest.fixture(scope="module")
def raw_log_weights(res):
    """The raw importance log-weights of each model, captured where the sampler smooths them (a refit with
    the projection's inputs and seed, which is deterministic)."""
    captured = []
    original = signings.psis

    def spy(lw):
        captured.append(np.array(lw))
        return original(lw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(signings, "psis", spy)
        periods, statements = P.observations(res.dataset, res.through)
        mdl.fit(periods, statements, seed=res.projection.seed)
    assert len(captured) == len(mdl.MODELS)
    return dict(zip(mdl.MODELS, captured, strict=True))


# --------------------------------------------------------------------------------------------- weights


def test_the_weights_are_the_ratio_of_the_evidences_recomputed_from_the_importance_weights(view, raw_log_weights):
    n = signings._N_IS_DEFAULT  # draws proposed per model; the evidence is the mean importance weight
    log_ev = {k: logsumexp(lw) - math.log(n) for k, lw in raw_log_weights.items()}
    prior = dict(zip(mdl.MODELS, PRIORS["model"].params, strict=True))
    lp = {k: log_ev[k] + math.log(prior[k]) for k in mdl.MODELS}
    norm = logsumexp(list(lp.values()))
    w = view.weights.set_index("model")
    assert list(w.index) == list(mdl.MODELS)
    for k in mdl.MODELS:
        assert w.loc[k, "log_evidence"] == pytest.approx(log_ev[k], rel=1e-12)
        assert w.loc[k, "weight"] == pytest.approx(math.exp(lp[k] - norm), rel=1e-9)
        assert w.loc[k, "prior_probability"] == pytest.approx(prior[k])
    assert w["weight"].sum() == pytest.approx(1.0, abs=1e-12)


def test_the_weights_are_the_ones_the_projection_averages_with(res, view):
    assert dict(zip(view.weights["model"], view.weights["weight"], strict=True)) == pytest.approx(
        res.projection.weights
    )


# --------------------------------------------------------------------------------------------- diagnostics


def test_ess_and_pareto_k_are_those_of_the_smoothed_weights(view, raw_log_weights):
    d = view.diagnostics.set_index("model")
    for k, lw in raw_log_weights.items():
        w, khat = importance.psis(lw)
        ess = w.sum() ** 2 / np.sum(w**2)
        raw = np.exp(lw - lw.max())
        assert d.loc[k, "draws"] == len(lw)
        assert d.loc[k, "ess"] == pytest.approx(ess, rel=1e-9)
        assert d.loc[k, "ess"] != pytest.approx(raw.sum() ** 2 / np.sum(raw**2), rel=1e-6)  # smoothed, not raw
        assert d.loc[k, "ess_share"] == pytest.approx(ess / len(lw), rel=1e-9)
        assert d.loc[k, "khat"] == pytest.approx(khat, rel=1e-12)
        expected = "good" if khat <= 0.5 else "ok" if khat <= 0.7 else "unreliable"
        assert d.loc[k, "khat_verdict"] == expected
    assert str(view.diagnostics["draws"].dtype) == "Int64"


def test_the_verdict_of_k_hat():
    assert [V.khat_verdict(k) for k in (-0.1, 0.5, 0.51, 0.7, 0.71, math.inf)] == [
        "good",
        "good",
        "ok",
        "ok",
        "unreliable",
        "unreliable",
    ]


# --------------------------------------------------------------------------------------------- priors and posteriors

#: the parameters of each time structure, as analysis.stats.model.signings' docstring describes them
DECLARED = {
    "iid": {"rate_level", "amount_level", "rate_year_sd", "amount_year_sd"},
    "level": {"rate_level", "amount_level", "rate_step_sd", "amount_step_sd"},
    "drift": {"rate_level", "rate_trend", "amount_level", "amount_trend", "rate_trend_year_sd", "amount_trend_year_sd"},
    "landing": {"landing_eventual", "landing_hazard", "landing_icc"},
}


def test_each_model_lists_the_parameters_it_declares(view):
    got = view.parameters.groupby("model")["parameter"].apply(set).to_dict()
    assert got == DECLARED


def test_the_prior_columns_are_the_priors_declared_in_the_model(view):
    z = NormalDist().inv_cdf
    for r in view.parameters.to_dict("records"):
        p = PRIORS[r["parameter"]]
        if p.dist == "normal":
            m, s = p.params
            expect = {"mean": m, "sd": s, "q10": m + s * z(0.1), "q50": m, "q90": m + s * z(0.9)}
        elif p.dist == "halfnormal":  # |N(0, s)|: its p-quantile is s times the normal's (1 + p) / 2 quantile
            (s,) = p.params
            expect = {
                "mean": s * math.sqrt(2 / math.pi),
                "sd": s * math.sqrt(1 - 2 / math.pi),
                **{f"q{round(100 * q):02d}": s * z((1 + q) / 2) for q in (0.1, 0.5, 0.9)},
            }
        else:
            assert p.dist == "beta"
            a, b = p.params
            expect = {"mean": a / (a + b), "sd": math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))}
        for stat, value in expect.items():
            assert r[f"prior_{stat}"] == pytest.approx(value, rel=1e-9, abs=1e-12), (r["parameter"], stat)
        assert r["prior"].startswith(p.dist + "(")


def test_the_posterior_columns_are_weighted_summaries_of_the_draws(res, view):
    post = res.projection.posterior
    rows = view.parameters.set_index(["model", "symbol"])
    probs = [0.1, 0.5, 0.9]
    for k, f in post.fits.items():
        m = f.model
        draws = {name: f.x[:, i] for i, name in enumerate(m.fixed_names)} | {"sigma": f.sd, "tau": f.tau}
        for sym, x in draws.items():
            r = rows.loc[(k, sym)]
            mean = np.average(x, weights=f.weights)
            assert r["posterior_mean"] == pytest.approx(mean, rel=1e-9, abs=1e-12)
            assert r["posterior_sd"] == pytest.approx(
                math.sqrt(np.average((x - mean) ** 2, weights=f.weights)), rel=1e-9
            )
            q = np.quantile(x, probs, weights=f.weights, method="inverted_cdf")
            assert [r["posterior_q10"], r["posterior_q50"], r["posterior_q90"]] == pytest.approx(list(q))
            assert r["sd_ratio"] == pytest.approx(r["posterior_sd"] / r["prior_sd"])
    lp = post.landing
    for sym, x in (("c", lp.c), ("h", lp.h), ("rho", lp.rho)):
        r = rows.loc[("landing", sym)]
        assert r["posterior_mean"] == pytest.approx(np.average(x, weights=lp.w), rel=1e-9)
        q = np.quantile(x, probs, weights=lp.w, method="inverted_cdf")
        assert [r["posterior_q10"], r["posterior_q50"], r["posterior_q90"]] == pytest.approx(list(q))


def test_the_data_narrow_the_first_years_level(view):
    """The first year's level is informed by a published count: its posterior is far narrower than its prior."""
    level = view.parameters[view.parameters["parameter"] == "rate_level"]
    assert (level["sd_ratio"] < 0.5).all()


def test_weighted_summary_agrees_with_repeated_draws():
    """Integer weights are repeated draws: the weighted summary is the plain summary of the repeated sample."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    reps = rng.integers(1, 5, size=50)
    s = V.weighted_summary(x, reps)
    flat = np.repeat(x, reps)
    assert s["mean"] == pytest.approx(flat.mean())
    assert s["sd"] == pytest.approx(flat.std())
    for p in (0.1, 0.5, 0.9):
        assert s[f"q{round(100 * p):02d}"] == np.quantile(flat, p, method="inverted_cdf")


# --------------------------------------------------------------------------------------------- the rate


def test_the_rate_of_a_year_is_the_posterior_of_its_expected_count(res, view):
    post = res.projection.posterior
    rate = view.rate.set_index(["model", "year"])
    f = post.fits["iid"]
    m = f.model
    for t, year in enumerate(range(post.first_year, post.last_year + 1)):
        eta = f.x[:, m.ix["mu"]] + f.x[:, m.nf + t]  # iid: the level plus the year's effect
        r = rate.loc[("iid", year)]
        assert r["kind"] == "fitted"
        assert r["expected_projects_mean"] == pytest.approx(np.average(np.exp(eta), weights=f.weights), rel=1e-9)
        assert r["expected_projects_median"] == pytest.approx(
            np.quantile(np.exp(eta), 0.5, weights=f.weights, method="inverted_cdf")
        )
    nxt = view.rate[view.rate["year"] == post.last_year + 1]
    assert set(nxt["kind"]) == {"projected"} and len(nxt) == len(mdl.MODELS) + 1


def test_the_averaged_rate_is_the_mixture_by_the_weights(view):
    w = dict(zip(view.weights["model"], view.weights["weight"], strict=True))
    rate = view.rate.pivot(index="year", columns="model", values="expected_projects_mean")
    mixture = sum(w[k] * rate[k] for k in mdl.MODELS)
    pd.testing.assert_series_equal(rate[V.AVERAGED], mixture, check_names=False, rtol=1e-9)
    assert (view.rate["expected_projects_q10"] <= view.rate["expected_projects_median"]).all()
    assert (view.rate["expected_projects_median"] <= view.rate["expected_projects_q90"]).all()


# --------------------------------------------------------------------------------------------- what if


def test_a_fixed_count_is_the_projection_of_its_year(res):
    year = res.through + 1
    n = int(res.periods["projects"].iloc[-1]) + 7  # an assumption, not a result
    w = V.what_if(res, projects=n)
    t = w.table.set_index(["year", "metric"])
    assert t.loc[(year, "projects"), ["after_median", "after_pi80_lo", "after_pi80_hi"]].tolist() == [n, n, n]
    after = w.after.set_index(["year", "metric"])
    assert after.loc[(year, "projects"), ["mean", "pi95_lo", "pi95_hi"]].tolist() == [n, n, n]
    start = res.projection.start["projects"]
    assert t.loc[(year, "cumulative_projects"), "after_median"] == start + n
    assert w.assumption == {"kind": "fixed_projects", "year": year, "projects": n}
    # "before" is the projection the report shows (no scenario)
    before = res.projection.table.set_index(["year", "metric"])
    assert t["before_median"].tolist() == before.loc[t.index, "median"].tolist()
    assert t["change_median"].tolist() == pytest.approx((t["after_median"] - t["before_median"]).tolist())


def test_the_fixed_years_investment_is_the_refitted_models_total_of_that_year(res):
    """Only the count is assumed: the year's investment is the refitted model's latent total of that year."""
    year = res.through + 1
    n = 2 * int(res.periods["projects"].iloc[-1])
    w = V.what_if(res, projects=n)
    periods, _ = P.observations(res.dataset, res.through)
    post = mdl.fit([*periods, mdl.PeriodObs(year, year, projects=n)], seed=res.projection.seed)
    totals, weights = [], []
    for k, f in post.fits.items():
        eta, a = f.model.paths(f.x)
        totals.append(np.exp(eta[:, year - post.first_year] + a[:, year - post.first_year]))
        weights.append(post.weights[k] * f.weights)
    median = np.quantile(np.concatenate(totals), 0.5, weights=np.concatenate(weights), method="inverted_cdf")
    got = w.table.set_index(["year", "metric"]).loc[(year, "investment_100m_yuan"), "after_median"]
    assert got == pytest.approx(median, rel=0.03)  # Monte-Carlo error of a median of 20 000 draws: well under 1 %


def test_a_fixed_count_is_learnt_from(res):
    """The count enters as one more published period: a higher count raises the later years and moves the weights."""
    year = res.through + 1
    row = res.projection.row(year, "projects")
    low, high = (V.what_if(res, projects=int(row[c])) for c in ("pi80_lo", "pi80_hi"))
    later = year + 1
    assert (
        high.table.set_index(["year", "metric"]).loc[(later, "projects"), "after_median"]
        > low.table.set_index(["year", "metric"]).loc[(later, "projects"), "after_median"]
    )
    assert not np.allclose(high.weights["weight_after"], high.weights["weight_before"], atol=1e-3)
    assert high.weights["weight_after"].sum() == pytest.approx(1.0)


def test_the_same_again_what_if_fixes_the_latest_periods_yearly_count(res):
    """``projects="same"``: next year's count is the latest published period's count a year, read here from
    data/signings.csv itself (total rows), not from the results."""
    import csv

    with open(DATA / "signings.csv", encoding="utf-8", newline="") as fh:
        totals = [r for r in csv.DictReader(fh) if r["dimension"] == "total" and int(r["last_year"]) <= res.through]
    last = max(int(r["last_year"]) for r in totals)
    first = max(int(r["first_year"]) for r in totals if int(r["last_year"]) == last)  # a period, not a running total
    rates = {
        int(r["projects"]) / (last - first + 1)
        for r in totals
        if (int(r["first_year"]), int(r["last_year"])) == (first, last)
    }
    assert len(rates) == 1
    w = V.what_if(res, projects="same")
    assert w.assumption == {"kind": "fixed_projects", "year": res.through + 1, "projects": round(rates.pop())}


def test_a_scenario_what_if_is_the_scenarios_projection(res):
    sc = P.Scenario(growth_projects=0.5)
    w = V.what_if(res, scenario=sc)
    direct = P.project(res.dataset, res.through, horizon=len(res.projection.years), scenario=sc)
    pd.testing.assert_frame_equal(w.after.reset_index(drop=True), direct.table.reset_index(drop=True))
    proj = w.table[w.table["metric"] == "projects"]
    assert (proj["after_median"] > proj["before_median"]).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"projects": 50, "scenario": P.Scenario()},
        {"projects": -1},
        {"projects": 2.5},
        {"projects": True},
        {"projects": "more"},
    ],
)
def test_a_what_if_needs_one_assumption_and_a_whole_count(res, kwargs):
    with pytest.raises(ValueError, match="what_if"):
        V.what_if(res, **kwargs)


def test_no_projection_nothing_to_inspect():
    with pytest.raises(ValueError, match="no fitted model"):
        V.posterior(compute(load(), 2023, projection=False))


# --------------------------------------------------------------------------------------------- the face and the tables


def test_the_public_face_and_the_projection_carry_it(res):
    assert analysis.posterior is V.posterior and analysis.what_if is V.what_if
    assert isinstance(res.projection.posterior, mdl.Posterior)
    assert V.posterior(res.projection).weights.equals(V.posterior(res).weights)


def test_every_column_is_in_the_column_table(res, view):
    frames = [view.weights, view.rate, view.parameters, view.diagnostics]
    w = V.what_if(res, projects=10)
    frames += [w.table, w.weights]
    for f in frames:
        assert [c for c in f.columns if c not in columns.COLUMNS] == []


@pytest.mark.parametrize("lang", locale.LANGS)
def test_the_report_tables(res, view, lang):
    loc = locale.of(lang)
    wt = tables.model_weights(res, lang)
    assert list(wt.data.iloc[:, 0]) == [loc.word(f"model_{k}") for k in mdl.MODELS]
    html = wt.to_html()
    for k in view.weights["weight"]:
        assert locale.pct(k) in html
    pp = tables.prior_posterior(res, lang)
    assert len(pp.data) == len(view.parameters)
    assert list(pp.data.iloc[:, 1]) == [loc.word(f"param_{k}") for k in view.parameters["parameter"]]
    w = V.what_if(res, projects=33)
    t = tables.what_if(w, lang)
    assert "33" in t.caption and len(t.data) == len(w.table)


def test_a_growth_what_if_signs_its_changes(res):
    t = tables.what_if(V.what_if(res, scenario=P.Scenario(growth_projects=0.5)), "en").data
    assert t.iloc[:, -1].str.startswith("+").all()
    counts = t[t.iloc[:, 1] == locale.word("projects", "en")]
    assert not counts.iloc[:, -1].str.contains(r"\.").any()  # a count's change is a whole number


# --------------------------------------------------------------------------------------------- the notebook


def test_the_projection_notebook_shows_the_model_as_plain_frames(view, res):
    """The stored outputs of notebooks/4.0-projection.ipynb show each frame of the inspection (English column
    names), the what-ifs before and after, and the page's methods get the weights and prior/posterior tables."""
    import json

    from .conftest import ROOT

    cells = json.loads((ROOT / "notebooks" / "4.0-projection.ipynb").read_text(encoding="utf-8"))["cells"]

    def html(tag):
        return [
            "".join(o["data"]["text/html"])
            for c in cells
            if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])
            for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})
        ]

    hidden, methods = html("remove-in-report"), html("methods")
    w = V.what_if(res, projects=10)
    for frame in (view.weights, view.diagnostics, view.parameters, view.rate, w.weights):
        heads = [f"<th>{c}</th>" for c in frame.columns]
        assert any(all(h in out for h in heads) for out in hidden), list(frame.columns)
    assert sum('id="T_whatif"' in out for out in hidden) == 2
    assert any('id="T_modelweights"' in out for out in methods)
    assert any('id="T_priorposterior"' in out for out in methods)
