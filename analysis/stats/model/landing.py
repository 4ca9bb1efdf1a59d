"""The landing model: how many of a cohort's signed projects have started implementation by a statement.

Landing is modelled per project: a project signed at a conference held at time ``s`` (fractional years) has
started implementation by a statement made at time ``v`` with probability
``F(v - s) = c * (1 - (1 - h)**(v - s))``: a share ``c`` lands eventually, at a yearly hazard ``h``
(continuous in time: half a year gives ``1 - (1 - h)**0.5`` of the yearly chance). Cohorts differ (policy
pushes, project mix), so a cohort's landed count is beta-binomial with intra-cohort correlation ``rho``.

*When.* Each conference's date is in data/conferences.csv and each statement's in data/sources.csv; a time
is the middle of its month. Where a month is unknown (the 2019, 2020 and 2022 conferences, the 2022
statement) nothing is guessed: the time is uniform over the year, twelve mid-month times equally likely, and
a project's chance of having landed is averaged over them (independently for each unknown date, also where
two of them are the same event, such as the 2022 conference and the statement made at it). So the
2020 cohort is less than one and a half years old at the statement of May 2021, and the 2021 cohort, signed
on 13 May 2021, between about eight months and a year and seven months old at the 2022 statement. A
predicted statement is made at a later year's conference; a conference whose date is not yet known is taken
one year after the previous one (same month, or the same uniform spread). Without dates (statements built
by hand) every event is at its whole year, as before months were used.

*Statements jointly.* The published statements are about nested cohorts (2019–2020 in 2021, 2019–2021 in
2022, 2019–2022 in 2023): they are used jointly as a chain — the count stated at one statement is the
count of the previous one plus the new landings among the projects still pending plus the landings of the
cohorts added since. This is exact while the projects still pending at a statement come from one signing
period; when they mix periods (at the third statement: 2019–2020 and 2021 projects) their mix is taken at
its expectation rather than conditioned on the earlier statements. On the real statements, with whole-year
ages, that moved the posterior medians of ``c`` and ``h`` by about half a posterior sd against brute-force
enumeration with independent projects, and left the share landed within one year unchanged; the tests keep
this in check.

*Inference.* The posterior of ``(c, h, rho)`` is computed on a grid in the logit of each, placed in two
stages (prior quantiles, then a finer grid around the posterior mass; ``rho`` is on the grid like the others,
not at a few fixed nodes, so its posterior is not squeezed onto the largest node); draws are jittered within
their cell. Predictions are draws of *observed* landed counts, not intervals for an expected number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import special
from scipy import stats as _st

from ...core.config import PRIORS
from .inputs import LEVELS, LandingObs, PeriodObs, _q

#: The parameters of the landing model and the keys of their priors in ``PRIORS``.
LANDING_PRIOR_KEYS = {"c": "landing_eventual", "h": "landing_hazard", "rho": "landing_icc"}


def _F(age, c, h):
    """Share of a cohort landed by ``age`` years (fractional; 0 at age 0 or less), elementwise."""
    age = np.asarray(age, float)
    return np.where(age > 0, c * (1.0 - (1.0 - h) ** np.maximum(age, 0.0)), 0.0)


def _times_of(times: dict, year: int) -> np.ndarray:
    """The equally likely times of ``year``'s conference: known, else carried from the nearest known year
    (one year per year), else the whole year itself (no dates at all)."""
    if year in times:
        return np.asarray(times[year], float)
    if not times:
        return np.array([float(year)])
    near = min(times, key=lambda y: (abs(y - year), -y))
    return np.asarray(times[near], float) + (year - near)


def _ages(signed_at, at) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ages (years) between the times of signing ``signed_at`` (one array per signing year, the
    years equally likely) and of the statement ``at``, with their probabilities."""
    at = np.asarray(at, float)
    ages, probs = [], []
    for ts in signed_at:
        ts = np.asarray(ts, float)
        ages.append((at[:, None] - ts[None, :]).ravel())
        probs.append(np.full(ages[-1].size, 1.0 / (ages[-1].size * len(signed_at))))
    a, p = np.round(np.concatenate(ages), 9), np.concatenate(probs)
    u, inv = np.unique(a, return_inverse=True)
    return u, np.bincount(inv, weights=p)


