"""What the model is fitted to: published periods and landing statements, and helpers shared by its parts.

A published *period* (:class:`PeriodObs`) is a single year or an aggregate of consecutive years with its
count and intended investment and the source's hedge on each; a landing statement (:class:`LandingObs`)
says how many of a cohort's signed projects had landed by a vintage. ``MODELS`` names the three time
structures of :mod:`analysis.stats.model.signings`; ``LEVELS`` and :func:`central_interval` are the
prediction intervals every report and the calibration study give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...core.config import INVESTMENT_MEASUREMENT_SD

MODELS = ("iid", "level", "drift")
#: The central prediction intervals every report and the calibration study give.
LEVELS = (0.80, 0.95)


def central_interval(samples: np.ndarray, level: float, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` interval of simulations, as the reports print them and the study scores them.

    The ends are quantiles that are simulated values (inverted CDF).

    Parameters
    ----------
    samples : numpy.ndarray
        Simulated values.
    level : float
        The interval's probability, e.g. 0.8 (one of :data:`LEVELS` in the reports).
    axis : int
        The axis of the simulations.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        The lower and upper ends.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = central_interval(np.arange(1, 101), 0.8)
    >>> int(lo), int(hi)
    (10, 90)
    """
    return (
        np.quantile(samples, (1 - level) / 2, axis=axis, method="inverted_cdf"),
        np.quantile(samples, (1 + level) / 2, axis=axis, method="inverted_cdf"),
    )


# =============================================================================================== inputs


@dataclass(frozen=True)
class PeriodObs:
    """One published period (a single year or an aggregate of consecutive years).

    ``projects``/``investment`` are the published values or None (not published). The bounds express the
    source's hedge: counts as an inclusive integer interval ``(lo, hi)`` (``hi`` may be ``inf``), investment
    as ``(lo, hi)`` in 亿元 (``hi`` may be ``inf``; ``lo`` 0 when only an upper bound is known, 不足/以内).
    Bounds default to the value itself (an exact figure); "about X" is ±5 %
    (:func:`analysis.core.qualifiers.interval`).

    Parameters
    ----------
    first_year, last_year : int
        The years the period covers.
    projects : int, optional
        The published count of signed projects.
    projects_bounds : tuple of (float, float), optional
        The count's hedge as bounds.
    investment : float, optional
        The published intended investment (亿元).
    investment_bounds : tuple of (float, float), optional
        The investment's hedge as bounds.

    Examples
    --------
    >>> p = PeriodObs(2019, 2020, 85, None, 600.0, None)
    >>> p.years, p.count_bounds(), p.money_bounds()
    (2, (85.0, 85.0), (600.0, 600.0))
    >>> PeriodObs(2021, 2021, None, (210, float("inf"))).count_bounds()
    (210.0, inf)
    """

    first_year: int
    last_year: int
    projects: int | None = None
    projects_bounds: tuple[float, float] | None = None
    investment: float | None = None
    investment_bounds: tuple[float, float] | None = None

    def __post_init__(self):
        if self.last_year < self.first_year:
            raise ValueError(f"period {self.first_year}-{self.last_year}: last year before first year")
        pb, ib = self.count_bounds(), self.money_bounds()
        if pb is not None and not (0 <= pb[0] <= pb[1]):
            raise ValueError(f"period {self.first_year}-{self.last_year}: bad project bounds {pb}")
        if ib is not None and not (0 <= ib[0] <= ib[1] and ib[1] > 0):
            raise ValueError(f"period {self.first_year}-{self.last_year}: bad investment bounds {ib}")

    @property
    def years(self) -> int:
        """The number of years the period covers."""
        return self.last_year - self.first_year + 1

    def count_bounds(self) -> tuple[float, float] | None:
        """The count as an inclusive whole-number interval.

        Returns
        -------
        tuple of (float, float) or None
            ``(lo, hi)`` (``hi`` may be ``inf``), the value twice when exact, None when not published.
        """
        if self.projects_bounds is not None:
            lo, hi = self.projects_bounds
            return float(math.ceil(lo)), (math.inf if math.isinf(hi) else float(math.floor(hi)))
        if self.projects is not None:
            return float(self.projects), float(self.projects)
        return None

    def money_bounds(self) -> tuple[float, float] | None:
        """The investment as an interval in 亿元.

        Returns
        -------
        tuple of (float, float) or None
            ``(lo, hi)``, the value twice when exact, None when not published.
        """
        if self.investment_bounds is not None:
            return float(self.investment_bounds[0]), float(self.investment_bounds[1])
        if self.investment is not None:
            return float(self.investment), float(self.investment)
        return None

    def signed_estimate(self) -> float | None:
        """A point value of the count (the value, else the middle of finite bounds).

        Returns
        -------
        float or None
            The value, or None when there is none or the bounds have no upper end.
        """
        if self.projects is not None:
            return float(self.projects)
        b = self.count_bounds()
        if b is None or math.isinf(b[1]):
            return None
        return 0.5 * (b[0] + b[1])


