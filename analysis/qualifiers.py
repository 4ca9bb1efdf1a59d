"""What the source's hedges mean: the one place where 约/近/余/超 are given numbers.

Every stated figure carries a qualifier, copied from the wording of the source:

============  ========  ===========================================================
qualifier     wording   a computed value ``c`` agrees with the stated ``x`` when
============  ========  ===========================================================
``exact``     (none)    ``|c - x|`` is at most half a unit of the last digit written
                        (280.66 -> 0.005, 1080 -> 0.5, 0.8 -> 0.05)
``approx``    约        ``|c - x| <= APPROX_REL_TOL * |x|`` (or the rounding
                        tolerance of ``exact``, whichever is larger)
``nearly``    近        ``x * (1 - NEARLY_REL_TOL) <= c <= x`` plus the rounding
                        tolerance above ``x``: at or below ``x`` and close to it
``more_than`` 余 / 逾   ``x < c < x + u`` where ``u`` is one unit of the last
                        non-zero digit of ``x`` (210余 -> 210 < c < 220;
                        1000余 -> 1000 < c < 2000)
``over``      超 / 超过  ``c > x``
============  ========  ===========================================================

The tolerances are named constants so that a report can print them.

:func:`interval` turns a stated value and its qualifier into the :class:`Interval` of true values it
allows; sums and differences of hedged figures are then interval arithmetic, and two hedged figures
about the same thing agree when their intervals overlap. Counts that follow from a stated percent
(85 % of 161) are the whole numbers inside the scaled interval (:meth:`Interval.whole_numbers`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

QUALIFIERS: tuple[str, ...] = ("exact", "approx", "nearly", "more_than", "over")

#: 约X: within 5 % of X.
APPROX_REL_TOL = 0.05
#: 近X: not more than 5 % below X.
NEARLY_REL_TOL = 0.05

#: Source wording for each qualifier (for prose and for data/README.md).
WORDING_ZH = {"exact": "", "approx": "约", "nearly": "近", "more_than": "余", "over": "超"}
WORDING_EN = {"exact": "", "approx": "about", "nearly": "nearly", "more_than": "more than", "over": "over"}


def decimals(x: float) -> int:
    """Number of decimals written in ``x`` (shortest round-trip repr, so 1080.0 -> 0, 280.66 -> 2)."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, _, exponent = text.lower().partition("e")
        digits = len(mantissa.partition(".")[2].rstrip("0"))
        return max(0, digits - int(exponent))
    frac = text.partition(".")[2].rstrip("0")
    return len(frac)


def rounding_tolerance(x: float) -> float:
    """Half a unit of the last decimal written in ``x`` (plus a little float slack)."""
    return 0.5 * 10.0 ** (-decimals(x)) + 1e-9 * max(1.0, abs(x))


def last_digit_unit(x: float) -> float:
    """One unit of the last non-zero digit of ``x``: 210 -> 10, 1500 -> 100, 1000 -> 1000, 2.5 -> 0.1."""
    if x == 0:
        return 1.0
    d = decimals(x)
    if d > 0:
        return 10.0 ** (-d)
    n = int(round(abs(x)))
    unit = 1
    while n % 10 == 0:
        n //= 10
        unit *= 10
    return float(unit)


