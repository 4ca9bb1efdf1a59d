"""How to combine the time structures: Bayesian averaging, stacking, or one local-linear-trend model.

Three ways of turning the fitted models into one forecast of next year's count and intended investment
are scored by their rolling-origin (leave-future-out) log score: at each origin the models are fitted to
the periods published by then and the next year is predicted; nothing later is seen.

* ``averaging`` — today's projection: the three time structures (iid, level, drift) averaged with their
  posterior model probabilities (weights from the evidence; :func:`analysis.stats.model.fit`).
* ``stacking`` — the same three predictive distributions mixed with the weights that maximise the summed
  log score of the one-step-ahead predictions at the *earlier* origins (Yao, Vehtari, Simpson & Gelman
  2018), per target; with no earlier score of a target the weights are equal.
* ``llt`` — one local-linear-trend model alone (level and slope both random walks; the ``llt`` kind of
  :mod:`analysis.stats.model.signings`, priors ``llt_*`` of ``PRIORS``).

Log scores (higher is better), exact given the posterior draws: for a count ``y``, the log of the Poisson
mixture over the importance-weighted draws of next year's expected count, ``log sum_i w_i Poisson(y; r_i)``
(a hedged count, e.g. "over 40", scores the log probability of its interval under the same mixture); for an
investment total ``x`` (亿元), the log density of ``log x`` under the mixture over the draws of normals
centred on the draw's log total with the model's reporting error ``INVESTMENT_MEASUREMENT_SD`` — the
density of how the figure would be reported (on the log scale, so that the unit does not matter).

:func:`backtest` scores the three methods on the real releases (data through 2021, 2022 and 2023, each
scoring the next year); :func:`study` on simulated histories of every world of
:data:`analysis.stats.calibration.PROCESSES` (origins: data through the third, fourth and fifth period,
each scoring the next year, the last one in the simulated future). :func:`verdict` says which to keep: a
method replaces today's averaging only when its mean log score is higher by more than :data:`WIN_SE`
standard errors of the paired difference; otherwise the simpler, today's averaging, is kept.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

from ..core.config import INVESTMENT_MEASUREMENT_SD
from . import calibration
from . import model as mdl
from .model import signings

__all__ = [
    "METHODS",
    "ORIGINS",
    "TARGETS",
    "WIN_SE",
    "StudySize",
    "backtest",
    "log_score_count",
    "log_score_investment",
    "save",
    "stacking_weights",
    "stored",
    "study",
    "summarise",
    "verdict",
]

#: The ways of combining the time structures that are scored (today's first).
METHODS = ("averaging", "stacking", "llt")
#: What is scored: next year's count of signed projects and its intended investment.
TARGETS = ("projects", "investment")
#: The real backtests: data through each of these years (as known at that release) predicts the next.
ORIGINS = (2021, 2022, 2023)
#: A method beats today's averaging only when its mean log score is higher by more than this many standard
#: errors of the paired difference (twice: a one-sided chance of about 2 % of switching for nothing).
WIN_SE = 2.0
#: Where the stored simulation study is kept (beside the calibration study).
STORED_DIR = calibration.STORED_DIR
_STEM = "weighting"


@dataclass(frozen=True)
class StudySize:
    """Size of the simulation comparison.

    Parameters
    ----------
    n_histories : int
        Simulated histories per world.
    n_draws : int
        Importance draws per model and fit.
    n_grid : int
        Grid nodes per scale axis.

    Examples
    --------
    >>> StudySize(10).n_draws
    500
    """

    n_histories: int
    n_draws: int = 500
    n_grid: int = 6


#: The study ``calibrate`` stores: 40 histories per world, three origins each (12 fits a history: about 6 s of
#: one core per world).
DEFAULT_SIZE = StudySize(40, n_draws=400, n_grid=5)


# ============================================================================================ scores


def log_score_count(bounds: tuple[float, float], rate: np.ndarray, w: np.ndarray | None = None) -> float:
    """Log score of a count: the log probability of its bounds under the Poisson mixture over rate draws.

    Parameters
    ----------
    bounds : tuple of (float, float)
        The count's integer bounds ``(lo, hi)`` (equal for an exact count; ``hi`` may be ``inf``).
    rate : numpy.ndarray
        Draws of the expected count.
    w : numpy.ndarray, optional
        The draws' normalised weights (default equal).

    Returns
    -------
    float
        ``log sum_i w_i P(lo <= Y <= hi | Poisson(rate_i))``.

    Examples
    --------
    >>> import numpy as np
    >>> round(log_score_count((3, 3), np.array([3.0])), 4)
    -1.4959
    """
    rate = np.asarray(rate, float)
    w = np.full(rate.shape, 1.0 / rate.size) if w is None else np.asarray(w, float)
    lo, hi = bounds
    keep = w > 0
    lp = signings._poisson_interval_logp(rate[keep], np.asarray(lo, float), np.asarray(hi, float))
    return float(special.logsumexp(lp + np.log(w[keep])))


def log_score_investment(value: float, log_total: np.ndarray, w: np.ndarray | None = None) -> float:
    """Log score of an investment total: the log density of its log under the mixture of reporting errors.

    Parameters
    ----------
    value : float
        The reported total (亿元).
    log_total : numpy.ndarray
        Draws of the log latent total ``eta + a``.
    w : numpy.ndarray, optional
        The draws' normalised weights (default equal).

    Returns
    -------
    float
        ``log sum_i w_i N(log value; log_total_i, INVESTMENT_MEASUREMENT_SD^2)``.

    Examples
    --------
    >>> import numpy as np
    >>> round(log_score_investment(1.0, np.array([0.0])), 3)
    2.993
    """
    log_total = np.asarray(log_total, float)
    w = np.full(log_total.shape, 1.0 / log_total.size) if w is None else np.asarray(w, float)
    keep = w > 0
    lp = stats.norm.logpdf(math.log(value), log_total[keep], INVESTMENT_MEASUREMENT_SD)
    return float(special.logsumexp(lp + np.log(w[keep])))


def stacking_weights(log_dens: np.ndarray, n_iter: int = 5000) -> np.ndarray:
    """Stacking weights: the point of the simplex maximising ``sum_j log sum_k w_k p_kj``.

    The problem is concave; the fixed-point (EM) update ``w_k <- mean_j w_k p_kj / sum_k' w_k' p_k'j``
    climbs to its maximum from equal weights.

    Parameters
    ----------
    log_dens : numpy.ndarray
        Log predictive densities ``log p_kj``, (scored points, models); rows with a missing value are dropped.
    n_iter : int
        Most fixed-point iterations.

    Returns
    -------
    numpy.ndarray
        The weights (models,), summing to 1; equal when no point is left.

    Examples
    --------
    >>> import numpy as np
    >>> stacking_weights(np.log([[0.2, 0.1], [0.2, 0.1]])).round(3).tolist()
    [1.0, 0.0]
    """
    lp = np.asarray(log_dens, float)
    lp = lp[~np.isnan(lp).any(axis=1)]
    k = lp.shape[1]
    w = np.full(k, 1.0 / k)
    if lp.shape[0] == 0:
        return w
    p = np.exp(lp - lp.max(axis=1, keepdims=True))  # each point's scale cancels in the update
    for _ in range(n_iter):
        r = w * p
        w_new = (r / r.sum(axis=1, keepdims=True)).mean(axis=0)
        done = np.max(np.abs(w_new - w)) < 1e-12
        w = w_new
        if done:
            break
    return w / w.sum()


# ============================================================================================ one origin


def _fit_llt(periods, seed: int, n_draws: int, n_grid: int):
    return mdl.fit(periods, seed=seed, n_draws=n_draws, n_grid=n_grid, models=("llt",)).fits["llt"]


#: Gauss-Hermite nodes over next year's own effect (the year effect or step, given a posterior draw)
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(20)
_GH_W = _GH_W / _GH_W.sum()


def _densities(periods, target, seed: int, n_draws: int, n_grid: int, fitted=None) -> dict:
    """Log predictive densities of ``target`` (a PeriodObs of the next year) per model, and the evidence weights.

    Given a posterior draw, next year's log expected count and log amount are Gaussian (the future year
    effect or step is integrated out): the count's score is the Poisson mixture over the draws and 20
    Gauss-Hermite nodes of that Gaussian; the investment's the normal mixture over the draws, with the
    draw's variance plus the reporting error's.
    """
    if fitted is None:  # (the averaged posterior, the llt fit) of these periods, when fitted already
        fitted = mdl.fit(periods, seed=seed, n_draws=n_draws, n_grid=n_grid), _fit_llt(periods, seed, n_draws, n_grid)
    post, llt = fitted
    fits = {**post.fits, "llt": llt}
    out = {"weights": dict(post.weights)}
    cb, inv = target.count_bounds(), target.investment
    for k, f in fits.items():
        m_eta, v_eta, m_a, v_a = f.model.next_moments(f.x, f.sd, f.tau)
        row = {"projects": math.nan, "investment": math.nan}
        if cb is not None:
            eta = m_eta[:, None] + np.sqrt(v_eta)[:, None] * _GH_X[None, :]
            row["projects"] = log_score_count(
                cb, np.exp(np.minimum(eta, 30.0)).ravel(), np.outer(f.weights, _GH_W).ravel()
            )
        if inv is not None:
            sd = np.sqrt(v_eta + v_a + INVESTMENT_MEASUREMENT_SD**2)
            keep = f.weights > 0
            lp = stats.norm.logpdf(math.log(inv), (m_eta + m_a)[keep], sd[keep])
            row["investment"] = float(special.logsumexp(lp + np.log(f.weights[keep])))
        out[k] = row
    return out


def _mix(lp: np.ndarray, w: np.ndarray) -> float:
    """log sum_k w_k exp(lp_k), the weights possibly 0."""
    keep = w > 0
    return float(special.logsumexp(lp[keep] + np.log(w[keep])))


def _score_origins(dens: list[dict]) -> list[dict]:
    """Each method's log score at each origin, stacking weights learned from the earlier origins."""
    rows = []
    for j, d in enumerate(dens):
        names = list(d["weights"])
        for target in TARGETS:
            lp = np.array([d[k][target] for k in names])
            if np.isnan(lp).any():
                continue
            past = np.array([[e[k][target] for k in names] for e in dens[:j]]).reshape(j, len(names))
            ws = stacking_weights(past)
            bma = np.array([d["weights"][k] for k in names])
            rows.append(
                {
                    "origin": j,
                    "target": target,
                    "averaging": _mix(lp, bma),
                    "stacking": _mix(lp, ws),
                    "llt": float(d["llt"][target]),
                    **{f"w_stacking_{k}": float(v) for k, v in zip(names, ws, strict=True)},
                }
            )
    return rows