def _Fbar(ages: tuple[np.ndarray, np.ndarray], c, h):
    """Share landed of a group whose projects have ``ages`` (values, probabilities), per parameter point."""
    a, p = ages
    a = np.maximum(a, 0.0)
    stay = (1.0 - np.asarray(h, float))[..., None] ** a  # (P, A)
    return np.asarray(c, float) * (1.0 - stay @ p)


def _bb_pmf_vec(n: int, p: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Beta-binomial pmf over 0..n (mean p, intra-class correlation rho) per parameter point: (P, n+1).

    ``log pmf(0) = log B(al, n + be) - log B(al, be)``, then the ratio of successive terms,
    ``pmf(k+1) / pmf(k) = (n - k) (k + al) / ((k + 1) (n - k - 1 + be))``, summed on the log scale (two
    logarithms per term instead of two log-gamma functions)."""
    p = np.clip(p, 1e-10, 1 - 1e-10)[:, None]
    s = (1.0 / rho - 1.0)[:, None]
    al, be = p * s, (1 - p) * s
    lp0 = special.gammaln(n + be) - special.gammaln(be) + special.gammaln(al + be) - special.gammaln(n + al + be)
    if n == 0:
        return np.exp(lp0)
    k = np.arange(n)
    ratio = np.log((n - k) / (k + 1.0))[None, :] + np.log(k[None, :] + al) - np.log(n - k[None, :] - 1 + be)
    return np.exp(np.concatenate([lp0, lp0 + np.cumsum(ratio, axis=1)], axis=1))


def _conv_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape[1] < b.shape[1]:
        a, b = b, a
    out = np.zeros((a.shape[0], a.shape[1] + b.shape[1] - 1))
    for j in range(b.shape[1]):
        out[:, j : j + a.shape[1]] += a * b[:, j : j + 1]
    return out


@dataclass(frozen=True)
class _Group:
    first_year: int
    last_year: int
    n: int
    signed_at: tuple[tuple[float, ...], ...]  # per signing year, its conference's equally likely times

    def Fbar(self, at, c, h):
        return _Fbar(_ages(self.signed_at, at), c, h)


def _at(s: LandingObs) -> tuple[float, ...]:
    """When statement ``s`` was made (its whole vintage year when no date is given)."""
    return s.at or (float(s.vintage),)


def _pending_rate(groups: list[_Group], since, at, c, h):
    """Probability that a project still pending at time ``since`` has landed by ``at``, for the pending pool
    of ``groups`` taken at its expected mix of signing years (see the module docstring)."""
    num = sum(g.n * (g.Fbar(at, c, h) - g.Fbar(since, c, h)) for g in groups)
    den = sum(g.n * (1.0 - g.Fbar(since, c, h)) for g in groups)
    return np.clip(num / np.maximum(den, 1e-300), 0.0, 1.0)


def _cohort_rate(p, rho, rng: np.random.Generator):
    """A cohort's own landing rate: a beta draw with mean ``p`` and intra-cohort correlation ``rho``."""
    s = 1.0 / rho - 1.0
    return rng.beta(np.maximum(p * s, 1e-10), np.maximum((1 - p) * s, 1e-10))


def _add_cohorts(groups, vintage: int, times: dict, c, h, rho, rng: np.random.Generator, landed, signed) -> None:
    """Add to ``landed`` and ``signed`` (in place) the landings by ``vintage``'s conference of cohorts with no
    statement: ``(first_year, last_year, signed)`` each, the parameters drawn per simulation (``c``, ``h``,
    ``rho``); ``times`` the conferences' times by year."""
    at = _times_of(times, vintage)
    for fy, ly, n in groups:
        if vintage <= ly:
            raise ValueError(f"vintage {vintage} must be after the cohort's last year {ly}")
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (len(landed),))
        g = _Group(fy, ly, 0, tuple(tuple(_times_of(times, y)) for y in range(fy, ly + 1)))
        landed += rng.binomial(n, _cohort_rate(g.Fbar(at, c, h), rho, rng))
        signed += n


