"""Projections of future signings with honest uncertainty, backtests and scenarios.

What the projection rests on
----------------------------
Very little. The published history is a handful of *periods* (today: the three-year aggregate
2019–2021 and the single year 2022). Every period is one observation; an aggregate is never split
into invented single years. All intervals below are prediction intervals for the value that will
be *observed* (80 % and 95 %), built by seeded Monte-Carlo simulation that includes the uncertainty
of the fitted parameters. :meth:`Projection.data_note` states, from the numbers, how thin the base is.

Projects signed per year
------------------------
Annual counts are modelled with a constant expected rate ``mu`` per year (a log-linear trend only as
an explicit :class:`Scenario`, never by default). A period of ``n`` years is one observation with
exposure ``n``.

* ``model="poisson"``: constant-rate Poisson GLM (statsmodels, family Poisson, ``exposure=n``).
  ``mu`` = total projects / total years; standard error of ``log mu`` from the GLM.
* ``model="negbin"`` (default): annual counts are negative binomial with mean ``mu`` and dispersion
  ``alpha`` (variance ``mu + alpha*mu**2``); years are independent, so a period of ``n`` years has
  mean ``n*mu`` and variance ``n*mu + n*alpha*mu**2``. With that variance the quasi-likelihood
  estimate of ``mu`` is the same as the Poisson one, so the same GLM is fitted; its covariance is
  inflated by the sandwich factor ``1 + alpha*mu``. (statsmodels' own NB family with ``exposure``
  is *not* used: it would apply ``alpha`` to a three-year total as if it were one year.)

  ``alpha`` cannot be estimated from two periods (one degree of freedom). It is set to
  ``max(ALPHA_FLOOR, moment estimate)`` where the moment estimate solves
  ``sum_i (y_i - E_i)**2 / V_i(alpha) = k - p`` (Pearson statistic with the period-length variance
  ``V_i = n_i*mu + n_i*alpha*mu**2``; ``k`` periods, ``p`` rate parameters). With ``k <= p`` (one
  period, e.g. ``through=2021``) only the floor is used. ``ALPHA_FLOOR = 0.04`` is a prior
  judgement, not an estimate: it says the underlying rate varies from year to year with a
  coefficient of variation of ``sqrt(0.04) = 20 %`` (policy focus, economic conditions, the list
  of projects ready for signing). With about 40 projects a year it roughly doubles the Poisson
  variance. Today the moment estimate is below zero (2019–2021 and 2022 agree better than Poisson
  predicts), so the floor is what is used; ``Projection.model["projects"]["alpha_how"]`` says so.

Parameter uncertainty: for every simulation the log-rate is drawn from a normal distribution with
the (inflated) GLM standard error, centred so that the mean rate equals the fitted rate; then the
annual count is drawn (Poisson, or gamma-Poisson = NB with ``alpha``).

Intended investment per year
----------------------------
Compound model: the investment of a year is the sum, over that year's simulated projects, of
per-project amounts drawn independently from a lognormal distribution

* whose mean ``m`` is total investment / total projects over all periods with both figures (today
  1080 / 161 亿元 = 6.71 亿元); this respects the aggregate (the 2019–2021 block enters through its
  total only) and gives every project, including agreements without money, the same weight;
* whose log-scale ``sigma`` is calibrated on the published breakdowns (category, place): for a
  partition of one period's ``N`` projects into groups of ``n_g`` projects with mean amount
  ``M_g`` (the groups without a stated amount pooled into one group carrying the implied
  remainder, which may be 0), ``E[sum_g n_g (M_g - M)**2] = (G - 1) * Var(X)`` when projects are
  assigned to groups at random, ``M`` being the period's mean per project. So
  ``CV**2 = Var(X)/m**2`` is estimated as ``sum SS / sum (G-1) M**2`` pooled over all published
  partitions, and ``sigma = sqrt(log(1 + CV**2))``. Today that is the 2022 breakdown by category
  (industry 4.13, infrastructure 54.96, business environment + public services 0 亿元 a project)
  and by place, giving ``sigma`` ≈ 1.87. Caveats: the two partitions share the same 37 projects,
  and a category split is not random with respect to size, so this errs on the heavy side. As a
  check, with ``sigma = 1.87`` the three largest of 37 projects carry a median 57 % of a year's
  money (2022: the three infrastructure projects alone carried 59 %).
  The moment estimate is unbiased for ``CV**2`` but, with heavy tails, usually *below* it, so
  ``sigma`` estimated from one small random partition tends to be too small (see the calibration
  tests); it is treated as known, which is the main reason the investment intervals may be too
  narrow.
* Without any breakdown (e.g. ``through=2021``) ``sigma = DEFAULT_SIGMA = 1.5``: a lognormal in
  which the largest 10 % of projects carry about 59 % of the money, a generic concentration for
  investment-promotion lists, chosen as a round value and not tuned on 2022.

Parameter uncertainty: ``log m`` is drawn from a normal with standard error
``sqrt(CV**2 / N_total)`` (the sampling error of a mean of ``N_total`` such amounts), centred so
the mean of ``m`` is the fitted value. ``sigma`` is treated as known (an assumption: with one
breakdown it is itself uncertain, so intervals are if anything too narrow on this account).

Cumulative totals, thresholds, landing
--------------------------------------
Cumulative projections add the simulated years to :func:`analysis.metrics.cumulative` at
``through``; their intervals widen with the horizon. Threshold probabilities are the share of
simulations in which cumulative investment exceeds the threshold by that year. Projected cohorts
(and cohorts already signed without landing figures, e.g. 2022) land ``Binomial(signed, p)`` with
``p ~ Beta(landed + 0.5, signed - landed + 0.5)`` (Jeffreys) from
:func:`analysis.metrics.reference_cohort`, one ``p`` per simulation, or ``p`` fixed by the
scenario's ``landing_rate``.

Scenarios
---------
:class:`Scenario` growth rates compound per year after ``through`` (year ``through + h`` is scaled
by ``(1 + g)**h``); ``trend=True`` replaces the constant rate by a log-linear rate
``exp(b0 + b1*(t - through))`` fitted by Poisson maximum likelihood on the periods (a period's
expectation is the exact sum over its years) with the same NB covariance inflation; it needs at
least two periods.

Backtest
--------
With ``through`` before the last conference year, every projected year that is published as a
single-year period in the full data is compared with its projection (projects and investment):
inside the 80 % / 95 % intervals and the 95 % interval score of Gneiting & Raftery (2007),
``(u - l) + 2/a*(l - y)*[y < l] + 2/a*(y - u)*[y > u]`` with ``a = 0.05`` (lower is better).
Rows appear by themselves when a new year is added to data/. Note that some inputs available at
``through`` were published later (the 2019–2021 investment is derived from the 2019–2022 total,
and the 2019–2021 landing figure appeared in 2022), so the backtest is not fully out of sample.

Intervals are quantiles of the simulated values (inverted CDF, so for counts the interval covers at
least the nominal probability).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from . import metrics
from .metrics import Period

__all__ = [
    "ALPHA_FLOOR",
    "DEFAULT_SEED",
    "MAX_HORIZON",
    "DEFAULT_SIGMA",
    "METRICS",
    "Projection",
    "RateFit",
    "Scenario",
    "SizeFit",
    "estimate_sigma",
    "fit_rate",
    "fit_sizes",
    "interval_score",
    "predictive_interval",
    "project",
    "simulate_counts",
    "simulate_investment",
]

DEFAULT_SEED = 20221115
#: Longest projection accepted: beyond this the intervals say nothing and the runtime only grows.
MAX_HORIZON = 50
#: Floor (prior) for the NB dispersion of annual counts: year-to-year CV of the rate of sqrt(0.04) = 20 %.
ALPHA_FLOOR = 0.04
#: Lognormal log-scale of per-project amounts when no breakdown is published (top 10 % carry ~59 %).
DEFAULT_SIGMA = 1.5
#: Jeffreys prior for the landing rate: Beta(landed + 0.5, signed - landed + 0.5).
LANDING_PRIOR = 0.5
#: Level of the interval score (95 % intervals).
INTERVAL_SCORE_ALPHA = 0.05
#: Decimals kept in JSON output.
JSON_DECIMALS = 4
METRICS = ("projects", "investment_100m_yuan", "cumulative_projects", "cumulative_investment_100m_yuan")
LEVELS = (("pi80", 0.80), ("pi95", 0.95))
MODELS = ("negbin", "poisson")


@dataclass(frozen=True)
class Scenario:
    growth_projects: float = 0.0  # annual growth of projects signed per year (0.05 = +5 %/yr)
    growth_investment_per_project: float = 0.0
    landing_rate: float | None = None  # None = historical rate (with its uncertainty)
    trend: bool = False  # log-linear time trend fitted on the periods: a scenario, never default

    def __post_init__(self):
        for name in ("growth_projects", "growth_investment_per_project"):
            if not getattr(self, name) > -1:
                raise ValueError(f"Scenario.{name} must be greater than -1 (got {getattr(self, name)})")
        if self.landing_rate is not None and not 0 <= self.landing_rate <= 1:
            raise ValueError(f"Scenario.landing_rate must be between 0 and 1 (got {self.landing_rate})")


# --------------------------------------------------------------------------------------------- intervals


def predictive_interval(samples: np.ndarray, level: float, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of simulated values: quantiles (1-level)/2 and (1+level)/2 (inverted CDF)."""
    lo = np.quantile(samples, (1 - level) / 2, axis=axis, method="inverted_cdf")
    hi = np.quantile(samples, (1 + level) / 2, axis=axis, method="inverted_cdf")
    return lo, hi


