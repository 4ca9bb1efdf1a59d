"""Projections from the published periods: fit (:mod:`analysis.stats.model`), simulate, summarise, backtest.

:func:`project` turns a dataset (as known at a release) into the model's inputs — one observation
per published period with the source's hedge as bounds, and the landing statements with their
vintages — fits the averaged Bayesian model, draws posterior-predictive simulations for the next
``horizon`` years and summarises them (median, mean, 80 % and 95 % intervals). :func:`backtest`
scores a projection against figures published later. Words about the projection are written by the
prose templates; this module only computes.

The model is explained in :mod:`analysis.stats.model`; its priors, each with its reason, are in
:data:`analysis.core.config.PRIORS`.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.qualifiers import RANGE, Interval, interval
from . import metrics
from . import model as mdl
from .metrics import Period

__all__ = [
    "DEFAULT_SEED",
    "MAX_HORIZON",
    "METRICS",
    "N_SIMS",
    "Projection",
    "Scenario",
    "backtest",
    "conference_times",
    "landing_check",
    "landing_priors",
    "observations",
    "project",
]

DEFAULT_SEED = 20221115
#: Longest projection accepted: beyond this the intervals say nothing and the runtime only grows.
MAX_HORIZON = 50
#: Posterior-predictive simulations per projection (Monte-Carlo error of a 95 % bound about 1 %).
N_SIMS = 20_000
METRICS = ("projects", "investment_100m_yuan", "cumulative_projects", "cumulative_investment_100m_yuan")
LEVELS = tuple((f"pi{round(100 * lv)}", lv) for lv in mdl.LEVELS)
#: Cumulative-investment thresholds are the next multiples of this above the current total.
THRESHOLD_STEP = 500.0


@dataclass(frozen=True)
class Scenario:
    """A what-if applied to the simulations, never the default: growth compounding after ``through``.

    Parameters
    ----------
    growth_projects : float
        Yearly growth of the expected number of projects (0.05 = +5 %/yr; above -1).
    growth_investment_per_project : float
        Yearly growth of the expected amount per project.
    landing_rate : float or None
        A fixed landing rate instead of the fitted landing model (0–1).

    Examples
    --------
    >>> from analysis import Scenario
    >>> Scenario().is_default, Scenario(growth_projects=0.05).is_default
    (True, False)
    """

    growth_projects: float = 0.0  # yearly growth of the expected number of projects (0.05 = +5 %/yr)
    growth_investment_per_project: float = 0.0
    landing_rate: float | None = None  # a fixed landing rate instead of the fitted landing model

    def __post_init__(self):
        for name in ("growth_projects", "growth_investment_per_project"):
            if not getattr(self, name) > -1:
                raise ValueError(f"Scenario.{name} must be greater than -1 (got {getattr(self, name)})")
        if self.landing_rate is not None and not 0 <= self.landing_rate <= 1:
            raise ValueError(f"Scenario.landing_rate must be between 0 and 1 (got {self.landing_rate})")

    @property
    def is_default(self) -> bool:
        """Whether this is the default scenario (no what-if)."""
        return self == Scenario()


@dataclass
class Projection:
    """The projection from ``through``: summaries per year and metric, thresholds and landing.

    Parameters
    ----------
    through : int
        The last year of the history.
    years : list of int
        The projected years.
    seed : int
        The random seed (results are deterministic given it).
    n_sims : int
        Simulations drawn.
    scenario : Scenario
        The what-if applied (the default: none).
    table : pandas.DataFrame
        Declared by :class:`analysis.stats.frames.ProjectionFrame`.
    thresholds : pandas.DataFrame
        Declared by :class:`analysis.stats.frames.ThresholdsFrame`.
    landing : pandas.DataFrame
        Predicted landed counts, declared by :class:`analysis.stats.frames.LandingProjectionFrame`.
    weights : dict
        The models' posterior weights.
    summary : dict
        The posterior summary of the model.
    start : dict
        The cumulative totals the projection adds to.
    history : pandas.DataFrame
        The periods it was fitted on.
    samples : dict
        The simulated draws.
    posterior : analysis.stats.model.Posterior or None
        The fitted model the simulations were drawn from (:mod:`analysis.stats.posterior` reads it).
    """

    through: int
    years: list[int]
    seed: int
    n_sims: int
    scenario: Scenario
    table: pd.DataFrame  # year, metric, mean, median, pi80_lo, pi80_hi, pi95_lo, pi95_hi
    thresholds: pd.DataFrame  # year, threshold_100m_yuan, probability
    landing: pd.DataFrame  # predicted landed counts (see _landing)
    weights: dict[str, float]
    summary: dict
    start: dict  # cumulative totals the projection adds to
    history: pd.DataFrame  # the periods it was fitted on
    samples: dict = field(repr=False, default_factory=dict)
    posterior: mdl.Posterior | None = field(repr=False, default=None)

    def row(self, year: int, metric: str) -> pd.Series:
        """The summary row of one year and metric.

        Parameters
        ----------
        year : int
            A projected year.
        metric : str
            A metric of :attr:`table`.

        Returns
        -------
        pandas.Series
        """
        return self.table[(self.table["year"] == year) & (self.table["metric"] == metric)].iloc[0]


# --------------------------------------------------------------------------------------------- inputs


def _hedge_interval(v: metrics.Value, count: bool) -> Interval:
    """The true values a period's figure allows: a derived value's interval (its hedge read off interval
    arithmetic, a range included), else the stated hedge's (:func:`analysis.core.qualifiers.interval`)."""
    return v.interval if v.interval is not None else interval(v.value, v.qualifier or "exact", count=count)


