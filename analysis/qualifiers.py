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
"""

from __future__ import annotations

import math

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


def agrees(stated: float, qualifier: str, computed: float) -> bool:
    """Whether ``computed`` agrees with the source's ``stated`` value under ``qualifier``."""
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")
    if stated is None or computed is None or _isnan(stated) or _isnan(computed):
        raise ValueError("agrees() needs two numbers; decide about missing values before calling it")
    tol = rounding_tolerance(stated)
    if qualifier == "exact":
        return abs(computed - stated) <= tol
    if qualifier == "approx":
        return abs(computed - stated) <= max(tol, APPROX_REL_TOL * abs(stated))
    if qualifier == "nearly":
        return stated * (1 - NEARLY_REL_TOL) - tol <= computed <= stated + tol
    if qualifier == "more_than":
        return stated < computed < stated + last_digit_unit(stated)
    return computed > stated  # over


def describe(qualifier: str, lang: str = "en") -> str:
    """The rule in words, for reports."""
    if lang == "zh":
        return {
            "exact": "按所写精度相等",
            "approx": f"约:相差不超过{APPROX_REL_TOL:.0%}",
            "nearly": f"近:不高于所述值且不低于其{1 - NEARLY_REL_TOL:.0%}",
            "more_than": "余:高于所述值、低于其末位进一",
            "over": "超:高于所述值",
        }[qualifier]
    return {
        "exact": "equal to the precision written",
        "approx": f"within {APPROX_REL_TOL:.0%} of the stated value",
        "nearly": f"at or below the stated value and not more than {NEARLY_REL_TOL:.0%} below it",
        "more_than": "above the stated value and below the next step of its last digit",
        "over": "above the stated value",
    }[qualifier]


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
