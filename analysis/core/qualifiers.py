"""What the source's hedges mean: the one place where 约/近/余/超/不足/以内 are given numbers.

Every stated figure carries a qualifier, copied from the wording of the source:

============  =============  ======================================================
qualifier     wording        a computed value ``c`` agrees with the stated ``x`` when
============  =============  ======================================================
``exact``     (none)         ``|c - x|`` is at most half a unit of the last digit written
                             (280.66 -> 0.005, 1080 -> 0.5, 0.8 -> 0.05)
``approx``    约             ``|c - x| <= APPROX_REL_TOL * |x|`` (or the rounding
                             tolerance of ``exact``, whichever is larger)
``nearly``    近             ``x * (1 - NEARLY_REL_TOL) <= c <= x`` plus the rounding
                             tolerance above ``x``: at or below ``x`` and close to it
``more_than`` 余 / 逾        ``x < c < x + u`` where ``u`` is one unit of the last
                             non-zero digit of ``x`` (210余 -> 210 < c < 220;
                             1000余 -> 1000 < c < 2000)
``over``      超 / 超过       ``c > x``
``under``     不足 / 不到     ``0 <= c < x``
``at_most``   以内 / 以下     ``0 <= c <= x`` plus the rounding tolerance above ``x``
                             (written after the unit: 252亿元以内, 30个以内)
============  =============  ======================================================

Every figure here is a count, an amount or a rate, never negative: the upper-bound hedges start
at 0, and a derived interval is clamped at 0 (:meth:`Interval.clamp_nonnegative`).

The tolerances are named constants so that a report can print them.

:func:`interval` turns a stated value and its qualifier into the :class:`Interval` of true values it
allows; two hedged figures about the same thing agree when their intervals overlap. Counts that
follow from a stated percent (85 % of 161) are the whole numbers inside the scaled interval
(:meth:`Interval.whole_numbers`).

Sums and differences of hedged figures are interval arithmetic, and the hedge of the result is read
off the interval (:func:`describe`), never looked up from the inputs' hedges: 552 − 超300 is
不足252 (under 252), 超1500 − 1080 is 超420, 约500 − 约300 (160 to 240) has no hedge word and is
written as a range. This algebra takes every figure at the precision written (:func:`nominal`: an
exact figure is its value; the rounding of the last digit is precision, not a hedge, and is added
only where a computed figure is judged against a stated one, :func:`agrees`), so a sum of exact
figures stays exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

QUALIFIERS: tuple[str, ...] = ("exact", "approx", "nearly", "more_than", "over", "under", "at_most")
#: Not a data qualifier: a derived figure no hedge word describes, written as its interval (lo～hi).
RANGE = "range"

#: 约X: within 5 % of X.
APPROX_REL_TOL = 0.05
#: 近X: not more than 5 % below X.
NEARLY_REL_TOL = 0.05



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

    @property
    def bounds(self) -> tuple[float, float | None]:
        """``(lo, hi)`` for JSON and tables: an unbounded end is None."""
        return (None if math.isinf(self.lo) else self.lo), (None if math.isinf(self.hi) else self.hi)

    def is_empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def clamp_nonnegative(self) -> "Interval":
        """The part at or above 0 (a count or an amount is never negative); ValueError when nothing is left."""
        out = self if self.lo >= 0 else Interval(0.0, self.hi, False, self.hi_open)
        if out.is_empty():
            raise ValueError(f"no value at or above 0 lies in {self}: the figures it is derived from contradict each other")
        return out

    def within(self, other: "Interval", eps: float = 1e-9) -> bool:
        """Whether every value of this interval lies in ``other`` (ends compared with a little float slack)."""
        slack = eps * max(1.0, *(abs(x) for x in (self.lo, self.hi, other.lo, other.hi) if math.isfinite(x)))
        lo_ok = other.lo < self.lo - slack or (abs(other.lo - self.lo) <= slack and (not other.lo_open or self.lo_open)) \
            or other.lo == self.lo == -math.inf
        hi_ok = self.hi + slack < other.hi or (abs(other.hi - self.hi) <= slack and (not other.hi_open or self.hi_open)) \
            or other.hi == self.hi == math.inf
        return lo_ok and hi_ok


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
    if qualifier == "under":
        return Interval(0.0, x, False, True)
    if qualifier == "at_most":
        return Interval(0.0, x + tol)
    return Interval(x, math.inf, True, False)  # over


def nominal(stated: float, qualifier: str) -> Interval:
    """The true values ``stated`` with ``qualifier`` allows at the precision written: what the hedge says,
    without the rounding tolerance of the last digit (an exact figure is its own value). The hedge algebra
    (:func:`describe`, :func:`hedge_of_sum`) works on these."""
    return interval(stated, qualifier, count=True)


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


#: The hedges that bound a figure from one side only.
LOWER_BOUNDS = ("more_than", "over")
UPPER_BOUNDS = ("under", "at_most")


@dataclass(frozen=True)
class Hedged:
    """A derived figure as it is written: ``value`` with ``qualifier`` (one of :data:`QUALIFIERS`, or
    :data:`RANGE` when no hedge word fits), and the ``interval`` of true values the derivation allows."""

    value: float
    qualifier: str
    interval: Interval


def describe(derived: Interval, point: float, nonnegative: bool = True, count: bool = False) -> Hedged:
    """The hedge a derived figure carries, read off the interval that interval arithmetic gives.

    Parameters
    ----------
    derived : Interval
        The true values the derivation allows (a sum or difference of :func:`nominal` intervals).
    point : float
        The figure computed from the values as written (``552 - 300``).
    nonnegative : bool
        The figure is a count, an amount or a rate: ``derived`` is first clamped at 0.
    count : bool
        The figure is a count of projects: a range is the whole numbers inside (260余 − 211: 50–58).

    Returns
    -------
    Hedged
        The tightest hedge whose interval contains ``derived``, in this order:

        * ``exact`` when ``derived`` is the single value ``point``;
        * the two-sided words at ``point`` (``more_than``, ``nearly``, ``approx``) that contain it,
          the narrowest first;
        * ``over`` its lower end when it has no upper end (the lower end open, as 超 is);
        * ``under`` (open upper end) or ``at_most`` (closed) its upper end when its lower end is only 0;
        * else :data:`RANGE`: no word fits, and the figure is written as ``derived`` itself
          (``value`` stays ``point``; for a count the whole numbers inside, closed).

        A one-sided word is never given to a bounded interval a range says more tightly, and
        ``approx`` never to a one-sided one.

    Raises
    ------
    ValueError
        When ``nonnegative`` and no value at or above 0 lies in ``derived``.
    """
    iv = derived.clamp_nonnegative() if nonnegative else derived
    x = float(point)
    if iv.within(Interval.point(x)):
        return Hedged(x, "exact", iv)
    words = [(q, nominal(x, q)) for q in ("more_than", "nearly", "approx") if x > 0]
    fits = [(h.width, QUALIFIERS.index(q), q) for q, h in words if iv.within(h)]
    if fits:
        return Hedged(x, min(fits)[2], iv)
    if math.isinf(iv.hi) and iv.lo_open and math.isfinite(iv.lo):
        return Hedged(iv.lo, "over", iv)
    if iv.lo == 0 and math.isfinite(iv.hi) and iv.hi > 0:
        return Hedged(iv.hi, "under" if iv.hi_open else "at_most", iv)
    whole = iv.whole_numbers() if count else None
    if whole is not None and math.isfinite(whole[1]):
        iv = Interval(float(whole[0]), float(whole[1]))
    # no word fits: the figure is its range; its value (what a bar is drawn at) is the range's middle,
    # never a point outside it (100 − 不足60 is 41 to 100 projects, not 40); a range with no upper end
    # is drawn at its lower end
    mid = (iv.lo + iv.hi) / 2 if math.isfinite(iv.hi) else iv.lo
    return Hedged(mid, RANGE, iv)


def hedge_of_sum(parts: list[tuple[float, str]], signs: list[int] | None = None, nonnegative: bool = True,
                 count: bool = False) -> Hedged:
    """The hedge of a sum (``signs`` all +1) or difference (-1 for a subtracted part) of stated figures.

    Each part is ``(value, qualifier)`` taken at the precision written (:func:`nominal`); the result is
    :func:`describe` of their interval sum at the sum of the values: exact + 约 is 约, 超 − exact is 超,
    exact − 超 is 不足, 超 − 超 tells nothing (a range from 0 with no upper end).
    """
    total, point = signed_sum([(nominal(value, q or "exact"), value) for value, q in parts], signs)
    return describe(total, point, nonnegative, count)


def signed_sum(spans: list[tuple[Interval, float]], signs: list[int] | None = None) -> tuple[Interval, float]:
    """The interval and the point of a sum (``signs`` all +1) or difference (-1 for a subtracted part) of
    figures given as ``(interval, point)``: the one piece of arithmetic every hedged total goes through."""
    signs = signs or [1] * len(spans)
    total, point = Interval.point(0.0), 0.0
    for (iv, x), sign in zip(spans, signs):
        total = total + iv if sign > 0 else total - iv
        point += sign * float(x)
    return total, point


def _isnan(x) -> bool:
    try:
        return math.isnan(x)
    except TypeError:
        return False
