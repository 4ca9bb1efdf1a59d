"""Paths and assumptions, in one place.

* Paths: every folder a command uses by default; each command takes an override (``--data``,
  ``--out``). The tools only read :data:`DATA_DIR`.
* Assumptions: the priors of the projection model, each with the reason it was chosen
  (:data:`PRIORS`, the assumptions log the reports cite), and the fixed reporting error of an
  investment figure. None was tuned to the published outcomes. The hedge tolerances (约 = ±5 %, …)
  live with their meaning in :mod:`analysis.core.qualifiers`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .locale import SOURCE_UNIT

#: The repository root (this package lives in ``<root>/analysis``).
ROOT = Path(__file__).resolve().parents[2]
#: Published figures with provenance (read-only for the tools).
DATA_DIR = ROOT / "data"
#: The parameterized notebooks (templates of the reports, and what nbval checks).
NOTEBOOK_DIR = ROOT / "notebooks"
#: Where ``python -m analysis build`` writes by default (regenerable output).
REPORTS_DIR = ROOT / "reports"
#: Set to "1" in the build's warm kernels: ``analysis.load`` reuses an unchanged data directory.
CACHE_ENV = "ANALYSIS_LOAD_CACHE"
#: The data directory ``load()`` reads when none is given (default: :data:`DATA_DIR`). The build sets it in
#: its kernels, so that no absolute path is written into an executed notebook.
DATA_ENV = "ANALYSIS_DATA_DIR"


def default_data_dir() -> Path:
    """The data directory when none is given: ``$ANALYSIS_DATA_DIR`` when set, else :data:`DATA_DIR`.

    Returns
    -------
    pathlib.Path
        The folder ``analysis.load()`` reads.

    Examples
    --------
    >>> (default_data_dir() / "signings.csv").is_file()
    True
    """
    return Path(os.environ.get(DATA_ENV) or DATA_DIR)


# --------------------------------------------------------------------------------------------- assumptions


@dataclass(frozen=True)
class Prior:
    """One prior: distribution name, its parameters, and the reason in plain words.

    Parameters
    ----------
    dist : str
        ``"normal"`` (mean, sd), ``"halfnormal"`` (scale,), ``"beta"`` (a, b) or ``"categorical"`` (probs).
    params : tuple
        The distribution's parameters, in that order.
    reason : str
        Why this prior, in plain English (the assumptions log the reports cite).
    reason_zh : str
        The same reason in Chinese.

    Examples
    --------
    >>> PRIORS["rate_year_sd"].dist, PRIORS["rate_year_sd"].params
    ('halfnormal', (0.3,))
    """

    dist: str  # "normal" (mean, sd) | "halfnormal" (scale,) | "beta" (a, b) | "categorical" (probs)
    params: tuple
    reason: str

    def sample(self, rng: np.random.Generator, size=None):
        """Draws from the prior (not for ``categorical``).

        Parameters
        ----------
        rng : numpy.random.Generator
            The random generator.
        size : int or tuple of int, optional
            The shape of the draws (None: one draw).

        Returns
        -------
        float or numpy.ndarray
            The draws.

        Raises
        ------
        ValueError
            For a categorical prior.

        Examples
        --------
        >>> import numpy as np
        >>> PRIORS["landing_eventual"].sample(np.random.default_rng(0), 3).shape
        (3,)
        """
        if self.dist == "normal":
            return rng.normal(self.params[0], self.params[1], size)
        if self.dist == "halfnormal":
            return np.abs(rng.normal(0.0, self.params[0], size))
        if self.dist == "beta":
            return rng.beta(self.params[0], self.params[1], size)
        raise ValueError(f"cannot sample {self.dist}")


#: Every prior of the model, written once. Reports may print this as the assumptions log.
PRIORS: dict[str, Prior] = {
    "model": Prior(
        "categorical",
        (1 / 3, 1 / 3, 1 / 3),
        "No time structure is favoured before seeing data: iid, level and drift get equal prior odds.",
    ),
    "rate_level": Prior(
        "normal",
        (math.log(30.0), 1.0),
        "Log projects per year in the first year: a district-county conference signs from a handful to"
        " a couple of hundred projects a year (95 % range about 4 to 210).",
    ),
    "rate_year_sd": Prior(
        "halfnormal",
        (0.3,),
        "iid model, sd of yearly log-rate effects: signings vary by tens of percent from year to year"
        " and rarely by a factor of two (median 20 %).",
    ),
    "rate_step_sd": Prior(
        "halfnormal",
        (0.25,),
        "level model, sd of the yearly random-walk step of the log-rate: a lasting change of the level"
        " of about 15 % a year is typical, 50 % rare.",
    ),
    "rate_trend": Prior(
        "normal",
        (0.0, 0.15),
        "drift model, yearly log growth of signings: no direction assumed; sustained growth or decline"
        " beyond about 30 % a year is implausible for a recurring political conference.",
    ),
    "rate_trend_year_sd": Prior(
        "halfnormal",
        (0.2,),
        "drift model, sd of year effects around the trend: smaller than in the iid model because the"
        " trend absorbs part of the variation.",
    ),
    "amount_level": Prior(
        "normal",
        (math.log(5.0), 1.5),
        f"Log intended investment per project in the first year ({SOURCE_UNIT}): such projects range from a"
        f" fraction of one to tens of {SOURCE_UNIT} each (95 % range about 0.3 to 95).",
    ),
    "amount_year_sd": Prior(
        "halfnormal",
        (0.4,),
        "iid model, sd of the yearly log amount per project: a year with a few huge infrastructure"
        " deals can raise the average by half or more, so wider than for counts (median 27 %).",
    ),
    "amount_step_sd": Prior(
        "halfnormal",
        (0.3,),
        "level model, random-walk step of the log amount per project: lasting shifts in project size"
        " are somewhat larger than shifts in their number.",
    ),
    "amount_trend": Prior(
        "normal",
        (0.0, 0.1),
        "drift model, yearly log growth of the amount per project: project sizes drift slowly (prices,"
        " policy focus); beyond about 20 % a year is implausible.",
    ),
    "amount_trend_year_sd": Prior(
        "halfnormal",
        (0.3,),
        "drift model, sd of yearly amount effects around the trend: heavy-tailed project sizes make"
        " yearly averages noisy even with a trend.",
    ),
    "llt_rate_step_sd": Prior(
        "halfnormal",
        (0.2,),
        "local-linear-trend model (scored against the average, not part of it), sd of the yearly step of"
        " the log-rate's level beyond its slope: a little smaller than the level model's 0.25 because the"
        " slope carries lasting growth. Its first slope has the drift model's prior for growth.",
    ),
    "llt_rate_slope_step": Prior(
        "normal",
        (0.0, 0.05),
        "local-linear-trend model, yearly change of the log growth rate of signings: growth itself moves"
        " by a few points a year (sd 5 points), so a trend can bend over the years but rarely reverses"
        " within one.",
    ),
    "llt_amount_step_sd": Prior(
        "halfnormal",
        (0.3,),
        "local-linear-trend model, sd of the yearly level step of the log amount per project: as in the"
        " level model. Its first slope has the drift model's prior for the growth of the amount.",
    ),
    "llt_amount_slope_step": Prior(
        "normal",
        (0.0, 0.05),
        "local-linear-trend model, yearly change of the log growth rate of the amount per project: as"
        " for the counts, a few points a year.",
    ),
    "landing_eventual": Prior(
        "beta",
        (3.0, 1.0),
        "Share c of projects that ever land: most signed projects start, but a minority of intentions"
        " never do (mean 0.75, 5 % quantile 0.37).",
    ),
    "landing_hazard": Prior(
        "beta",
        (1.5, 1.5),
        "Yearly landing hazard h among projects that will land: anything from slow to fast, centred"
        " on half of the pending ones each year.",
    ),
    "landing_icc": Prior(
        "beta",
        (1.0, 19.0),
        "Intra-cohort correlation rho of landing: cohorts differ (policy pushes, project mix); 0.05"
        " makes a cohort of 40 vary about 1.7 times as much as independent projects would.",
    ),
}

#: Other priors of the landing model, each set shown beside today's (the ``landing_*`` entries of ``PRIORS``)
#: in the projection's prior-sensitivity table (:func:`analysis.stats.projection.landing_priors`); a set
#: replaces only the entries it names. Why each is there, in words, is ``landing_priors_<name>`` in
#: :mod:`analysis.core.locale`.
LANDING_PRIOR_SETS: dict[str, dict[str, Prior]] = {
    "flat": {
        key: Prior("beta", (1.0, 1.0), "flat: every value from 0 to 1 equally likely; the statements alone decide.")
        for key in ("landing_eventual", "landing_hazard", "landing_icc")
    },
    "sceptical": {
        "landing_eventual": Prior(
            "beta",
            (2.0, 2.0),
            "sceptical: the landing figures are the organisers' own; do not assume beforehand that most signed"
            " projects ever start (the eventual share centred on a half).",
        ),
    },
}

#: Log-scale sd of the reporting error of an investment figure (a fixed assumption, not a prior):
#: 'intended investment' totals are soft (intentions, rounding of per-project figures), so even an
#: "exact" published total is taken as known to about 2 % (its rounding interval, far narrower, is
#: ignored). A two-sided hedge (lo, hi) -- e.g. ±5 % for "about" -- enters as a normal error on the log
#: scale centred between the bounds with the variance of a uniform over them plus this 2 %
#: (sd 3.6 % for ±5 %): a smooth stand-in for the box that keeps the posterior near-Gaussian. A one-
#: sided hedge enters as P(reported > X) ("over X") or P(reported < X) ("under X", "X at most"). 2 % is small next to the year-to-year spread
#: (tens of percent).
INVESTMENT_MEASUREMENT_SD = 0.02
