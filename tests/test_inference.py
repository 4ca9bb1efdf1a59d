"""The projection model's inference (analysis.stats.model.signings; issue 22, items 3 and 7).

Each promise is checked by another path than the code's: the batched fit against one fit per history, the
evidence's Monte-Carlo error against its formula on the raw importance weights and against the spread of the
evidence over seeds (a band from the chi-square law of a sample sd), the refits against the threshold they
promise (k-hat at most 0.7, or a fit marked failed), and the weights against the final evidences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis import compute, load, posterior
from analysis.core.config import PRIORS
from analysis.present import output
from analysis.stats import calibration as C
from analysis.stats import metrics
from analysis.stats import model as M
from analysis.stats import projection as P
from analysis.stats.model import signings

from .conftest import DATA, real_data

#: the calibration study's inference settings: what the 500-fit check runs at
STUDY = {"n_draws": 1000, "n_grid": 10}
REAL, _ = P.observations(metrics.known_at_release(real_data(), 2023), 2023)


def _simulated(n_per_world: int, seed: int):
    """``n_per_world`` simulated histories of every world of the calibration study, and a seed for each."""
    histories, seeds = [], []
    for i, process in enumerate(C.PROCESSES):
        rng = np.random.default_rng([seed, i])
        for _ in range(n_per_world):
            histories.append(C.simulate_history(process, rng, C.SHAPE, 3)[0])
            seeds.append(int(rng.integers(2**31)))
    return histories, seeds


@pytest.fixture(scope="module")
def five_hundred():
    """At least 500 simulated histories over the study's worlds, fitted at the study's settings."""
    histories, seeds = _simulated(math.ceil(500 / len(C.PROCESSES)), 22)
    return M.fit_many(histories, seeds, **STUDY)


def test_fewer_than_one_percent_of_500_simulated_fits_end_with_khat_above_0_7(five_hundred):
    """Issue 22 item 3: refit until k-hat <= 0.7; fewer than 1 % of 500 fits may end above it."""
    assert len(five_hundred) >= 500
    high = [max(d["khat"] for d in p.diagnostics().values()) > 0.7 for p in five_hundred]
    assert sum(high) < 0.01 * len(five_hundred), sum(high)
    statuses = [d["status"] for p in five_hundred for d in p.diagnostics().values()]
    assert "refit" in statuses  # the first proposal does fail on some simulated histories, and is refitted


def test_status_refits_and_khat_agree(five_hundred):
    for p in five_hundred:
        for d in p.diagnostics().values():
            assert d["status"] in {"ok", "refit", "failed"}
            if d["status"] == "ok":
                assert d["refits"] == 0 and d["khat"] <= 0.7
            elif d["status"] == "refit":
                assert 1 <= d["refits"] <= signings._MAX_REFITS and d["khat"] <= 0.7
            else:
                assert d["refits"] == signings._MAX_REFITS and not d["khat"] <= 0.7


def test_fit_many_gives_what_fit_gives():
    """Each history of a batched fit, whatever it is stacked with (histories of two shapes, stacks of
    several sizes), equals its own fit: the same weights, diagnostics and draws, bit for bit."""
    histories, seeds = _simulated(3, 5)
    histories += [REAL, REAL[:2]]  # other shapes: each is its own stack
    seeds += [7, 8]
    many = M.fit_many(histories, seeds, **STUDY)
    for h, s, got in zip(histories, seeds, many, strict=True):
        one = M.fit(h, seed=s, **STUDY)
        assert got.weights == one.weights
        assert got.diagnostics() == one.diagnostics()
        assert (got.first_year, got.last_year) == (one.first_year, one.last_year)
        for k in M.MODELS:
            np.testing.assert_array_equal(got.fits[k].x, one.fits[k].x)
            np.testing.assert_array_equal(got.fits[k].weights, one.fits[k].weights)
    with pytest.raises(ValueError):
        M.fit_many(histories, seeds[:-1])


def test_a_refitted_history_in_a_stack_gives_what_it_gives_alone(five_hundred):
    """Refits draw from each history's own generator, after its first draws, as a lone fit does."""
    histories, seeds = _simulated(math.ceil(500 / len(C.PROCESSES)), 22)
    refitted = [i for i, p in enumerate(five_hundred) if any(d["refits"] for d in p.diagnostics().values())]
    assert refitted
    for i in refitted[:3]:
        one = M.fit(histories[i], seed=seeds[i], **STUDY)
        assert one.weights == five_hundred[i].weights and one.diagnostics() == five_hundred[i].diagnostics()