@dataclass(frozen=True)
class Interval:
    """The true values a hedged figure allows: ``lo``..``hi``, each end open or closed."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    @classmethod
    def point(cls, x: float) -> "Interval":
        return cls(float(x), float(x))

    def contains(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def overlaps(self, other: "Interval") -> bool:
        if self.hi < other.lo or other.hi < self.lo:
            return False
        if self.hi == other.lo:
            return not (self.hi_open or other.lo_open)
        if other.hi == self.lo:
            return not (other.hi_open or self.lo_open)
        return True

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi, self.lo_open or other.lo_open, self.hi_open or other.hi_open)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo, self.lo_open or other.hi_open, self.hi_open or other.lo_open)

    def scale(self, factor: float) -> "Interval":
        """Multiply by a positive factor (a share of a count, a percent of a base)."""
        if factor <= 0:
            raise ValueError("scale() needs a positive factor")
        return Interval(self.lo * factor, self.hi * factor, self.lo_open, self.hi_open)

    def whole_numbers(self, eps: float = 1e-9) -> tuple[int, int] | None:
        """Smallest and largest whole number inside, or None when there is none."""
        lo = math.floor(self.lo + eps) + 1 if self.lo_open else math.ceil(self.lo - eps)
        if math.isinf(self.hi):
            return (lo, math.inf) if lo != -math.inf else None
        hi = math.ceil(self.hi - eps) - 1 if self.hi_open else math.floor(self.hi + eps)
        return (int(lo), int(hi)) if lo <= hi else None

    @property
    def width(self) -> float:
        return self.hi - self.lo


def interval(stated: float, qualifier: str, count: bool = False) -> Interval:
    """The true values that ``stated`` with ``qualifier`` allows (see the table above).

    ``count``: the figure is a count of projects, so an exact one has no rounding tolerance.
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")
    if stated is None or _isnan(stated):
        raise ValueError("interval() needs a number; decide about missing values before calling it")
    x = float(stated)
    tol = 0.0 if count else rounding_tolerance(x)
    if qualifier == "exact":
        return Interval(x - tol, x + tol)
    if qualifier == "approx":
        d = max(tol, APPROX_REL_TOL * abs(x))
        return Interval(x - d, x + d)
    if qualifier == "nearly":
        return Interval(x * (1 - NEARLY_REL_TOL) - tol, x + tol)
    if qualifier == "more_than":
        return Interval(x, x + last_digit_unit(x), True, True)
    return Interval(x, math.inf, True, False)  # over


def agrees(stated: float, qualifier: str, computed: float) -> bool:
    """Whether ``computed`` agrees with the source's ``stated`` value under ``qualifier``."""
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")
    if stated is None or computed is None or _isnan(stated) or _isnan(computed):
        raise ValueError("agrees() needs two numbers; decide about missing values before calling it")
    return interval(stated, qualifier).contains(float(computed))


def agrees_interval(stated: float, qualifier: str, computed: Interval, count: bool = False) -> bool:
    """Whether a computed figure that is itself hedged (a sum of 约 parts) can agree with the stated one."""
    return interval(stated, qualifier, count).overlaps(computed)


def interval_of_sum(parts: list[tuple[float, str]], count: bool = False) -> Interval:
    """Interval of a sum of stated values, each with its qualifier."""
    total = Interval.point(0.0)
    for value, q in parts:
        total = total + interval(value, q or "exact", count)
    return total


BOUNDS = ("more_than", "over")


def combine(qualifiers: list[str]) -> str:
    """Qualifier of a sum of stated values.

    All exact -> exact. Exact values plus lower bounds (余/超) -> ``over``: the sum is above the
    sum of the stated numbers, though the 余 step of a part need not carry over. Anything with
    约/近 in it -> approx.
    """
    if all(q == "exact" for q in qualifiers):
        return "exact"
    if all(q == "exact" or q in BOUNDS for q in qualifiers):
        return "over"
    return "approx"


def difference(whole: str, parts: list[str]) -> str:
    """Qualifier of ``whole - sum(parts)``, the way a period's value is derived from an enclosing total.

    All exact -> exact. A lower bound (余/超) on the whole minus exact parts stays a lower bound:
    ``over``. A bound on a subtracted part turns into an upper bound, which no qualifier expresses,
    so that and every 约/近 case is reported as approx, with the formula kept beside it.
    """
    if whole == "exact" and all(q == "exact" for q in parts):
        return "exact"
    if whole in BOUNDS and all(q == "exact" for q in parts):
        return "over"
    return "approx"


def _isnan(x) -> bool:
    try:
        return math.isnan(x)
    except TypeError:
        return False
