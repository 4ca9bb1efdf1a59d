"""The fitted projection model as an analyst inspects it: weights, posteriors against priors, diagnostics, what-ifs.

:func:`posterior` reads the fitted model a projection was drawn from (``res.projection.posterior``, an
:class:`analysis.stats.model.Posterior`) and lays it out as plain DataFrames with English column names
(:mod:`analysis.core.columns` says what each holds):

* ``weights``: each time structure's prior probability, the log evidence its importance sampler estimated
  (and the grid-Laplace value beside it) and the posterior weight that averages the projections;
* ``rate``: the posterior of the expected number of projects and of the amount per project, each history
  year and the next, per time structure and averaged;
* ``parameters``: every parameter's prior (as declared in :data:`analysis.core.config.PRIORS`) beside its
  posterior: mean, sd and the 10 %, 50 % and 90 % quantiles, and how much the data narrowed it;
* ``diagnostics``: per time structure the importance draws, their effective sample size
  ``(sum w)^2 / sum w^2``, the Pareto k-hat of the smoothed weights' tail, the Monte-Carlo standard error of
  the log evidence, and how many refits the sampler needed to bring k-hat to 0.7 or below (its status).

:func:`what_if` re-runs the projection under an assumption — next year's count fixed at a value (the model
is refitted with that year as one more published period) or a growth :class:`~analysis.stats.projection.Scenario`
— and puts it beside the projection without one. Nothing here changes the model; it only reads it.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..core.config import INVESTMENT_MEASUREMENT_SD, PRIORS
from . import model as mdl
from . import projection as P
from .model.landing import LANDING_PRIOR_KEYS

__all__ = [
    "AVERAGED",
    "KHAT_GOOD",
    "KHAT_OK",
    "PosteriorView",
    "WhatIf",
    "khat_verdict",
    "posterior",
    "prior_sensitivity",
    "prior_summary",
    "sensitivity_priors",
    "weighted_summary",
    "what_if",
]

#: The ``model`` of the rows that average the time structures by their weights.
AVERAGED = "averaged"
#: Pareto k-hat at or below this: the importance sampler is reliable (Vehtari et al.).
KHAT_GOOD = 0.5
#: Above :data:`KHAT_GOOD` and at most this: usable, with a slower Monte-Carlo convergence; above it: unreliable.
KHAT_OK = 0.7
#: The quantiles every posterior and prior summary gives (the median and the 80 % interval).
QUANTILES = (0.1, 0.5, 0.9)
#: The latent coordinate of each fixed effect and the prior it is declared with.
_FIXED_PRIORS = {"mu": "rate_level", "beta": "rate_trend", "alpha": "amount_level", "gamma": "amount_trend"}
#: The landing model's parameters (attributes of :class:`analysis.stats.model.LandingPosterior`) and priors.
_WEIGHT_COLS = ["model", "prior_probability", "log_evidence", "log_evidence_laplace", "weight"]
_DIAG_COLS = [
    "model",
    "draws",
    "ess",
    "ess_share",
    "khat",
    "khat_verdict",
    "log_evidence_mcse",
    "refits",
    "fit_status",
]
_RATE_COLS = [
    "model",
    "year",
    "kind",
    "expected_projects_mean",
    "expected_projects_q10",
    "expected_projects_median",
    "expected_projects_q90",
    "amount_per_project_q10",
    "amount_per_project_median",
    "amount_per_project_q90",
]
_STAT = ("mean", "sd", "q10", "q50", "q90")
_PARAM_COLS = [
    "model",
    "parameter",
    "symbol",
    "prior",
    *[f"prior_{s}" for s in _STAT],
    *[f"posterior_{s}" for s in _STAT],
    "sd_ratio",
]
_WHAT_IF_COLS = [
    "year",
    "metric",
    "before_median",
    "before_pi80_lo",
    "before_pi80_hi",
    "after_median",
    "after_pi80_lo",
    "after_pi80_hi",
    "change_median",
]


def weighted_summary(x, w) -> dict[str, float]:
    """Mean, sd and the 10 %, 50 % and 90 % quantiles of weighted draws.

    A quantile is the smallest draw whose weighted share of draws at or below it reaches the probability
    (the inverted CDF, as :func:`analysis.stats.model.central_interval` takes them from unweighted draws).

    Parameters
    ----------
    x : array_like
        The draws.
    w : array_like
        Their weights (non-negative; normalised here).

    Returns
    -------
    dict of str to float
        ``mean``, ``sd``, ``q10``, ``q50``, ``q90``.

    Examples
    --------
    >>> s = weighted_summary([1.0, 2.0, 3.0], [0.2, 0.2, 0.6])
    >>> round(s["mean"], 6), s["q10"], s["q50"], s["q90"]
    (2.4, 1.0, 3.0, 3.0)
    """
    x, w = np.asarray(x, float), np.asarray(w, float)
    w = w / w.sum()
    mean = float(np.sum(w * x))
    order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order])
    at = np.minimum(np.searchsorted(cdf, np.asarray(QUANTILES) * cdf[-1] - 1e-12), len(x) - 1)
    qs = x[order][at]
    out = {"mean": mean, "sd": float(math.sqrt(max(np.sum(w * (x - mean) ** 2), 0.0)))}
    out.update({f"q{round(100 * p):02d}": float(v) for p, v in zip(QUANTILES, qs, strict=True)})
    return out


def prior_summary(prior: mdl.Prior) -> dict[str, float]:
    """Mean, sd and the 10 %, 50 % and 90 % quantiles of a declared prior.

    Parameters
    ----------
    prior : analysis.core.config.Prior
        A normal, half-normal or beta prior of :data:`analysis.core.config.PRIORS`.

    Returns
    -------
    dict of str to float
        ``mean``, ``sd``, ``q10``, ``q50``, ``q90``.

    Raises
    ------
    ValueError
        For a categorical prior (the models' prior probabilities are in :attr:`PosteriorView.weights`).

    Examples
    --------
    >>> from analysis.core.config import PRIORS
    >>> s = prior_summary(PRIORS["rate_trend"])
    >>> s["mean"], s["sd"], s["q50"]
    (0.0, 0.15, 0.0)
    """
    if prior.dist == "normal":
        d = sps.norm(prior.params[0], prior.params[1])
    elif prior.dist == "halfnormal":
        d = sps.halfnorm(scale=prior.params[0])
    elif prior.dist == "beta":
        d = sps.beta(*prior.params)
    else:
        raise ValueError(f"no summary of a {prior.dist} prior")
    out = {"mean": float(d.mean()), "sd": float(d.std())}
    out.update({f"q{round(100 * p):02d}": float(d.ppf(p)) for p in QUANTILES})
    return out


def khat_verdict(khat: float) -> str:
    """The reliability of importance sampling its Pareto k-hat gives: ``good``, ``ok`` or ``unreliable``.

    Parameters
    ----------
    khat : float
        The Pareto k-hat of the smoothed importance weights (``inf`` when the tail was too short to fit).

    Returns
    -------
    str
        ``good`` (at most :data:`KHAT_GOOD`), ``ok`` (at most :data:`KHAT_OK`) or ``unreliable``.

    Examples
    --------
    >>> khat_verdict(0.3), khat_verdict(0.6), khat_verdict(float("inf"))
    ('good', 'ok', 'unreliable')
    """
    return "good" if khat <= KHAT_GOOD else "ok" if khat <= KHAT_OK else "unreliable"


def _prior_key(prior: mdl.Prior) -> str:
    """The name under which a fitted model's prior is declared in ``PRIORS``."""
    return next(k for k, p in PRIORS.items() if p is prior)


def _model_parameters(f) -> dict[str, tuple[str, np.ndarray]]:
    """Symbol -> (prior key, draws) of one time structure's parameters: fixed effects and the two scales."""
    m = f.model
    out = {name: (_FIXED_PRIORS[name], f.x[:, m.ix[name]]) for name in m.fixed_names}
    out["sigma"] = (_prior_key(m.p_sd), f.sd)
    out["tau"] = (_prior_key(m.p_tau), f.tau)
    return out


@dataclass
class PosteriorView:
    """The fitted model of one projection as tables (made by :func:`posterior`).

    Parameters
    ----------
    through : int
        The last year of the history the model was fitted to.
    weights : pandas.DataFrame
        One row per time structure: ``model``, ``prior_probability``, ``log_evidence``,
        ``log_evidence_laplace``, ``weight`` (the weights sum to 1).
    rate : pandas.DataFrame
        The posterior of the expected projects (``expected_projects_*``) and of the expected amount per project
        in 亿元 (``amount_per_project_*``), per ``model`` (and :data:`AVERAGED`) and ``year``; ``kind`` is ``fitted`` for the
        history's years and ``projected`` for the next year.
    parameters : pandas.DataFrame
        Every parameter's prior beside its posterior (``model`` ``landing`` for the landing model's).
    diagnostics : pandas.DataFrame
        Per time structure: ``draws``, ``ess``, ``ess_share``, ``khat``, ``khat_verdict``,
        ``log_evidence_mcse`` (the Monte-Carlo standard error of the log evidence), ``refits`` (proposals
        tried after the first because k-hat was above 0.7) and ``fit_status`` (``ok``, ``refit`` or ``failed``).
    """

    through: int
    weights: pd.DataFrame
    rate: pd.DataFrame
    parameters: pd.DataFrame
    diagnostics: pd.DataFrame


def _projection(res) -> P.Projection:
    proj = getattr(res, "projection", res)
    if not isinstance(proj, P.Projection) or proj.posterior is None:
        raise ValueError("no fitted model to inspect: compute(...) with projection=True from the end of a period")
    return proj


def _weights(post: mdl.Posterior) -> pd.DataFrame:
    prior = dict(zip(mdl.MODELS, PRIORS["model"].params, strict=True))
    diag = post.diagnostics()
    rows = [
        {
            "model": k,
            "prior_probability": float(prior[k]),
            "log_evidence": float(diag[k]["log_evidence"]),
            "log_evidence_laplace": float(diag[k]["log_evidence_laplace"]),
            "weight": float(post.weights[k]),
        }
        for k in post.fits
    ]
    return pd.DataFrame(rows, columns=_WEIGHT_COLS)


def _diagnostics(post: mdl.Posterior) -> pd.DataFrame:
    rows = []
    diag = post.diagnostics()
    for k, f in post.fits.items():
        w = f.weights
        ess = float(w.sum() ** 2 / np.sum(w**2))
        rows.append(
            {
                "model": k,
                "draws": len(w),
                "ess": ess,
                "ess_share": ess / len(w),
                "khat": float(f.khat),
                "khat_verdict": khat_verdict(f.khat),
                "log_evidence_mcse": float(diag[k]["log_evidence_mcse"]),
                "refits": diag[k]["refits"],
                "fit_status": diag[k]["status"],
            }
        )
    frame = pd.DataFrame(rows, columns=_DIAG_COLS)
    return frame.astype({"draws": "Int64", "refits": "Int64"})


def _rate(post: mdl.Posterior, seed: int) -> pd.DataFrame:
    """Per model and averaged: the expected count and amount per project of each year and the next."""
    rng = np.random.default_rng(seed)
    years = [*range(post.first_year, post.last_year + 1), post.last_year + 1]
    per_model = {}
    for k, f in post.fits.items():
        eta, a = f.model.paths(f.x)
        e1, a1 = f.model.future(f.x, f.sd, f.tau, 1, rng)
        per_model[k] = (np.exp(np.concatenate([eta, e1], axis=1)), np.exp(np.concatenate([a, a1], axis=1)), f.weights)
    names = list(post.fits)
    pooled = (
        np.concatenate([per_model[k][0] for k in names]),
        np.concatenate([per_model[k][1] for k in names]),
        np.concatenate([post.weights[k] * per_model[k][2] for k in names]),
    )
    rows = []
    for k, (rate, amount, w) in [*per_model.items(), (AVERAGED, pooled)]:
        for j, y in enumerate(years):
            r, am = weighted_summary(rate[:, j], w), weighted_summary(amount[:, j], w)
            rows.append(
                {
                    "model": k,
                    "year": y,
                    "kind": "projected" if y > post.last_year else "fitted",
                    "expected_projects_mean": r["mean"],
                    "expected_projects_q10": r["q10"],
                    "expected_projects_median": r["q50"],
                    "expected_projects_q90": r["q90"],
                    "amount_per_project_q10": am["q10"],
                    "amount_per_project_median": am["q50"],
                    "amount_per_project_q90": am["q90"],
                }
            )
    return pd.DataFrame(rows, columns=_RATE_COLS)


def _parameter_row(model: str, symbol: str, key: str, draws, w) -> dict:
    prior = PRIORS[key]
    ps, qs = prior_summary(prior), weighted_summary(draws, w)
    return {
        "model": model,
        "parameter": key,
        "symbol": symbol,
        "prior": f"{prior.dist}({', '.join(f'{v:.4g}' for v in prior.params)})",
        **{f"prior_{s}": ps[s] for s in _STAT},
        **{f"posterior_{s}": qs[s] for s in _STAT},
        "sd_ratio": qs["sd"] / ps["sd"],
    }


def _parameters(post: mdl.Posterior) -> pd.DataFrame:
    rows = [
        _parameter_row(k, sym, key, draws, f.weights)
        for k, f in post.fits.items()
        for sym, (key, draws) in _model_parameters(f).items()
    ]
    lp = post.landing
    if lp is not None:  # a grid posterior: each grid point weighted by its posterior mass
        rows += [_parameter_row("landing", sym, key, getattr(lp, sym), lp.w) for sym, key in LANDING_PRIOR_KEYS.items()]
    return pd.DataFrame(rows, columns=_PARAM_COLS)


def posterior(res) -> PosteriorView:
    """The fitted model behind a projection, as plain tables: weights, rate, priors against posteriors, diagnostics.

    Posterior summaries are exact weighted summaries of the importance draws each time structure was
    fitted with (the Pareto-smoothed weights), and of the landing model's grid with its posterior masses.

    Parameters
    ----------
    res : analysis.stats.results.Results or analysis.stats.projection.Projection
        What ``compute`` returns (with a projection), or its ``projection``.

    Returns
    -------
    PosteriorView
        ``weights``, ``rate``, ``parameters`` and ``diagnostics`` (DataFrames).

    Raises
    ------
    ValueError
        When there is no projection to inspect.

    Examples
    --------
    >>> from analysis import compute, load, posterior
    >>> view = posterior(compute(load(), 2023))
    >>> list(view.weights["model"]), round(float(view.weights["weight"].sum()), 9)
    (['iid', 'level', 'drift'], 1.0)
    >>> list(view.diagnostics.columns)
    ['model', 'draws', 'ess', 'ess_share', 'khat', 'khat_verdict', 'log_evidence_mcse', 'refits', 'fit_status']
    """
    proj = _projection(res)
    post = proj.posterior
    return PosteriorView(
        through=proj.through,
        weights=_weights(post),
        rate=_rate(post, proj.seed),
        parameters=_parameters(post),
        diagnostics=_diagnostics(post),
    )


# --------------------------------------------------------------------------------------------- what if


@dataclass
class WhatIf:
    """A projection under an assumption beside the projection without one (made by :func:`what_if`).

    Parameters
    ----------
    through : int
        The last year of the history.
    assumption : dict
        What was assumed: ``kind`` (``fixed_projects`` or ``scenario``) and ``year`` and ``projects``, or
        ``scenario`` (a :class:`~analysis.stats.projection.Scenario`).
    table : pandas.DataFrame
        Per year and metric: the medians and 80 % intervals before and after, and ``change_median``.
    after : pandas.DataFrame
        The projection under the assumption, in the columns of ``Projection.table``.
    weights : pandas.DataFrame
        The time structures' weights before and after (``model``, ``weight_before``, ``weight_after``).
    """

    through: int
    assumption: dict
    table: pd.DataFrame
    after: pd.DataFrame
    weights: pd.DataFrame


def _fixed_count_table(ds, base: P.Projection, year: int, projects: int) -> tuple[pd.DataFrame, dict]:
    """The projection when ``year``'s count is ``projects``: the model refitted with that year as one more
    published period (its investment unknown), its investment and the later years drawn from the refit."""
    periods, _ = P.observations(ds, base.through)
    periods = [*periods, mdl.PeriodObs(year, year, projects=int(projects))]
    post = mdl.fit(periods, seed=base.seed)
    rng = np.random.default_rng(base.seed)
    n = base.n_sims
    # the fixed year's intended investment: the refit's latent total of that year, as it would be reported
    names = list(post.fits)
    probs = np.array([post.weights[k] for k in names])
    which = rng.choice(len(names), size=n, p=probs / probs.sum())
    z = np.empty(n)
    for j, k in enumerate(names):
        rows = np.flatnonzero(which == j)
        f = post.fits[k]
        i = rng.choice(len(f.weights), size=rows.size, p=f.weights)
        eta, a = f.model.paths(f.x[i])
        z[rows] = eta[:, -1] + a[:, -1]
    first_inv = np.exp(np.minimum(z, 50.0) + INVESTMENT_MEASUREMENT_SD * rng.standard_normal(n))
    projects_draws = np.full((n, 1), float(projects))
    invest_draws = first_inv[:, None]
    later = [y for y in base.years if y > year]
    if later:
        sims = post.predict(later, n, rng)
        projects_draws = np.concatenate([projects_draws, sims["projects"]], axis=1)
        invest_draws = np.concatenate([invest_draws, sims["investment"]], axis=1)
    samples = {"projects": projects_draws, "investment_100m_yuan": invest_draws}
    for metric, draws in (("projects", projects_draws), ("investment_100m_yuan", invest_draws)):
        if base.start.get(metric) is not None:
            samples["cumulative_" + metric] = base.start[metric] + np.cumsum(draws, axis=1)
    rows = []
    years = [year, *later]
    for metric in P.METRICS:
        if metric in samples:
            s = P._summarise(samples[metric])
            rows += [
                {"year": y, "metric": metric, **{k: float(v[j]) for k, v in s.items()}} for j, y in enumerate(years)
            ]
    return pd.DataFrame(rows, columns=base.table.columns), dict(post.weights)


def what_if(res, *, projects: int | str | None = None, scenario: P.Scenario | None = None) -> WhatIf:
    """The projection under an assumption beside the projection without one.

    ``projects``: next year's count is taken as published at that value; the model is refitted with that
    year as one more period (so the time structures' weights and the later years respond), and that year's
    count is then exactly ``projects``; ``projects="same"`` takes the latest published period's count a year
    (rounded to a whole project): "if next year signs as many as the latest year". ``scenario``: the simulations
    follow a
    :class:`~analysis.stats.projection.Scenario` (growth compounding after ``through``). "Before" is the
    projection with the same seed, horizon and simulations and no scenario.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).
    projects : int or "same", optional
        Next year's count of signed projects, or ``"same"`` for the latest period's count a year (keyword; give
        this or ``scenario``).
    scenario : Scenario, optional
        A what-if applied to the simulations (keyword).

    Returns
    -------
    WhatIf
        ``table`` (before and after per year and metric), ``after`` and ``weights``.

    Raises
    ------
    ValueError
        When neither or both assumptions are given, or ``projects`` is not a whole number from 0 nor ``"same"``.

    Examples
    --------
    >>> from analysis import compute, load, what_if
    >>> res = compute(load(), 2023)
    >>> w = what_if(res, projects=60)
    >>> t = w.table.set_index(["year", "metric"])
    >>> t.loc[(2024, "projects"), ["after_median", "after_pi80_lo", "after_pi80_hi"]].tolist()
    [60.0, 60.0, 60.0]
    """
    base = _projection(res)
    if (projects is None) == (scenario is None):
        raise ValueError("what_if: give projects= (next year's count) or scenario= (a Scenario), one of them")
    if projects == "same":
        per_year = res.periods["projects_per_year"].dropna()
        projects = int(round(per_year.iloc[-1]))
    if projects is not None and (
        isinstance(projects, bool) or not isinstance(projects, (int, np.integer)) or projects < 0
    ):
        raise ValueError(f"what_if: projects must be a whole number of projects, 0 or more (got {projects!r})")
    ds = res.dataset
    # the call ``compute`` makes, so that a projection without a scenario is the one already computed
    same = {"through": base.through, "horizon": len(base.years), "seed": base.seed}
    if base.n_sims != P.N_SIMS:
        same["n_sims"] = base.n_sims
    before = P.project(ds, **same, scenario=P.Scenario())
    if projects is not None:
        year = base.through + 1
        after, w_after = _fixed_count_table(ds, before, year, int(projects))
        assumption = {"kind": "fixed_projects", "year": year, "projects": int(projects)}
    else:
        proj = P.project(ds, **same, scenario=scenario)
        after, w_after = proj.table, dict(proj.weights)
        assumption = {"kind": "scenario", "scenario": scenario}
    keys = ["year", "metric"]
    cols = ["median", "pi80_lo", "pi80_hi"]
    both = before.table[keys + cols].merge(after[keys + cols], on=keys, how="inner", suffixes=("_b", "_a"))
    table = pd.DataFrame(
        {
            "year": both["year"],
            "metric": both["metric"],
            **{f"before_{c}": both[f"{c}_b"] for c in cols},
            **{f"after_{c}": both[f"{c}_a"] for c in cols},
            "change_median": both["median_a"] - both["median_b"],
        },
        columns=_WHAT_IF_COLS,
    )
    weights = pd.DataFrame(
        {
            "model": list(before.weights),
            "weight_before": list(before.weights.values()),
            "weight_after": [w_after[k] for k in before.weights],
        }
    )
    return WhatIf(through=base.through, assumption=assumption, table=table, after=after, weights=weights)


# --------------------------------------------------------------------------------------------- prior sensitivity

#: What the sensitivity table does to each prior's scale: halve it, double it.
SENSITIVITY_FACTORS = (0.5, 2.0)
_SENSITIVITY_COLS = ["prior", "factor", "scale", "median", "pi80_lo", "pi80_hi", *[f"weight_{k}" for k in mdl.MODELS]]


def sensitivity_priors() -> list[str]:
    """The priors of ``PRIORS`` the averaged count and investment model uses that have a scale, in their order.

    Returns
    -------
    list of str
        Keys of :data:`analysis.core.config.PRIORS` (normal: its sd; half-normal: its scale).

    Examples
    --------
    >>> "rate_trend" in sensitivity_priors(), "landing_icc" in sensitivity_priors()
    (True, False)
    """
    used = set()
    for kind in mdl.MODELS:
        m = signings_model(kind)
        used |= {_prior_key(m.p_sd), _prior_key(m.p_tau)}
        used |= {_FIXED_PRIORS[n] for n in m.fixed_names}
    return [k for k in PRIORS if k in used]


def signings_model(kind: str):
    """The structure of time structure ``kind`` over three years (which priors it reads).

    Parameters
    ----------
    kind : str
        One of :data:`analysis.stats.model.MODELS`.

    Returns
    -------
    object
        The model's structure (its ``p_sd``, ``p_tau`` and ``fixed_names``).
    """
    from .model.signings import _Model

    return _Model(kind, 3)


def _scale_index(prior: mdl.Prior) -> int:
    return 1 if prior.dist == "normal" else 0


@contextmanager
def _prior_scaled(key: str | None, factor: float):
    """``PRIORS[key]`` with its scale times ``factor`` for the duration (the model reads ``PRIORS`` when built)."""
    if key is None:
        yield
        return
    old = PRIORS[key]
    params = list(old.params)
    params[_scale_index(old)] *= factor
    PRIORS[key] = replace(old, params=tuple(params))
    try:
        yield
    finally:
        PRIORS[key] = old


def prior_sensitivity(res) -> pd.DataFrame:
    """Next year's count under each prior halved and doubled, beside the default: 80 % interval and weights.

    Each prior of :func:`sensitivity_priors` in turn has its scale (a normal's sd, a half-normal's scale)
    multiplied by each of :data:`SENSITIVITY_FACTORS`; the model is refitted to the same periods with the
    projection's seed and simulations, so the default row is the projection's own. Computed once per result.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).

    Returns
    -------
    pandas.DataFrame
        ``prior`` (None for the default row, first), ``factor``, ``scale`` (the value used), next year's count
        ``median``, ``pi80_lo``, ``pi80_hi`` and ``weight_<model>`` per time structure.

    Examples
    --------
    >>> from analysis import compute, load
    >>> t = prior_sensitivity(compute(load(), 2023))
    >>> int(t["prior"].isna().sum()), len(t) == 1 + 2 * len(sensitivity_priors())
    (1, True)
    """
    proj = _projection(res)
    key = ("posterior.prior_sensitivity", proj.through, proj.seed, proj.n_sims, tuple(proj.years))
    cache = res.dataset.cache
    if key not in cache:
        periods, _ = P.observations(res.dataset, proj.through)
        rows = []
        runs = [(None, 1.0)] + [(k, f) for k in sensitivity_priors() for f in SENSITIVITY_FACTORS]
        for prior, factor in runs:
            with _prior_scaled(prior, factor):
                post = mdl.fit(periods, seed=proj.seed)
                scale = None if prior is None else PRIORS[prior].params[_scale_index(PRIORS[prior])]
            draws = post.predict(proj.years, proj.n_sims, np.random.default_rng(proj.seed))["projects"][:, 0]
            s = P._summarise(draws[:, None])
            rows.append(
                {
                    "prior": prior,
                    "factor": factor,
                    "scale": scale,
                    "median": float(s["median"][0]),
                    "pi80_lo": float(s["pi80_lo"][0]),
                    "pi80_hi": float(s["pi80_hi"][0]),
                    **{f"weight_{k}": float(post.weights[k]) for k in mdl.MODELS},
                }
            )
        cache[key] = pd.DataFrame(rows, columns=_SENSITIVITY_COLS)
    return cache[key].copy()