def _spying(mp: pytest.MonkeyPatch, keep) -> list:
    """What ``keep`` makes of each array of raw importance log-weights the sampler hands to PSIS, in order."""
    seen, original = [], signings.psis
    mp.setattr(signings, "psis", lambda lw: (seen.append(keep(lw)), original(lw))[1])
    return seen


@pytest.fixture(scope="module")
def captured():
    """The raw importance log-weights of each model of a fit of the real history through 2023 and the fit."""
    with pytest.MonkeyPatch.context() as mp:
        seen = _spying(mp, np.array)
        post = M.fit(REAL, seed=3)
    return dict(zip(M.MODELS, seen, strict=True)), post


def test_the_evidence_and_its_monte_carlo_error_follow_their_formulas(captured):
    raw, post = captured
    n = signings._N_IS_DEFAULT
    for k, lw in raw.items():
        d = post.diagnostics()[k]
        w = np.exp(lw.astype(np.longdouble))  # the weights themselves, in extended precision
        assert d["log_evidence"] == pytest.approx(float(np.log(w.sum() / n)), rel=1e-12)
        w = np.concatenate([w, np.zeros(n - len(w))])
        assert d["log_evidence_mcse"] == pytest.approx(float(w.std(ddof=1) / (w.mean() * math.sqrt(n))), rel=1e-9)
        assert d["status"] == "ok" and d["refits"] == 0


def test_the_log_evidence_is_computed_in_log_space():
    """Importance log-weights far beyond the floating-point range give the exact log mean and its error."""
    for shift in (-2000.0, 0.0, 2000.0):
        lw = np.array([0.0, math.log(3.0), -math.inf]) + shift
        log_mean, se = signings._log_mean_exp(lw[np.isfinite(lw)], 3)
        assert log_mean == pytest.approx(shift + math.log(4.0 / 3.0), abs=1e-12)
        w = np.array([1.0, 3.0, 0.0])  # the same weights, scaled
        assert se == pytest.approx(w.std(ddof=1) / (w.mean() * math.sqrt(3)), rel=1e-12)


def test_the_monte_carlo_error_matches_the_spread_of_the_evidence_over_seeds():
    """Over K seeds the sample sd of the log evidence, divided by the reported error, lies within the
    99.9 % band of a sample sd of K normal draws: sqrt(chi2(K-1) / (K-1))."""
    K = 60
    posts = M.fit_many([REAL] * K, list(range(K)), **STUDY)
    lo, hi = (math.sqrt(stats.chi2.ppf(q, K - 1) / (K - 1)) for q in (0.0005, 0.9995))
    for k in M.MODELS:
        ev = np.array([p.diagnostics()[k]["log_evidence"] for p in posts])
        se = np.array([p.diagnostics()[k]["log_evidence_mcse"] for p in posts])
        assert lo < ev.std(ddof=1) / math.sqrt(np.mean(se**2)) < hi, k


def test_a_fit_that_stays_unreliable_is_marked_failed_and_weighted_by_its_last_evidence(monkeypatch):
    """With a threshold no fit can meet, every model is refitted the most times, each time with more draws,
    is marked failed, and the weights are those of the final fits' evidences."""
    monkeypatch.setattr(signings, "_KHAT_MAX", -math.inf)
    seen = _spying(monkeypatch, len)
    post = M.fit(REAL[:3], seed=4, n_draws=200, n_grid=6)
    R = signings._MAX_REFITS
    assert seen == [200 * 2**r for _ in M.MODELS for r in range(R + 1)]  # no importance weight was non-finite
    d = post.diagnostics()
    assert all(v["status"] == "failed" and v["refits"] == R and v["n_draws"] == 200 * 2**R for v in d.values())
    prior = dict(zip(M.MODELS, PRIORS["model"].params, strict=True))
    lp = np.array([d[k]["log_evidence"] + math.log(prior[k]) for k in M.MODELS])
    expected = np.exp(lp - lp.max()) / np.exp(lp - lp.max()).sum()
    np.testing.assert_allclose([post.weights[k] for k in M.MODELS], expected, rtol=1e-12)


