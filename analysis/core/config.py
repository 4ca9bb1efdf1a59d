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
    reason_zh: str = ""

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
        "categorical", (1 / 3, 1 / 3, 1 / 3),
        "No time structure is favoured before seeing data: iid, level and drift get equal prior odds.",
        "事先不偏向任何一种时间结构：水平恒定、随机游走、趋势三种设定的先验概率相等。",
    ),
    "rate_level": Prior(
        "normal", (math.log(30.0), 1.0),
        "Log projects per year in the first year: a district-county conference signs from a handful to"
        " a couple of hundred projects a year (95 % range about 4 to 210).",
        "首年每年签约项目数的对数：区县之间的推介会每年签约从几个到两百个左右（95%范围约4至210个）。",
    ),
    "rate_year_sd": Prior(
        "halfnormal", (0.3,),
        "iid model, sd of yearly log-rate effects: signings vary by tens of percent from year to year"
        " and rarely by a factor of two (median 20 %).",
        "恒定水平模型中各年对数签约率的波动：年度之间相差几成，很少翻倍（中位数20%）。",
    ),
    "rate_step_sd": Prior(
        "halfnormal", (0.25,),
        "level model, sd of the yearly random-walk step of the log-rate: a lasting change of the level"
        " of about 15 % a year is typical, 50 % rare.",
        "随机游走模型中对数签约率每年一步的标准差：水平持久变化每年约15%较常见，50%罕见。",
    ),
    "rate_trend": Prior(
        "normal", (0.0, 0.15),
        "drift model, yearly log growth of signings: no direction assumed; sustained growth or decline"
        " beyond about 30 % a year is implausible for a recurring political conference.",
        "趋势模型中签约数每年的对数增长：不预设方向；对一年一度的政务推介会，每年持续增减超过约30%不合常理。",
    ),
    "rate_trend_year_sd": Prior(
        "halfnormal", (0.2,),
        "drift model, sd of year effects around the trend: smaller than in the iid model because the"
        " trend absorbs part of the variation.",
        "趋势模型中围绕趋势的年度波动：趋势吸收了部分变化，因此小于恒定水平模型。",
    ),
    "amount_level": Prior(
        "normal", (math.log(5.0), 1.5),
        "Log intended investment per project in the first year (亿元): such projects range from a"
        " fraction of one to tens of 亿元 each (95 % range about 0.3 to 95).",
        "首年平均每个项目意向投资额（亿元）的对数：这类项目从不足1亿元到数十亿元不等（95%范围约0.3至95亿元）。",
    ),
    "amount_year_sd": Prior(
        "halfnormal", (0.4,),
        "iid model, sd of the yearly log amount per project: a year with a few huge infrastructure"
        " deals can raise the average by half or more, so wider than for counts (median 27 %).",
        "恒定水平模型中平均每个项目金额的年度波动：几个大型基础设施项目就能让某年平均额上升一半以上，故宽于项目数（中位数27%）。",
    ),
    "amount_step_sd": Prior(
        "halfnormal", (0.3,),
        "level model, random-walk step of the log amount per project: lasting shifts in project size"
        " are somewhat larger than shifts in their number.",
        "随机游走模型中平均每个项目金额每年一步的标准差：项目规模的持久变化略大于项目数量的变化。",
    ),
    "amount_trend": Prior(
        "normal", (0.0, 0.1),
        "drift model, yearly log growth of the amount per project: project sizes drift slowly (prices,"
        " policy focus); beyond about 20 % a year is implausible.",
        "趋势模型中平均每个项目金额每年的对数增长：项目规模变化缓慢（价格、政策重点），每年超过约20%不合常理。",
    ),
    "amount_trend_year_sd": Prior(
        "halfnormal", (0.3,),
        "drift model, sd of yearly amount effects around the trend: heavy-tailed project sizes make"
        " yearly averages noisy even with a trend.",
        "趋势模型中围绕趋势的年度金额波动：项目规模分布长尾，即使有趋势，年度平均额也波动较大。",
    ),
    "landing_eventual": Prior(
        "beta", (3.0, 1.0),
        "Share c of projects that ever land: most signed projects start, but a minority of intentions"
        " never do (mean 0.75, 5 % quantile 0.37).",
        "最终落地的项目比例c：多数签约项目会开工，但少数意向始终不会落地（均值0.75，5%分位数0.37）。",
    ),
    "landing_hazard": Prior(
        "beta", (1.5, 1.5),
        "Yearly landing hazard h among projects that will land: anything from slow to fast, centred"
        " on half of the pending ones each year.",
        "终将落地的项目每年落地的概率h：快慢皆有可能，以每年一半为中心。",
    ),
    "landing_icc": Prior(
        "beta", (1.0, 19.0),
        "Intra-cohort correlation rho of landing: cohorts differ (policy pushes, project mix); 0.05"
        " makes a cohort of 40 vary about 1.7 times as much as independent projects would.",
        "同一批次内落地的相关性ρ：批次之间有差异（政策推动、项目构成）；0.05意味着40个项目的批次，其波动约为各项目独立时的1.7倍。",
    ),
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