def interval_score(y, lo, hi, alpha: float = INTERVAL_SCORE_ALPHA):
    """Gneiting–Raftery interval score of the central (1-alpha) interval [lo, hi] for observation y."""
    y, lo, hi = np.asarray(y, float), np.asarray(lo, float), np.asarray(hi, float)
    return (hi - lo) + 2 / alpha * (lo - y) * (y < lo) + 2 / alpha * (y - hi) * (y > hi)


# --------------------------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class RateFit:
    """Fitted annual rate of projects signed. ``params`` are on the log scale at ``ref_year``."""

    model: str
    trend: bool
    ref_year: int
    params: np.ndarray  # [log rate] or [log rate at ref_year, slope per year]
    cov: np.ndarray  # covariance of params, inflated for the dispersion (negbin)
    alpha: float  # NB dispersion of annual counts (0 for poisson)
    alpha_how: str
    alpha_moment: float | None  # moment estimate before flooring (None when not estimable)
    alpha_source: str  # "floor" | "moment" | "poisson"
    n_periods: int
    n_years: int
    total: float
    inflation: float  # variance inflation of the parameter covariance (1 for poisson)

    def rate(self, year: int | float | None = None) -> float:
        if not self.trend:
            return float(math.exp(self.params[0]))
        return float(math.exp(self.params[0] + self.params[1] * ((year if year is not None else self.ref_year) - self.ref_year)))