def _count_bounds(iv: Interval) -> tuple[float, float]:
    lo, hi = iv.whole_numbers()
    return float(max(lo, 0)), float(hi)


def _money_bounds(iv: Interval) -> tuple[float, float]:
    """Bounds in 亿元 for :class:`analysis.stats.model.PeriodObs`: a lower end at or below 0 is no lower bound (0)."""
    return (max(iv.lo, 1e-6) if iv.lo > 0 else 0.0), iv.hi


def observations(ds, through: int) -> tuple[list[mdl.PeriodObs], list[mdl.LandingObs]]:
    """The model's inputs from the published periods ending by ``through`` and the landing statements.

    Each period is one observation; its hedge becomes bounds, from the interval of its qualifier (exact
    counts are exact; 约 is ±5 %; 余 and 超 are lower bounds; 不足 and 以内 upper bounds; a derived value
    the interval its derivation allows). A landing statement enters when its signed count and the landed
    counts it allows are known; its vintage is the source's year.

    Parameters
    ----------
    ds : Dataset
        The vintage (:func:`analysis.stats.metrics.vintage`).
    through : int
        The last year of the history.

    Returns
    -------
    tuple
        The periods' observations and the landing statements' observations.
    """
    tr = metrics.trends(ds, through)
    vals = metrics.period_values(ds)
    periods = []
    for r in tr.to_dict("records"):
        v = vals[Period(int(r["first_year"]), int(r["last_year"]))]
        pr, inv = v["projects"], v["investment_100m_yuan"]
        periods.append(
            mdl.PeriodObs(
                int(r["first_year"]),
                int(r["last_year"]),
                projects=int(round(pr.value)) if pr.known and pr.qualifier == "exact" else None,
                projects_bounds=_count_bounds(_hedge_interval(pr, True)) if pr.known else None,
                investment=float(inv.value) if inv.known and inv.qualifier == "exact" else None,
                investment_bounds=_money_bounds(_hedge_interval(inv, False)) if inv.known else None,
            )
        )
    landing = []
    times = conference_times(ds)
    for r in metrics.landing_rates(ds, through).to_dict("records"):
        vintage, month = int(r["vintage"][0]), int(r["vintage"][1])
        first, last = int(r["first_year"]), int(r["last_year"])
        if pd.isna(r["signed"]) or pd.isna(r["landed_lo"]) or vintage <= last:
            continue
        landing.append(
            mdl.LandingObs(
                first,
                last,
                vintage,
                int(r["signed"]),
                (int(r["landed_lo"]), int(r["landed_hi"])),
                at=mdl.time_nodes(vintage, month),
                signed_at=tuple(times.get(y, mdl.time_nodes(y)) for y in range(first, last + 1)),
            )
        )
    return periods, landing