def test_a_refit_fixes_what_the_first_proposal_could_not(five_hundred):
    """On the histories whose first proposal had k-hat above 0.7 for a model, the refit (a defensive mixture
    with a heavier component, more draws) ends at or below 0.7: the same fit without refits does not."""
    histories, seeds = _simulated(math.ceil(500 / len(C.PROCESSES)), 22)
    cases = [(i, k) for i, p in enumerate(five_hundred) for k, d in p.diagnostics().items() if d["status"] == "refit"]
    assert cases
    for i, k in cases[:3]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(signings, "_MAX_REFITS", 0)
            first = M.fit(histories[i], seed=seeds[i], **STUDY).diagnostics()[k]
        final = five_hundred[i].diagnostics()[k]
        assert first["khat"] > 0.7 >= final["khat"]
        assert first["status"] == "failed" and final["n_draws"] > first["n_draws"]


@pytest.fixture(scope="module")
def res():
    return compute(load(DATA), 2023)


def test_the_diagnostics_are_in_the_metrics_json_and_the_posterior_view(res):
    post = res.projection.posterior
    models = output.results_dict(res)["projection_model"]["posterior"]["models"]
    view = posterior(res).diagnostics.set_index("model")
    for k, d in post.diagnostics().items():
        for key in ("khat", "ess", "n_draws", "log_evidence", "log_evidence_mcse", "refits", "status"):
            assert models[k][key] == d[key], (k, key)
        assert view.loc[k, "log_evidence_mcse"] == d["log_evidence_mcse"]
        assert view.loc[k, "refits"] == d["refits"] and view.loc[k, "fit_status"] == d["status"]


def test_every_node_has_its_own_laplace_row_at_a_mode_of_its_scales():
    """The Newton steps run over the grid's central cross first, then over the other nodes (warm-started
    from the cross): every (history, node) still has one row, at a mode of the log posterior at that node's
    scales: no step of 0.001 along any coordinate gains more than half the Newton decrement's tolerance."""
    histories, _ = _simulated(2, 9)
    stack = signings._Stack([signings._Data(h) for h in histories])
    for kind in M.MODELS:
        eng = signings._Engine(signings._Model(kind, stack.T), signings._Data(histories[0]), stack, 6)
        B, N = len(histories), eng.ls.size
        assert sorted(eng.row_of.ravel()) == list(range(B * N))
        h, k = np.divmod(np.arange(B * N), N)
        rows = eng.row_of[h, k]
        assert np.array_equal(eng.hist[rows], h)
        x, ls, lt = eng.x_mode[rows], eng.ls[k], eng.lt[k]
        at_mode = eng.log_joint(x, ls, lt, h)
        for j in range(eng.model.D):
            for step in (-1e-3, 1e-3):
                moved = x.copy()
                moved[:, j] += step
                assert np.max(eng.log_joint(moved, ls, lt, h) - at_mode) < 1e-6, (kind, j)


def test_draws_come_grouped_by_node_and_proposal_factors_only_where_drawn():
    """Each history's importance draws come in one block per grid node (so each node's covariance factor
    multiplies its own draws at once), and the factors are computed at the nodes that got draws only."""
    histories, seeds = _simulated(1, 3)
    h = histories[:2]
    stack = signings._Stack([signings._Data(p) for p in h])
    eng = signings._Engine(signings._Model("drift", stack.T), signings._Data(h[0]), stack, 10)
    fits = eng.sample([np.random.default_rng(s) for s in seeds[:2]], [0, 1], 500, 0)
    drawn = 0
    for f in fits:
        node = np.log(f.sd) * 1e6 + np.log(f.tau)  # one value per grid node
        starts = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
        assert len(starts) == len(np.unique(node))  # each node's draws are contiguous
        drawn += len(starts)
    assert drawn == eng._have_factor.sum() < eng._have_factor.size