def _signed_at(s: LandingObs, first: int, last: int) -> tuple[tuple[float, ...], ...]:
    if not s.signed_at:
        return tuple((float(y),) for y in range(first, last + 1))
    return tuple(s.signed_at[first - s.first_year : last - s.first_year + 1])


def _chain_groups(periods: list[PeriodObs], stmts: list[LandingObs]) -> list[list[_Group]]:
    out = []
    for s in stmts:
        gs = []
        for p in periods:
            if p.last_year < s.first_year or p.first_year > s.last_year:
                continue
            if p.first_year < s.first_year or p.last_year > s.last_year:
                raise ValueError(
                    f"landing cohort {s.first_year}-{s.last_year} cuts period {p.first_year}-{p.last_year}"
                )
            n = p.signed_estimate()
            if n is None:
                raise ValueError(f"period {p.first_year}-{p.last_year} has no project count for the landing cohort")
            gs.append(_Group(p.first_year, p.last_year, int(round(n)), _signed_at(s, p.first_year, p.last_year)))
        if sum(g.n for g in gs) != s.signed:
            raise ValueError(
                f"landing cohort {s.first_year}-{s.last_year}: signed {s.signed} != periods' sum {sum(g.n for g in gs)}"
            )
        out.append(gs)
    return out


def _chain_loglik(stmts, groups, c, h, rho, return_filter=False):
    """Joint log-likelihood of nested statements (vectorised over parameter points c, h, rho (P,)).

    Markov chain in the stated landed count; the pending pool's mix of signing years is taken at its
    expectation (see module docstring). Only the counts a statement allows are computed (one when it is
    exact). Returns loglik (P,) [and the filtered pmf of the last count].
    """
    P = c.shape[0]
    ll = np.zeros(P)
    prev = None  # (statement, groups, filtered pmf (P, n+1))
    for s, gs in zip(stmts, groups, strict=True):
        lo, hi = s.landed_bounds
        old_keys = set() if prev is None else {(g.first_year, g.last_year) for g in prev[1]}
        # pmf of landings among the groups new at this statement
        W = np.ones((P, 1))
        for g in gs:
            if (g.first_year, g.last_year) not in old_keys:
                W = _conv_rows(W, _bb_pmf_vec(g.n, g.Fbar(_at(s), c, h), rho))
        part = np.zeros((P, hi - lo + 1))  # probabilities of the counts lo..hi
        if prev is None:
            part[:, : max(min(hi + 1, W.shape[1]) - lo, 0)] = W[:, lo : hi + 1]
        else:
            ps, pg, f = prev
            qbar = _pending_rate(pg, _at(ps), _at(s), c, h)
            for sp in range(*ps.landed_bounds[:1], ps.landed_bounds[1] + 1):
                pool = ps.signed - sp
                U = _bb_pmf_vec(pool, qbar, rho)  # landings among the pending projects, 0..pool
                for t in range(lo, hi + 1):  # t = sp + j (pending) + (t - sp - j) (new groups)
                    j = np.arange(max(0, t - sp - W.shape[1] + 1), min(pool, t - sp) + 1)
                    if j.size:
                        part[:, t - lo] += f[:, sp] * np.einsum("pj,pj->p", U[:, j], W[:, t - sp - j])
        z = part.sum(axis=1)
        ll += np.log(np.maximum(z, 1e-300))
        f = np.zeros((P, s.signed + 1))
        f[:, lo : hi + 1] = part / np.maximum(z, 1e-300)[:, None]
        prev = (s, gs, f)
    return (ll, prev) if return_filter else ll