def conference_times(ds) -> dict[int, tuple[float, ...]]:
    """When each conference of the dataset was held, in fractional years (for the landing model's ages).

    The middle of its month when some row of conferences.csv gives the month; otherwise the twelve mid-month
    times of the year, equally likely (:func:`analysis.stats.model.time_nodes`: nothing is guessed).

    Parameters
    ----------
    ds : Dataset
        A dataset (usually a vintage).

    Returns
    -------
    dict of int to tuple of float
        The times by conference year.

    Examples
    --------
    >>> from analysis import load
    >>> t = conference_times(load())
    >>> t[2021], len(t[2019])
    ((2021.375,), 12)
    """
    conf = ds["conferences"]
    out = {}
    for year, rows in conf.groupby("year"):
        months = rows["month"].dropna()
        out[int(year)] = mdl.time_nodes(int(year), int(months.iloc[0]) if len(months) else None)
    return out


def _range(h) -> list | None:
    """``[lo, hi]`` (None for an unbounded end) of a sum whose hedge is a range; None otherwise."""
    return (
        None
        if h is None or h.qualifier != RANGE
        else list(metrics.Value(h.value, h.qualifier, interval=h.interval).range)
    )


# --------------------------------------------------------------------------------------------- summaries


def _summarise(samples: np.ndarray) -> dict[str, np.ndarray]:
    out = {"mean": samples.mean(axis=0), "median": np.quantile(samples, 0.5, axis=0, method="inverted_cdf")}
    for name, level in LEVELS:
        out[name + "_lo"], out[name + "_hi"] = mdl.central_interval(samples, level)
    return out


def _thresholds(start: float) -> tuple[float, float]:
    first = math.floor(start / THRESHOLD_STEP) * THRESHOLD_STEP + THRESHOLD_STEP
    return first, first + THRESHOLD_STEP


# --------------------------------------------------------------------------------------------- project


#: the models fitted in this process (:func:`fitted`), the latest used last
_FITS: OrderedDict[tuple, object] = OrderedDict()
#: how many :data:`_FITS` keeps: a release's model and its two landing prior sets (the two languages of a unit run
#: one after the other in a kernel), for two releases; each holds about 13 MB of draws and grid
FIT_MEMO_SIZE = 6


def fitted(fit, *args, **kwargs):
    """``fit(*args, **kwargs)``, fitted once per process for equal arguments and priors.

    ``fit`` is :func:`analysis.stats.model.fit`, :func:`analysis.stats.model.fit_landing` or
    :func:`analysis.stats.model.leave_one_out`, each deterministic given its arguments and the priors in force
    (``PRIORS``, the investment's measurement error), which the key holds with the arguments. A what-if scenario
    shares the model of its base projection, a report's second language the landing prior sets and the
    leave-one-out check of its first (:func:`landing_priors`, :func:`landing_check`), and datasets of equal figures
    (a copy in another folder, other words) share theirs. What it returns is shared by every caller: its arrays are made
    read-only, so that an edit fails instead of changing another's results. :func:`clear_cache` forgets them.

    Parameters
    ----------
    fit : callable
        :func:`analysis.stats.model.fit`, :func:`analysis.stats.model.fit_landing` or
        :func:`analysis.stats.model.leave_one_out`.
    *args, **kwargs
        Its arguments (lists are keyed as tuples, dicts as their items).

    Returns
    -------
    Posterior, LandingPosterior or list of dict
        What ``fit`` returned for them, shared (copy what you change).

    Examples
    --------
    >>> from analysis.stats.model import PeriodObs, fit
    >>> periods = (PeriodObs(2019, 2020, 85, None, 600.0, None), PeriodObs(2021, 2021, 40, None, 280.0, None))
    >>> fitted(fit, periods, seed=1) is fitted(fit, periods, seed=1)
    True
    >>> fitted(fit, periods, seed=1).fits["iid"].x.flags.writeable
    False
    """
    from ..core import config

    key = (
        fit.__module__,
        fit.__name__,
        tuple(tuple(a) if isinstance(a, list) else a for a in args),
        tuple(sorted((k, tuple(v.items()) if isinstance(v, dict) else v) for k, v in kwargs.items())),
        tuple(sorted(config.PRIORS.items())),
        config.INVESTMENT_MEASUREMENT_SD,
    )
    try:
        hash(key)
    except TypeError:  # an argument that cannot be a key: fitted every time
        return fit(*args, **kwargs)
    return metrics.remembered(_FITS, key, FIT_MEMO_SIZE, lambda: _read_only(fit(*args, **kwargs)))


