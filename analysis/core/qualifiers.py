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
    """Number of decimals written in ``x`` (its shortest round-trip repr).

    Parameters
    ----------
    x : float
        A stated figure.

    Returns
    -------
    int
        The decimals of its shortest repr: 1080.0 has 0, 280.66 has 2.

    Examples
    --------
    >>> decimals(280.66), decimals(1080.0), decimals(1e-7)
    (2, 0, 7)
    """
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, _, exponent = text.lower().partition("e")
        digits = len(mantissa.partition(".")[2].rstrip("0"))
        return max(0, digits - int(exponent))
    frac = text.partition(".")[2].rstrip("0")
    return len(frac)


def rounding_tolerance(x: float) -> float:
    """Half a unit of the last decimal written in ``x`` (plus a little float slack).

    Parameters
    ----------
    x : float
        A stated figure.

    Returns
    -------
    float
        How far the true value of an exact ``x`` may lie from it.

    Examples
    --------
    >>> round(rounding_tolerance(280.66), 6)
    0.005
    """
    return 0.5 * 10.0 ** (-decimals(x)) + 1e-9 * max(1.0, abs(x))


def last_digit_unit(x: float) -> float:
    """One unit of the last non-zero digit of ``x``: 210 -> 10, 1500 -> 100, 1000 -> 1000, 2.5 -> 0.1.

    Parameters
    ----------
    x : float
        A stated figure (the ``X`` of 余X).

    Returns
    -------
    float
        The unit; 1.0 for 0.

    Examples
    --------
    >>> [last_digit_unit(x) for x in (210, 1500, 1000, 2.5)]
    [10.0, 100.0, 1000.0, 0.1]
    """
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
    """The true values a hedged figure allows: ``lo``..``hi``, each end open or closed.

    Parameters
    ----------
    lo, hi : float
        The ends (``hi`` may be ``inf``).
    lo_open, hi_open : bool
        Whether the end itself is excluded.

    Examples
    --------
    >>> iv = Interval(0.0, 252.0, hi_open=True)
    >>> iv.contains(252.0), iv.contains(251.9)
    (False, True)
    >>> Interval.point(552.0) - Interval(300.0, float("inf"), lo_open=True)
    Interval(lo=-inf, hi=252.0, lo_open=False, hi_open=True)
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    @classmethod
    def point(cls, x: float) -> Interval:
        """The interval of a single value.

        Parameters
        ----------
        x : float
            The value.

        Returns
        -------
        Interval
            ``[x, x]``, closed.
        """
        return cls(float(x), float(x))

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval.

        Parameters
        ----------
        x : float
            A value.

        Returns
        -------
        bool
            True when ``x`` is inside, its ends open or closed as they are.
        """
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share a value (two hedged figures about one thing agree when they do).

        Parameters
        ----------
        other : Interval
            The other interval.

        Returns
        -------
        bool
            True when some value lies in both.
        """
        if self.hi < other.lo or other.hi < self.lo:
            return False
        if self.hi == other.lo:
            return not (self.hi_open or other.lo_open)
        if other.hi == self.lo:
            return not (other.hi_open or self.lo_open)
        return True

    def __add__(self, other: Interval) -> Interval:
        return Interval(
            self.lo + other.lo, self.hi + other.hi, self.lo_open or other.lo_open, self.hi_open or other.hi_open
        )

    def __sub__(self, other: Interval) -> Interval:
        return Interval(
            self.lo - other.hi, self.hi - other.lo, self.lo_open or other.hi_open, self.hi_open or other.lo_open
        )

    def scale(self, factor: float) -> Interval:
        """Multiply by a positive factor (a share of a count, a percent of a base).

        Parameters
        ----------
        factor : float
            A positive number.

        Returns
        -------
        Interval
            The interval times ``factor``, its ends open or closed as before.

        Raises
        ------
        ValueError
            When ``factor`` is not positive.
        """
        if factor <= 0:
            raise ValueError("scale() needs a positive factor")
        return Interval(self.lo * factor, self.hi * factor, self.lo_open, self.hi_open)

    def whole_numbers(self, eps: float = 1e-9) -> tuple[int, int] | None:
        """Smallest and largest whole number inside, or None when there is none.

        Parameters
        ----------
        eps : float
            Float slack at the ends.

        Returns
        -------
        tuple of (int, int) or None
            The whole numbers' range (``hi`` may be ``inf``), or None.

        Examples
        --------
        >>> Interval(0.85 * 160.5, 0.85 * 161.5).whole_numbers()
        (137, 137)
        """
        lo = math.floor(self.lo + eps) + 1 if self.lo_open else math.ceil(self.lo - eps)
        if math.isinf(self.hi):
            return (lo, math.inf) if lo != -math.inf else None
        hi = math.ceil(self.hi - eps) - 1 if self.hi_open else math.floor(self.hi + eps)
        return (int(lo), int(hi)) if lo <= hi else None

    @property
    def width(self) -> float:
        """``hi - lo``."""
        return self.hi - self.lo

    @property
    def bounds(self) -> tuple[float, float | None]:
        """``(lo, hi)`` for JSON and tables: an unbounded end is None."""
        return (None if math.isinf(self.lo) else self.lo), (None if math.isinf(self.hi) else self.hi)

    def is_empty(self) -> bool:
        """Whether no value lies in the interval.

        Returns
        -------
        bool
            True when ``lo > hi``, or the ends meet and one of them is open.
        """
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def clamp_nonnegative(self) -> Interval:
        """The part at or above 0 (a count or an amount is never negative).

        Returns
        -------
        Interval
            The interval from ``max(lo, 0)``.

        Raises
        ------
        ValueError
            When nothing is left: the figures it is derived from contradict each other.
        """
        out = self if self.lo >= 0 else Interval(0.0, self.hi, False, self.hi_open)
        if out.is_empty():
            raise ValueError(
                f"no value at or above 0 lies in {self}: the figures it is derived from contradict each other"
            )
        return out

    def within(self, other: Interval, eps: float = 1e-9) -> bool:
        """Whether every value of this interval lies in ``other`` (ends compared with a little float slack).

        Parameters
        ----------
        other : Interval
            The interval that should contain this one.
        eps : float
            Relative float slack at the ends.

        Returns
        -------
        bool
            True when this interval is a subset of ``other``.
        """
        slack = eps * max(1.0, *(abs(x) for x in (self.lo, self.hi, other.lo, other.hi) if math.isfinite(x)))
        lo_ok = (
            other.lo < self.lo - slack
            or (abs(other.lo - self.lo) <= slack and (not other.lo_open or self.lo_open))
            or other.lo == self.lo == -math.inf
        )
        hi_ok = (
            self.hi + slack < other.hi
            or (abs(other.hi - self.hi) <= slack and (not other.hi_open or self.hi_open))
            or other.hi == self.hi == math.inf
        )
        return lo_ok and hi_ok


def interval(stated: float, qualifier: str, count: bool = False) -> Interval:
    """The true values that ``stated`` with ``qualifier`` allows (see the table above).

    Parameters
    ----------
    stated : float
        The figure as the source writes it.
    qualifier : str
        One of :data:`QUALIFIERS`.
    count : bool
        The figure is a count of projects, so an exact one has no rounding tolerance.

    Returns
    -------
    Interval
        The values a computed figure may take and agree with the stated one.

    Raises
    ------
    ValueError
        For an unknown qualifier or a missing value.

    Examples
    --------
    >>> interval(210, "more_than")
    Interval(lo=210.0, hi=220.0, lo_open=True, hi_open=True)
    >>> interval(100, "approx")
    Interval(lo=95.0, hi=105.0, lo_open=False, hi_open=False)
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
    """The true values ``stated`` with ``qualifier`` allows at the precision written.

    What the hedge says, without the rounding tolerance of the last digit (an exact figure is its own
    value). The hedge algebra (:func:`describe`, :func:`hedge_of_sum`) works on these.

    Parameters
    ----------
    stated : float
        The figure as the source writes it.
    qualifier : str
        One of :data:`QUALIFIERS`.

    Returns
    -------
    Interval
        The hedge's interval; a point for an exact figure.

    Examples
    --------
    >>> nominal(280.66, "exact")
    Interval(lo=280.66, hi=280.66, lo_open=False, hi_open=False)
    """
    return interval(stated, qualifier, count=True)


