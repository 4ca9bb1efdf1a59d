"""Simulation study: are the projection intervals calibrated, and do they beat simple baselines?

Histories shaped like ours (by default one two-year aggregate period followed by three single
years, i.e. 2019–2020, 2021, 2022, 2023) are simulated from several generating processes, the model
is fitted to each history exactly as on the real data (:func:`analysis.stats.model.fit`), and its
predictions for the next one, two and three years are compared with the simulated outcomes. For
every process, metric (projects, investment, and their sums over the projected years) and horizon
the table reports the coverage of the central 80 % and 95 % intervals with its Monte-Carlo standard
error, and the mean interval score and CRPS (both from ``scoringrules``; lower is better) of the
model and of two baselines. Coverage is computed from the randomised probability integral transform
(PIT), so that a calibrated forecast of a *count* has exactly the nominal coverage instead of more
(a count's central interval includes whole atoms at both ends); interval scores use the plain
quantile interval of the simulations.

Generating processes (the same amount model is used for all but ``model`` and ``heavy``: a year's
investment is the sum over its projects of per-project amounts, lognormal with mean 6.5 亿元 and log-sd
1.0, so a year's total varies by about 20 % beyond the count). The first five lie inside the model's
families or close to them; the last four are built to break it, and are expected to fail:

1. ``model`` — the model's own process: a time structure is drawn with the prior model
   probabilities and every parameter from ``PRIORS``; counts are Poisson and reported investment is
   the latent total with the 2 % reporting error. Intervals must be calibrated here.
2. ``growth`` — 15 % a year growth of the expected count from 40 a year, Poisson counts.
3. ``jump`` — 40 a year, then a lasting x1.6 jump starting in a random one of the single years.
4. ``rw`` — log expected count a random walk with step sd 0.2 from log 40.
5. ``heavy`` — independent year effects (sd 0.25) on the expected count and heavy-tailed project
   amounts: 90 % of projects lognormal with median 3 亿元 (log-sd 0.8), 10 % "infrastructure"
   projects with median 40 亿元 (log-sd 0.7), so that a few huge projects carry most of a year's
   money. The model does not use breakdowns, so only the heavy tail of the amounts matters here.
6. ``break`` — 40 a year through the history, then a lasting x1.6 jump in the first forecast year: a
   break no history can announce.
7. ``rw_big`` — a log random walk with step sd 0.35, larger steps than the prior allows.
8. ``negbin`` — clustered counts: negative binomial with mean 40 and size 5 (variance 360 instead of 40).
9. ``reversal`` — 15 % a year growth through the history, then 15 % a year decline from the first
   forecast year: a trend that reverses.

Each target (world, metric, horizon) is judged on its own: for each level and tail the share of
outcomes below and above the interval is tested against its nominal (1 − level)/2 with a one-sided
binomial test of under-coverage, and the p-values of the whole study are corrected by Holm's method
(:func:`holm`); :func:`summary` lists every world and target that under-covers. The PIT of each target
is also kept as a 10-bin histogram with a chi-square test of uniformity, and every fit's importance
sampling diagnostics (Pareto k̂ and effective sample size, per model) are summarised per world and
model.

Reported figures follow the real sources: the aggregate is exact, single years are "about" (±5 %)
for investment, counts are exact; reported investment carries the model's measurement error.

Baselines: ``poisson`` — the constant-rate Poisson with plug-in maximum-likelihood rate (total
projects / total years), and for investment its analogue, a lognormal around the plug-in yearly
mean (total / years) with the log-sd of the periods' per-year values (maximum likelihood, no
parameter uncertainty); ``last`` — last value carried forward: Poisson with mean the last single
year's count, and for investment a lognormal random walk from the last year's value with step sd
the root-mean-square change of the per-year log values.

Sizes: ``SIZES['fast']`` for a quick look (``calibrate --size fast``), ``SIZES['default']`` for the
study the reports show; their runtimes on a 2-core machine are stated there. The histories of a world
are simulated and fitted in chunks of :data:`CHUNK`, each seeded by the world and the chunk, so the
study is the same whatever the number of worker processes (``jobs``).

The study belongs to the model, not to a report: ``python -m analysis calibrate --write`` stores the
default-size tables in ``analysis/stats/validation/`` with a digest of the code and library versions it ran
with and a checksum of each table (:func:`save`); the reports show them (:func:`stored`), which refuses to
load once the model, the priors or the study changed until the study is run again, or once a stored table
was edited by hand (the tests check this too).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import scoringrules as sr
from scipy import stats as st

from ..core import locale
from ..core.qualifiers import APPROX_REL_TOL, interval
from . import model as M

__all__ = [
    "PROCESSES",
    "SIZES",
    "Size",
    "StaleStudy",
    "Study",
    "format_table",
    "holm",
    "run",
    "save",
    "simulate_history",
    "stored",
    "summary",
]

PROCESSES = ("model", "growth", "jump", "rw", "heavy", "break", "rw_big", "negbin", "reversal")
#: the worlds built to break the model (outside its families): their failures are expected
OUT_OF_FAMILY = ("break", "rw_big", "negbin", "reversal")
METRICS = ("projects", "investment", "projects_cum", "investment_cum")
LEVELS = M.LEVELS
#: the published history's shape: years per period (2019–2020, then 2021, 2022, 2023, 2024); a test keeps it
#: equal to the shape of data/, so the stored study is rerun when a release changes it
SHAPE = (2, 1, 1, 1, 1)
_BASE_RATE = 40.0
#: the growth world's yearly growth and the jump world's factor (the words for them are formatted from these)
GROWTH = 0.15
JUMP = 1.6
#: the random walks' step sd (``rw``, ``rw_big``), the clustered counts' negative binomial size (``negbin``)
STEP = 0.2
STEP_BIG = 0.35
NB_SIZE = 5.0
#: the familywise error rate of the under-coverage tests (Holm) and the PIT histograms' bins
ALPHA = 0.05
PIT_BINS = 10
#: k-hat above which Pareto-smoothed importance sampling is unreliable
KHAT_BAD = 0.7
#: histories per chunk: the unit of work of a worker process and of seeding
CHUNK = 50
_AMOUNT_MEAN = 6.5
_AMOUNT_LOGSD = 1.0


@dataclass(frozen=True)
class Size:
    """Simulation size of a study.

    Parameters
    ----------
    n_histories : int
        Simulated histories per process.
    n_sims : int
        Posterior-predictive draws per history.
    n_draws : int
        Importance draws per model.
    n_grid : int
        Grid nodes per scale axis.

    Examples
    --------
    >>> SIZES["fast"].n_histories < SIZES["default"].n_histories
    True
    """

    n_histories: int
    n_sims: int = 2000
    n_draws: int = 1000
    n_grid: int = 10


#: ``fast``: 60 histories per process. ``default`` (the CLI): 1000 histories per process. Both score 1000
#: predictive draws per history (a tail of a 95 % interval is 25 draws; the PIT is randomised between ties). Coverage standard errors at 1000 histories are about 0.013 (80 %) and 0.007 (95 %);
#: a tail's, at its nominal share, 0.009 (80 %) and 0.005 (95 %).
SIZES = {"fast": Size(60, n_sims=1000), "default": Size(1000, n_sims=1000)}


# ============================================================================================ simulation


def _amounts(rng, n, process):
    if process == "heavy":
        big = rng.random(n) < 0.10
        return np.where(big, rng.lognormal(math.log(40.0), 0.7, n), rng.lognormal(math.log(3.0), 0.8, n))
    mu = math.log(_AMOUNT_MEAN) - 0.5 * _AMOUNT_LOGSD**2
    return rng.lognormal(mu, _AMOUNT_LOGSD, n)


def _meas_sd(bounds_kind: str) -> float:
    """Reporting noise of a simulated figure: what the model assumes for an exact or an "about" one."""
    if bounds_kind == "approx":
        return M.log_sd_of_bounds(1 - APPROX_REL_TOL, 1 + APPROX_REL_TOL)
    return M.INVESTMENT_MEASUREMENT_SD


def simulate_history(process: str, rng: np.random.Generator, shape=SHAPE, horizon: int = 3, first_year: int = 2019):
    """One simulated history and its future.

    Parameters
    ----------
    process : str
        One of :data:`PROCESSES`.
    rng : numpy.random.Generator
        The random generator.
    shape : tuple of int
        Years per published period (aggregates exact, single years "about" for investment).
    horizon : int
        The years of future simulated after the history.
    first_year : int
        The first year of the history.

    Returns
    -------
    tuple of (list of PeriodObs, dict of str to numpy.ndarray)
        ``(periods, future)``: ``periods`` a list of :class:`analysis.stats.model.PeriodObs` with the given
        period lengths; ``future`` the yearly ``projects`` and ``investment``, arrays of length ``horizon``.

    Examples
    --------
    >>> import numpy as np
    >>> periods, future = simulate_history("growth", np.random.default_rng(0), shape=(2, 1), horizon=2)
    >>> [(p.first_year, p.last_year) for p in periods], future["projects"].shape
    ([(2019, 2020), (2021, 2021)], (2,))
    """
    T = sum(shape)
    n = T + horizon
    if process == "model":
        kind = M.MODELS[rng.choice(len(M.MODELS), p=M.PRIORS["model"].params)]
        eta, a = M.sample_prior_paths(kind, n, rng)
        rate = np.exp(np.minimum(eta, 12.0))
        counts = rng.poisson(rate)
        totals = np.exp(np.minimum(eta + a, 30.0))
    else:
        t = np.arange(n)
        if process == "growth":
            rate = _BASE_RATE * (1 + GROWTH) ** t
        elif process == "jump":
            single = np.cumsum(shape)[:-1]  # first year of each period after the first
            singles = [int(s) for s, L in zip(single, shape[1:], strict=True) if L == 1] or [int(single[-1])]
            j = singles[rng.integers(len(singles))]
            rate = _BASE_RATE * np.where(t >= j, JUMP, 1.0)
        elif process == "rw":
            rate = _BASE_RATE * np.exp(np.concatenate([[0.0], np.cumsum(STEP * rng.standard_normal(n - 1))]))
        elif process == "heavy":
            rate = _BASE_RATE * np.exp(0.25 * rng.standard_normal(n))
        elif process == "break":
            rate = _BASE_RATE * np.where(t >= T, JUMP, 1.0)
        elif process == "rw_big":
            rate = _BASE_RATE * np.exp(np.concatenate([[0.0], np.cumsum(STEP_BIG * rng.standard_normal(n - 1))]))
        elif process == "negbin":
            rate = np.full(n, _BASE_RATE)
        elif process == "reversal":
            up = np.minimum(t, T - 1)  # growth through the history's last year, then as much decline a year
            rate = _BASE_RATE * (1 + GROWTH) ** up * (1 - GROWTH) ** np.maximum(t - T + 1, 0)
        else:
            raise ValueError(f"unknown process {process!r}")
        if process == "negbin":
            counts = rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + rate))
        else:
            counts = rng.poisson(rate)
        totals = np.array([max(_amounts(rng, c, process).sum(), 0.01) for c in counts])
    # reported figures
    periods = []
    start = 0
    for L in shape:
        c = int(counts[start : start + L].sum())
        x = float(totals[start : start + L].sum())
        kind = "exact" if L > 1 else "approx"
        rep = x * math.exp(_meas_sd(kind) * rng.standard_normal())
        fy = first_year + start
        if kind == "exact":
            periods.append(M.PeriodObs(fy, fy + L - 1, c, None, rep, None))
        else:
            iv = interval(rep, "approx")  # the bounds the real 约 figures get (analysis.core.qualifiers)
            periods.append(M.PeriodObs(fy, fy + L - 1, c, None, rep, (iv.lo, iv.hi)))
        start += L
    fut_inv = totals[T:] * np.exp(M.INVESTMENT_MEASUREMENT_SD * rng.standard_normal(horizon))
    return periods, {"projects": counts[T:].astype(float), "investment": fut_inv}


# ============================================================================================ baselines


def _per_year(periods):
    cnt = [(p.projects, p.years) for p in periods if p.projects is not None]
    inv = [(p.investment, p.years) for p in periods if p.investment is not None]
    return cnt, inv


def _baseline_sims(name, periods, horizon, n, rng):
    cnt, inv = _per_year(periods)
    logs = np.array([math.log(x / y) for x, y in inv])
    if name == "poisson":
        rate = sum(c for c, _ in cnt) / sum(y for _, y in cnt)
        proj = rng.poisson(rate, (n, horizon)).astype(float)
        mean = sum(x for x, _ in inv) / sum(y for _, y in inv)
        s = float(np.sqrt(np.mean((logs - logs.mean()) ** 2))) if len(logs) > 1 else 0.0
        invs = np.exp(math.log(mean) - 0.5 * s**2 + s * rng.standard_normal((n, horizon)))
    elif name == "last":
        last_c = [c / y for c, y in cnt if y == 1] or [cnt[-1][0] / cnt[-1][1]]
        proj = rng.poisson(last_c[-1], (n, horizon)).astype(float)
        s = float(np.sqrt(np.mean(np.diff(logs) ** 2))) if len(logs) > 1 else 0.0
        invs = np.exp(logs[-1] + np.cumsum(s * rng.standard_normal((n, horizon)), axis=1))
    else:
        raise ValueError(name)
    return {
        "projects": proj,
        "investment": invs,
        "projects_cum": np.cumsum(proj, axis=1),
        "investment_cum": np.cumsum(invs, axis=1),
    }


# ============================================================================================ scoring


def _targets(horizon):
    return [
        (metric, h) for metric in METRICS for h in range(1, horizon + 1) if not (metric.endswith("_cum") and h == 1)
    ]


def _score_block(sims: list[dict], truth: list[dict], horizon: int, u: np.ndarray):
    """For every history of a chunk and every (metric, horizon): randomised PIT, interval score per level and
    CRPS, in one vectorised pass (arrays of shape (histories, targets))."""
    tg = _targets(horizon)
    ens = np.stack([np.stack([s[metric][:, h - 1] for metric, h in tg]) for s in sims])  # (n, k, n_sims)
    obs = np.array([[(t[m] if not m.endswith("_cum") else np.cumsum(t[m[:-4]]))[h - 1] for m, h in tg] for t in truth])
    pit = np.mean(ens < obs[..., None], axis=-1) + u * np.mean(ens == obs[..., None], axis=-1)
    ens.sort(axis=-1)  # sorted once: the CRPS and the four interval ends need no sort of their own
    crps = np.asarray(sr.crps_ensemble(obs, ens, sorted_ensemble=True))
    iscore = {}
    for level in LEVELS:
        lo, hi = M.central_interval(ens, level, axis=-1)
        iscore[level] = np.asarray(sr.interval_score(obs, lo, hi, 1 - level))
    return pit, iscore, crps


def _fit_chunk(histories: list, seeds: list[int], size: Size) -> list:
    """Fit the model to each history of a chunk: the one place the study calls the model's inference."""
    return M.fit_many(list(histories), list(seeds), n_draws=size.n_draws, n_grid=size.n_grid)


