"""The counts and investment model: three time structures, their inference and their predictions.

What is modelled
----------------
Every year has a *latent* expected number of projects ``exp(eta_t)`` and a latent intended
investment total ``exp(eta_t + a_t)``, where ``a_t`` is the log amount per expected project. The
signed count of a year is Poisson around its expected number. A published *period* is the sum of its
years: an aggregate such as 2019–2020 enters the likelihood exactly as ``Poisson(sum of the yearly
expected numbers)`` for the count and as the sum of the latent yearly totals for the investment; no
aggregate is ever split into invented years. The published figures carry the source's hedge: a count
is known to lie in an integer interval (exact, "about", "more than X", "under X"; interval-censored
Poisson), an investment total within its bounds: two-sided, above a lower bound (超) or below an upper
bound (不足, 以内) (see ``INVESTMENT_MEASUREMENT_SD`` for how).

Three time structures are fitted, each to the count and to the amount per project together, and
averaged with their posterior model probabilities (marginal likelihoods, equal prior odds): ``iid``
(a constant level with independent year effects), ``level`` (a random walk: each year's level is the
previous one plus a random step) and ``drift`` (a log-linear trend plus independent year effects).
Investment shares the count's time path because a year's total is its number of projects times
their average amount: growth in signings carries into money mechanically, and the counts are the
better-measured series. What is specific to money (larger or smaller projects, a few huge
infrastructure deals) is the amount-per-project path ``a_t``, with its own spread and, in the drift
model, its own trend. Every prior is written once in ``PRIORS`` with a plain reason; none was tuned
to the backtests. Projection intervals are posterior predictive: each simulation draws a model, a
parameter vector from that model's posterior, the future year effects or random-walk steps, and
then the observed count (Poisson) and reported investment; so parameter, model and future-noise
uncertainty are all integrated and intervals widen with the horizon.

Inference (counts and investment), per model: the two scales (year-effect or step sd of the count
and of the amount) are integrated on a 10 x 10 grid on the log scale covering their priors; at each
grid node the latent vector (levels, trends, year effects) has a Laplace approximation found by
batched Newton steps with analytic derivatives; a multivariate-t draw from the node's Laplace
approximation, expressed in coordinates where an aggregate period's years are its log total and log
ratios (so the likelihood's ridge is straight), is the proposal of importance sampling on the exact
posterior, with Pareto smoothing (PSIS). The model's marginal likelihood is the mean importance
weight, computed by log-sum-exp, with its Monte-Carlo standard error ``sd(w) / (mean(w) sqrt(n))``
(delta method). Where Pareto k-hat exceeds 0.7 the model is refitted, up to three times, each time
with twice the draws from a defensive mixture (the first proposal, and with probability 0.3 a wider,
heavier t at a node drawn from tempered node weights); the model weights use the final fit's evidence,
and a model still above 0.7 is marked ``failed``. Effective sample size, k-hat, the evidence's error,
refits and status are reported per model (:meth:`Posterior.diagnostics`); on the real history the
effective samples are about 1100-1400 of 2000 and k-hat 0.2-0.45 (no refit). Everything is seeded;
fit, landing and 20 000 simulations for three years take about 0.1 s.

:func:`fit_many` fits many histories of one shape together (the simulated histories of the calibration
study): the Newton steps, the proposals and the importance weights of all their grid nodes are computed
as one batch, each row as it would be alone, so each result equals :func:`fit`'s for that history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import special

from ...core.config import INVESTMENT_MEASUREMENT_SD, PRIORS
from .importance import psis
from .inputs import MODELS, LandingObs, PeriodObs, _q, log_sd_of_bounds
from .landing import LandingPosterior, fit_landing

# Inference settings: importance draws per model and grid nodes per scale axis.
_N_IS_DEFAULT = 2000
_T_DF = 6.0  # degrees of freedom of the multivariate-t proposal at each node
_N_GRID_DEFAULT = 10
# Refits: the share of draws from the wider, heavier component of the defensive mixture and its df.
_DEFENSIVE_SHARE = 0.3
_T_DF_WIDE = 3.0
# Histories fitted together (fit_many) and importance draws evaluated together: bounds on the arrays' memory.
_HISTORIES_PER_STACK = 64
_ROWS_PER_BLOCK = 16384


def _poisson_interval_logp(lam: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """log P(lo <= Y <= hi) for Y ~ Poisson(lam); lo, hi integers (hi may be inf), broadcast."""
    lam = np.maximum(lam, 1e-300)
    exact = lo == hi
    out = np.empty(np.broadcast(lam, lo).shape)
    y = np.broadcast_to(lo, out.shape)
    out[...] = y * np.log(lam) - lam - special.gammaln(y + 1)
    if np.all(exact):
        return out
    hi_b = np.broadcast_to(hi, out.shape)
    lo_b = np.broadcast_to(lo, out.shape)
    inf = np.isinf(hi_b)
    hi_f = np.where(inf, lo_b, hi_b)
    # upper-gamma (Q) form: P(Y<=hi) - P(Y<=lo-1); lower-gamma (P) form: P(Y>=lo) - P(Y>=hi+1)
    q_form = special.gammaincc(hi_f + 1, lam) - np.where(lo_b > 0, special.gammaincc(np.maximum(lo_b, 1), lam), 0.0)
    p_form = np.where(lo_b > 0, special.gammainc(np.maximum(lo_b, 1), lam), 1.0) - special.gammainc(hi_f + 1, lam)
    mid = 0.5 * (lo_b + hi_f)
    prob = np.where(lam > mid, q_form, p_form)
    prob = np.where(inf, np.where(lo_b > 0, special.gammainc(np.maximum(lo_b, 1), lam), 1.0), prob)
    interval = np.log(np.maximum(prob, 1e-300))
    return np.where(exact, out, interval)


class _Model:
    """One time structure for the latent log-rate eta_t and log amount per project a_t.

    Latent Gaussian vector x (given the two scales sigma, tau):
      iid:   x = [mu, alpha, d_0..d_{T-1}, v_0..v_{T-1}],  eta_t = mu + d_t,  a_t = alpha + v_t
      drift: x = [mu, beta, alpha, gamma, d.., v..],       eta_t = mu + beta*t + d_t, a_t likewise
      level: x = [mu, alpha, d_1..d_{T-1}, v_1..],         eta_t = mu + d_1 + ... + d_t (random walk)
      llt:   x = [mu, beta, alpha, gamma, u_2..u_{T-1}, w_2..w_{T-1}, d_1..d_{T-1}, v_1..],
             eta_t = eta_{t-1} + b_t + d_t with slope b_t = b_{t-1} + u_t, b_1 = beta (a local linear
             trend: level and slope both random walks; a_t likewise with gamma, w and v)
    with d ~ N(0, sigma^2), v ~ N(0, tau^2) and the fixed effects' priors from ``PRIORS`` (the llt slope
    steps u, w have fixed normal priors, so they are fixed effects here). The llt kind is not one of
    :data:`MODELS`: it is scored against their average (:mod:`analysis.stats.weighting`), not averaged.
    """

    KINDS = (*MODELS, "llt")

    def __init__(self, kind: str, n_years: int):
        if kind not in self.KINDS:
            raise ValueError(f"unknown model {kind!r}")
        self.kind, self.T = kind, n_years
        T = n_years
        sd_key = {"iid": "year_sd", "level": "step_sd", "drift": "trend_year_sd", "llt": "step_sd"}[kind]
        pre = "llt_" if kind == "llt" else ""
        self.p_sd, self.p_tau = PRIORS[pre + "rate_" + sd_key], PRIORS[pre + "amount_" + sd_key]
        trend = kind in ("drift", "llt")
        fixed = [("mu", PRIORS["rate_level"])]
        if trend:
            fixed.append(("beta", PRIORS["rate_trend"]))
        fixed.append(("alpha", PRIORS["amount_level"]))
        if trend:
            fixed.append(("gamma", PRIORS["amount_trend"]))
        if kind == "llt":
            fixed += [(f"u{t}", PRIORS["llt_rate_slope_step"]) for t in range(2, T)]
            fixed += [(f"w{t}", PRIORS["llt_amount_slope_step"]) for t in range(2, T)]
        self.fixed_names = [n for n, _ in fixed]
        nf = len(fixed)
        ne = T if kind not in ("level", "llt") else T - 1
        self.ne, self.nf = ne, nf
        self.D = nf + 2 * ne
        self.m0 = np.zeros(self.D)
        self.v_fixed = np.zeros(nf)
        for i, (_, p) in enumerate(fixed):
            self.m0[i], self.v_fixed[i] = p.params[0], p.params[1] ** 2
        ix = {n: i for i, n in enumerate(self.fixed_names)}
        self.ix = ix
        L_eta = np.zeros((T, self.D))
        L_a = np.zeros((T, self.D))
        t = np.arange(T)
        L_eta[:, ix["mu"]] = 1.0
        L_a[:, ix["alpha"]] = 1.0
        if kind == "drift":
            L_eta[:, ix["beta"]] = t
            L_a[:, ix["gamma"]] = t
        if kind == "llt":
            # eta_t = mu + t beta + sum_{r=2..t} (t - r + 1) u_r + sum_{s=1..t} d_s
            L_eta[:, ix["beta"]] = t
            L_a[:, ix["gamma"]] = t
            if T > 2:
                S = np.maximum(t[:, None] - t[None, 2:] + 1, 0.0)  # (T, T-2): weight of u_r in eta_t
                L_eta[:, ix["u2"] : ix["u2"] + T - 2] = S
                L_a[:, ix["w2"] : ix["w2"] + T - 2] = S
        if kind in ("level", "llt"):
            B = np.tril(np.ones((T, T)))[:, 1:]  # eta_t = mu + sum_{s=1..t} d_s
        else:
            B = np.eye(T)
        L_eta[:, nf : nf + ne] = B
        L_a[:, nf + ne :] = B
        self.L_eta, self.L_a = L_eta, L_a
        self.L = np.concatenate([L_eta, L_a], axis=0)  # (2T, D): x -> (eta, a)
        self.L_z = np.concatenate([L_eta, L_eta + L_a], axis=0)  # x -> (eta, z = eta + a), the likelihood's terms
        # the prior's constant parts: the fixed effects' precisions and log(2 pi var) summed over x
        self.inv_v_fixed = 1.0 / self.v_fixed
        self.log_norm = float(np.sum(np.log(2 * math.pi * self.v_fixed)) + 2 * ne * math.log(2 * math.pi))

    def creators(self, t: int) -> tuple[int, int]:
        """Coordinates of x that 'create' eta_t and a_t (unit-triangular in time)."""
        if self.kind in ("level", "llt"):
            if t == 0:
                return self.ix["mu"], self.ix["alpha"]
            return self.nf + t - 1, self.nf + self.ne + t - 1
        return self.nf + t, self.nf + self.ne + t

    def prior_var(self, sd: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """Prior variances of x for scale values (n,) -> (n, D)."""
        n = sd.shape[0]
        return np.concatenate(
            [
                np.broadcast_to(self.v_fixed, (n, self.nf)),
                np.repeat((sd**2)[:, None], self.ne, axis=1),
                np.repeat((tau**2)[:, None], self.ne, axis=1),
            ],
            axis=1,
        )

    def paths(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x @ self.L_eta.T, x @ self.L_a.T

    def future(self, x, sd, tau, steps, rng):
        """eta, a for the ``steps`` years after the last history year (n, steps)."""
        n = x.shape[0]
        z1 = sd[:, None] * rng.standard_normal((n, steps))
        z2 = tau[:, None] * rng.standard_normal((n, steps))
        if self.kind == "level":
            eta, a = self.paths(x)
            return eta[:, -1:] + np.cumsum(z1, axis=1), a[:, -1:] + np.cumsum(z2, axis=1)
        if self.kind == "llt":
            eta, a = self.paths(x)
            out = []
            for path, (slope, slope_sd), z in zip((eta, a), self._llt_slopes(x), (z1, z2), strict=True):
                slope = slope[:, None] + np.cumsum(slope_sd * rng.standard_normal((n, steps)), axis=1)
                out.append(path[:, -1:] + np.cumsum(slope + z, axis=1))
            return out[0], out[1]
        mu, alpha = x[:, self.ix["mu"]][:, None], x[:, self.ix["alpha"]][:, None]
        if self.kind == "iid":
            return mu + z1, alpha + z2
        t = np.arange(self.T, self.T + steps)[None, :]
        return (mu + x[:, self.ix["beta"]][:, None] * t + z1, alpha + x[:, self.ix["gamma"]][:, None] * t + z2)

    def _llt_slopes(self, x):
        """llt: the last history year's slope of eta and of a per draw, each with the sd of its yearly step."""
        out = []
        for first, prev, key in (("beta", "u", "llt_rate_slope_step"), ("gamma", "w", "llt_amount_slope_step")):
            slope = x[:, self.ix[first]] + sum(x[:, self.ix[f"{prev}{r}"]] for r in range(2, self.T))
            out.append((slope, PRIORS[key].params[1]))
        return out

    def next_moments(self, x, sd, tau):
        """Mean and variance of next year's (eta, a) given each draw (the future year effects or steps integrated
        out: both are Gaussian given x, sd and tau); four (n,) arrays: mean_eta, var_eta, mean_a, var_a."""
        if self.kind in ("level", "llt"):
            eta, a = self.paths(x)
            m_eta, m_a = eta[:, -1], a[:, -1]
        else:
            m_eta, m_a = x[:, self.ix["mu"]], x[:, self.ix["alpha"]]
        v_eta, v_a = sd**2, tau**2
        if self.kind == "drift":
            m_eta, m_a = m_eta + x[:, self.ix["beta"]] * self.T, m_a + x[:, self.ix["gamma"]] * self.T
        if self.kind == "llt":
            (b_eta, s_eta), (b_a, s_a) = self._llt_slopes(x)
            m_eta, v_eta, m_a, v_a = m_eta + b_eta, v_eta + s_eta**2, m_a + b_a, v_a + s_a**2
        return m_eta, v_eta, m_a, v_a

    def sample_prior(self, rng: np.random.Generator, n: int):
        sd, tau = self.p_sd.sample(rng, n), self.p_tau.sample(rng, n)
        x = self.m0 + np.sqrt(self.prior_var(sd, tau)) * rng.standard_normal((n, self.D))
        return x, sd, tau