@dataclass
class LandingPosterior:
    """Grid posterior of the landing model ``(c, h, rho)`` and predictive draws of landed counts.

    Made by :func:`fit_landing`: the statements and their cohorts' groups, the grid points ``c``, ``h``,
    ``rho`` with their posterior weights ``w``, the grid's cell widths on the logit scale ``dc``, ``dh``,
    ``drho``, ``f_last``, the filtered distribution of the last stated count per grid point, and ``times``,
    the conferences' times by year known from the statements.
    """

    stmts: list[LandingObs]
    groups: list[list[_Group]]
    c: np.ndarray
    h: np.ndarray
    rho: np.ndarray
    w: np.ndarray
    dc: float
    dh: float
    drho: float
    f_last: np.ndarray = field(repr=False)  # filtered pmf of the last stated count, per grid point
    times: dict = field(default_factory=dict)

    def _draw_idx(self, n, rng):
        i = rng.choice(len(self.w), size=n, p=self.w)
        out = [
            special.expit(special.logit(x[i]) + d * (rng.random(n) - 0.5))
            for x, d in ((self.c, self.dc), (self.h, self.dh), (self.rho, self.drho))
        ]
        return (*out, i)

    def _times(self, times) -> dict:
        return {**self.times, **{int(y): tuple(t) for y, t in (times or {}).items()}}

    def draws(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Posterior draws of ``(c, h, rho)``.

        A grid cell is drawn by its posterior mass, then jittered uniformly within the cell on the logit scale.

        Parameters
        ----------
        n : int
            The number of draws.
        rng : numpy.random.Generator
            The random generator (the draws are deterministic given its state).

        Returns
        -------
        tuple of (numpy.ndarray, numpy.ndarray, numpy.ndarray)
            ``c`` (eventual share), ``h`` (yearly hazard), ``rho`` (intra-cohort correlation), each (n,).
        """
        return self._draw_idx(n, rng)[:3]

    def summary(self) -> dict:
        """Posterior summaries (q10, q50, q90) of the landing model's parameters and shares.

        Returns
        -------
        dict
            ``eventual_share``, ``yearly_hazard``, ``icc``, ``landed_within_1_year`` and
            ``landed_within_3_years``, each a dict of quantiles.
        """
        rng = np.random.default_rng(0)
        c, h, rho = self.draws(4000, rng)
        return {
            "eventual_share": _q(c),
            "yearly_hazard": _q(h),
            "icc": _q(rho),
            "landed_within_1_year": _q(_F(1, c, h)),
            "landed_within_3_years": _q(_F(3, c, h)),
        }

    def predict_cohort(
        self, groups, vintage: int, n_sims: int, rng: np.random.Generator, times=None
    ) -> dict[str, np.ndarray]:
        """Observed landed counts at ``vintage``'s conference of a cohort with no landing statement yet.

        An aggregate group's projects are spread evenly over its years. Each group draws its own cohort
        landing rate (beta with the model's mean and ``rho``), then a binomial count.

        Parameters
        ----------
        groups : list of (int, int, int or numpy.ndarray)
            ``(first_year, last_year, signed)``; ``signed`` an int or an array of ``n_sims`` draws (e.g.
            ``Posterior.predict(...)['projects'][:, j]``).
        vintage : int
            The year of the conference the landed count is predicted for (after every group's last year).
        n_sims : int
            The number of simulations.
        rng : numpy.random.Generator
            The random generator (the draws are deterministic given its state).
        times : dict of int to tuple of float, optional
            The conferences' times by year (:func:`analysis.stats.model.time_nodes`), added to those the
            statements gave; a year with none is one year after the nearest known one (see the module
            docstring).

        Returns
        -------
        dict of str to numpy.ndarray
            ``landed``, ``signed`` and ``rate`` (NaN where nothing was signed), each (n_sims,).
        """
        c, h, rho = self.draws(n_sims, rng)
        landed = np.zeros(n_sims)
        signed = np.zeros(n_sims)
        _add_cohorts(groups, vintage, self._times(times), c, h, rho, rng, landed, signed)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(signed > 0, landed / signed, np.nan)
        return {"landed": landed, "signed": signed, "rate": rate}

    def predict_existing(
        self, vintage: int, n_sims: int, rng: np.random.Generator, new_groups=(), times=None
    ) -> dict[str, np.ndarray]:
        """Landed count and rate of the latest statement's cohort at a later conference, given the statements.

        The stated count (or a draw from its filtered distribution if it is an interval) plus beta-binomial
        landings of the pending pool.

        Parameters
        ----------
        vintage : int
            The year of the conference predicted for (not before the latest statement).
        n_sims : int
            The number of simulations.
        rng : numpy.random.Generator
            The random generator (the draws are deterministic given its state).
        new_groups : list of (int, int, int or numpy.ndarray)
            Cohorts signed after that cohort, ``(first_year, last_year, signed)`` as in :meth:`predict_cohort`,
            added with the same parameter draws, so that the result is the landed count of the whole span a
            later article would state (2019–2021 known, 2022 new).
        times : dict of int to tuple of float, optional
            The conferences' times by year, as in :meth:`predict_cohort`.

        Returns
        -------
        dict of str to numpy.ndarray
            ``landed``, ``signed`` and ``rate``, each (n_sims,).
        """
        last, gs = self.stmts[-1], self.groups[-1]
        if vintage < last.vintage:
            raise ValueError(f"vintage {vintage} is before the latest statement ({last.vintage})")
        times = self._times(times)
        c, h, rho, i = self._draw_idx(n_sims, rng)
        cum = np.cumsum(self.f_last[i], axis=1)  # filtered at the cell's grid point
        s_now = np.minimum((cum < rng.random(n_sims)[:, None]).sum(axis=1), last.signed)
        at = _times_of(times, vintage) if vintage > last.vintage else _at(last)
        pc = _cohort_rate(_pending_rate(gs, _at(last), at, c, h), rho, rng)
        landed = (s_now + rng.binomial(last.signed - s_now, pc)).astype(float)
        signed = np.full(n_sims, float(last.signed))
        _add_cohorts(new_groups, vintage, times, c, h, rho, rng, landed, signed)
        return {"landed": landed, "signed": signed, "rate": landed / signed}


def _log_prior(prior, x):
    """Log prior density of ``x`` on the logit scale (with the Jacobian)."""
    return _st.beta.logpdf(x, *prior.params) + np.log(x * (1 - x))


def _logit_quantiles(prior, n: int) -> np.ndarray:
    return special.logit(np.clip(_st.beta.ppf(np.linspace(0.002, 0.998, n), *prior.params), 1e-9, 1 - 1e-9))


def fit_landing(
    periods: list[PeriodObs],
    statements: list[LandingObs],
    *,
    seed: int = 0,
    n_grid: tuple[int, int] = (24, 24),
    n_rho: int = 16,
    priors: dict | None = None,
) -> LandingPosterior:
    """Grid posterior for the landing model from nested statements (see the module docstring).

    ``(c, h, rho)`` on a grid in their logits placed in two stages (prior quantiles, then a finer grid around
    the posterior mass).

    Parameters
    ----------
    periods : list of PeriodObs
        The published periods (the cohorts' signed counts).
    statements : list of LandingObs
        Statements about nested cohorts (same first year, growing last year) at increasing vintages.
    seed : int
        Unused (the grid is deterministic); kept for a uniform signature.
    n_grid : tuple of (int, int)
        Grid points of the fine grid for ``c`` and ``h``.
    n_rho : int
        Grid points of the fine grid for ``rho``.
    priors : dict of str to Prior, optional
        Priors replacing those of ``PRIORS`` (keys ``landing_eventual``, ``landing_hazard``, ``landing_icc``;
        beta priors), e.g. for a prior-sensitivity check.

    Returns
    -------
    LandingPosterior
        The posterior on the grid.

    Raises
    ------
    ValueError
        When the statements are not nested or a cohort cuts a period.

    Examples
    --------
    >>> import numpy as np
    >>> periods = [PeriodObs(2019, 2020, 85), PeriodObs(2021, 2021, 40)]
    >>> post = fit_landing(periods, [LandingObs(2019, 2020, 2021, 85, (60, 60))], n_grid=(12, 12), n_rho=6)
    >>> sims = post.predict_cohort([(2021, 2021, 40)], 2022, 1000, np.random.default_rng(0))
    >>> bool(((sims["landed"] >= 0) & (sims["landed"] <= 40)).all())
    True
    """
    del seed  # the grid is deterministic; kept for a uniform signature
    stmts = sorted(statements, key=lambda s: s.vintage)
    for a, b in pairwise(stmts):
        if b.first_year != a.first_year or b.last_year < a.last_year or b.vintage <= a.vintage:
            raise ValueError(
                "landing statements must be about nested cohorts (same first year, growing last year)"
                " at increasing vintages; other shapes are not supported"
            )
    groups = _chain_groups(sorted(periods, key=lambda p: p.first_year), stmts)
    pri = [{**PRIORS, **(priors or {})}[k] for k in LANDING_PRIOR_KEYS.values()]

    def evaluate(axes):
        L = [g.ravel() for g in np.meshgrid(*axes, indexing="ij")]
        x = [special.expit(v) for v in L]
        lp = sum(_log_prior(p, v) for p, v in zip(pri, x, strict=True))
        ll, (_, _, f) = _chain_loglik(stmts, groups, *x, return_filter=True)
        return L, lp + ll, f

    # stage 1: a coarse logit grid over the priors' bulk; stage 2: a finer one around the posterior mass:
    # (c, h) where the log posterior is within 12 of its top, widened by a coarse step; rho where its
    # marginal holds at least 1e-4 of the mass, widened by the coarse step next to each end
    coarse = [_logit_quantiles(pri[0], 16), _logit_quantiles(pri[1], 16), _logit_quantiles(pri[2], 10)]
    L, lpost, _ = evaluate(coarse)
    keep = lpost > lpost.max() - 12.0
    fine = [
        np.linspace(v[keep].min() - np.diff(ax).max(), v[keep].max() + np.diff(ax).max(), n)
        for v, ax, n in zip(L[:2], coarse[:2], n_grid, strict=True)
    ]
    ax = coarse[2]
    marg = np.exp(lpost - lpost.max()).reshape(len(coarse[0]), len(coarse[1]), len(ax)).sum(axis=(0, 1))
    on = np.flatnonzero(marg >= 1e-4 * marg.sum())
    lo, hi = max(on[0] - 1, 0), min(on[-1] + 1, len(ax) - 1)
    steps = np.diff(ax)
    fine.append(
        np.linspace(ax[lo] - (steps[0] if lo == 0 else 0.0), ax[hi] + (steps[-1] if hi == len(ax) - 1 else 0.0), n_rho)
    )
    L, lpost, f_last = evaluate(fine)
    w = np.exp(lpost - lpost.max())
    w /= w.sum()
    times = {y: t for s in stmts for y, t in zip(range(s.first_year, s.last_year + 1), s.signed_at, strict=False)}
    c, h, rho = (special.expit(v) for v in L)
    dc, dh, dr = (float(ax[1] - ax[0]) for ax in fine)
    return LandingPosterior(stmts, groups, c, h, rho, w, dc, dh, dr, f_last, times)


def _pmf_summary(pmf: np.ndarray, lo: int, hi: int) -> dict:
    """The median, central intervals and mid-PIT of a stated range ``lo..hi`` under a predictive pmf."""
    cdf = np.cumsum(pmf) / pmf.sum()
    at = lambda p: float(np.searchsorted(cdf, p - 1e-12))  # noqa: E731  inverted CDF
    out = {"median": at(0.5)}
    for level in LEVELS:
        k = f"{round(level * 100)}"
        out[f"pi{k}_lo"], out[f"pi{k}_hi"] = at((1 - level) / 2), at((1 + level) / 2)
    below = cdf[lo - 1] if lo > 0 else 0.0
    out["pit"] = float(0.5 * (below + cdf[hi]))
    return out


def statement_predictive(post: LandingPosterior, periods: list[PeriodObs], stmt: LandingObs, earlier=()) -> np.ndarray:
    """The predictive distribution of a statement's landed count under a posterior, given earlier statements.

    For each grid point the chain runs through ``earlier`` (conditioning on them) and then one step to
    ``stmt`` without conditioning on its count; the points are averaged by their posterior mass.

    Parameters
    ----------
    post : LandingPosterior
        The posterior (e.g. fitted without ``stmt``).
    periods : list of PeriodObs
        The published periods.
    stmt : LandingObs
        The statement predicted.
    earlier : sequence of LandingObs
        Statements made before it, about nested cohorts (conditioned on).

    Returns
    -------
    numpy.ndarray
        Probabilities of landed counts ``0..stmt.signed``.

    Examples
    --------
    >>> periods = [PeriodObs(2019, 2020, 85), PeriodObs(2021, 2021, 40)]
    >>> first = LandingObs(2019, 2020, 2021, 85, (60, 60))
    >>> post = fit_landing(periods, [first], n_grid=(12, 12), n_rho=6)
    >>> pmf = statement_predictive(post, periods, LandingObs(2019, 2021, 2022, 125, (90, 90)), [first])
    >>> len(pmf), round(float(pmf.sum()), 9), float(pmf[:60].sum())
    (126, 1.0, 0.0)
    """
    on = post.w > 1e-12 * post.w.max()
    free = LandingObs(
        stmt.first_year, stmt.last_year, stmt.vintage, stmt.signed, (0, stmt.signed), stmt.at, stmt.signed_at
    )
    chain = [*earlier, free]
    groups = _chain_groups(sorted(periods, key=lambda p: p.first_year), chain)
    _, (_, _, f) = _chain_loglik(chain, groups, post.c[on], post.h[on], post.rho[on], return_filter=True)
    pmf = (post.w[on] / post.w[on].sum()) @ f
    return pmf / pmf.sum()


def leave_one_out(periods: list[PeriodObs], statements: list[LandingObs], **fit_args) -> list[dict]:
    """A leave-one-statement-out predictive check: each statement predicted from a fit to the others.

    The earlier of the other statements are conditioned on in the prediction (the chain); the later ones
    inform the parameters only.

    Parameters
    ----------
    periods : list of PeriodObs
        The published periods.
    statements : list of LandingObs
        Two statements or more (nested cohorts).
    **fit_args
        Passed to :func:`fit_landing`.

    Returns
    -------
    list of dict
        Per statement: ``first_year``, ``last_year``, ``vintage``, ``signed``, ``landed_lo``, ``landed_hi``,
        the predictive ``median``, ``pi80_lo``, ``pi80_hi``, ``pi95_lo``, ``pi95_hi`` and ``pit`` (the
        predictive probability below the stated count, half the probability of the stated range added).

    Examples
    --------
    >>> periods = [PeriodObs(2019, 2020, 85), PeriodObs(2021, 2021, 40)]
    >>> stmts = [LandingObs(2019, 2020, 2021, 85, (60, 60)), LandingObs(2019, 2021, 2022, 125, (100, 100))]
    >>> rows = leave_one_out(periods, stmts, n_grid=(10, 10), n_rho=5)
    >>> [r["vintage"] for r in rows], all(0 <= r["pit"] <= 1 for r in rows)
    ([2021, 2022], True)
    """
    stmts = sorted(statements, key=lambda s: s.vintage)
    rows = []
    for i, s in enumerate(stmts):
        others = stmts[:i] + stmts[i + 1 :]
        post = fit_landing(periods, others, **fit_args)
        pmf = statement_predictive(post, periods, s, stmts[:i])
        lo, hi = s.landed_bounds
        rows.append(
            {
                "first_year": s.first_year,
                "last_year": s.last_year,
                "vintage": s.vintage,
                "signed": s.signed,
                "landed_lo": lo,
                "landed_hi": hi,
                **_pmf_summary(pmf, lo, hi),
            }
        )
    return rows