def _diagnostics(post) -> list[tuple]:
    """One fit's diagnostics per model: (model, k-hat, ESS, refits, failed); missing keys are NaN."""
    out = []
    for model, d in post.diagnostics().items():
        status = d.get("status")
        out.append(
            (
                model,
                float(d.get("khat", np.nan)),
                float(d.get("ess", np.nan)),
                float(d.get("refits", np.nan)),
                np.nan if status is None else float(status == "failed"),
            )
        )
    return out


def keep_freed_arrays() -> None:
    """Let glibc keep freed large arrays in the process's heap for reuse instead of unmapping them.

    The fits allocate and free arrays of megabytes many times; each fresh mapping costs a page fault per page,
    about a tenth of the fits' CPU time. Only the allocator's thresholds change, never a result; worker
    processes forked afterwards inherit them; where there is no glibc it does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 256 << 20)  # M_MMAP_THRESHOLD: arrays up to 256 MB come from the heap
        libc.mallopt(-1, 512 << 20)  # M_TRIM_THRESHOLD: the heap keeps up to 512 MB of freed memory
    except (OSError, AttributeError):
        pass


def _chunk(task: tuple) -> dict:
    """Simulate, fit and score one chunk of histories of one world (run in a worker process).

    Seeded by the world, the chunk and the study's seed only, so that the study does not depend on how the
    chunks are spread over workers.
    """
    process, index, n, size, shape, horizon, seed = task
    t0 = time.process_time()
    rng = np.random.default_rng([seed, PROCESSES.index(process), index])
    hist = [simulate_history(process, rng, shape, horizon) for _ in range(n)]
    seeds = [int(x) for x in rng.integers(2**31, size=n)]
    posts = _fit_chunk([p for p, _ in hist], seeds, size)
    sims = {"model": [], "poisson": [], "last": []}
    for (periods, _), post in zip(hist, posts, strict=True):
        last = periods[-1].last_year
        sims["model"].append(post.predict(np.arange(last + 1, last + horizon + 1), size.n_sims, rng))
        for b in ("poisson", "last"):
            sims[b].append(_baseline_sims(b, periods, horizon, size.n_sims, rng))
    u = rng.random((n, len(_targets(horizon))))
    truth = [t for _, t in hist]
    scores = {k: _score_block(v, truth, horizon, u) for k, v in sims.items()}
    return {
        "process": process,
        "pit": scores["model"][0],
        "is": {k: v[1] for k, v in scores.items()},
        "crps": {k: v[2] for k, v in scores.items()},
        "diagnostics": [row for post in posts for row in _diagnostics(post)],
        "cpu": time.process_time() - t0,
    }


# ============================================================================================ the study


@dataclass(frozen=True)
class Study:
    """A simulation study's tables.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per world, metric, horizon and level: coverage, the share of outcomes below and above the
        interval, their tests of under-coverage, interval scores and CRPS (see :func:`run`).
    pit : pandas.DataFrame
        One row per world, metric and horizon: the PIT histogram and its test of uniformity.
    diagnostics : pandas.DataFrame
        One row per world and time structure: the importance sampler's diagnostics over the fits.
    cpu_seconds : dict
        CPU seconds per world (all workers), not stored.

    Examples
    --------
    >>> study = run(processes=("growth",), size=Size(2, n_sims=200, n_draws=200, n_grid=5), horizon=2)
    >>> len(study.pit), sorted(study.diagnostics["model"])
    (6, ['drift', 'iid', 'level'])
    """

    table: pd.DataFrame
    pit: pd.DataFrame
    diagnostics: pd.DataFrame
    cpu_seconds: dict = field(default_factory=dict, compare=False)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of p-values (familywise error control under any dependence).

    Parameters
    ----------
    p : array_like
        The p-values.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the input's order: reject where the adjusted value is at most the level.

    Examples
    --------
    >>> [round(float(x), 3) for x in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def _tail_tests(table: pd.DataFrame) -> pd.DataFrame:
    """One-sided binomial tests of under-coverage per tail, Holm-adjusted over every row and tail."""
    nominal = (1 - table["level"]) / 2
    n = table["n"].to_numpy()
    table["tail_se"] = np.sqrt(nominal * (1 - nominal) / n)
    for tail in ("below", "above"):
        k = np.rint(table[tail].to_numpy() * n)
        table[f"p_{tail}"] = st.binom.sf(k - 1, n, nominal)
    adj = holm(np.concatenate([table["p_below"], table["p_above"]]))
    table["holm_below"], table["holm_above"] = adj[: len(table)], adj[len(table) :]
    return table


def _coverage_table(process: str, parts: list[dict], horizon: int) -> pd.DataFrame:
    tg = _targets(horizon)
    pit = np.concatenate([c["pit"] for c in parts])  # (n, k)
    n = len(pit)
    rows = []
    for j, (metric, h) in enumerate(tg):
        for level in LEVELS:
            below, above = pit[:, j] < (1 - level) / 2, pit[:, j] > (1 + level) / 2
            is_ = {k: np.concatenate([c["is"][k][level][:, j] for c in parts]) for k in ("model", "poisson", "last")}
            crps = {k: np.concatenate([c["crps"][k][:, j] for c in parts]) for k in ("model", "poisson", "last")}
            cov = 1 - below.mean() - above.mean()
            rows.append(
                {
                    "process": process,
                    "metric": metric,
                    "horizon": h,
                    "level": level,
                    "n": n,
                    "coverage": cov,
                    "mc_se": max(math.sqrt(cov * (1 - cov) / n), 0.5 / n),
                    "below": below.mean(),
                    "above": above.mean(),
                    "is_model": is_["model"].mean(),
                    "is_poisson": is_["poisson"].mean(),
                    "is_last": is_["last"].mean(),
                    "is_gain_se": np.std(is_["model"] - is_["poisson"], ddof=1) / math.sqrt(n) if n > 1 else np.nan,
                    "is_gain_last_se": np.std(is_["model"] - is_["last"], ddof=1) / math.sqrt(n) if n > 1 else np.nan,
                    "crps_model": crps["model"].mean(),
                    "crps_poisson": crps["poisson"].mean(),
                    "crps_last": crps["last"].mean(),
                }
            )
    return pd.DataFrame(rows)


def _pit_table(process: str, parts: list[dict], horizon: int) -> pd.DataFrame:
    pit = np.concatenate([c["pit"] for c in parts])
    rows = []
    for j, (metric, h) in enumerate(_targets(horizon)):
        counts = np.histogram(pit[:, j], bins=PIT_BINS, range=(0.0, 1.0))[0]
        chi2, p = st.chisquare(counts)
        row = {"process": process, "metric": metric, "horizon": h, "n": len(pit), "pit_mean": pit[:, j].mean()}
        row.update({f"bin{b + 1}": int(c) for b, c in enumerate(counts)})
        rows.append({**row, "chi2": float(chi2), "p_uniform": float(p)})
    return pd.DataFrame(rows)


def _diagnostics_table(process: str, parts: list[dict]) -> pd.DataFrame:
    d = pd.DataFrame([r for c in parts for r in c["diagnostics"]], columns=["model", "khat", "ess", "refits", "failed"])
    g = d.groupby("model", sort=True)
    out = g.agg(
        fits=("khat", "size"),
        khat_bad=("khat", lambda k: float((k > KHAT_BAD).mean())),
        khat_max=("khat", "max"),
        ess_q05=("ess", lambda e: float(e.quantile(0.05))),
        ess_q50=("ess", "median"),
        ess_q95=("ess", lambda e: float(e.quantile(0.95))),
        refits_mean=("refits", "mean"),
        failed=("failed", "mean"),
    ).reset_index()
    out.insert(0, "process", process)
    return out


def run(
    processes=PROCESSES,
    size: Size | str = "default",
    *,
    shape=SHAPE,
    horizon: int = 3,
    seed: int = 20240601,
    jobs: int = 1,
    chunk: int = CHUNK,
    verbose: bool = False,
) -> Study:
    """Run the simulation study: coverage per tail, PIT histograms and the fits' diagnostics per world.

    Deterministic given ``seed`` and ``chunk``, whatever ``jobs``: each chunk of histories is seeded by the
    seed, its world and its index.

    Parameters
    ----------
    processes : tuple of str
        The generating processes (of :data:`PROCESSES`).
    size : Size or str
        The simulation size, or a key of :data:`SIZES`.
    shape : tuple of int
        Years per published period of the simulated histories.
    horizon : int
        The years predicted.
    seed : int
        The seed of every simulation.
    jobs : int
        Worker processes (1: in this process).
    chunk : int
        Histories per chunk (the unit of work and of seeding).
    verbose : bool
        Print each world's CPU time to stderr.

    Returns
    -------
    Study
        ``table``: columns process, metric, horizon, level, n, coverage, mc_se (binomial standard error of
        the coverage), below / above (share of outcomes below / above the interval), tail_se (the binomial
        standard error of a tail's share at its nominal value (1 − level)/2), p_below / p_above (one-sided
        binomial test that the share exceeds its nominal value), holm_below / holm_above (the same, Holm-
        adjusted over every row and tail of the study), is_model / is_poisson / is_last (mean interval
        score at that level), is_gain_se / is_gain_last_se (standard error of the mean paired difference
        model − poisson, model − last), crps_model / crps_poisson / crps_last. ``pit``: per process, metric
        and horizon, n, pit_mean, the counts bin1 … bin10 of the PIT histogram, chi2 and p_uniform (its
        chi-square test of uniformity). ``diagnostics``: per process and time structure, fits, khat_bad
        (share of fits with k-hat above 0.7), khat_max, ess_q05 / ess_q50 / ess_q95 (quantiles of the
        effective sample size), refits_mean and failed (when the fit reports them, else missing).

    Examples
    --------
    >>> study = run(processes=("growth",), size=Size(2, n_sims=200), horizon=2)
    >>> sorted(set(study.table["metric"])), sorted(set(study.table["level"]))
    (['investment', 'investment_cum', 'projects', 'projects_cum'], [0.8, 0.95])
    """
    if isinstance(size, str):
        size = SIZES[size]
    tasks = [
        (process, i, min(chunk, size.n_histories - i * chunk), size, tuple(shape), horizon, seed)
        for process in processes
        for i in range(-(-size.n_histories // chunk))
    ]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=keep_freed_arrays) as pool:
            parts = list(pool.map(_chunk, tasks))
    else:
        parts = [_chunk(t) for t in tasks]
    tables, pits, diags, cpu = [], [], [], {}
    for process in processes:
        mine = [c for c in parts if c["process"] == process]
        tables.append(_coverage_table(process, mine, horizon))
        pits.append(_pit_table(process, mine, horizon))
        diags.append(_diagnostics_table(process, mine))
        cpu[process] = sum(c["cpu"] for c in mine)
        if verbose:
            per100 = locale.fixed(100 * cpu[process] / size.n_histories, 1)
            print(f"{process}: {size.n_histories} histories, {per100} CPU s per 100", file=sys.stderr, flush=True)
    table = _tail_tests(pd.concat(tables, ignore_index=True))
    return Study(table, pd.concat(pits, ignore_index=True), pd.concat(diags, ignore_index=True), cpu)


def _g3(v):
    return locale.sig(v, 3) if abs(v) < 1e4 else locale.fixed(v, 0).replace(",", "")


def format_table(study: Study) -> str:
    """Fixed-width text of a study for the terminal: coverage per tail, PIT and diagnostics, the verdict.

    Parameters
    ----------
    study : Study
        A study of :func:`run`.

    Returns
    -------
    str
        The coverage table (shares below and above the interval, marked ``!`` where Holm's correction
        finds under-coverage), the PIT table, the diagnostics table, the worlds and targets that
        under-cover and a line of CPU seconds per world.
    """
    df = study.table
    head = (
        f"{'process':<8} {'metric':<15} {'h':>1} {'level':>5} {'n':>5} {'cover':>6} {'±se':>6} {'below':>7} "
        f"{'above':>7} {'nominal':>7} {'IS model':>9} {'IS pois':>9} {'IS last':>9} {'CRPS mod':>9} "
        f"{'CRPS poi':>9} {'CRPS last':>9}"
    )
    lines = [head, "-" * len(head)]

    def tail(r, which):
        flag = "!" if getattr(r, f"holm_{which}") <= ALPHA else " "
        return f"{locale.fixed(getattr(r, which), 3)}{flag}"

    for r in df.itertuples(index=False):
        lines.append(
            f"{r.process:<8} {r.metric:<15} {r.horizon:>1} {locale.fixed(r.level, 2):>5} {r.n:>5} "
            f"{locale.fixed(r.coverage, 3):>6} {locale.fixed(r.mc_se, 3):>6} {tail(r, 'below'):>7} "
            f"{tail(r, 'above'):>7} {locale.fixed((1 - r.level) / 2, 3):>7} {_g3(r.is_model):>9} "
            f"{_g3(r.is_poisson):>9} {_g3(r.is_last):>9} {_g3(r.crps_model):>9} {_g3(r.crps_poisson):>9} "
            f"{_g3(r.crps_last):>9}"
        )
    lines += ["", f"! under-covers: one-sided binomial test, Holm-adjusted over the study, at {ALPHA}", ""]
    bins = [f"bin{b + 1}" for b in range(PIT_BINS)]
    head = f"{'process':<8} {'metric':<15} {'h':>1} {'PIT mean':>8}  {'PIT histogram (shares of 10 bins)':<49} {'p unif':>7}"
    lines += [head, "-" * len(head)]
    for r in study.pit.itertuples(index=False):
        shares = " ".join(locale.fixed(getattr(r, b) / r.n, 2) for b in bins)
        lines.append(
            f"{r.process:<8} {r.metric:<15} {r.horizon:>1} {locale.fixed(r.pit_mean, 3):>8}  {shares:<49} "
            f"{locale.sig(r.p_uniform, 2):>7}"
        )
    head = (
        f"{'process':<8} {'model':<6} {'fits':>5} {'k>0.7':>6} {'k max':>6} {'ESS q05':>8} {'ESS q50':>8} "
        f"{'ESS q95':>8} {'refits':>6} {'failed':>6}"
    )
    lines += ["", head, "-" * len(head)]
    for r in study.diagnostics.itertuples(index=False):
        lines.append(
            f"{r.process:<8} {r.model:<6} {r.fits:>5} {locale.fixed(r.khat_bad, 3):>6} {_g3(r.khat_max):>6} "
            f"{_g3(r.ess_q05):>8} {_g3(r.ess_q50):>8} {_g3(r.ess_q95):>8} "
            f"{'–' if pd.isna(r.refits_mean) else _g3(r.refits_mean):>6} "
            f"{'–' if pd.isna(r.failed) else locale.fixed(r.failed, 3):>6}"
        )
    s = summary(study)
    lines += ["", "under-covering worlds and targets:"]
    for proc, e in s["processes"].items():
        for u in e["under"]:
            worst = u["worst"]
            lines.append(
                f"  {proc:<8} {u['metric']:<15} h {','.join(map(str, u['horizons']))}: "
                f"{' and '.join(u['tails'])} the interval (worst: {locale.fixed(worst['share'], 3)} "
                f"{worst['tail']} at {locale.fixed(worst['level'], 2)}, nominal {locale.fixed(worst['nominal'], 3)})"
                + (" (out of family: expected)" if proc in OUT_OF_FAMILY else "")
            )
    if not any(e["under"] for e in s["processes"].values()):
        lines.append("  none")
    n = int(df["n"].max())
    lines.append("")
    lines.append(
        "CPU seconds per 100 histories: "
        + ", ".join(f"{p} {locale.fixed(100 * c / n, 1)}" for p, c in study.cpu_seconds.items())
    )
    return "\n".join(lines)


# ============================================================================================ the stored study

#: Where ``calibrate --write`` keeps the study the reports show.
STORED_DIR = Path(__file__).resolve().parent / "validation"
#: What the study's numbers depend on: the model, the hedges and this study (files); the priors and the
#: reporting error (values: editing their reasons or config's paths does not make the study stale); and
#: the numerical libraries.
#: Each entry is a module or a folder of modules, relative to the package.
_CODE = ("stats/model", "stats/calibration", "core/qualifiers")
_LIBS = ("numpy", "scipy", "scoringrules", "pandas")


class StaleStudy(RuntimeError):
    """The stored study was run with other code or libraries than the ones installed."""


def normalised_code(source: str) -> list[str]:
    """What of a module's source can change the study's numbers: its top-level statements as syntax trees.

    Docstrings are left out (comments are not in the tree), and so are the package's own relative imports
    (what they bind is code of ``_CODE``, a prior, or words); an import of a library is one statement per
    name it binds (``from a import b, c`` is ``from a import b`` and ``from a import c``), so that
    :func:`code_digest` can count each binding once however many modules repeat it. Moving a function
    within or between the modules of ``_CODE`` (a new module repeating the imports it needs), moving a
    module to another folder, or editing a comment or docstring leaves the digest unchanged.

    Parameters
    ----------
    source : str
        The text of a Python module.

    Returns
    -------
    list of str
        One ``ast.dump`` per top-level statement, in the order of the source.

    Examples
    --------
    >>> normalised_code("x = 1  # one") == normalised_code("'''Doc.'''\\nx = 1")
    True
    >>> normalised_code("x = 1") == normalised_code("x = 2")
    False
    >>> normalised_code("from .model import fit") == normalised_code("from ..stats.model.signings import fit")
    True
    >>> normalised_code("from a import b, c") == normalised_code("from a import b\\nfrom a import c")
    True
    """
    return list(_statements(source))


@functools.lru_cache(maxsize=64)
def _statements(source: str) -> tuple[str, ...]:
    """:func:`normalised_code` of one text, parsed once per process (a pure function of the text; the
    digest and the stored studies ask for the same modules on every report page)."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]
        body = [s for s in body if not (isinstance(s, ast.ImportFrom) and s.level)]
        node.body = body or ([] if isinstance(node, ast.Module) else [ast.Pass()])
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            out += [ast.dump(ast.Import(names=[name])) for name in stmt.names]
        elif isinstance(stmt, ast.ImportFrom):
            out += [ast.dump(ast.ImportFrom(module=stmt.module, names=[name], level=0)) for name in stmt.names]
        else:
            out.append(ast.dump(stmt, include_attributes=False))
    return tuple(out)