def sample_prior_paths(kind: str, n_years: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One draw of the latent ``(eta, a)`` paths over ``n_years`` from model ``kind`` and ``PRIORS``.

    The model's own generating process, used by the calibration study.

    Parameters
    ----------
    kind : str
        One of :data:`MODELS`.
    n_years : int
        The length of the paths.
    rng : numpy.random.Generator
        The random generator (the draws are deterministic given its state).

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        The log expected count ``eta`` and the log amount per project ``a``, each (n_years,).

    Examples
    --------
    >>> import numpy as np
    >>> eta, a = sample_prior_paths("level", 5, np.random.default_rng(0))
    >>> eta.shape, a.shape
    ((5,), (5,))
    """
    m = _Model(kind, n_years)
    x, _, _ = m.sample_prior(rng, 1)
    eta, a = m.paths(x)
    return eta[0], a[0]


def _halfnormal_logpdf_log(lx: np.ndarray, scale: float) -> np.ndarray:
    """Density of log(X) for X ~ HalfNormal(scale)."""
    return -0.5 * (np.exp(lx) / scale) ** 2 + math.log(math.sqrt(2 / math.pi) / scale) + lx


class _Data:
    """Periods mapped to the latent years (index 0 = first year), with likelihood and derivatives."""

    def __init__(self, periods: list[PeriodObs]):
        if not periods:
            raise ValueError("no periods")
        ps = sorted(periods, key=lambda p: p.first_year)
        for a, b in pairwise(ps):
            if b.first_year <= a.last_year:
                raise ValueError(f"periods overlap: {a.first_year}-{a.last_year} and {b.first_year}-{b.last_year}")
        self.periods = ps
        self.first_year, self.last_year = ps[0].first_year, ps[-1].last_year
        self.T = self.last_year - self.first_year + 1
        self.cnt, self.inv = [], []  # (member mask (T,), lo, hi)
        s = INVESTMENT_MEASUREMENT_SD
        for p in ps:
            mask = np.zeros(self.T, bool)
            mask[p.first_year - self.first_year : p.last_year - self.first_year + 1] = True
            cb, mb = p.count_bounds(), p.money_bounds()
            if cb is not None:
                self.cnt.append((mask, cb[0], cb[1]))
            if mb is not None and (mb[0] > 0 or math.isfinite(mb[1])):
                if mb[0] > 0 and math.isfinite(mb[1]):
                    # two-sided hedge: Gaussian on the log scale with the variance of a uniform over
                    # the bounds plus the reporting error
                    lo, hi = math.log(mb[0]), math.log(mb[1])
                    self.inv.append((mask, 0.5 * (lo + hi), log_sd_of_bounds(mb[0], mb[1]), "two"))
                elif mb[0] > 0:  # a lower bound only ("over X"): censored, blurred by the reporting error
                    self.inv.append((mask, math.log(mb[0]), s, "lower"))
                else:  # an upper bound only ("under X", "X at most"): censored from above
                    self.inv.append((mask, math.log(mb[1]), s, "upper"))
        n_cnt = [(p.signed_estimate(), p.years) for p in ps if p.signed_estimate() is not None]
        tot_n, tot_y = sum(c for c, _ in n_cnt), sum(y for _, y in n_cnt)
        self.start_rate = math.log(max(tot_n, 0.5) / tot_y) if tot_y else PRIORS["rate_level"].params[0]
        both = [p for p in ps if p.signed_estimate() and p.investment is not None]
        self.start_amount = (
            math.log(sum(p.investment for p in both) / sum(p.signed_estimate() for p in both))
            if both
            else PRIORS["amount_level"].params[0]
        )

    @property
    def shape(self) -> tuple:
        """What histories must share to be fitted together: the years, each period's years and kind of hedge."""
        return (
            self.T,
            tuple((m.tobytes(), lo == hi) for m, lo, hi in self.cnt),
            tuple((m.tobytes(), kind) for m, _, _, kind in self.inv),
        )

    def loglik(self, eta: np.ndarray, a: np.ndarray, derivs: bool = False):
        """Exact log-likelihood (n,), optionally gradient (n, 2T) and Hessian (n, 2T, 2T) wrt (eta, a)."""
        out = _Stack([self]).loglik(eta, a, np.zeros(eta.shape[0], int), derivs)
        if not derivs:
            return out
        ll, g, H = out  # wrt (eta, z): eta moves z too, a moves z only
        J = np.block([[np.eye(self.T), np.zeros((self.T, self.T))], [np.eye(self.T), np.eye(self.T)]])
        return ll, g @ J, np.matmul(J.T, np.matmul(H, J))


def _years(mask: np.ndarray) -> slice:
    """The slice of latent years a period's mask marks (its years are consecutive)."""
    yrs = np.flatnonzero(mask)
    return slice(int(yrs[0]), int(yrs[-1]) + 1)


class _Stack:
    """Histories of one shape (:attr:`_Data.shape`) stacked: the likelihood of rows, each of one history.

    Every row's arithmetic is the same whichever histories are stacked with it, so a history fitted in a
    stack gives what it gives fitted alone.
    """

    def __init__(self, datas: list[_Data]):
        d0 = datas[0]
        self.T = d0.T
        self.cnt = []  # (years, lo (B,), hi (B,), exact, log(lo!) (B,)); the years a slice
        for i, (mask, _, _) in enumerate(d0.cnt):
            lo = np.array([d.cnt[i][1] for d in datas], float)
            hi = np.array([d.cnt[i][2] for d in datas], float)
            self.cnt.append((_years(mask), lo, hi, bool(np.all(lo == hi)), special.gammaln(lo + 1)))
        self.inv = [
            (
                _years(mask),
                np.array([d.inv[i][1] for d in datas], float),
                np.array([d.inv[i][2] for d in datas], float),
                kind,
            )
            for i, (mask, _, _, kind) in enumerate(d0.inv)
        ]
        self.start_rate = np.array([d.start_rate for d in datas])
        self.start_amount = np.array([d.start_amount for d in datas])

    # -- one-dimensional pieces: value, first and second derivative
    @staticmethod
    def _count_terms(lam, lo, hi, exact, lgam):
        lam = np.maximum(lam, 1e-300)
        if exact:
            return lo * np.log(lam) - lam - lgam, lo / lam - 1.0, -lo / lam**2
        logp = _poisson_interval_logp(lam, lo, hi)

        def ratio(k):  # pmf(k) / P(lo <= Y <= hi); 0 where k is below 0 or infinite
            out = (k >= 0) & np.isfinite(k)
            kk = np.where(out, k, 0.0)
            return np.where(out, np.exp(kk * np.log(lam) - lam - special.gammaln(kk + 1) - logp), 0.0)

        d1 = ratio(lo - 1) - ratio(hi)
        d2 = (ratio(lo - 2) - ratio(lo - 1)) - (ratio(hi - 1) - ratio(hi))
        return logp, d1, d2 - d1**2

    @staticmethod
    def _money_terms(m, centre, sd, kind):
        """Log-likelihood of the log total ``m`` and its first two derivatives: ``kind`` "two" (Gaussian
        around ``centre``), "lower" (log P(reported > bound)) or "upper" (log P(reported < bound))."""
        if kind == "two":
            z = (centre - m) / sd
            return -0.5 * z**2 - np.log(sd * math.sqrt(2 * math.pi)), z / sd, -1 / sd**2
        # log P(reported > lo) = log Phi((m - lo)/sd); log P(reported < hi) = log Phi((hi - m)/sd)
        sign = 1.0 if kind == "lower" else -1.0
        u = sign * (m - centre) / sd
        lp = special.log_ndtr(u)
        r = np.exp(-0.5 * u**2 - 0.5 * math.log(2 * math.pi) - lp)  # phi(u)/Phi(u)
        d1 = sign * r / sd
        d2 = -(u * r + r**2) / sd**2
        return lp, d1, d2

    def loglik(self, eta: np.ndarray, a: np.ndarray, h: np.ndarray, derivs: bool = False):
        """Exact log-likelihood (n,) of rows of history ``h`` (n,), optionally gradient (n, 2T) and Hessian
        (n, 2T, 2T) wrt (eta, z) with z = eta + a the log totals: the counts depend on eta only and the money
        on z only, so the Hessian is block diagonal (the count block, then the money block)."""
        n, T = eta.shape
        ll = np.zeros(n)
        if derivs:
            g = np.zeros((n, 2 * T))
            H = np.zeros((n, 2 * T, 2 * T))
            diag = np.arange(T)
        e = np.exp(np.minimum(eta, 50.0))
        for sl, lo, hi, exact, lgam in self.cnt:  # a period's years are a slice of the latent years
            one = sl.stop - sl.start == 1  # a single year: its own scalar terms, no outer products
            em = e[:, sl.start] if one else e[:, sl]
            lam = em if one else em.sum(axis=1)
            v, d1, d2 = self._count_terms(lam, lo[h], hi[h], exact, lgam[h])
            ll += v
            if not derivs:
                continue
            if one:
                g[:, sl.start] += d1 * em
                H[:, sl.start, sl.start] += d2 * em * em + d1 * em
                continue
            g[:, sl] += d1[:, None] * em
            Hs = d2[:, None, None] * em[:, :, None] * em[:, None, :]
            Hs[:, diag[: em.shape[1]], diag[: em.shape[1]]] += d1[:, None] * em
            H[:, sl, sl] += Hs
        if self.inv:
            z = np.minimum(eta + a, 60.0)
        for sl, centre, sd, kind in self.inv:
            one = sl.stop - sl.start == 1
            if one:
                m = z[:, sl.start]
            else:
                zm = z[:, sl]
                mx = zm.max(axis=1, keepdims=True)
                ex = np.exp(zm - mx)
                m = mx[:, 0] + np.log(ex.sum(axis=1))
            v, d1, d2 = self._money_terms(m, centre[h], sd[h], kind)
            ll += v
            if not derivs:
                continue
            sl2 = slice(sl.start + T, sl.stop + T)  # the same years' log totals z_t
            if one:
                g[:, sl2.start] += d1
                H[:, sl2.start, sl2.start] += d2 - d1 + d1  # the weight of the one year is 1 (the general form)
                continue
            w = ex / ex.sum(axis=1, keepdims=True)
            Hz = (d2 - d1)[:, None, None] * w[:, :, None] * w[:, None, :]
            Hz[:, diag[: w.shape[1]], diag[: w.shape[1]]] += d1[:, None] * w
            g[:, sl2] += d1[:, None] * w
            H[:, sl2, sl2] += Hz
        ll = np.where(np.isfinite(ll), ll, -np.inf)
        return (ll, g, H) if derivs else ll


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for rows ``a``, computed alike for every row whatever the number of rows (BLAS multiplies a
    single row by another routine, whose last bits differ) and without BLAS threads (which cost more CPU
    than they save on these narrow products)."""
    return np.einsum("nd,dt->nt", a, b)


def _solve(A: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton directions A^-1 g per row and the rows where that is no ascent direction (row by row when
    a matrix is singular, so a row's answer never depends on the others)."""
    try:
        p = np.linalg.solve(A, g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        p = np.full_like(g, np.nan)
        for i in range(len(g)):
            try:
                p[i] = np.linalg.solve(A[i], g[i])
            except np.linalg.LinAlgError:
                pass
    bad = ~(np.sum(p * g, axis=1) > 0) | ~np.all(np.isfinite(p), axis=1)
    return p, bad


def _log_mean_exp(lw: np.ndarray, n: int) -> tuple[float, float]:
    """log of the mean of ``exp(lw)`` over ``n`` draws (those not in ``lw`` weigh 0) and the Monte-Carlo
    standard error of that log, ``sd(w) / (mean(w) sqrt(n))`` (delta method), both by log-sum-exp."""
    if lw.size == 0:
        return -math.inf, math.inf
    top = float(np.max(lw))
    w = np.exp(lw - top)
    log_mean = top + math.log(np.sum(w) / n)
    log_m2 = 2.0 * top + math.log(np.sum(w * w) / n)
    rel_var = max(math.expm1(log_m2 - 2.0 * log_mean), 0.0) * n / max(n - 1, 1)  # var(w) / mean(w)^2
    return log_mean, math.sqrt(rel_var / n)


#: Refit while Pareto k-hat is above this (:data:`analysis.stats.posterior.KHAT_OK`), at most ``_MAX_REFITS`` times.
_KHAT_MAX = 0.7
_MAX_REFITS = 3


@dataclass
class _Fit:
    """Posterior of one model for one history: the importance draws and their diagnostics.

    ``x``, ``sd``, ``tau`` are the draws (latent vector and the two scales), ``weights`` their normalised
    Pareto-smoothed weights; ``status`` is ``ok`` (the first proposal was reliable), ``refit`` (a later one
    was) or ``failed`` (k-hat still above 0.7 after ``refits`` refits).
    """

    model: _Model
    x: np.ndarray
    sd: np.ndarray
    tau: np.ndarray
    weights: np.ndarray
    khat: float
    ess: float
    log_evidence: float
    log_evidence_mcse: float
    laplace_log_evidence: float
    newton_iters: int
    refits: int = 0
    status: str = "ok"


class _Engine:
    """One model fitted to a stack of histories: Laplace approximations of the latent vector on a grid of
    the two scales (INLA-style), used as the proposal of an importance sampler on the exact posterior."""

    def __init__(self, model: _Model, data: _Data, stack: _Stack, n_grid: int):
        self.model, self.data = model, stack
        # aggregate periods with data: the proposal works in coordinates where the period's latent
        # years are (log of their summed rate, log ratios) -- the likelihood's ridge becomes straight
        self.aggs = []  # (years, eta coords, a coords, which) with which = "eta" or "z"
        for rows, which in ((data.cnt, "eta"), (data.inv, "z")):
            for row in rows:
                yrs = np.flatnonzero(row[0])
                if yrs.size > 1:
                    ce = np.array([model.creators(t)[0] for t in yrs])
                    ca = np.array([model.creators(t)[1] for t in yrs])
                    self.aggs.append((yrs, ce, ca, which))
        self.aggs.sort(key=lambda a: (a[3] == "z", a[0][0]))
        self._local_map()
        self.n_grid = n_grid
        self._grid(n_grid)
        self._laplace()

    def _grid(self, n_grid):
        # log-scale grid covering the half-normal prior between its 0.2 % and 99.8 % quantiles
        def axis(p):
            s = p.params[0]
            lo, hi = math.log(s * 0.0025), math.log(s * 3.09)
            return np.linspace(lo, hi, n_grid), (hi - lo) / (n_grid - 1)

        ls, self.dls = axis(self.model.p_sd)
        lt, self.dlt = axis(self.model.p_tau)
        LS, LT = np.meshgrid(ls, lt, indexing="ij")
        self.ls, self.lt = LS.ravel(), LT.ravel()

    def log_joint(self, x, ls, lt, h, derivs=False):
        """Exact log posterior density (unnormalised) of (log sd, log tau, x) of rows of history ``h``."""
        m = self.model
        nf, ne = m.nf, m.ne
        inv_sd2, inv_tau2 = np.exp(-2.0 * ls), np.exp(-2.0 * lt)  # the year effects' prior precisions
        r = x - m.m0
        rr = r * r
        quad = np.sum(rr[:, :nf] * m.inv_v_fixed, axis=1)
        quad += np.sum(rr[:, nf : nf + ne], axis=1) * inv_sd2 + np.sum(rr[:, nf + ne :], axis=1) * inv_tau2
        lp = -0.5 * (quad + m.log_norm) - ne * (ls + lt)
        lp += _halfnormal_logpdf_log(ls, m.p_sd.params[0]) + _halfnormal_logpdf_log(lt, m.p_tau.params[0])
        paths = _mm(x, m.L.T)  # the model's paths: eta, a
        eta, a = paths[:, : m.T], paths[:, m.T :]
        if not derivs:
            return lp + self.data.loglik(eta, a, h)
        ll, g, H = self.data.loglik(eta, a, h, derivs=True)
        prec = np.empty_like(r)  # the prior precision of x, per row
        prec[:, :nf] = m.inv_v_fixed
        prec[:, nf : nf + ne] = inv_sd2[:, None]
        prec[:, nf + ne :] = inv_tau2[:, None]
        gx = _mm(g, m.L_z) - r * prec
        Hx = np.matmul(m.L_z.T, np.matmul(H, m.L_z))
        Hx.reshape(len(x), -1)[:, :: m.D + 1] -= prec  # the diagonal
        return lp + ll, gx, Hx

    def _newton(self, x, ls, lt, h, max_iter=40):
        """Batched Newton ascent of log_joint in x at fixed scales, each row until it converges (its Newton
        decrement or its gain is negligible); returns x, f, H and each row's iterations. The rows still moving
        are kept compact (a row that stops is written out once), so no step gathers or scatters all rows."""
        m = self.model
        f, g, H = self.log_joint(x, ls, lt, h, derivs=True)
        out_x, out_f, out_H = x.copy(), f.copy(), H  # each row's final state, written when it stops
        iters = np.zeros(x.shape[0], int)
        act = np.arange(x.shape[0])  # rows still moving, and their state:
        xa, fa, ga, Ha, la, ta, ha = x, f, g, H, ls, lt, h
        ridge = 1e-8 * np.eye(m.D)
        for it in range(1, max_iter + 1):
            iters[act] = it
            A = ridge - Ha
            p, bad = _solve(A, ga)
            if np.any(bad):  # not negative definite there: eigenvalue-clipped Newton step
                w, V = np.linalg.eigh(A[bad])
                w = np.maximum(np.abs(w), 1e-6 + 1e-8 * np.abs(w).max(axis=1, keepdims=True))
                p[bad] = np.einsum("nij,nj->ni", V, np.einsum("nji,nj->ni", V, ga[bad]) / w)
            moving = bad | (np.sum(p * ga, axis=1) >= 1e-7)  # Newton decrement: converged where small
            if not moving.all():
                out_x[act[~moving]], out_f[act[~moving]], out_H[act[~moving]] = xa[~moving], fa[~moving], Ha[~moving]
                act, p, xa, fa, ga, Ha = act[moving], p[moving], xa[moving], fa[moving], ga[moving], Ha[moving]
                la, ta, ha = la[moving], ta[moving], ha[moving]
            if act.size == 0:
                break
            # the full step, with derivatives (it improves almost everywhere); backtracking only where it does not
            xn = xa + p
            fn, gn, Hn = self.log_joint(xn, la, ta, ha, derivs=True)
            back = np.flatnonzero(~(fn > fa))
            if back.size:
                xb, fb = self._backtrack(xa[back], fa[back], p[back], la[back], ta[back], ha[back])
                moved = np.flatnonzero(fb > fa[back])  # a shorter step improved: its derivatives
                xn[back], fn[back] = xb, fb
                gn[back], Hn[back] = ga[back], Ha[back]  # no step: unchanged
                if moved.size:
                    r = back[moved]
                    fn[r], gn[r], Hn[r] = self.log_joint(xn[r], la[r], ta[r], ha[r], derivs=True)
            going = ~(fn - fa < 1e-8)  # rows that still gained
            xa, fa, ga, Ha = xn, fn, gn, Hn
            if not going.all():
                out_x[act[~going]], out_f[act[~going]], out_H[act[~going]] = xa[~going], fa[~going], Ha[~going]
                act, xa, fa, ga, Ha = act[going], xa[going], fa[going], ga[going], Ha[going]
                la, ta, ha = la[going], ta[going], ha[going]
            if act.size == 0:
                break
        out_x[act], out_f[act], out_H[act] = xa, fa, Ha
        return out_x, out_f, out_H, iters

    def _backtrack(self, x0, f0, p, ls, lt, h):
        """Steps 0.3, 0.09, ... of ``p`` from ``x0`` until one improves on ``f0`` (at most 11); where none does,
        ``x0`` and ``f0``."""
        step = np.full(len(x0), 0.3)
        todo = np.ones(len(x0), bool)
        xn, fn = x0.copy(), f0.copy()
        for _ in range(11):
            idx = np.flatnonzero(todo)
            cand = x0[idx] + step[idx, None] * p[idx]
            fc = self.log_joint(cand, ls[idx], lt[idx], h[idx])
            ok = fc > f0[idx]
            xn[idx[ok]], fn[idx[ok]] = cand[ok], fc[ok]
            todo[idx[ok]] = False
            step[idx[~ok]] *= 0.3
            if not todo.any():
                break
        return xn, fn

    def _laplace(self):
        """Laplace approximation of x at every grid node of every history (batched Newton: the history's
        central node first, then the nodes of its row and column warm-started from that mode, then every other
        node from the changes along the two axes). The covariance factors of the proposal are computed later,
        at the nodes that get draws (:meth:`_proposal_factors`)."""
        m, d = self.model, self.data
        B, N = d.start_rate.size, self.ls.size
        x0 = np.repeat(m.m0[None, :], B, axis=0)
        x0[:, m.ix["mu"]] = d.start_rate
        x0[:, m.ix["alpha"]] = d.start_amount
        c = N // 2
        xc, _, _, it0 = self._newton(x0, np.full(B, self.ls[c]), np.full(B, self.lt[c]), np.arange(B))
        # Then the nodes on the central node's row and column of the grid, warm-started from its mode, and
        # every other node (i, j) from the changes along the two axes: x(i, jc) + x(ic, j) - x(ic, jc). Rows
        # are kept in that order (the cross's nodes of every history, then the rest's); ``row_of`` finds them.
        ic, jc = divmod(c, self.n_grid)
        gi, gj = np.divmod(np.arange(N), self.n_grid)
        on_cross = (gi == ic) | (gj == jc)
        self.row_of = np.empty((B, N), int)  # the row of each history's node
        xs, fs, Hs, hists = [], [], [], []
        iters = it0.copy()
        for nodes in (np.flatnonzero(on_cross), np.flatnonzero(~on_cross)):
            if nodes.size == 0:
                continue
            if not xs:
                x0 = np.repeat(xc, nodes.size, axis=0)
            else:
                xm = np.concatenate(xs)
                x0 = (
                    xm[self.row_of[:, gi[nodes] * self.n_grid + jc]]
                    + xm[self.row_of[:, ic * self.n_grid + gj[nodes]]]
                    - xc[:, None, :]
                ).reshape(-1, m.D)
            h = np.repeat(np.arange(B), nodes.size)
            self.row_of[:, nodes] = sum(map(len, hists)) + np.arange(B * nodes.size).reshape(B, nodes.size)
            xn, fn, Hn, it = self._newton(x0, np.tile(self.ls[nodes], B), np.tile(self.lt[nodes], B), h)
            xs.append(xn), fs.append(fn), Hs.append(Hn), hists.append(h)
            iters += it.reshape(B, nodes.size).max(axis=1)
        x, f, H = np.concatenate(xs), np.concatenate(fs), np.concatenate(Hs)
        self.hist = np.concatenate(hists)  # the history of each row
        self.newton_iters = iters
        self._factor_x, log_det_x, self._is_chol = _chol_cov(-H, self.hist)
        self._log_det_cov = log_det_x
        self.x_mode = x
        # proposal in y = T(x): mode maps to mode (unit Jacobian), covariance J cov_x J^T; its factor is
        # computed for the nodes that get draws only (:meth:`_proposal_factors`)
        self.y_mode = self._to_y(x)
        self.cov_chol = np.empty_like(self._factor_x)
        self._log_det_cov_y = np.empty(len(x))
        self._have_factor = np.zeros(len(x), bool)
        # Laplace approximation of log p(y, log sd, log tau) at each node
        node_logp = (f + 0.5 * (m.D * math.log(2 * math.pi) + self._log_det_cov))[self.row_of]
        top = node_logp.max(axis=1, keepdims=True)
        pw = np.exp(node_logp - top)
        self.node_w = pw / pw.sum(axis=1, keepdims=True)
        self.laplace_log_evidence = top[:, 0] + np.log(pw.sum(axis=1) * self.dls * self.dlt)

    # ---- proposal coordinates y = T(x), |det dT/dx| = 1
    # First a linear unit-triangular map to "local" coordinates in which each year's eta_t and a_t
    # is one coordinate (identity for iid/drift; for level, steps -> levels), then, for every
    # aggregate period with data, its years' log values are replaced by (log of their sum, log ratios
    # to the last year) -- for counts on eta, for investment on z = eta + a.
    def _local_map(self):
        m = self.model
        K = np.eye(m.D)
        if m.kind in ("level", "llt"):
            for block, first in ((m.L_eta, m.ix["mu"]), (m.L_a, m.ix["alpha"])):
                for t in range(m.T):
                    K[m.creators(t)[0 if first == m.ix["mu"] else 1]] = block[t]
        self.K, self.K_inv = K, np.linalg.inv(K)
        self._K_is_eye = bool(np.array_equal(K, np.eye(m.D)))  # iid, drift: no linear map to apply

    def _to_y(self, x):
        if not self.aggs:
            return x
        xl = x if self._K_is_eye else _mm(x, self.K.T)
        y = xl.copy()
        for _yrs, ce, ca, which in self.aggs:
            v = xl[:, ce] if which == "eta" else xl[:, ce] + xl[:, ca]
            tgt = ce if which == "eta" else ca
            mx = v.max(axis=1, keepdims=True)
            y[:, tgt[0]] = mx[:, 0] + np.log(np.exp(v - mx).sum(axis=1))
            y[:, tgt[1:]] = v[:, :-1] - v[:, -1:]
        return y

    def _to_x(self, y):
        if not self.aggs:
            return y
        xl = y.copy()
        for _yrs, ce, ca, which in self.aggs:  # eta blocks first, then z blocks
            tgt = ce if which == "eta" else ca
            c, r = y[:, tgt[0]], y[:, tgt[1:]]
            rr = np.concatenate([r, np.zeros((r.shape[0], 1))], axis=1)
            mx = rr.max(axis=1, keepdims=True)
            v = rr + (c - (mx[:, 0] + np.log(np.exp(rr - mx).sum(axis=1))))[:, None]
            xl[:, tgt] = v if which == "eta" else v - xl[:, ce]
        return xl if self._K_is_eye else _mm(xl, self.K_inv.T)

    def _jac(self, x):
        """dT/dx at rows of x: (n, D, D)."""
        m = self.model
        n = x.shape[0]
        J = np.repeat(np.eye(m.D)[None], n, axis=0)
        xl = x if self._K_is_eye else _mm(x, self.K.T)
        for _yrs, ce, ca, which in self.aggs:
            k = len(ce)
            if which == "eta":
                v, tgt, src = xl[:, ce], ce, [ce]
            else:
                v, tgt, src = xl[:, ce] + xl[:, ca], ca, [ce, ca]
            w = np.exp(v - v.max(axis=1, keepdims=True))
            w /= w.sum(axis=1, keepdims=True)
            rows = np.zeros((n, k, m.D))
            for cols in src:
                rows[:, 0, cols] += w
                rows[:, 1:, cols] += np.eye(k)[:-1] - np.eye(k)[-1:]
            J[:, tgt, :] = rows
        return J if self._K_is_eye else np.matmul(J, self.K)

    def _proposal_factors(self, rows: np.ndarray) -> None:
        """The factor of the proposal's covariance in y (``cov_chol``, lower triangular where there are
        aggregates) and its log determinant at the Laplace rows ``rows``, computed once per row; each row's
        arithmetic is its own (per-matrix LAPACK and products), whatever rows are computed with it."""
        need = rows[~self._have_factor[rows]]
        if need.size == 0:
            return
        F = self._factor_x[need]
        chol = self._is_chol[need]
        C = F.copy()  # eigenvalue-clipped factors (precision not positive definite) are factors of cov already
        if np.any(chol):
            C[chol] = np.linalg.inv(np.swapaxes(F[chol], 1, 2))  # cov_x = C C^T with C = R^-T
        if self.aggs:
            JC = np.matmul(self._jac(self.x_mode[need]), C)
            cov_y = np.matmul(JC, np.swapaxes(JC, 1, 2)) + 1e-12 * np.eye(self.model.D)
            Cy = np.linalg.cholesky(cov_y)
            self.cov_chol[need] = Cy
            self._log_det_cov_y[need] = 2.0 * np.sum(np.log(np.einsum("nii->ni", Cy)), axis=1)
        else:
            self.cov_chol[need] = C
            self._log_det_cov_y[need] = self._log_det_cov[need]
        self._have_factor[need] = True

    def sample(self, rngs: list, hs: list[int], n: int, attempt: int) -> list[_Fit]:
        """Importance sampling of x at the grid nodes of histories ``hs`` (each with its generator): the two
        scales are integrated by the grid (midpoint rule on the log scale), the latent vector by importance
        sampling from the node's Laplace approximation (multivariate t, 6 df, scale inflated by 1.1),
        expressed in the coordinates ``T(x)`` in which each aggregate period's years are its log total and
        log ratios (a volume-preserving change of variables, so the proposal density needs no Jacobian).

        A refit (``attempt`` r >= 1) draws ``n * 2**r`` times from a defensive mixture: with probability
        0.3 a wider, heavier t (3 df, scale 1.1 (1 + r)) at a node drawn from the tempered node weights
        ``node_w ** (1 / (1 + r))``, else the first proposal; the weights divide by the mixture's density."""
        out = []
        per_block = max(1, _ROWS_PER_BLOCK // (n * 2**attempt))
        for i in range(0, len(hs), per_block):
            out += self._sample_block(rngs[i : i + per_block], hs[i : i + per_block], n, attempt)
        return out

    def _sample_block(self, rngs, hs, n, attempt):
        m, N = self.model, self.ls.size
        infl, nu = 1.1, _T_DF
        n_r = n * 2**attempt
        eps, s_wide, nu_wide = _DEFENSIVE_SHARE, infl * (1 + attempt), _T_DF_WIDE
        node_wide = self.node_w ** (1.0 / (1 + attempt))
        node_wide /= node_wide.sum(axis=1, keepdims=True)
        # Each history's draws come grouped by node (multinomial counts per node and component), so that
        # every node's factor multiplies its own draws as one block and no (draws, D, D) array is gathered.
        hk, comp, zs, chis, seg_rows, seg_sizes = [], [], [], [], [], []
        for rng, b in zip(rngs, hs, strict=True):
            if attempt == 0:
                counts = [rng.multinomial(n_r, self.node_w[b])]
            else:
                n_wide = int(rng.binomial(n_r, eps))
                counts = [rng.multinomial(n_r - n_wide, self.node_w[b]), rng.multinomial(n_wide, node_wide[b])]
            zs.append(rng.standard_normal((n_r, m.D)))
            for c, (cnt, df) in enumerate(zip(counts, (nu, nu_wide)[: len(counts)], strict=True)):
                nodes = np.flatnonzero(cnt)
                hk.append(np.repeat(b * N + nodes, cnt[nodes]))
                comp.append(np.full(int(cnt.sum()), c, np.int8))
                chis.append(rng.chisquare(df, int(cnt.sum())) / df)
                seg_rows.append(self.row_of[b, nodes])
                seg_sizes.append(cnt[nodes])
        gk, wide, z, chi = np.concatenate(hk), np.concatenate(comp) == 1, np.concatenate(zs), np.concatenate(chis)
        h, k = np.divmod(gk, N)
        row = self.row_of[h, k]  # the Laplace approximation's row of each draw's history and node
        seg_rows = np.concatenate(seg_rows)
        seg_ends = np.cumsum(np.concatenate(seg_sizes))
        self._proposal_factors(seg_rows)
        cz = np.empty_like(z)  # C z, one node's block at a time (the same blocks whatever is stacked)
        CT = np.swapaxes(self.cov_chol, 1, 2)
        seg_starts = seg_ends - np.concatenate(seg_sizes)
        for g, lo, hi in zip(seg_rows.tolist(), seg_starts.tolist(), seg_ends.tolist(), strict=True):
            np.matmul(z[lo:hi], CT[g], out=cz[lo:hi])
        zz = np.sum(z * z, axis=1) / chi  # Mahalanobis distance of y under its component's scaled covariance
        half_logdet = 0.5 * self._log_det_cov_y[row]
        if attempt == 0:
            y = self.y_mode[row] + infl * cz / np.sqrt(chi)[:, None]
            t_dens = _t_logpdf(zz, nu, m.D, half_logdet + m.D * math.log(infl))
            lq = np.log(self.node_w[h, k]) - math.log(self.dls * self.dlt) + t_dens
        else:
            scale = np.where(wide, s_wide, infl)
            y = self.y_mode[row] + scale[:, None] * cz / np.sqrt(chi)[:, None]
            d2 = zz * scale**2  # Mahalanobis distance under the node's Laplace covariance
            lq = np.logaddexp(
                math.log1p(-eps)
                + np.log(self.node_w[h, k])
                + _t_logpdf(d2 / infl**2, nu, m.D, half_logdet + m.D * math.log(infl)),
                math.log(eps)
                + np.log(node_wide[h, k])
                + _t_logpdf(d2 / s_wide**2, nu_wide, m.D, half_logdet + m.D * math.log(s_wide)),
            ) - math.log(self.dls * self.dlt)
        x = self._to_x(y)
        ls, lt = self.ls[k], self.lt[k]
        lw_all = self.log_joint(x, ls, lt, h) - lq
        fits = []
        for j, b in enumerate(hs):
            rows = slice(j * n_r, (j + 1) * n_r)
            lw = lw_all[rows]
            ok = np.isfinite(lw)
            lw = lw[ok]
            log_ev, mcse = _log_mean_exp(lw, n_r)
            weights, khat = psis(lw)
            fits.append(
                _Fit(
                    model=m,
                    x=x[rows][ok],
                    sd=np.exp(ls[rows][ok]),
                    tau=np.exp(lt[rows][ok]),
                    weights=weights,
                    khat=khat,
                    ess=float(1.0 / np.sum(weights**2)),
                    log_evidence=log_ev,
                    log_evidence_mcse=mcse,
                    laplace_log_evidence=float(self.laplace_log_evidence[b]),
                    newton_iters=int(self.newton_iters[b]),
                )
            )
        return fits


def _t_logpdf(q: np.ndarray, nu: float, dim: int, half_logdet: np.ndarray) -> np.ndarray:
    """Log density of a ``dim``-variate t with ``nu`` df at squared Mahalanobis distance ``q`` (under the
    scale matrix whose log determinant is twice ``half_logdet``)."""
    return (
        special.gammaln((nu + dim) / 2)
        - special.gammaln(nu / 2)
        - 0.5 * dim * math.log(nu * math.pi)
        - half_logdet
        - 0.5 * (nu + dim) * np.log1p(q / nu)
    )


def _chol_cov(A: np.ndarray, hist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For precision matrices ``A`` of histories' nodes (``hist``: the history of each row): a factor per row,
    log det cov, and whether the factor is the Cholesky factor ``R`` of ``A`` (then cov = R^-T R^-1) or a
    factor ``C`` of the covariance itself (cov = C C^T). A history whose precision is not positive definite
    at one of its nodes gets eigenvalue-clipped factors ``C`` at all its nodes (as when it is fitted alone)."""
    try:
        R = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        if np.all(hist == hist[0]):
            w, V = np.linalg.eigh(A)
            w = np.maximum(w, 1e-4)
            return V * (1.0 / np.sqrt(w))[:, None, :], -np.sum(np.log(w), axis=1), np.zeros(len(A), bool)
        F, log_det, is_chol = np.empty_like(A), np.empty(len(A)), np.empty(len(A), bool)
        for b in np.unique(hist):
            rows = np.flatnonzero(hist == b)
            F[rows], log_det[rows], is_chol[rows] = _chol_cov(A[rows], hist[rows])
        return F, log_det, is_chol
    return R, -2.0 * np.sum(np.log(np.einsum("nii->ni", R)), axis=1), np.ones(len(A), bool)


def _fit_model(kind: str, datas: list[_Data], stack: _Stack, rngs: list, n_draws: int, n_grid: int) -> list[_Fit]:
    """One model fitted to histories of one shape; refitted where Pareto k-hat exceeds 0.7 (see
    :meth:`_Engine.sample`), at most ``_MAX_REFITS`` times."""
    eng = _Engine(_Model(kind, stack.T), datas[0], stack, n_grid)
    fits = eng.sample(rngs, list(range(len(rngs))), n_draws, 0)
    todo = [b for b, f in enumerate(fits) if not f.khat <= _KHAT_MAX]
    for b in todo:
        fits[b].status = "failed"
    for attempt in range(1, _MAX_REFITS + 1):
        if not todo:
            break
        for b, f in zip(todo, eng.sample([rngs[b] for b in todo], todo, n_draws, attempt), strict=True):
            f.refits, f.status = attempt, "refit" if f.khat <= _KHAT_MAX else "failed"
            fits[b] = f
        todo = [b for b in todo if not fits[b].khat <= _KHAT_MAX]
    return fits


@dataclass
class Posterior:
    """Fitted model: three importance-sampled posteriors, their weights, and the landing posterior.

    Made by :func:`fit`. ``weights`` maps model name -> posterior model probability; ``fits`` the
    importance-sampled posterior of each model; ``landing`` (or None) is a :class:`LandingPosterior`.
    """

    first_year: int
    last_year: int
    weights: dict[str, float]
    fits: dict[str, _Fit] = field(repr=False)
    landing: LandingPosterior | None = field(default=None, repr=False)

    def diagnostics(self) -> dict:
        """Per model: the inference's diagnostics.

        Returns
        -------
        dict of str to dict
            Per model: ``log_evidence`` (importance-sampling estimate: the log of the mean importance weight,
            by log-sum-exp), ``log_evidence_mcse`` (its Monte-Carlo standard error, ``sd(w) / (mean(w)
            sqrt(n))``), ``log_evidence_laplace`` (grid-Laplace value), ``ess`` (effective sample size of the
            smoothed importance weights), ``n_draws``, ``khat`` (Pareto k-hat), ``newton_iterations``,
            ``refits`` (proposals tried after the first because k-hat was above 0.7) and ``status``: ``ok``
            (the first proposal was reliable), ``refit`` (a refit was) or ``failed`` (k-hat still above 0.7).

        Examples
        --------
        >>> post = fit([PeriodObs(2019, 2020, 85, None, 600.0, None), PeriodObs(2021, 2021, 40, None, 280.0, None)])
        >>> d = post.diagnostics()["level"]
        >>> d["status"], d["refits"], bool(d["khat"] <= 0.7), bool(0 < d["log_evidence_mcse"] < 0.1)
        ('ok', 0, True, True)
        """
        return {
            k: {
                "log_evidence": f.log_evidence,
                "log_evidence_mcse": f.log_evidence_mcse,
                "log_evidence_laplace": f.laplace_log_evidence,
                "ess": f.ess,
                "n_draws": len(f.weights),
                "khat": f.khat,
                "newton_iterations": f.newton_iters,
                "refits": f.refits,
                "status": f.status,
            }
            for k, f in self.fits.items()
        }

    def predict(self, years, n_sims: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Model-averaged posterior-predictive draws for future ``years`` (each after ``last_year``).

        Parameters
        ----------
        years : int or sequence of int
            The years to predict.
        n_sims : int
            The number of simulations.
        rng : numpy.random.Generator
            The random generator (the draws are deterministic given its state).

        Returns
        -------
        dict of str to numpy.ndarray
            ``projects`` and ``investment`` (亿元, as it would be reported), their running sums over ``years``
            (``projects_cum``, ``investment_cum``; sums of the predicted years only), the latent expected count
            ``rate`` and ``model`` (index into ``MODELS`` per simulation); arrays are (n_sims, len(years)).

        Raises
        ------
        ValueError
            When a year is not after ``last_year``.
        """
        years = np.atleast_1d(np.asarray(years, dtype=int))
        if np.any(years <= self.last_year):
            raise ValueError(f"predict: years must be after {self.last_year}")
        steps = int(years.max() - self.last_year)
        col = years - self.last_year - 1
        names = list(self.fits)
        probs = np.array([self.weights[k] for k in names])
        which = rng.choice(len(names), size=n_sims, p=probs / probs.sum())
        eta = np.empty((n_sims, steps))
        a = np.empty((n_sims, steps))
        for j, k in enumerate(names):
            rows = np.flatnonzero(which == j)
            if rows.size == 0:
                continue
            f = self.fits[k]
            i = rng.choice(len(f.weights), size=rows.size, p=f.weights)
            e, aa = f.model.future(f.x[i], f.sd[i], f.tau[i], steps, rng)
            eta[rows], a[rows] = e, aa
        eta, a = eta[:, col], a[:, col]
        rate = np.exp(np.minimum(eta, 30.0))
        projects = rng.poisson(rate).astype(float)
        inv = np.exp(np.minimum(eta + a, 50.0) + INVESTMENT_MEASUREMENT_SD * rng.standard_normal(eta.shape))
        model_idx = np.array([MODELS.index(k) for k in names])[which]
        return {
            "projects": projects,
            "investment": inv,
            "projects_cum": np.cumsum(projects, axis=1),
            "investment_cum": np.cumsum(inv, axis=1),
            "rate": rate,
            "model": model_idx,
        }

    def summary(self) -> dict:
        """Posterior summaries (q10, q50, q90 = median and 80 % interval) per model and averaged.

        Returns
        -------
        dict
            ``weights``; ``models``: per model ``rate_last`` (expected projects in the last history year),
            ``growth`` (yearly growth of the expected count; drift model only), ``rate_sd`` (year-effect or step
            sd of the log-rate), ``amount_last`` (亿元 per expected project, last year), ``amount_growth``
            (drift), ``amount_sd``, ``weight`` and the diagnostics; ``averaged``: model-averaged next-year
            expected projects and investment per project; ``landing`` when there is a landing posterior.
        """
        out: dict = {"weights": dict(self.weights), "models": {}}
        rng = np.random.default_rng(0)
        pooled_rate, pooled_amt = [], []
        diag = self.diagnostics()
        for k, f in self.fits.items():
            idx = rng.choice(len(f.weights), size=4000, p=f.weights)
            x, sd, tau = f.x[idx], f.sd[idx], f.tau[idx]
            m = f.model
            eta, a = m.paths(x)
            s = {
                "weight": self.weights[k],
                "rate_last": _q(np.exp(eta[:, -1])),
                "rate_sd": _q(sd),
                "amount_last": _q(np.exp(a[:, -1])),
                "amount_sd": _q(tau),
            }
            if k == "drift":
                s["growth"] = _q(np.expm1(x[:, m.ix["beta"]]))
                s["amount_growth"] = _q(np.expm1(x[:, m.ix["gamma"]]))
            s.update(diag[k])
            out["models"][k] = s
            nk = int(round(self.weights[k] * 4000))
            if nk:
                e1, a1 = m.future(x[:nk], sd[:nk], tau[:nk], 1, rng)
                pooled_rate.append(np.exp(e1[:, 0]))
                pooled_amt.append(np.exp(a1[:, 0]))
        out["averaged"] = {
            "rate_next_year": _q(np.concatenate(pooled_rate)),
            "amount_next_year": _q(np.concatenate(pooled_amt)),
        }
        if self.landing is not None:
            out["landing"] = self.landing.summary()
        return out


def _fit_stack(datas: list[_Data], seeds: list[int], n_draws: int, n_grid: int, models: tuple[str, ...]):
    """The count/investment posteriors of histories of one shape, each as :func:`fit` makes it."""
    stack = _Stack(datas)
    rngs = [np.random.default_rng(s) for s in seeds]
    fits = {k: _fit_model(k, datas, stack, rngs, n_draws, n_grid) for k in models}
    prior = dict(zip(MODELS, PRIORS["model"].params, strict=True))
    out = []
    for b, d in enumerate(datas):
        le = np.array([fits[k][b].log_evidence + math.log(prior.get(k, 1.0)) for k in models])
        w = np.exp(le - le.max())
        w /= w.sum()
        weights = dict(zip(models, map(float, w), strict=True))
        out.append(Posterior(d.first_year, d.last_year, weights, {k: fits[k][b] for k in models}))
    return out


def fit(
    periods: list[PeriodObs],
    landing: list[LandingObs] | tuple = (),
    *,
    seed: int = 0,
    n_draws: int = _N_IS_DEFAULT,
    n_grid: int = _N_GRID_DEFAULT,
    models: tuple[str, ...] = MODELS,
) -> Posterior:
    """Fit the count/investment models (and the landing model if statements are given).

    Deterministic given ``seed``.

    Parameters
    ----------
    periods : list of PeriodObs
        The published periods (no overlaps).
    landing : list of LandingObs
        Landing statements (empty: no landing model).
    seed : int
        The seed of the importance sampler.
    n_draws : int
        Importance draws per model.
    n_grid : int
        Nodes per axis of the (log sd, log tau) grid of each model's Laplace proposal.
    models : tuple of str
        The time structures to fit and average (of :data:`MODELS`; or ``("llt",)``, the local linear trend
        the weighting study compares, alone: a structure outside :data:`MODELS` has prior odds 1).

    Returns
    -------
    Posterior
        The fitted, model-averaged posterior.

    Examples
    --------
    >>> import numpy as np
    >>> periods = [PeriodObs(2019, 2020, 85, None, 600.0, None), PeriodObs(2021, 2021, 40, None, 280.0, None),
    ...            PeriodObs(2022, 2022, 45, None, 300.0, None)]
    >>> post = fit(periods, seed=1)
    >>> sorted(post.weights), round(sum(post.weights.values()), 9)
    (['drift', 'iid', 'level'], 1.0)
    >>> sims = post.predict([2023, 2024], 1000, np.random.default_rng(0))
    >>> sims["projects"].shape
    (1000, 2)
    """
    data = _Data(list(periods))
    post = _fit_stack([data], [seed], n_draws, n_grid, models)[0]
    post.landing = fit_landing(data.periods, list(landing), seed=seed) if landing else None
    return post


def fit_many(
    histories: list[list[PeriodObs]],
    seeds: list[int],
    *,
    n_draws: int = _N_IS_DEFAULT,
    n_grid: int = _N_GRID_DEFAULT,
    models: tuple[str, ...] = MODELS,
) -> list[Posterior]:
    """Fit the count/investment models to many histories at once: each result is ``fit(history, seed=seed)``.

    Histories of the same shape (the same years, periods and kinds of hedge, as the simulated histories of
    one calibration world) are fitted together, so the per-call overhead of the batched Newton steps and
    importance weights is paid once per stack, not once per history. Every row of those arrays is computed as
    when its history is fitted alone, and each history keeps its own random generator, so the results equal
    :func:`fit`'s.

    Parameters
    ----------
    histories : list of list of PeriodObs
        The published periods of each history (no overlaps within one).
    seeds : list of int
        The seed of each history's importance sampler (as :func:`fit`'s ``seed``).
    n_draws, n_grid, models
        As :func:`fit`'s: importance draws per model, grid nodes per scale axis, the time structures.

    Returns
    -------
    list of Posterior
        One fitted posterior per history, in order (no landing model).

    Raises
    ------
    ValueError
        When there are not as many seeds as histories.

    Examples
    --------
    >>> h = [[PeriodObs(2019, 2020, c, None, 600.0, None), PeriodObs(2021, 2021, 40, None, 280.0, None)]
    ...      for c in (70, 85)]
    >>> posts = fit_many(h, [1, 2])
    >>> posts[1].weights == fit(h[1], seed=2).weights
    True
    """
    if len(histories) != len(seeds):
        raise ValueError(f"fit_many: {len(histories)} histories but {len(seeds)} seeds")
    datas = [_Data(list(p)) for p in histories]
    groups: dict[tuple, list[int]] = {}
    for i, d in enumerate(datas):
        groups.setdefault(d.shape, []).append(i)
    out: list[Posterior | None] = [None] * len(datas)
    for idx in groups.values():
        for j in range(0, len(idx), _HISTORIES_PER_STACK):
            part = idx[j : j + _HISTORIES_PER_STACK]
            posts = _fit_stack([datas[i] for i in part], [seeds[i] for i in part], n_draws, n_grid, models)
            for i, p in zip(part, posts, strict=True):
                out[i] = p
    return out