def _read_only(post):
    """``post`` (a Posterior or a LandingPosterior), its arrays and those of its parts made read-only."""
    parts = [post, *getattr(post, "fits", {}).values(), getattr(post, "landing", None)]
    for part in parts:
        for value in getattr(part, "__dict__", {}).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    return post


def clear_cache() -> None:
    """Forget the models :func:`fitted` kept: the next projections fit afresh.

    Examples
    --------
    >>> clear_cache()
    """
    _FITS.clear()


@metrics.per_dataset  # one fit per vintage and arguments: the notebooks of a warm kernel share it
def project(
    ds,
    through: int | None = None,
    horizon: int = 3,
    seed: int = DEFAULT_SEED,
    scenario: Scenario = Scenario(),
    n_sims: int = N_SIMS,
) -> Projection:
    """Projects, intended investment, cumulative totals and landing for ``horizon`` years after ``through``.

    ``ds`` should be the dataset as known at the release of ``through``
    (:func:`analysis.stats.metrics.known_at_release`). ``through`` must be the end of a published period.
    Deterministic given ``seed``.

    Parameters
    ----------
    ds : Dataset
        The vintage (:func:`analysis.stats.metrics.vintage`).
    through : int, optional
        The end of a published period; default the last conference year.
    horizon : int
        Years projected (1 to ``MAX_HORIZON``).
    seed : int
        The random seed.
    n_sims : int
        Simulations (at least 100).
    scenario : Scenario
        A what-if (default none).

    Returns
    -------
    Projection

    Examples
    --------
    >>> from analysis import load
    >>> from analysis.stats import metrics
    >>> v = metrics.vintage(load(), 2023)
    >>> project(v.dataset, v.through, horizon=1, n_sims=200).years
    [2024]
    """
    if not 1 <= int(horizon) <= MAX_HORIZON:
        raise ValueError(f"horizon must be 1 to {MAX_HORIZON} years (got {horizon})")
    if int(n_sims) < 100:
        raise ValueError(f"n_sims must be at least 100 (got {n_sims})")
    horizon, n_sims = int(horizon), int(n_sims)
    through = metrics._upto(ds, through)  # checked at the door (metrics.vintage), not here
    tr = metrics.trends(ds, through)
    if tr.empty or int(tr["last_year"].max()) != through:
        ends = ", ".join(str(int(y)) for y in metrics.trends(ds)["last_year"])
        raise ValueError(
            f"{through} is not the end of a published period (periods end in {ends}); "
            "single years inside an aggregate are not published, so a projection cannot start there"
        )
    if tr["projects"].isna().all():
        raise ValueError(f"no project counts are published by {through}; nothing to project from")
    periods, statements = observations(ds, through)
    post = fitted(mdl.fit, periods, statements, seed=seed)
    rng = np.random.default_rng(seed)
    years = list(range(through + 1, through + horizon + 1))
    sims = post.predict(years, n_sims, rng)
    projects, invest = sims["projects"], sims["investment"]
    if not scenario.is_default:
        h = np.arange(1, horizon + 1)
        rate = sims["rate"] * (1 + scenario.growth_projects) ** h
        projects = rng.poisson(rate).astype(float)
        invest = (
            invest * (projects / np.maximum(sims["projects"], 1)) * (1 + scenario.growth_investment_per_project) ** h
        )
    sums = {m: metrics.sum_of_periods(ds, tr.to_dict("records"), m) for m in metrics.MEASURES}
    start = {
        # the value the hedge belongs to (超 the lowest sum the parts allow), not the plain sum of the points
        **{m: None if h is None else float(h.value) for m, h in sums.items()},
        **{m.split("_")[0] + "_qualifier": None if h is None else h.qualifier for m, h in sums.items()},
        "periods": list(tr["period"]),
        # the interval of a start no hedge word describes (a derived range), for writing it
        "projects_range": _range(sums["projects"]),
        "investment_range_100m_yuan": _range(sums["investment_100m_yuan"]),
    }
    samples = {"projects": projects, "investment_100m_yuan": invest}
    if start["projects"] is not None:
        samples["cumulative_projects"] = start["projects"] + np.cumsum(projects, axis=1)
    if start["investment_100m_yuan"] is not None:
        samples["cumulative_investment_100m_yuan"] = start["investment_100m_yuan"] + np.cumsum(invest, axis=1)
    rows = []
    for metric in METRICS:
        if metric not in samples:
            continue
        s = _summarise(samples[metric])
        for j, y in enumerate(years):
            rows.append({"year": y, "metric": metric, **{k: float(v[j]) for k, v in s.items()}})
    table = pd.DataFrame(rows, columns=["year", "metric", "mean", "median", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi"])
    thr = []
    if "cumulative_investment_100m_yuan" in samples:
        for t in _thresholds(start["investment_100m_yuan"]):
            for j, y in enumerate(years):
                thr.append(
                    {
                        "year": y,
                        "threshold_100m_yuan": t,
                        "probability": float(np.mean(samples["cumulative_investment_100m_yuan"][:, j] > t)),
                    }
                )
    landing = _landing(ds, through, post, projects, years, rng, scenario)
    return Projection(
        through=through,
        years=years,
        seed=int(seed),
        n_sims=n_sims,
        scenario=scenario,
        table=table,
        thresholds=pd.DataFrame(thr, columns=["year", "threshold_100m_yuan", "probability"]),
        landing=landing,
        weights=dict(post.weights),
        summary=post.summary(),
        start=start,
        history=tr,
        samples=samples,
        posterior=post,
    )


_LANDING_COLS = [
    "cohort",
    "first_year",
    "last_year",
    "vintage",
    "kind",
    "signed",
    "signed_p10",
    "signed_p90",
    "landed_median",
    "landed_mean",
    "pi80_lo",
    "pi80_hi",
    "pi95_lo",
    "pi95_hi",
    "rate_median",
]


def _landing(ds, through, post, projects, years, rng, scenario: Scenario) -> pd.DataFrame:
    """Landed counts that later statements will report (predictive draws of observed counts).

    * ``span``: everything signed so far, at the next year's statement (what the next article
      usually states: 2019–2022 in 2023), given the statements so far;
    * ``cohort``: the periods not yet covered by any statement, at the next year;
    * ``projected``: each projected year's own projects one year after signing.
    """
    lp = post.landing
    if lp is None and scenario.landing_rate is None:
        return pd.DataFrame(columns=_LANDING_COLS)
    n_sims = projects.shape[0]
    tr = metrics.trends(ds, through)
    covered_to = max((s.last_year for s in lp.stmts), default=None) if lp is not None else None
    uncovered = [
        (int(r.first_year), int(r.last_year), int(r.projects))
        for r in tr.itertuples()
        if (covered_to is None or r.first_year > covered_to) and not pd.isna(r.projects)
    ]
    nxt = through + 1
    times = conference_times(ds)
    rows = []

    def add(kind, first, last, vintage, out):
        landed, signed = out["landed"], out["signed"]
        s = _summarise(landed[:, None])
        rows.append(
            {
                "cohort": Period(first, last).label,
                "first_year": first,
                "last_year": last,
                "vintage": vintage,
                "kind": kind,
                "signed": float(np.median(signed)),
                "signed_p10": float(np.quantile(signed, 0.1)),
                "signed_p90": float(np.quantile(signed, 0.9)),
                "landed_median": float(s["median"][0]),
                "landed_mean": float(s["mean"][0]),
                "pi80_lo": float(s["pi80_lo"][0]),
                "pi80_hi": float(s["pi80_hi"][0]),
                "pi95_lo": float(s["pi95_lo"][0]),
                "pi95_hi": float(s["pi95_hi"][0]),
                "rate_median": float(np.median(landed / np.maximum(signed, 1))),
            }
        )

    def fixed_rate(groups):
        signed = sum(np.broadcast_to(np.asarray(n, dtype=np.int64), (n_sims,)) for _, _, n in groups)
        return {"landed": rng.binomial(signed, scenario.landing_rate).astype(float), "signed": signed.astype(float)}

    first = int(tr["first_year"].min())
    if lp is not None and scenario.landing_rate is None:
        add("span", first, through, nxt, lp.predict_existing(nxt, n_sims, rng, new_groups=uncovered, times=times))
    elif scenario.landing_rate is not None:
        add("span", first, through, nxt, fixed_rate([(first, through, int(tr["projects"].sum()))]))
    if uncovered:
        out = (
            fixed_rate(uncovered)
            if scenario.landing_rate is not None
            else lp.predict_cohort(uncovered, nxt, n_sims, rng, times=times)
        )
        add("cohort", uncovered[0][0], uncovered[-1][1], nxt, out)
    for j, y in enumerate(years):
        groups = [(y, y, projects[:, j].astype(np.int64))]
        out = (
            fixed_rate(groups)
            if scenario.landing_rate is not None
            else lp.predict_cohort(groups, y + 1, n_sims, rng, times=times)
        )
        add("projected", y, y, y + 1, out)
    return pd.DataFrame(rows, columns=_LANDING_COLS)


# --------------------------------------------------------------------------------------------- backtest

_BACKTEST_COLS = [
    "year",
    "metric",
    "actual",
    "actual_qualifier",
    "actual_range",
    "actual_source",
    "median",
    "mean",
    "pi80_lo",
    "pi80_hi",
    "pi95_lo",
    "pi95_hi",
    "inside80",
    "inside95",
    "interval_score80",
    "interval_score95",
    "crps",
]


def backtest(proj: Projection, ds, after=None) -> pd.DataFrame:
    """The projection against what was published later in ``ds`` (the full data).

    One row per projected year that is a published single year first released after ``after`` (the
    projection's vintage: a year published in the same article as the history is no test), and for
    horizons of two years or more the cumulative total at its end (one year ahead it only repeats the
    yearly row). The cumulative actual is the total a source states for that span when exact
    (``actual_source`` "reported"), else the sum of the published periods ("sum"). Interval scores
    (Gneiting–Raftery, 80 % and 95 %) and CRPS come from ``scoringrules`` (lower is better).

    Parameters
    ----------
    proj : Projection
        A projection made at a release.
    ds : Dataset
        The full dataset.
    after : tuple of int, optional
        The projection's vintage date.

    Returns
    -------
    pandas.DataFrame
        Declared by :class:`analysis.stats.frames.BacktestFrame`.
    """
    import scoringrules as sr

    full = metrics.trends(ds)
    totals = metrics.reported_totals(ds)
    first = int(full["first_year"].min())
    later = full[(full["n_years"] == 1) & full["first_year"].isin(proj.years)].sort_values("first_year")
    rows = []
    for r in later.to_dict("records"):
        y = int(r["first_year"])
        if after is not None and metrics.period_release(ds, Period(y, y)) <= tuple(after):
            continue
        j = proj.years.index(y)
        upto = full[full["last_year"] <= y]
        actuals = {
            "projects": (r["projects"], r["projects_qualifier"], metrics.bounds_list(r["projects_range"]), "reported"),
            "investment_100m_yuan": (
                r["investment_100m_yuan"],
                r["investment_qualifier"],
                metrics.bounds_list(r["investment_range"]),
                "reported",
            ),
        }
        if j >= 1:
            for metric, col in (
                ("cumulative_projects", "projects"),
                ("cumulative_investment_100m_yuan", "investment_100m_yuan"),
            ):
                stated = totals.get(Period(first, y), {}).get(col)
                if stated is not None and stated.known and stated.qualifier == "exact":
                    actuals[metric] = (stated.value, "exact", None, "reported")
                elif upto[col].notna().all():
                    h = metrics.sum_of_periods(ds, upto.to_dict("records"), col)
                    actuals[metric] = (h.value, h.qualifier, _range(h), "sum")
        for metric, (actual, q, bounds, source) in actuals.items():
            if actual is None or pd.isna(actual) or metric not in proj.samples:
                continue
            actual = float(actual)
            p = proj.row(y, metric)
            draws = proj.samples[metric][:, j]
            row = {
                "year": y,
                "metric": metric,
                "actual": actual,
                "actual_qualifier": q,
                "actual_range": bounds,
                "actual_source": source,
                **{k: float(p[k]) for k in ("median", "mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi")},
            }
            for name, level in LEVELS:  # pi80 -> inside80, interval_score80
                lo, hi, k = row[name + "_lo"], row[name + "_hi"], name[2:]
                row["inside" + k] = bool(lo <= actual <= hi)
                row["interval_score" + k] = float(sr.interval_score(actual, lo, hi, 1 - level))
            row["crps"] = float(sr.crps_ensemble(actual, draws))
            rows.append(row)
    return pd.DataFrame(rows, columns=_BACKTEST_COLS)


def landing_backtest(proj: Projection, ds, after=None) -> pd.DataFrame:
    """The predicted landed count against a later statement about the same span.

    The predicted landed count of everything signed by ``through`` against a statement published after
    ``after`` about exactly that span at the predicted vintage year (2019–2022 in 2023), when one exists.

    Parameters
    ----------
    proj : Projection
        A projection made at a release.
    ds : Dataset
        The full dataset.
    after : tuple of int, optional
        The projection's vintage date.

    Returns
    -------
    pandas.DataFrame
        Declared by :class:`analysis.stats.frames.LandingBacktestFrame` (empty when no statement matches).
    """
    span = proj.landing[proj.landing["kind"] == "span"]
    if span.empty:
        return pd.DataFrame()
    s = span.iloc[0]
    lr = metrics.landing_rates(ds)
    hit = lr[
        (lr["first_year"] == s["first_year"])
        & (lr["last_year"] == s["last_year"])
        & (lr["vintage"].map(lambda d: d[0]) == s["vintage"])
        & (lr["vintage"].map(lambda d: after is None or tuple(d) > tuple(after)))
    ]
    rows = []
    for r in hit.to_dict("records"):
        rows.append(
            {
                "cohort": s["cohort"],
                "as_of": r["vintage"],
                "actual_lo": r["landed_lo"],
                "actual_hi": r["landed_hi"],
                "median": s["landed_median"],
                "pi80_lo": s["pi80_lo"],
                "pi80_hi": s["pi80_hi"],
                "pi95_lo": s["pi95_lo"],
                "pi95_hi": s["pi95_hi"],
                "inside80": bool(s["pi80_lo"] <= r["landed_hi"] and r["landed_lo"] <= s["pi80_hi"]),
                "inside95": bool(s["pi95_lo"] <= r["landed_hi"] and r["landed_lo"] <= s["pi95_hi"]),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------- landing checks

_LANDING_CHECK_COLS = [
    "cohort",
    "first_year",
    "last_year",
    "vintage",
    "signed",
    "landed_lo",
    "landed_hi",
    "median",
    "pi80_lo",
    "pi80_hi",
    "pi95_lo",
    "pi95_hi",
    "pit",
]


def landing_check(proj: Projection, ds) -> pd.DataFrame:
    """The landing model's leave-one-statement-out check: each statement predicted from the others.

    The model is fitted to every landing statement but one; the left-out statement's landed count is
    predicted (the earlier statements conditioned on), and the stated count is placed in that predictive
    distribution (:func:`analysis.stats.model.leave_one_out`).

    Parameters
    ----------
    proj : Projection
        A projection (its ``through`` picks the statements).
    ds : Dataset
        The vintage the projection was made from.

    Returns
    -------
    pandas.DataFrame
        One row per statement: ``cohort``, ``first_year``, ``last_year``, ``vintage``, ``signed``, the stated
        ``landed_lo``/``landed_hi``, the predictive ``median``, 80 % and 95 % interval ends and ``pit`` (the
        predictive probability below the stated count, half that of the stated range added). Empty with
        fewer than two statements.

    Examples
    --------
    >>> from analysis import compute, load
    >>> res = compute(load(), 2023)
    >>> t = landing_check(res.projection, res.dataset)
    >>> list(t["vintage"]), bool(t["pit"].between(0, 1).all())
    ([2021, 2022, 2023], True)
    """
    periods, stmts = observations(ds, proj.through)
    if len(stmts) < 2:
        return pd.DataFrame(columns=_LANDING_CHECK_COLS)
    rows = fitted(mdl.leave_one_out, periods, stmts)  # shared: read into new rows
    return pd.DataFrame(
        [{"cohort": Period(r["first_year"], r["last_year"]).label, **r} for r in rows], columns=_LANDING_CHECK_COLS
    )


_LANDING_PRIOR_COLS = [
    "priors",
    "eventual_share_q10",
    "eventual_share_median",
    "eventual_share_q90",
    "icc_median",
    *_LANDING_COLS,
]


def landing_priors(proj: Projection, ds) -> pd.DataFrame:
    """The projection's landing rows under other priors of the landing model, beside today's.

    ``current`` is the projection's own landing (the ``landing_*`` priors of ``PRIORS``); each set of
    :data:`analysis.core.config.LANDING_PRIOR_SETS` refits the landing model with its priors and draws the
    same rows (same projected signings, the projection's seed).

    Parameters
    ----------
    proj : Projection
        A projection without a scenario.
    ds : Dataset
        The vintage the projection was made from.

    Returns
    -------
    pandas.DataFrame
        Per prior set (``priors``) and row of ``proj.landing``: the posterior quantiles of the eventual share
        ``c``, the median of ``rho``, and the columns of ``Projection.landing``. Empty when the projection
        has no landing model.

    Examples
    --------
    >>> from analysis import compute, load
    >>> res = compute(load(), 2023)
    >>> t = landing_priors(res.projection, res.dataset)
    >>> list(dict.fromkeys(t["priors"])), list(t[t["priors"] == "current"]["landed_median"]) == list(
    ...     res.projection.landing["landed_median"])
    (['current', 'flat', 'sceptical'], True)
    """
    from ..core.config import LANDING_PRIOR_SETS

    post = proj.posterior
    if post is None or post.landing is None or proj.landing.empty:
        return pd.DataFrame(columns=_LANDING_PRIOR_COLS)
    periods, stmts = observations(ds, proj.through)
    frames = []
    for name, priors in [("current", None), *LANDING_PRIOR_SETS.items()]:
        if priors is None:
            lp, table = post.landing, proj.landing
        else:
            lp = fitted(mdl.fit_landing, periods, stmts, priors=priors)
            refit = dataclasses.replace(post, landing=lp)
            rng = np.random.default_rng(proj.seed)
            table = _landing(ds, proj.through, refit, proj.samples["projects"], proj.years, rng, Scenario())
        s = lp.summary()
        frames.append(
            table.assign(
                priors=name,
                eventual_share_q10=s["eventual_share"]["q10"],
                eventual_share_median=s["eventual_share"]["q50"],
                eventual_share_q90=s["eventual_share"]["q90"],
                icc_median=s["icc"]["q50"],
            )
        )
    return pd.concat(frames, ignore_index=True)[_LANDING_PRIOR_COLS]