def _code_files(pkg: Path) -> list[Path]:
    """The files of ``_CODE`` in ``pkg``: a module, or every module of a folder."""
    out = []
    for entry in _CODE:
        path = pkg / entry
        out += sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return out


def code_digest(pkg: Path | None = None) -> str:
    """Digest of what the study's numbers depend on.

    The normalised code of ``_CODE`` (:func:`normalised_code`; each library import binding counted once),
    the priors' values, the reporting error and the library versions.

    Parameters
    ----------
    pkg : pathlib.Path, optional
        The package folder whose code is digested (default: this package).

    Returns
    -------
    str
        16 hex digits.

    Examples
    --------
    >>> len(code_digest()), code_digest() == code_digest()
    (16, True)
    """
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1] if pkg is None else Path(pkg)
    statements = [s for path in _code_files(pkg) for s in normalised_code(path.read_text(encoding="utf-8"))]
    imports = {s for s in statements if s.startswith(("Import(", "ImportFrom("))}  # a binding counts once
    for stmt in [*sorted(imports), *sorted(s for s in statements if s not in imports)]:
        h.update(stmt.encode() + b"\0")
    assumptions = {k: (p.dist, p.params) for k, p in sorted(M.PRIORS.items())}
    h.update(repr((assumptions, M.INVESTMENT_MEASUREMENT_SD)).encode())
    for lib, version in _versions():
        h.update(f"{lib}=={version}\n".encode())
    return h.hexdigest()[:16]


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    """The installed versions of ``_LIBS``, read once per process (a running process keeps its libraries)."""
    return tuple((lib, metadata.version(lib)) for lib in _LIBS)