def agrees(stated: float, qualifier: str, computed: float) -> bool:
    """Whether ``computed`` agrees with the source's ``stated`` value under ``qualifier``.

    Parameters
    ----------
    stated : float
        The figure as the source writes it.
    qualifier : str
        One of :data:`QUALIFIERS`.
    computed : float
        The figure computed from other rows.

    Returns
    -------
    bool
        True when ``computed`` lies in :func:`interval` of the stated figure.

    Raises
    ------
    ValueError
        For an unknown qualifier or a missing value.

    Examples
    --------
    >>> agrees(1080, "exact", 1080.4), agrees(210, "more_than", 210)
    (True, False)
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")
    if stated is None or computed is None or _isnan(stated) or _isnan(computed):
        raise ValueError("agrees() needs two numbers; decide about missing values before calling it")
    return interval(stated, qualifier).contains(float(computed))


def agrees_interval(stated: float, qualifier: str, computed: Interval, count: bool = False) -> bool:
    """Whether a computed figure that is itself hedged (a sum of 约 parts) can agree with the stated one.

    Parameters
    ----------
    stated : float
        The figure as the source writes it.
    qualifier : str
        One of :data:`QUALIFIERS`.
    computed : Interval
        The values the computed figure allows.
    count : bool
        The figure is a count of projects.

    Returns
    -------
    bool
        True when the two intervals overlap.
    """
    return interval(stated, qualifier, count).overlaps(computed)


def interval_of_sum(parts: list[tuple[float, str]], count: bool = False) -> Interval:
    """Interval of a sum of stated values, each with its qualifier.

    Parameters
    ----------
    parts : list of (float, str)
        ``(value, qualifier)`` per part; an empty qualifier is exact.
    count : bool
        The parts are counts of projects.

    Returns
    -------
    Interval
        The interval sum of the parts' :func:`interval`.

    Examples
    --------
    >>> interval_of_sum([(100, "approx"), (50, "exact")], count=True)
    Interval(lo=145.0, hi=155.0, lo_open=False, hi_open=False)
    """
    total = Interval.point(0.0)
    for value, q in parts:
        total = total + interval(value, q or "exact", count)
    return total


#: The hedges that bound a figure from one side only.
LOWER_BOUNDS = ("more_than", "over")
UPPER_BOUNDS = ("under", "at_most")


@dataclass(frozen=True)
class Hedged:
    """A derived figure as it is written, with the interval of true values its derivation allows.

    Parameters
    ----------
    value : float
        The figure written.
    qualifier : str
        One of :data:`QUALIFIERS`, or :data:`RANGE` when no hedge word fits.
    interval : Interval
        The true values the derivation allows.
    """

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


def hedge_of_sum(
    parts: list[tuple[float, str]], signs: list[int] | None = None, nonnegative: bool = True, count: bool = False
) -> Hedged:
    """The hedge of a sum (``signs`` all +1) or difference (-1 for a subtracted part) of stated figures.

    Each part is taken at the precision written (:func:`nominal`); the result is :func:`describe` of their
    interval sum at the sum of the values: exact + 约 is 约, 超 − exact is 超, exact − 超 is 不足, 超 − 超 tells
    nothing (a range from 0 with no upper end).

    Parameters
    ----------
    parts : list of (float, str)
        ``(value, qualifier)`` per figure.
    signs : list of int, optional
        +1 or -1 per part (default all +1).
    nonnegative : bool
        The result is a count, an amount or a rate (clamped at 0).
    count : bool
        The result is a count of projects.

    Returns
    -------
    Hedged
        The figure, its hedge word and its interval.

    Examples
    --------
    >>> h = hedge_of_sum([(552, "exact"), (300, "over")], signs=[1, -1])
    >>> h.value, h.qualifier
    (252.0, 'under')
    """
    total, point = signed_sum([(nominal(value, q or "exact"), value) for value, q in parts], signs)
    return describe(total, point, nonnegative, count)


def signed_sum(spans: list[tuple[Interval, float]], signs: list[int] | None = None) -> tuple[Interval, float]:
    """The interval and the point of a signed sum of figures given as ``(interval, point)``.

    The one piece of arithmetic every hedged total goes through: ``signs`` all +1 for a sum, -1 for a
    subtracted part.

    Parameters
    ----------
    spans : list of (Interval, float)
        Each figure's interval and the value written.
    signs : list of int, optional
        +1 or -1 per figure (default all +1).

    Returns
    -------
    tuple of (Interval, float)
        The interval of the result and the result computed from the values written.

    Examples
    --------
    >>> signed_sum([(Interval.point(5.0), 5.0), (Interval(1.0, 2.0), 1.5)], [1, -1])
    (Interval(lo=3.0, hi=4.0, lo_open=False, hi_open=False), 3.5)
    """
    signs = signs or [1] * len(spans)
    total, point = Interval.point(0.0), 0.0
    for (iv, x), sign in zip(spans, signs, strict=True):
        total = total + iv if sign > 0 else total - iv
        point += sign * float(x)
    return total, point


def _isnan(x) -> bool:
    try:
        return math.isnan(x)
    except TypeError:
        return False