# ============================================================================================ real backtests


def _next_period(periods, year: int):
    """The published single year ``year`` among ``periods`` (None when it is not one)."""
    return next((p for p in periods if p.first_year == year and p.last_year == year), None)


def _scores_table(rows: list[dict], keys: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for k, v in reversed(keys.items()):
        frame.insert(0, k, v)
    return frame


def _real(ds, through: int, seed: int) -> pd.DataFrame:
    """Scores of every method at each real origin before ``through`` (see :func:`backtest`)."""
    from . import metrics
    from .projection import observations

    known, _ = observations(ds, through)
    dens, years = [], []
    for origin in ORIGINS:
        target = _next_period(known, origin + 1)
        if target is None or origin + 1 > through:
            continue
        v = metrics.vintage(ds, origin)
        periods, _ = observations(v.dataset, v.through)
        dens.append(_densities(periods, target, seed, signings._N_IS_DEFAULT, signings._N_GRID_DEFAULT))
        years.append(origin + 1)
    rows = _score_origins(dens)
    for r in rows:
        r["year"] = years[r.pop("origin")]
    cols = ["year", "target", *METHODS]
    return pd.DataFrame(rows, columns=[*cols, *[c for c in (rows[0] if rows else {}) if c not in cols]])


def backtest(res, seed: int = 0) -> pd.DataFrame:
    """The three methods' log scores on the real releases (computed once per vintage).

    At each origin of :data:`ORIGINS` whose next year is published in ``res``'s vintage, the models are
    fitted to the data as known at that origin's release and score the next year's published count and
    investment (when published as a single figure).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    seed : int
        The seed of the fits.

    Returns
    -------
    pandas.DataFrame
        One row per scored year and target: ``year``, ``target``, the log score of each of :data:`METHODS`
        and the stacking weights used (``w_stacking_<model>``).

    Examples
    --------
    >>> from analysis import load, compute
    >>> from analysis.stats import weighting
    >>> bt = weighting.backtest(compute(load(), 2024, projection=False))
    >>> sorted(set(bt["year"]))
    [2022, 2023, 2024]
    """
    key = ("weighting.backtest", res.through, seed)
    cache = res.dataset.cache
    if key not in cache:
        cache[key] = _real(res.dataset, res.through, seed)
    return cache[key].copy()


# ============================================================================================ simulation study


def _world(process: str, size: StudySize, seed: int) -> list[dict]:
    """Scores of every history of one world: its own random stream, from the seed and the world's name."""
    rng = np.random.default_rng([seed, zlib.crc32(process.encode()), 7])
    hists, seeds = [], []
    for _ in range(size.n_histories):
        periods, future = calibration.simulate_history(process, rng, calibration.SHAPE, 1)
        last = periods[-1].last_year
        nxt = mdl.PeriodObs(last + 1, last + 1, int(future["projects"][0]), None, float(future["investment"][0]))
        hists.append([*periods, nxt])
        seeds.append(int(rng.integers(2**31)))
    # every history's fits at one origin in one batch (fit_many gives what fit gives, history by history)
    dens = [[] for _ in hists]
    for k in range(3, len(hists[0]) if hists else 0):
        prefix, ks = [h[:k] for h in hists], [s + k for s in seeds]
        opts = {"n_draws": size.n_draws, "n_grid": size.n_grid}
        posts = mdl.fit_many(prefix, ks, **opts)
        llts = mdl.fit_many(prefix, ks, models=("llt",), **opts)
        for i, h in enumerate(hists):
            dens[i].append(_densities(h[:k], h[k], ks[i], size.n_draws, size.n_grid, (posts[i], llts[i].fits["llt"])))
    rows = []
    for i, d in enumerate(dens):
        rows += [{"process": process, "history": i, **r} for r in _score_origins(d)]
    return rows


def study(size: StudySize = DEFAULT_SIZE, seed: int = 20240601, processes=None, workers: int = 1) -> pd.DataFrame:
    """The three methods' log scores on simulated histories of every calibration world.

    Each history has the published shape (:data:`analysis.stats.calibration.SHAPE`) and one simulated future
    year; the origins are the ends of its third, fourth and fifth period, each scoring the next year (the
    last one the simulated future). Deterministic given ``seed``: each world draws from its own stream (the
    seed and the world's name), so a world's rows are the same whichever other worlds run, and however many
    workers.

    Parameters
    ----------
    size : StudySize
        Histories per world, importance draws and grid nodes.
    seed : int
        The seed of every simulation.
    processes : tuple of str, optional
        The worlds (default every one of :data:`analysis.stats.calibration.PROCESSES`).
    workers : int
        Processes that run worlds side by side (1: in this process).

    Returns
    -------
    pandas.DataFrame
        Per world, target and method (:func:`summarise`).

    Examples
    --------
    >>> df = study(StudySize(2, n_draws=200, n_grid=4), processes=("growth",))
    >>> sorted(set(df["method"]))
    ['averaging', 'llt', 'stacking']
    """
    processes = tuple(calibration.PROCESSES if processes is None else processes)
    if workers > 1 and len(processes) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(workers, len(processes)), initializer=calibration.keep_freed_arrays) as pool:
            parts = list(pool.map(_world, processes, [size] * len(processes), [seed] * len(processes)))
    else:
        parts = [_world(p, size, seed) for p in processes]
    return summarise(pd.DataFrame([r for part in parts for r in part]))


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean log score per world, target and method, with standard errors over histories.

    Each history's scores are averaged over its origins first (its origins are not independent), then over
    histories.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per history, origin and target with a column per method (``process`` and ``history``).

    Returns
    -------
    pandas.DataFrame
        ``process``, ``target``, ``method``, ``n`` (histories), ``log_score`` (mean), ``se``, ``diff`` (mean
        paired difference from ``averaging``) and ``diff_se``.
    """
    per = scores.groupby(["process", "target", "history"], sort=False)[list(METHODS)].mean().reset_index()
    out = []
    for (process, target), g in per.groupby(["process", "target"], sort=False):
        n = len(g)
        for m in METHODS:
            d = g[m] - g["averaging"]
            out.append(
                {
                    "process": process,
                    "target": target,
                    "method": m,
                    "n": n,
                    "log_score": float(g[m].mean()),
                    "se": float(g[m].std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
                    "diff": float(d.mean()),
                    "diff_se": float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
                }
            )
    return pd.DataFrame(out)


def verdict(summary: pd.DataFrame) -> dict:
    """Which method to keep, computed: another one wins only by more than :data:`WIN_SE` paired standard errors.

    Parameters
    ----------
    summary : pandas.DataFrame
        A table of :func:`summarise` (or :func:`study`).

    Returns
    -------
    dict
        ``keep`` (a method of :data:`METHODS`); per method other than averaging, ``wins`` and ``losses``: the
        (world, target) pairs where it scores higher or lower than averaging by more than ``WIN_SE`` standard
        errors; ``n_pairs``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"process": ["w"] * 3, "target": ["projects"] * 3, "method": list(METHODS),
    ...                   "diff": [0.0, 0.01, -0.5], "diff_se": [0.0, 0.02, 0.05]})
    >>> verdict(t)["keep"]
    'averaging'
    """
    out = {"keep": "averaging", "n_pairs": int(len(summary[summary["method"] == "averaging"]))}
    best = 0
    for m in METHODS[1:]:
        g = summary[summary["method"] == m]
        margin = WIN_SE * g["diff_se"]
        wins = [(p, t) for p, t, ok in zip(g["process"], g["target"], g["diff"] > margin, strict=True) if ok]
        losses = [(p, t) for p, t, bad in zip(g["process"], g["target"], g["diff"] < -margin, strict=True) if bad]
        out[m] = {"wins": wins, "losses": losses}
        # a method is kept instead of averaging only if it wins somewhere and loses nowhere
        if wins and not losses and len(wins) > best:
            out["keep"], best = m, len(wins)
    return out


# ============================================================================================ the stored study


def _digest() -> str:
    """The calibration study's digest (model, priors, libraries) and this module's normalised code."""
    h = hashlib.sha256(calibration.code_digest().encode())
    for stmt in calibration.normalised_code(Path(__file__).read_text(encoding="utf-8")):
        h.update(stmt.encode() + b"\0")
    return h.hexdigest()[:16]


def save(df: pd.DataFrame, size: StudySize = DEFAULT_SIZE, seed: int = 20240601, folder: Path = STORED_DIR) -> Path:
    """Store a study's table (CSV) with what it was run with and the digests of code and table (JSON).

    Parameters
    ----------
    df : pandas.DataFrame
        A table of :func:`study`.
    size : StudySize
        The size it was run with.
    seed : int
        The seed it was run with.
    folder : pathlib.Path
        Where to store it.

    Returns
    -------
    pathlib.Path
        The CSV file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{_STEM}.csv"
    df.to_csv(csv, index=False, float_format="%.6g", lineterminator="\n")
    meta = {
        "size": asdict(size),
        "seed": seed,
        "processes": list(dict.fromkeys(df["process"])),
        "digest": _digest(),
        "table_sha256": hashlib.sha256(csv.read_bytes()).hexdigest(),
        "command": "python -m analysis calibrate --write",
    }
    (folder / f"{_STEM}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return csv


def stored(folder: Path = STORED_DIR) -> tuple[pd.DataFrame, dict]:
    """The stored simulation comparison and what it was run with.

    Parameters
    ----------
    folder : pathlib.Path
        Where it is stored.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The table of :func:`study` and its metadata.

    Raises
    ------
    analysis.stats.calibration.StaleStudy
        When there is none, its table was edited, or it no longer describes this code, these priors or
        these libraries.
    """
    meta_path, csv = folder / f"{_STEM}.json", folder / f"{_STEM}.csv"
    if not meta_path.exists() or not csv.exists():
        raise calibration.StaleStudy(f"no stored weighting study in {folder}; run `make calibrate`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("digest") != _digest() or meta.get("table_sha256") != hashlib.sha256(csv.read_bytes()).hexdigest():
        raise calibration.StaleStudy(
            f"{csv} was run with other code, priors or libraries, or edited; run `make calibrate`"
        )
    return pd.read_csv(csv), meta