def _period_years(first_years, last_years) -> list[np.ndarray]:
    return [np.arange(int(a), int(b) + 1) for a, b in zip(first_years, last_years)]


def _moment_alpha(y, E, S, df: int) -> float | None:
    """Solve sum (y-E)^2 / (E + alpha*S) = df for alpha (None when df < 1); may be negative -> 0."""
    if df < 1:
        return None
    stat0 = float(np.sum((y - E) ** 2 / E))
    if stat0 <= df:
        # Pearson statistic at alpha=0 already at or below its df: no evidence of extra variation.
        # Report the (negative) linearised moment value for information.
        return float((stat0 / df - 1) * np.sum(E) / np.sum(S)) if np.sum(S) > 0 else 0.0
    f = lambda a: float(np.sum((y - E) ** 2 / (E + a * S))) - df  # noqa: E731
    hi = 1.0
    while f(hi) > 0:
        hi *= 2
        if hi > 1e8:
            return hi
    return float(optimize.brentq(f, 0.0, hi))


def fit_rate(
    counts,
    n_years=None,
    *,
    first_years=None,
    last_years=None,
    model: str = "negbin",
    trend: bool = False,
    ref_year: int | None = None,
    alpha_floor: float = ALPHA_FLOOR,
) -> RateFit:
    """Fit the annual rate of projects on periods (plain arrays; no Dataset needed).

    ``counts[i]`` projects were signed in period i of ``n_years[i]`` years (or years
    ``first_years[i]..last_years[i]``, needed for ``trend``). Each period is one observation.
    See the module docstring for the models and the dispersion floor.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    y = np.asarray(counts, dtype=float)
    if first_years is not None:
        fy, ly = np.asarray(first_years, int), np.asarray(last_years if last_years is not None else first_years, int)
        n = ly - fy + 1
    else:
        if n_years is None:
            raise ValueError("give n_years or first_years/last_years")
        n = np.asarray(n_years, dtype=int)
        ly = np.cumsum(n) - 1
        fy = ly - n + 1
    if len(y) == 0:
        raise ValueError("no periods to fit")
    if np.any(y < 0) or np.any(n < 1):
        raise ValueError("counts must be >= 0 and periods at least one year long")
    if y.sum() <= 0:
        raise ValueError("no projects signed in the periods; a rate cannot be fitted")
    ref = int(ly.max()) if ref_year is None else int(ref_year)
    k = len(y)

    if not trend:
        with warnings.catch_warnings():
            # one period leaves df_resid = 0 and a perfect fit: statsmodels warns about the (unused)
            # scale and about "perfect separation"; the estimate and its Poisson variance are fine
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            glm = sm.GLM(y, np.ones((k, 1)), family=sm.families.Poisson(), exposure=n.astype(float)).fit()
        params = np.asarray(glm.params, dtype=float)
        cov_pois = np.asarray(glm.cov_params(), dtype=float)
        mu = math.exp(params[0])
        E = n * mu
        S = n * mu**2  # sum over the period's years of mu_t^2
        p = 1
        design_d = [np.ones((k, 1))]
    else:
        if k < 2:
            raise ValueError("a trend needs at least two periods; only one is available")
        years = _period_years(fy, ly)

        def expect(theta):
            lam = [np.exp(theta[0] + theta[1] * (t - ref)) for t in years]
            E = np.array([l.sum() for l in lam])
            dE = np.array([[l.sum(), (l * (t - ref)).sum()] for l, t in zip(lam, years)])
            return E, dE, lam

        def nll(theta):
            E, dE, _ = expect(theta)
            return -float(np.sum(y * np.log(E) - E)), -((y / E - 1)[:, None] * dE).sum(axis=0)

        start = np.array([math.log(y.sum() / n.sum()), 0.0])
        res = optimize.minimize(nll, start, jac=True, method="BFGS", options={"gtol": 1e-10})
        params = np.asarray(res.x, dtype=float)
        E, dE, lam = expect(params)
        info = (dE / E[:, None]).T @ dE
        cov_pois = np.linalg.inv(info)
        S = np.array([(l**2).sum() for l in lam])
        p = 2

    alpha_moment = _moment_alpha(y, E, S, k - p)
    if model == "poisson":
        alpha, alpha_how, infl, cov = 0.0, "Poisson: no extra variation between years", 1.0, cov_pois
        alpha_source = "poisson"
    else:
        alpha_source = "floor"
        if alpha_moment is None:
            alpha = alpha_floor
            alpha_how = (
                f"floor ALPHA_FLOOR={alpha_floor:g}: {k} period(s) leave no degree of freedom "
                f"for a moment estimate"
            )
        elif alpha_moment <= alpha_floor:
            alpha = alpha_floor
            alpha_how = (
                f"floor ALPHA_FLOOR={alpha_floor:g}: the Pearson moment estimate ({alpha_moment:.4g}, "
                f"{k - p} degree(s) of freedom) is below the floor"
            )
        else:
            alpha, alpha_source = alpha_moment, "moment"
            alpha_how = f"Pearson moment estimate with {k - p} degree(s) of freedom (above the floor {alpha_floor:g})"
        if not trend:
            infl = 1 + alpha * mu
            cov = cov_pois * infl
        else:
            # sandwich with the NB variance: A^-1 B A^-1, A = sum dE dE'/E, B = sum V dE dE'/E^2
            V = E + alpha * S
            B = (dE * (V / E**2)[:, None]).T @ dE
            cov = cov_pois @ B @ cov_pois
            infl = float(np.sqrt(np.linalg.det(cov) / np.linalg.det(cov_pois)))
    return RateFit(
        model=model,
        trend=trend,
        ref_year=ref,
        params=params,
        cov=np.asarray(cov, float),
        alpha=float(alpha),
        alpha_how=alpha_how,
        alpha_moment=None if alpha_moment is None else float(alpha_moment),
        alpha_source=alpha_source,
        n_periods=k,
        n_years=int(n.sum()),
        total=float(y.sum()),
        inflation=float(infl),
    )


def draw_rates(fit: RateFit, offsets, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    """Expected annual counts per simulation and year ``ref_year + offset``: shape (n_sims, len(offsets)).

    The log-rate parameters are drawn from their normal approximation; each year's log-rate is
    centred so that its mean over simulations equals the fitted rate (mean-preserving).
    """
    offsets = np.asarray(offsets, dtype=float)
    if fit.trend:
        X = np.column_stack([np.ones_like(offsets), offsets])
    else:
        X = np.ones((len(offsets), 1))
    theta = rng.multivariate_normal(fit.params, fit.cov, size=n_sims, method="cholesky")
    var = np.einsum("ij,jk,ik->i", X, fit.cov, X)
    return np.exp(theta @ X.T - var / 2)


def simulate_counts(
    fit: RateFit, offsets, n_sims: int, rng: np.random.Generator, growth: float = 0.0
) -> np.ndarray:
    """Simulated projects signed in years ``ref_year + offsets`` (offsets 1, 2, ...): (n_sims, h) ints.

    ``growth`` compounds per year: year ``ref_year + h`` has its rate scaled by ``(1 + growth)**h``.
    """
    offsets = np.asarray(offsets, dtype=float)
    mean = draw_rates(fit, offsets, n_sims, rng) * (1 + growth) ** offsets
    if fit.alpha > 0:
        mean = rng.gamma(shape=1 / fit.alpha, scale=fit.alpha * mean)
    return rng.poisson(mean)


# --------------------------------------------------------------------------------------------- investment


@dataclass(frozen=True)
class SizeFit:
    """Per-project intended investment: lognormal with mean ``mean_per_project`` and log-scale ``sigma``."""

    mean_per_project: float
    log_se: float  # standard error of log(mean_per_project)
    sigma: float
    sigma_how: str
    cv2: float  # squared coefficient of variation of one project's amount: exp(sigma^2) - 1
    n_projects: float
    total_investment: float


def estimate_sigma(partitions) -> tuple[float, float, int] | None:
    """Lognormal ``sigma`` matching the spread of published group means.

    ``partitions``: iterable of partitions of one period's projects, each a sequence of
    ``(projects, investment)`` per group. Returns ``(sigma, cv2, df)`` with the pooled moment
    estimate ``cv2 = sum SS / sum (G-1) M^2`` (see the module docstring), or None when there is
    nothing to estimate from (no partition with two groups, or no spread).
    """
    ss = denom = 0.0
    df = 0
    for groups in partitions:
        g = [(float(a), float(b)) for a, b in groups if a is not None and b is not None and a > 0]
        if len(g) < 2:
            continue
        n = np.array([a for a, _ in g])
        inv = np.array([b for _, b in g])
        M = inv.sum() / n.sum()
        if M <= 0:
            continue
        ss += float(np.sum(n * (inv / n - M) ** 2))
        denom += (len(g) - 1) * M**2
        df += len(g) - 1
    if df == 0 or ss <= 0:
        return None
    cv2 = ss / denom
    return float(math.sqrt(math.log1p(cv2))), float(cv2), df


def fit_sizes(projects, investment, sigma: float, sigma_how: str = "given") -> SizeFit:
    """Mean per-project amount = total investment / total projects over the periods (plain arrays)."""
    n = np.asarray(projects, dtype=float)
    inv = np.asarray(investment, dtype=float)
    if n.sum() <= 0:
        raise ValueError("no projects with a known investment; the investment model cannot be fitted")
    m = float(inv.sum() / n.sum())
    if m <= 0:
        raise ValueError("total investment is not positive; the investment model cannot be fitted")
    cv2 = math.expm1(sigma**2)
    return SizeFit(
        mean_per_project=m,
        log_se=math.sqrt(cv2 / n.sum()),
        sigma=float(sigma),
        sigma_how=sigma_how,
        cv2=cv2,
        n_projects=float(n.sum()),
        total_investment=float(inv.sum()),
    )


def simulate_investment(
    fit: SizeFit, counts: np.ndarray, rng: np.random.Generator, growth: float = 0.0, offsets=None
) -> np.ndarray:
    """Annual investment: sum of ``counts[s, h]`` lognormal project amounts; same shape as ``counts``.

    The mean per project is drawn once per simulation (parameter uncertainty, mean-preserving) and
    scaled by ``(1 + growth)**offset`` for year ``ref_year + offset`` (offsets default to 1..h).
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_sims, h = counts.shape
    offsets = np.arange(1, h + 1, dtype=float) if offsets is None else np.asarray(offsets, float)
    log_m = math.log(fit.mean_per_project) - fit.log_se**2 / 2 + fit.log_se * rng.standard_normal(n_sims)
    log_mu = log_m[:, None] + offsets[None, :] * math.log1p(growth) - fit.sigma**2 / 2
    flat = counts.ravel()
    idx = np.repeat(np.arange(flat.size), flat)
    amounts = np.exp(np.repeat(log_mu.ravel(), flat) + fit.sigma * rng.standard_normal(idx.size))
    return np.bincount(idx, weights=amounts, minlength=flat.size).reshape(n_sims, h)