#: the stored tables: file name and the attribute of :class:`Study` it holds
_FILES = {"calibration.csv": "table", "calibration_pit.csv": "pit", "calibration_diagnostics.csv": "diagnostics"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seal(meta: dict) -> str:
    """Checksum of the metadata itself (all but the seal)."""
    body = {k: v for k, v in meta.items() if k != "seal"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def save(study: Study, size: Size, seed: int, folder: Path = STORED_DIR, shape=SHAPE) -> Path:
    """Store a study's tables (CSV) with what it was run with and their checksums (JSON).

    Parameters
    ----------
    study : Study
        A study of :func:`run`.
    size : Size
        The size it was run with.
    seed : int
        The seed it was run with.
    folder : pathlib.Path
        Where to store it.
    shape : tuple of int
        The history shape it was run with.

    Returns
    -------
    pathlib.Path
        The main CSV file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, attr in _FILES.items():
        getattr(study, attr).to_csv(folder / name, index=False, float_format="%.6g", lineterminator="\n")
    n = max(size.n_histories, 1)
    meta = {
        "size": asdict(size),
        "seed": seed,
        "processes": list(dict.fromkeys(study.table["process"])),
        "shape": list(shape),
        "digest": code_digest(),
        "libraries": {lib: metadata.version(lib) for lib in _LIBS},
        "command": "python -m analysis calibrate --write",
        "files": {name: _sha(folder / name) for name in _FILES},
        "cpu_seconds_per_100_histories": {p: round(100 * c / n, 1) for p, c in study.cpu_seconds.items()},
    }
    meta["seal"] = _seal(meta)
    (folder / "calibration.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder / "calibration.csv"


def stored(folder: Path = STORED_DIR) -> tuple[Study, dict]:
    """The stored study and what it was run with.

    Parameters
    ----------
    folder : pathlib.Path
        Where the study is stored.

    Returns
    -------
    tuple of (Study, dict)
        The tables and their metadata (size, seed, processes, shape, digest, libraries, files' checksums).

    Raises
    ------
    StaleStudy
        When there is none, when it no longer describes this code, these priors or these libraries, or
        when a stored file was edited after the study wrote it.
    """
    meta_path = folder / "calibration.json"
    if not meta_path.exists() or not all((folder / name).exists() for name in _FILES):
        raise StaleStudy(
            f"no stored calibration study in {folder}; run `make calibrate` (python -m analysis calibrate --write)"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("digest") != code_digest():
        raise StaleStudy(
            f"{folder / 'calibration.csv'} was run with other code, priors or libraries ({', '.join(_CODE)}; the "
            f"priors of config.py; {', '.join(_LIBS)}) than these; run `make calibrate` (python -m analysis "
            "calibrate --write) again"
        )
    files = meta.get("files", {})
    edited = [name for name in _FILES if files.get(name) != _sha(folder / name)]
    if meta.get("seal") != _seal(meta):
        edited.append(meta_path.name)
    if edited:
        raise StaleStudy(
            f"{', '.join(edited)} in {folder} changed after the study wrote them (edited by hand?); run "
            "`make calibrate` (python -m analysis calibrate --write) again"
        )
    tables = _read_tables(str(folder), tuple(files[name] for name in _FILES))
    return Study(**{attr: frame.copy() for attr, frame in tables.items()}), meta


@functools.lru_cache(maxsize=8)
def _read_tables(folder: str, checksums: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The stored tables of ``folder``, parsed once per process and checksums (:func:`stored` copies them)."""
    return {attr: pd.read_csv(Path(folder) / name) for name, attr in _FILES.items()}


def process_label(process: str, lang: str) -> str:
    """The name of a simulated world in words, with its own parameters.

    Parameters
    ----------
    process : str
        One of :data:`PROCESSES`.
    lang : str
        The language of the words.

    Returns
    -------
    str
        The label.

    Examples
    --------
    >>> process_label("rw_big", "en")
    'Log random walk with steps of sd 0.35'
    """
    return locale.word(f"process_{process}", lang).format(
        growth=locale.pct(GROWTH, lang, 0),
        jump=locale.num(JUMP),
        step=locale.num(STEP),
        step_big=locale.num(STEP_BIG),
        size=locale.num(NB_SIZE),
    )


def _under(g: pd.DataFrame, alpha: float) -> list[dict]:
    """The targets of one world whose tails under-cover (Holm-adjusted p at most ``alpha``), per metric."""
    out = []
    for metric, gm in g.groupby("metric", sort=False):
        flagged = []
        for tail in ("below", "above"):
            hit = gm[gm[f"holm_{tail}"] <= alpha]
            flagged += [(tail, r) for r in hit.itertuples(index=False)]
        if not flagged:
            continue
        tail, worst = max(flagged, key=lambda t: getattr(t[1], t[0]) - (1 - t[1].level) / 2)
        out.append(
            {
                "metric": metric,
                "horizons": sorted({int(r.horizon) for _, r in flagged}),
                "levels": sorted({float(r.level) for _, r in flagged}),
                "tails": [t for t in ("below", "above") if any(f == t for f, _ in flagged)],
                "worst": {
                    "tail": tail,
                    "level": float(worst.level),
                    "horizon": int(worst.horizon),
                    "share": float(getattr(worst, tail)),
                    "nominal": round((1 - float(worst.level)) / 2, 6),
                    "se": float(worst.tail_se),
                },
            }
        )
    return out


def summary(study: Study | pd.DataFrame, alpha: float = ALPHA) -> dict:
    """What the reports say about a study, computed from its tables.

    Per process: the range of coverage at each level over the metrics and horizons; how often the model's
    interval score beats the Poisson baseline's by more than two standard errors; the targets that
    under-cover (Holm-adjusted one-sided tests per tail, at ``alpha``); the targets whose PIT is not uniform
    (chi-square, Holm-adjusted over the study); the largest share of fits with k-hat above 0.7.

    Parameters
    ----------
    study : Study or pandas.DataFrame
        A study of :func:`run` (or :func:`stored`), or its ``table``.
    alpha : float
        The familywise error rate of the tests.

    Returns
    -------
    dict
        ``n_histories``, ``alpha`` and, per process, ``coverage80``/``coverage95`` (min, max),
        ``mc_se80``/``mc_se95``, ``better_than_poisson``, ``worse_than_poisson``, ``n_targets``,
        ``out_of_family``, ``under`` (per metric: ``horizons``, ``levels``, ``tails`` and the ``worst``
        tail's share, nominal share and standard error), ``pit_nonuniform`` and ``khat_bad`` (missing
        without the PIT and diagnostics tables).
    """
    df = study.table if isinstance(study, Study) else study
    pit_bad, khat = {}, {}
    if isinstance(study, Study):
        p = study.pit.assign(holm=holm(study.pit["p_uniform"].to_numpy()))
        pit_bad = p.groupby("process")["holm"].apply(lambda h: int((h <= alpha).sum())).to_dict()
        khat = study.diagnostics.groupby("process")["khat_bad"].max().to_dict()
    out = {"n_histories": int(df["n"].max()), "alpha": alpha, "processes": {}}
    for proc, g in df.groupby("process", sort=False):
        entry = {}
        for level, gl in g.groupby("level"):
            entry[f"coverage{round(level * 100)}"] = (float(gl["coverage"].min()), float(gl["coverage"].max()))
            entry[f"mc_se{round(level * 100)}"] = float(gl["mc_se"].max())
        g95 = g[g["level"] == LEVELS[-1]]
        gain = g95["is_model"] - g95["is_poisson"]
        entry["better_than_poisson"] = int((gain < -2 * g95["is_gain_se"]).sum())
        entry["worse_than_poisson"] = int((gain > 2 * g95["is_gain_se"]).sum())
        entry["n_targets"] = int(len(g95))
        entry["out_of_family"] = proc in OUT_OF_FAMILY
        entry["under"] = _under(g, alpha)
        entry["pit_nonuniform"] = pit_bad.get(proc)
        entry["khat_bad"] = None if proc not in khat else float(khat[proc])
        out["processes"][proc] = entry
    return out