def log_sd_of_bounds(lo: float, hi: float) -> float:
    """Log-scale sd of a figure hedged two-sidedly between ``lo`` and ``hi`` (约).

    A uniform over the log bounds plus the reporting error. The likelihood and the calibration study's
    simulated reports share it.

    Parameters
    ----------
    lo, hi : float
        The bounds (both positive).

    Returns
    -------
    float
        The sd of the log of the figure.

    Examples
    --------
    >>> log_sd_of_bounds(95, 105) > INVESTMENT_MEASUREMENT_SD  # the hedge adds to the reporting error
    True
    """
    half = (math.log(hi) - math.log(lo)) / 2
    return math.sqrt(half**2 / 3 + INVESTMENT_MEASUREMENT_SD**2)


def time_nodes(year: int, month: int | None = None) -> tuple[float, ...]:
    """When something dated ``year`` (and ``month``) happened, in fractional years, as equally likely times.

    A known month gives its middle (``year + (month - 0.5) / 12``); an unknown month is not guessed: the twelve
    mid-month times of the year, equally likely (uniform over the year, to the month).

    Parameters
    ----------
    year : int
        The year.
    month : int, optional
        The month (1-12); None or 0 when not known.

    Returns
    -------
    tuple of float
        One time, or twelve.

    Examples
    --------
    >>> time_nodes(2021, 5), len(time_nodes(2022)), time_nodes(2022)[0]
    ((2021.375,), 12, 2022.0416666666667)
    """
    if month:
        return (year + (int(month) - 0.5) / 12,)
    return tuple(year + (k - 0.5) / 12 for k in range(1, 13))


@dataclass(frozen=True)
class LandingObs:
    """A landing statement: how many of a cohort's signed projects had landed by ``vintage``.

    Of the ``signed`` projects of ``first_year..last_year``, between ``landed_bounds[0]`` and
    ``landed_bounds[1]`` (inclusive integers) had landed by ``vintage`` (year).

    Parameters
    ----------
    first_year, last_year : int
        The cohort's signing years.
    vintage : int
        The year of the statement (after ``last_year``).
    signed : int
        The cohort's signed projects.
    landed_bounds : tuple of (int, int)
        The landed count's bounds.
    at : tuple of float, optional
        When the statement was made, in fractional years (:func:`time_nodes`: one time when its month is
        known, twelve equally likely mid-month times when it is not); empty: the vintage year itself.
    signed_at : tuple of tuple of float, optional
        For each signing year ``first_year..last_year``, when its conference was held (as ``at``); empty: the
        years themselves (whole-year ages, as when months are not used).

    Examples
    --------
    >>> LandingObs(2019, 2020, 2021, 85, (60, 60)).landed_bounds
    (60, 60)
    >>> LandingObs(2020, 2020, 2021, 40, (30, 30), at=time_nodes(2021, 5), signed_at=(time_nodes(2020),)).at
    (2021.375,)
    """

    first_year: int
    last_year: int
    vintage: int
    signed: int
    landed_bounds: tuple[int, int]
    at: tuple[float, ...] = ()
    signed_at: tuple[tuple[float, ...], ...] = ()

    def __post_init__(self):
        if self.signed_at and len(self.signed_at) != self.last_year - self.first_year + 1:
            raise ValueError(f"landing statement {self}: signed_at needs one set of times per signing year")
        lo, hi = self.landed_bounds
        if not (0 <= lo <= hi <= self.signed):
            raise ValueError(f"landing statement {self}: bounds must satisfy 0 <= lo <= hi <= signed")
        if self.vintage <= self.last_year:
            raise ValueError(
                f"landing statement {self}: vintage must be after the last signing year (age >= 1);"
                " no statement about cohorts younger than one year exists to inform that"
            )


# =============================================================================================== helpers


def _q(x, probs=(0.1, 0.5, 0.9)):
    return {f"q{int(round(p * 100)):02d}": float(np.quantile(x, p)) for p in probs}