# --------------------------------------------------------------------------------------------- JSON helpers


def _j(x):
    """Plain JSON value: numpy -> Python, NaN/NA -> None, floats rounded."""
    if x is None or x is pd.NA:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f) or math.isinf(f):
            return None
        r = round(f, JSON_DECIMALS)
        return 0.0 if r == 0 else r
    if isinstance(x, dict):
        return {str(k): _j(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_j(v) for v in x]
    if isinstance(x, Period):
        return x.key
    if isinstance(x, str):
        return x
    try:
        return _j(float(x))
    except (TypeError, ValueError):
        return str(x)


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _j(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


# --------------------------------------------------------------------------------------------- projection


@dataclass
class Projection:
    table: pd.DataFrame
    thresholds: pd.DataFrame
    landing: pd.DataFrame
    backtest: pd.DataFrame
    model: dict = field(default_factory=dict)

    def data_note(self, lang: str = "en") -> str:
        """How little data the projection rests on, written from the numbers (``lang`` 'en' or 'zh')."""
        d = self.model["data"]
        pr = self.model["projects"]
        inv = self.model["investment"]
        aggs = d["aggregates"]
        k, years, n_proj = d["n_periods"], d["n_years"], d["projects"]
        span = d["span"]
        derived = [x for x in d["periods"] if x["investment_status"] == "derived" and x["investment_formula"]]
        if lang == "zh":
            s = (
                f"本预测仅依据{k}个公布期间(覆盖{span}共{years}个年度、{_fmt(n_proj)}个项目、"
                f"意向投资额{_fmt(d['investment_100m_yuan'])}亿元)。"
            )
            if aggs:
                s += (
                    "其中"
                    + "、".join(f"{a['label']}为{a['n_years']}年合计数" for a in aggs)
                    + ",各单年数据未公布,拟合时只作为一个观测值,不拆分为单年。"
                )
            for per in derived:
                s += (
                    f"{per['period']}年意向投资额({_fmt(per['investment_100m_yuan'])}亿元)未直接公布,"
                    f"由{per['investment_formula']}推算。"
                )
            cv = f"{math.sqrt(pr['alpha']) * 100:.0f}%"
            if pr["name"] == "poisson":
                s += "泊松模型假定各年之间没有超出泊松的波动,区间因此偏窄。"
            elif pr["alpha_source"] == "floor":
                why = (
                    "无剩余自由度,无法估计年度间的额外波动"
                    if pr["alpha_moment"] is None
                    else f"仅有{pr['alpha_df']}个自由度,矩估计值({pr['alpha_moment']:.3g})低于下限"
                )
                s += (
                    f"{k}个观测值{why};离散参数取下限{_fmt(pr['alpha'])}"
                    f"(即年度签约率的变异系数约{cv}),这是假定而非估计。"
                )
            else:
                s += f"年度间离散参数{_fmt(round(pr['alpha'], 4))}由仅{pr['alpha_df']}个自由度的矩估计得到,误差很大。"
            if inv["sigma_source"] == "breakdown":
                s += f"单个项目投资额的离散程度(对数标准差{inv['sigma']:.2f})依据{'、'.join(inv['breakdowns'])}年的分类/分地区平均值校准。"
            else:
                s += f"没有分类数据,单个项目投资额的对数标准差取默认值{inv['sigma']:.2f}。"
            s += "区间为将观测值的预测区间,已含参数不确定性,但不含上述假定本身的不确定性。"
            return s
        s = (
            f"This projection rests on {k} published period{'s' if k != 1 else ''} covering {years} conference "
            f"year{'s' if years != 1 else ''} ({span}), {_fmt(n_proj)} projects and "
            f"{_fmt(d['investment_100m_yuan'])} 亿元 of intended investment."
        )
        if aggs:
            s += " " + "; ".join(
                f"{a['label']} is a {a['n_years']}-year aggregate whose single years are not published" for a in aggs
            )
            s += "; it enters the fit as one observation, not as separate years."
        for per in derived:
            s += (
                f" The {per['period']} investment ({_fmt(per['investment_100m_yuan'])} 亿元) is not published; "
                f"it is derived as {per['investment_formula']}."
            )
        cv = f"{math.sqrt(pr['alpha']) * 100:.0f} %"
        obs = f"{k} observation{'s' if k != 1 else ''}"
        if pr["name"] == "poisson":
            s += " The Poisson model assumes no variation between years beyond Poisson, so its intervals are narrow."
        elif pr["alpha_source"] == "floor":
            why = (
                "no degree of freedom to estimate the year-to-year variation"
                if pr["alpha_moment"] is None
                else f"{pr['alpha_df']} degree(s) of freedom and the moment estimate ({pr['alpha_moment']:.3g}) "
                "is below the floor"
            )
            s += (
                f" {obs} {'leaves' if k == 1 else 'leave'} {why}: the dispersion is set to the floor {_fmt(pr['alpha'])} "
                f"(a year-to-year CV of the rate of about {cv}), an assumption, not an estimate."
            )
        else:
            s += (
                f" The dispersion {_fmt(round(pr['alpha'], 4))} is a moment estimate from only {pr['alpha_df']} "
                "degree(s) of freedom and is very uncertain."
            )
        if inv["sigma_source"] == "breakdown":
            s += (
                f" The spread of project sizes (lognormal sigma {inv['sigma']:.2f}) is calibrated on the group "
                f"averages published for {', '.join(inv['breakdowns'])}."
            )
        else:
            s += f" No breakdown is published, so the spread of project sizes uses the default sigma {inv['sigma']:.2f}."
        s += (
            " Intervals are for the values that will be observed and include parameter uncertainty, but not the "
            "uncertainty in these assumptions."
        )
        return s

    def to_json(self) -> dict:
        out: dict = {"projection": []}
        for year, g in self.table.groupby("year", sort=True):
            row: dict = {"year": int(year)}
            for _, r in g.iterrows():
                row[r["metric"]] = {
                    "mean": _j(r["mean"]),
                    "pi80": [_j(r["pi80_lo"]), _j(r["pi80_hi"])],
                    "pi95": [_j(r["pi95_lo"]), _j(r["pi95_hi"])],
                }
            out["projection"].append(row)
        out["projection_model"] = _j(self.model)
        out["threshold_probabilities"] = _records(self.thresholds)
        out["landing_projection"] = _records(self.landing)
        if not self.backtest.empty:
            out["backtest"] = [
                {
                    "year": _j(r["year"]),
                    "metric": r["metric"],
                    "actual": _j(r["actual"]),
                    "mean": _j(r["mean"]),
                    "pi80": [_j(r["pi80_lo"]), _j(r["pi80_hi"])],
                    "pi95": [_j(r["pi95_lo"]), _j(r["pi95_hi"])],
                    "inside80": _j(r["inside80"]),
                    "inside95": _j(r["inside95"]),
                    "interval_score": _j(r["interval_score"]),
                }
                for _, r in self.backtest.iterrows()
            ]
        return out


def _fmt(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _summarise(samples: np.ndarray) -> dict:
    out = {"mean": samples.mean(axis=0)}
    for name, level in LEVELS:
        lo, hi = predictive_interval(samples, level, axis=0)
        out[name + "_lo"], out[name + "_hi"] = lo, hi
    return out


def _partitions(ds, through: int) -> tuple[list, list[str]]:
    """Groups (projects, investment) of every published breakdown by ``through``.

    Groups without a stated amount are pooled into one group carrying the implied remainder.
    """
    parts, labels = [], []
    for p, by_dim in metrics.mixes(ds, through).items():
        used = False
        for dim, mx in by_dim.items():
            g = mx.groups
            stated = g[g["investment_100m_yuan"].notna() & g["projects"].notna()]
            groups = [(float(a), float(b)) for a, b in zip(stated["projects"], stated["investment_100m_yuan"])]
            unstated = g[g["investment_100m_yuan"].isna()]
            if len(unstated):
                if unstated["projects"].isna().any() or mx.remainder_investment is None or mx.remainder_investment < 0:
                    continue  # remainder cannot be placed: skip this partition
                n_un = float(unstated["projects"].sum())
                if n_un > 0:
                    groups.append((n_un, float(mx.remainder_investment)))
            if len(groups) >= 2:
                parts.append(groups)
                used = True
        if used:
            labels.append(p.label)
    return parts, labels


def project(
    ds,
    through: int | None = None,
    horizon: int = 3,
    seed: int = DEFAULT_SEED,
    scenario: Scenario = Scenario(),
    model: str = "negbin",
    n_sims: int = 20000,
    thresholds: tuple[float, ...] = (1500.0, 2000.0),
) -> Projection:
    """Project projects, investment, cumulative totals and landing for ``horizon`` years after ``through``.

    ``through`` defaults to the last conference year; it must be the end of a published period
    (ValueError otherwise, including a year before the first conference). Models, the dispersion
    floor (:data:`ALPHA_FLOOR`), the calibration of project sizes (:data:`DEFAULT_SIGMA` when no
    breakdown exists) and the landing prior are documented in the module docstring. All numbers
    come from ``n_sims`` simulations with ``numpy.random.default_rng(seed)``: the same seed gives
    identical output.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    if not 1 <= int(horizon) <= MAX_HORIZON:
        raise ValueError(f"horizon must be 1 to {MAX_HORIZON} years (got {horizon})")
    if int(n_sims) < 100:
        raise ValueError(f"n_sims must be at least 100 (got {n_sims})")
    horizon, n_sims = int(horizon), int(n_sims)
    if through is None:
        through = ds.conference_years[-1]
    tr = metrics.trends(ds, through)  # raises ValueError outside the conference years
    through = int(through)
    if tr.empty or int(tr["last_year"].max()) != through:
        ends = ", ".join(str(int(y)) for y in metrics.trends(ds)["last_year"])
        raise ValueError(
            f"{through} is not the end of a published period (periods end in {ends}); "
            "single years inside an aggregate are not published, so a projection cannot start there"
        )
    cum = metrics.cumulative(ds, through)
    if cum["projects"] is None or cum["investment_100m_yuan"] is None:
        raise ValueError(f"cumulative totals through {through} are not known; nothing to project from")

    rng = np.random.default_rng(seed)
    years = np.arange(through + 1, through + horizon + 1)
    offsets = (years - through).astype(float)

    # ---- projects
    tp = tr[tr["projects"].notna()]
    rate = fit_rate(
        tp["projects"].astype(float).to_numpy(),
        first_years=tp["first_year"].to_numpy(),
        last_years=tp["last_year"].to_numpy(),
        model=model,
        trend=scenario.trend,
        ref_year=through,
    )
    counts = simulate_counts(rate, offsets, n_sims, rng, growth=scenario.growth_projects)

    # ---- investment
    ti = tr[tr["projects"].notna() & tr["investment_100m_yuan"].notna()]
    parts, bd_labels = _partitions(ds, through)
    est = estimate_sigma(parts)
    if est is None:
        sigma, cv2_hat, sig_df = DEFAULT_SIGMA, None, 0
        sigma_how = "DEFAULT_SIGMA: no published breakdown with amounts to calibrate on"
        sigma_source = "default"
    else:
        sigma, cv2_hat, sig_df = est
        sigma_how = (
            f"moment match of the spread of group means per project in the breakdown(s) of "
            f"{', '.join(bd_labels)} ({len(parts)} partition(s), {sig_df} degree(s) of freedom)"
        )
        sigma_source = "breakdown"
    sizes = fit_sizes(
        ti["projects"].astype(float).to_numpy(),
        ti["investment_100m_yuan"].astype(float).to_numpy(),
        sigma,
        sigma_how,
    )
    invest = simulate_investment(sizes, counts, rng, growth=scenario.growth_investment_per_project, offsets=offsets)

    cum_p = float(cum["projects"]) + np.cumsum(counts, axis=1)
    cum_i = float(cum["investment_100m_yuan"]) + np.cumsum(invest, axis=1)

    rows = []
    for metric, sims in (
        ("projects", counts),
        ("investment_100m_yuan", invest),
        ("cumulative_projects", cum_p),
        ("cumulative_investment_100m_yuan", cum_i),
    ):
        s = _summarise(sims)
        for j, y in enumerate(years):
            rows.append({"year": int(y), "metric": metric, **{k: float(v[j]) for k, v in s.items()}})
    table = pd.DataFrame(rows, columns=["year", "metric", "mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi"])
    table = table.sort_values(["year", "metric"], key=lambda c: c.map(METRICS.index) if c.name == "metric" else c)
    table = table.reset_index(drop=True)

    thr = pd.DataFrame(
        [
            {"year": int(y), "threshold_100m_yuan": float(t), "probability": float(np.mean(cum_i[:, j] > t))}
            for t in thresholds
            for j, y in enumerate(years)
        ],
        columns=["year", "threshold_100m_yuan", "probability"],
    )

    landing, landing_model = _landing(ds, through, tr, years, counts, rng, scenario)
    backtest = _backtest(ds, years, table)

    aggs = [
        {"label": r["period"], "n_years": int(r["n_years"])} for _, r in tr.iterrows() if int(r["n_years"]) > 1
    ]
    first = int(tr["first_year"].min())
    model_info = {
        "name": model,
        "through": through,
        "horizon": horizon,
        "years": [int(y) for y in years],
        "n_sims": n_sims,
        "seed": int(seed),
        "scenario": asdict(scenario),
        "intervals": "quantiles (inverted CDF) of simulated observed values; include parameter uncertainty",
        "data": {
            "n_periods": int(len(tr)),
            "n_years": int(tr["n_years"].sum()),
            "span": f"{first}–{through}" if first != through else str(through),
            "projects": float(tp["projects"].sum()),
            "investment_100m_yuan": float(ti["investment_100m_yuan"].sum()),
            "aggregates": aggs,
            "periods": [
                {
                    "period": r["period"],
                    "n_years": int(r["n_years"]),
                    "projects": metrics.as_float(r["projects"]),
                    "investment_100m_yuan": metrics.as_float(r["investment_100m_yuan"]),
                    "investment_status": r["investment_status"],
                    "investment_formula": r["investment_formula"] if isinstance(r["investment_formula"], str) else None,
                }
                for _, r in tr.iterrows()
            ],
            "cumulative_start": {
                "projects": float(cum["projects"]),
                "investment_100m_yuan": float(cum["investment_100m_yuan"]),
            },
        },
        "projects": {
            "name": model,
            "family": "Poisson" if model == "poisson" else "negative binomial (NB2) per year, independent years",
            "fit": (
                "log-linear trend, Poisson ML on exact period sums, NB sandwich covariance"
                if scenario.trend
                else "statsmodels GLM Poisson, one observation per period, exposure = years"
                + ("; covariance inflated by 1 + alpha*rate" if model == "negbin" else "")
            ),
            "rate_per_year": rate.rate(through + 1) if scenario.trend else rate.rate(),
            "rate_year": through + 1 if scenario.trend else None,
            "log_rate_se": math.sqrt(float(rate.cov[0, 0])),
            "trend_per_year": float(math.expm1(rate.params[1])) if scenario.trend else None,
            "trend_se": math.sqrt(float(rate.cov[1, 1])) if scenario.trend else None,
            "alpha": rate.alpha,
            "alpha_how": rate.alpha_how,
            "alpha_moment": rate.alpha_moment,
            "alpha_floor": ALPHA_FLOOR if model == "negbin" else None,
            "alpha_source": rate.alpha_source,
            "alpha_df": rate.n_periods - len(rate.params),
            "variance_inflation": rate.inflation,
            "n_periods": rate.n_periods,
            "n_years": rate.n_years,
            "total_projects": rate.total,
        },
        "investment": {
            "model": "compound: sum over the year's projects of lognormal per-project amounts",
            "mean_per_project_100m_yuan": sizes.mean_per_project,
            "mean_how": "total investment / total projects over all periods with both figures",
            "log_mean_se": sizes.log_se,
            "sigma": sizes.sigma,
            "sigma_how": sizes.sigma_how,
            "sigma_source": sigma_source,
            "sigma_default": DEFAULT_SIGMA,
            "cv2_per_project": sizes.cv2,
            "breakdowns": bd_labels,
            "breakdown_df": int(sig_df),
        },
        "landing": landing_model,
    }
    return Projection(table=table, thresholds=thr, landing=landing, backtest=backtest, model=model_info)


def _landing(ds, through, tr, years, counts, rng, scenario) -> tuple[pd.DataFrame, dict]:
    cols = [
        "cohort", "first_year", "last_year", "kind", "signed_mean", "signed_pi95_lo", "signed_pi95_hi",
        "rate_mean", "rate_from", "landed_mean", "landed_pi80_lo", "landed_pi80_hi", "landed_pi95_lo", "landed_pi95_hi",
    ]  # fmt: skip
    n_sims = counts.shape[0]
    ref = metrics.reference_cohort(ds, through)
    if scenario.landing_rate is not None:
        p = np.full(n_sims, float(scenario.landing_rate))
        info = {"rate": float(scenario.landing_rate), "rate_from": "scenario", "prior": None}
    elif ref is not None:
        a = int(ref["landed_point"]) + LANDING_PRIOR
        b = int(ref["signed"]) - int(ref["landed_point"]) + LANDING_PRIOR
        p = rng.beta(a, b, size=n_sims)
        info = {
            "rate": float(ref["rate"]),
            "rate_from": str(ref["cohort"]),
            "prior": f"Beta(landed + {LANDING_PRIOR}, signed - landed + {LANDING_PRIOR}) (Jeffreys)",
            "reference_signed": int(ref["signed"]),
            "reference_landed": int(ref["landed_point"]),
        }
    else:
        return pd.DataFrame(columns=cols), {"note": f"no landing figures published by {through}; no landing projection"}
    info["model"] = "landed ~ Binomial(signed, p), one p per simulation"
    rate_from = info["rate_from"]

    covered = [Period(int(r["first_year"]), int(r["last_year"])) for _, r in metrics.landing_rates(ds, through).iterrows()]
    signed_cols: list[tuple[dict, np.ndarray]] = []
    for _, t in tr.iterrows():
        per = Period(int(t["first_year"]), int(t["last_year"]))
        if pd.isna(t["projects"]) or any(c.contains(per) for c in covered):
            continue
        base = {"cohort": per.label, "first_year": per.first_year, "last_year": per.last_year, "kind": "signed"}
        signed_cols.append((base, np.full(n_sims, int(t["projects"]))))
    for j, y in enumerate(years):
        base = {"cohort": str(int(y)), "first_year": int(y), "last_year": int(y), "kind": "projected"}
        signed_cols.append((base, counts[:, j]))
    rows = []
    for base, signed in signed_cols:
        landed = rng.binomial(signed, p)
        s_lo, s_hi = predictive_interval(signed, 0.95)
        row = {**base, "signed_mean": float(signed.mean()), "signed_pi95_lo": float(s_lo), "signed_pi95_hi": float(s_hi)}
        row.update({"rate_mean": float(p.mean()), "rate_from": rate_from, "landed_mean": float(landed.mean())})
        for name, level in LEVELS:
            lo, hi = predictive_interval(landed, level)
            row[f"landed_{name}_lo"], row[f"landed_{name}_hi"] = float(lo), float(hi)
        rows.append(row)
    return pd.DataFrame(rows, columns=cols), info


def backtest(proj: "Projection", ds) -> pd.DataFrame:
    """The projection against the single years published since, in ``ds`` (the full data)."""
    return _backtest(ds, proj.model["years"], proj.table)


def _backtest(ds, years, table: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "year", "metric", "actual", "mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi",
        "inside80", "inside95", "interval_score",
    ]  # fmt: skip
    full = metrics.trends(ds)
    single = full[(full["n_years"] == 1) & full["first_year"].isin([int(y) for y in years])]
    rows = []
    for _, r in single.sort_values("first_year").iterrows():
        year = int(r["first_year"])
        for metric in ("projects", "investment_100m_yuan"):
            actual = metrics.as_float(r[metric])
            if actual is None:
                continue
            proj = table[(table["year"] == year) & (table["metric"] == metric)].iloc[0]
            row = {"year": year, "metric": metric, "actual": actual}
            row.update({k: float(proj[k]) for k in ("mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi")})
            row["inside80"] = bool(row["pi80_lo"] <= actual <= row["pi80_hi"])
            row["inside95"] = bool(row["pi95_lo"] <= actual <= row["pi95_hi"])
            row["interval_score"] = float(interval_score(actual, row["pi95_lo"], row["pi95_hi"]))
            rows.append(row)
    return pd.DataFrame(rows, columns=cols)
