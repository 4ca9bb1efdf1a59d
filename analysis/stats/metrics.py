"""Trends over conference periods, cumulative totals, landing rates and the mix by classification.

The published history is coarse: 2019 and 2020 exist only as one two-year block, later years alone,
and longer spans as cumulative figures. A :class:`Period` is therefore the unit of analysis, never a
single year inside an aggregate. Values not stated by a source but implied by others (a year known
only from a cumulative total, the signed count of a landing cohort) are *derived* here, marked
``status="derived"`` with the formula, and never written to data/.

Landing statements are facts as of their source's date (a *vintage*): the same projects are counted
again, older, by later articles. :func:`landing_rates` keeps each statement with its vintage; the
claims ledger reasons across them.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pandas as pd

from ..core import locale
from ..core.qualifiers import RANGE, Hedged, Interval, agrees, describe, interval, interval_of_sum, nominal, signed_sum
from ..data.dataset import Dataset
from ..data.reading import rows_of
from ..data.schema import TOTAL

MEASURES = ("projects", "investment_100m_yuan")
QUAL_COL = {"projects": "projects_qualifier", "investment_100m_yuan": "investment_qualifier"}
#: A source date as far as it is stated: (year, month, day), 0 for an unstated part.
Date = tuple[int, int, int]


class NotPublished(LookupError):
    """A single year inside an aggregate period, or a year with no data, was asked for."""


@dataclass(frozen=True, order=True)
class Period:
    """A span of conference years: one conference (2022) or an aggregate published only as a total (2019–2020).

    Parameters
    ----------
    first_year, last_year : int
        The first and last conference years of the span.
    """

    first_year: int
    last_year: int

    @property
    def n_years(self) -> int:
        """The number of conference years in the period."""
        return self.last_year - self.first_year + 1

    @property
    def label(self) -> str:
        """The period as reports write it: '2022' or '2019–2020'."""
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}–{self.last_year}"

    @property
    def key(self) -> str:
        """ASCII label used as a JSON key: '2022' or '2019-2021'."""
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies within this period.

        Parameters
        ----------
        other : Period

        Returns
        -------
        bool
        """
        return self.first_year <= other.first_year and other.last_year <= self.last_year

    def covers(self, year: int) -> bool:
        """Whether ``year`` is one of the period's years.

        Parameters
        ----------
        year : int

        Returns
        -------
        bool
        """
        return self.first_year <= year <= self.last_year


@dataclass(frozen=True)
class Term:
    """One figure of a :class:`Formula`, with what it is a figure of (the words are the templates').

    Parameters
    ----------
    value : float
        The figure at the precision the source writes it.
    period : Period or None
        The period whose figure it is (written ``85 (2019–2020)`` / ``85（2019–2020年）``); None: a bare number.
    total : bool
        The figure is ``period``'s stated total (``85 (2019–2020 total)`` / ``85（2019–2020年合计）``).
    bound : tuple of Term
        When not empty, ``value`` is the most (``most``) or the least that the sum of these terms can be.
    most : bool
        With ``bound``: the most (True) or the least (False) the sum can be.
    source : str or None
        The source stating the figure (``bjnews2023: about 426.81 hundred million yuan``).
    qualifier : str or None
        With ``source``: the figure's hedge.
    unit : str or None
        With ``source``: ``"projects"`` or ``"yi_yuan"``.
    """

    value: float
    period: Period | None = None
    total: bool = False
    bound: tuple[Term, ...] = ()
    most: bool = False
    source: str | None = None
    qualifier: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Formula:
    """A derivation as a structured value.

    A derivation as a structured value: terms joined by operators, an optional result and an optional
    second formula it is set against (rendered per language by :func:`analysis.present.facts.formula`).

    Parameters
    ----------
    terms : tuple of (str, Term)
        ``(operator, term)`` pairs; the operator is ``"+"`` or ``"−"`` (the first term's is ``""``).
    result : float or None
        The value the terms give, when the formula states it (``= 799.34``).
    versus : Formula or None
        A formula this one is compared with (``… vs 552 (2019–2020) + 247 (2021) = 799``).
    """

    terms: tuple[tuple[str, Term], ...]
    result: float | None = None
    versus: Formula | None = None

    @classmethod
    def of(
        cls, first: Term, *rest: Term, op: str = "+", result: float | None = None, versus: Formula | None = None
    ) -> Formula:
        """A formula joining the terms with one operator: ``first op rest[0] op rest[1] …``.

        Parameters
        ----------
        first : Term
            The first term.
        *rest : Term
            The terms added (``op="+"``) to or subtracted (``op="−"``) from it.
        op : str
            ``"+"`` or ``"−"``.
        result : float or None
            What the terms give, when the formula states it.
        versus : Formula or None
            A formula this one is compared with.

        Returns
        -------
        Formula
        """
        if op not in ("+", "−"):
            raise ValueError(f"a formula's operator is '+' or '−', got {op!r}")
        return cls((("", first), *((op, t) for t in rest)), result, versus)


@dataclass(frozen=True)
class Value:
    """One figure with where it came from (frozen: a fact is never edited in place; results share it).

    Parameters
    ----------
    value : float or None
        The figure (None when missing: unknown is never 0).
    qualifier : str or None
        Its hedge (``exact``, ``approx``, ``over``, ``range``, …).
    status : str
        ``reported`` (a source states it), ``derived`` (computed from stated figures) or ``missing``.
    formula : Formula or None
        How a derived value was computed.
    line : int or None
        The signings.csv line of a reported value.
    from_period : Period or None
        The enclosing total a derived value was computed from.
    interval : Interval or None
        For a derived value: the true values its parts' hedges allow.
    """

    value: float | None
    qualifier: str | None = None
    status: str = "reported"  # reported | derived | missing
    formula: Formula | None = None  # how a derived value was computed
    line: int | None = None  # signings.csv line of a reported value
    from_period: Period | None = None  # the enclosing total a derived value was computed from
    interval: Interval | None = None  # for a derived value: the true values its parts' hedges allow

    @property
    def known(self) -> bool:
        """Whether the figure has a value (a missing one is None or NaN, never 0)."""
        return self.value is not None and not (isinstance(self.value, float) and math.isnan(self.value))

    @property
    def span(self) -> Interval:
        """The true values this figure allows at the precision written.

        A derived value's interval, else its hedge's (:func:`analysis.core.qualifiers.nominal`)."""
        return self.interval if self.interval is not None else nominal(self.value, self.qualifier or "exact")

    @property
    def range(self) -> tuple[float, float | None] | None:
        """``(lo, hi)`` of a derived value (None for an unbounded end); None for a reported one."""
        return (
            None
            if self.interval is None
            else tuple(round(b, 6) if b is not None else None for b in self.interval.bounds)
        )


def hedge_of_values(values: list[Value], signs: list[int] | None = None, count: bool = False) -> Hedged:
    """The hedge of a sum or difference of known values.

    The hedge of a sum (or, with ``signs`` -1, a difference) of known values, read off their intervals
    (:func:`analysis.core.qualifiers.describe`): every total and derived figure here gets its hedge this way.
    Figures that leave no value at or above 0 contradict each other: the difference is kept as computed
    (negative) and the claims ledger reports it (kind ``derived_nonnegative``).

    Parameters
    ----------
    values : list of Value
        Known figures.
    signs : list of int, optional
        +1 or -1 per value (default all +1: a sum).
    count : bool
        The figures are whole counts.

    Returns
    -------
    Hedged
        The value, its hedge and its interval.
    """
    total, point = signed_sum([(v.span, v.value) for v in values], signs)
    try:
        return describe(total, round(point, 6), count=count)
    except ValueError:
        return describe(total, round(point, 6), nonnegative=False, count=count)


# --------------------------------------------------------------------------------------------- periods


def remembered(store, key, size: int, make):
    """``store[key]``, made by ``make()`` when ``store`` does not hold it; ``store`` keeps the ``size`` latest used.

    The memo of :func:`analysis.stats.results.compute` and of :func:`analysis.stats.projection.fitted`. What it
    holds is taken in one step: a build writes pages in several threads, and a key another thread forgot between a
    check and a read must not fail.

    Parameters
    ----------
    store : collections.OrderedDict
        The memo, the latest used last.
    key : hashable
        What is asked.
    size : int
        How many it keeps.
    make : callable
        Makes the value (no arguments).

    Returns
    -------
    object
        The value kept (not a copy).

    Examples
    --------
    >>> from collections import OrderedDict
    >>> store = OrderedDict()
    >>> [remembered(store, k, 2, lambda k=k: k * 10) for k in (1, 2, 1, 3)], list(store)
    ([10, 20, 10, 30], [1, 3])
    """
    value = store.get(key)
    if value is None:
        value = store[key] = make()
        while len(store) > size:
            store.popitem(last=False)
    else:
        with contextlib.suppress(KeyError):  # (forgotten meanwhile by another thread)
            store.move_to_end(key)
    return value


def fresh(x):
    """A copy of a cached result that can be edited without changing the cache.

    A copy of a cached result that can be edited without changing the cache: frames and series are
    copied (pandas' copy-on-write makes that cheap: data are shared until one side writes), arrays are
    copied, dicts, lists and mutable dataclasses are rebuilt around fresh copies; frozen values (priors,
    models: their identity is kept), numbers and datasets (a vintage is shared by the results made from
    it) are returned as they are.

    Parameters
    ----------
    x : object
        A cached result (frame, dict, list, dataclass or value).

    Returns
    -------
    object
        A copy that can be edited without changing ``x``.
    """
    import dataclasses

    if isinstance(x, (pd.DataFrame, pd.Series)):
        return x.copy(deep=False)
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, dict):
        return {k: fresh(v) for k, v in x.items()}
    if isinstance(x, list):
        return [fresh(v) for v in x]
    if (
        dataclasses.is_dataclass(x)
        and not isinstance(x, type)
        and not x.__dataclass_params__.frozen
        and not isinstance(x, Dataset)
    ):
        return dataclasses.replace(x, **{f.name: fresh(getattr(x, f.name)) for f in dataclasses.fields(x) if f.init})
    return x


def per_dataset(fn):
    """Compute ``fn(ds, *args)`` once per dataset and arguments.

    Compute ``fn(ds, *args)`` once per dataset and arguments (a dataset never changes after loading).
    Each call hands out a :func:`fresh` copy: editing what it returns cannot change the next result.

    Parameters
    ----------
    fn : callable
        A pure function of a dataset and hashable arguments.

    Returns
    -------
    callable
        ``fn`` with its results cached in ``ds.cache``.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(ds, *args, **kwargs):
        key = (fn.__name__, args, tuple(sorted(kwargs.items())))
        if key not in ds.cache:
            ds.cache[key] = fn(ds, *args, **kwargs)
        return fresh(ds.cache[key])

    return wrapper


@per_dataset
def reported_totals(ds: Dataset) -> dict[Period, dict[str, Value]]:
    """Every 'total' row of signings.csv: {Period: {measure: Value}}.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    dict
        ``{Period: {measure: Value}}``.
    """
    out: dict[Period, dict[str, Value]] = {}
    tot = ds["signings"]
    tot = tot[tot["dimension"] == "total"]
    for line, row in rows_of(tot):  # the cells iterrows gives, without a Series per row
        p = Period(int(row["first_year"]), int(row["last_year"]))
        vals = {}
        for m in MEASURES:
            v = row[m]
            if pd.isna(v):
                vals[m] = Value(None, status="missing", line=int(line))
            else:
                vals[m] = Value(float(v), row[QUAL_COL[m]], "reported", line=int(line))
        out[p] = vals
    return out


@per_dataset
def atomic_periods(ds: Dataset) -> list[Period]:
    """The finest disjoint periods the totals allow, in time order.

    A reported period is atomic when it contains no other reported period. Years of a larger period
    not covered by its atomic parts form one more (derived) atomic period when they are contiguous.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    list of Period
    """
    reported = sorted(reported_totals(ds))
    atoms = [p for p in reported if not any(q != p and p.contains(q) for q in reported)]
    changed = True
    while changed:
        changed = False
        # smallest first: 2020–2021 yields 2020 before 2019–2021 looks for its rest (else 2019–2020 and 2020)
        for big in sorted(reported, key=lambda p: (p.n_years, p)):
            inside = [a for a in atoms if big.contains(a)]
            if not inside or big in atoms:
                continue
            covered = {y for a in inside for y in range(a.first_year, a.last_year + 1)}
            rest = [y for y in range(big.first_year, big.last_year + 1) if y not in covered]
            if rest and rest == list(range(rest[0], rest[-1] + 1)):
                atoms.append(Period(rest[0], rest[-1]))
                changed = True
    atoms.sort()
    for a, b in pairwise(atoms):
        if a.last_year >= b.first_year:
            raise ValueError(f"periods {a.label} and {b.label} overlap; the totals in signings.csv do not nest")
    return atoms


def _complement(big: Period, part: Period) -> Period | None:
    """The years of ``big`` outside ``part`` when they form one period (part at either end), else None."""
    if part.first_year == big.first_year and part.last_year < big.last_year:
        return Period(part.last_year + 1, big.last_year)
    if part.last_year == big.last_year and part.first_year > big.first_year:
        return Period(big.first_year, part.first_year - 1)
    return None


@per_dataset
def period_values(ds: Dataset) -> dict[Period, dict[str, Value]]:
    """Values of every atomic period: reported where stated, else derived from an enclosing total.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    dict
        ``{Period: {measure: Value}}`` for every atomic period.
    """
    reported = reported_totals(ds)
    atoms = atomic_periods(ds)
    vals: dict[Period, dict[str, Value]] = {
        a: dict(reported.get(a, {m: Value(None, status="missing") for m in MEASURES})) for a in atoms
    }
    for m in MEASURES:
        for a in atoms:
            if vals[a][m].known:
                continue
            # smallest enclosing reported period whose other parts are all known
            for big in sorted((p for p in reported if p != a and p.contains(a)), key=lambda p: p.n_years):
                whole = reported[big][m]
                if not whole.known:
                    continue
                # Subtract the rest of `big` in its most precise form: the source's own total of the
                # rest (1500 − 1080, an earlier cumulative) or the sum of the other atomic periods.
                options = []
                rest = [q for q in reported if _complement(big, a) == q and reported[q][m].known]
                if rest:
                    options.append({rest[0]: reported[rest[0]][m]})
                parts = {b: vals[b][m] for b in atoms if b != a and big.contains(b)}
                if all(v.known for v in parts.values()) and (
                    {y for b in parts for y in range(b.first_year, b.last_year + 1)}
                    | set(range(a.first_year, a.last_year + 1))
                    == set(range(big.first_year, big.last_year + 1))
                ):
                    options.append(parts)
                if not options:
                    continue
                others = min(options, key=lambda o: sum((v.span for v in o.values()), Interval.point(0.0)).width)
                h = hedge_of_values([whole, *others.values()], [1] + [-1] * len(others), count=m == "projects")
                if math.isinf(h.interval.hi) and h.interval.lo == 0 and not h.interval.lo_open:
                    continue  # a bound minus a bound: no value at all, only that it is not negative
                value = h.value
                point = whole.value - sum(v.value for v in others.values())
                if abs(value - point) > 1e-6:
                    # a bound on the whole or on the parts: the certain bound is the whole's end less the
                    # other end of what the parts can be
                    rest_iv = sum((v.span for v in others.values()), Interval.point(0.0))
                    most = h.qualifier in ("over", "more_than")
                    bound = Term(
                        round(rest_iv.hi if most else rest_iv.lo, 2),
                        most=most,
                        bound=tuple(Term(v.value, b) for b, v in others.items()),
                    )
                    formula = Formula.of(Term(whole.value, big), bound, op="−")
                else:
                    formula = Formula.of(Term(whole.value, big), *(Term(v.value, b) for b, v in others.items()), op="−")
                vals[a][m] = Value(
                    round(value, 6), h.qualifier, "derived", formula, from_period=big, interval=h.interval
                )
                break
    return vals


def sum_of_periods(ds: Dataset, periods, measure: str) -> Hedged | None:
    """The sum of ``measure`` over atomic periods, with the hedge its interval implies.

    The sum of ``measure`` over atomic ``periods`` (Period objects, or rows with first_year/last_year) with
    the hedge its interval implies; None when a period's value is not known.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    periods : iterable
        Atomic periods (Period objects, or rows with first_year and last_year).
    measure : str
        ``projects`` or ``investment_100m_yuan``.

    Returns
    -------
    Hedged or None
    """
    vals = period_values(ds)
    parts = [
        vals[p if isinstance(p, Period) else Period(int(p["first_year"]), int(p["last_year"]))][measure]
        for p in periods
    ]
    return hedge_of_values(parts, count=measure == "projects") if parts and all(v.known for v in parts) else None


class YearOutsideData(ValueError):
    """A ``through`` year before the first or after the last conference of the data.

    The message names the Python argument (``through=2030: after the last conference, 2024``); the
    command line words it as its option from ``year``, ``side`` and ``bound``.

    Parameters
    ----------
    year : int
        The year asked for.
    side : str
        ``"before"`` (the first conference) or ``"after"`` (the last one).
    bound : int
        That first or last conference year.
    """

    def __init__(self, year: int, side: str, bound: int):
        self.year, self.side, self.bound = year, side, bound
        which = "first" if side == "before" else "last"
        super().__init__(f"through={year}: {side} the {which} conference, {bound}")


def _check_through(ds: Dataset, through: int | None) -> int:
    """``through`` as a conference year of ``ds`` (default: the last one); the door's only check
    (:func:`vintage`). Raises TypeError unless it is an int year, :class:`YearOutsideData` for a year before
    the first or after the last conference."""
    years = ds.conference_years
    if through is None:
        return years[-1]
    if isinstance(through, bool) or not isinstance(through, numbers.Integral):
        raise TypeError(f"through must be an int year such as {years[-1]}, got {through!r}")
    if through < years[0]:
        raise YearOutsideData(int(through), "before", years[0])
    if through > years[-1]:
        raise YearOutsideData(int(through), "after", years[-1])
    return int(through)


def _upto(ds: Dataset, through: int | None) -> int:
    """The last year a function below the door keeps: ``through`` as given (checked once, at the door,
    by :func:`vintage`), or the last conference year of ``ds``."""
    return ds.conference_years[-1] if through is None else int(through)


@per_dataset
def trends(ds: Dataset, through: int | None = None) -> pd.DataFrame:
    """One row per atomic period ending by ``through``: totals, annual averages, per-project amounts.

    ``change_*`` compare a period's annual average with the previous period's annual average.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    pandas.DataFrame
        Declared by :class:`analysis.stats.frames.PeriodsFrame` (no columns when no period ends by ``through``).
    """
    through = _upto(ds, through)
    rows = []
    for p, v in sorted(period_values(ds).items()):
        if p.last_year > through:
            continue
        pr, inv = v["projects"], v["investment_100m_yuan"]
        rows.append(
            {
                "period": p.label,
                "first_year": p.first_year,
                "last_year": p.last_year,
                "n_years": p.n_years,
                "projects": pr.value,
                "projects_qualifier": pr.qualifier,
                "projects_status": pr.status,
                "investment_100m_yuan": inv.value,
                "investment_qualifier": inv.qualifier,
                "investment_status": inv.status,
                "investment_formula": inv.formula,
                "projects_range": pr.range,
                "investment_range": inv.range,
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["projects"] = whole_counts(df["projects"])
    df["investment_100m_yuan"] = df["investment_100m_yuan"].astype("Float64")
    df["projects_per_year"] = df["projects"] / df["n_years"]
    df["investment_per_year_100m_yuan"] = df["investment_100m_yuan"] / df["n_years"]
    # a figure known only as a range has no point to divide: its ratios are missing, not a false point
    ranged_p = df["projects_qualifier"] == RANGE
    ranged_i = df["investment_qualifier"] == RANGE
    df["investment_per_project_100m_yuan"] = ratio(df["investment_100m_yuan"], df["projects"]).mask(ranged_p | ranged_i)
    df["change_projects_per_year"] = (ratio(df["projects_per_year"], df["projects_per_year"].shift(1)) - 1).mask(
        ranged_p | ranged_p.shift(1, fill_value=False)
    )
    df["change_investment_per_year"] = (
        ratio(df["investment_per_year_100m_yuan"], df["investment_per_year_100m_yuan"].shift(1)) - 1
    ).mask(ranged_i | ranged_i.shift(1, fill_value=False))
    return df


def whole_counts(values: pd.Series) -> pd.Series:
    """Counts as whole numbers (``Int64``, unknown ``<NA>``), unless one is known only as a range.

    A derived count whose hedges allow only a range (100 − 不足60: 41 to 100) is placed at its interval's
    midpoint, which renderers draw and which need not be whole; then the column stays ``Float64``.

    Parameters
    ----------
    values : pandas.Series
        Counts.

    Returns
    -------
    pandas.Series
        ``Int64`` when every known value is whole, else ``Float64``.

    Examples
    --------
    >>> import pandas as pd
    >>> str(whole_counts(pd.Series([85.0, None])).dtype), str(whole_counts(pd.Series([70.5])).dtype)
    ('Int64', 'Float64')
    """
    v = values.astype("Float64")
    return v.astype("Int64") if (v.isna() | (v % 1 == 0)).all() else v


def bounds_list(bounds) -> list | None:
    """A derived value's interval as ``[lo, hi]`` for JSON.

    A derived value's interval as ``[lo, hi]`` for JSON (None for an unbounded end); None when the value
    has no interval of its own (a reported value).

    Parameters
    ----------
    bounds : tuple or None
        ``(lo, hi)`` of a derived value.

    Returns
    -------
    list or None
    """
    return None if bounds is None or not isinstance(bounds, tuple) else [bounds[0], bounds[1]]


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den``, missing where ``den`` is 0.

    ``num / den``, missing where ``den`` is 0: the amount per project of 0 projects, or the change from a
    period of 0, is undefined (never infinite).

    Parameters
    ----------
    num, den : pandas.Series
        Numerator and denominator.

    Returns
    -------
    pandas.Series
        Float64, missing where ``den`` is 0 or missing.
    """
    den = den.astype("Float64")
    return num.astype("Float64") / den.where(den != 0)


def cumulative(ds: Dataset, through: int | None = None) -> dict:
    """Cumulative projects and investment over the atomic periods that end by ``through``.

    When ``through`` falls inside an aggregate period, that period is left out and ``note`` says why.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    dict
        ``through_year``, ``periods`` (labels), per measure the value, ``*_qualifier``, ``*_status`` and
        ``*_range``, ``inside`` (the aggregate holding ``through``) and ``note``.
    """
    through = _upto(ds, through)
    vals = period_values(ds)
    used = [p for p in sorted(vals) if p.last_year <= through]
    inside = [p for p in vals if p.first_year <= through < p.last_year]
    out = {"through_year": through, "periods": [p.label for p in used], "note": None}
    span = Period(used[0].first_year, used[-1].last_year) if used else None
    stated = reported_totals(ds).get(span, {}) if span else {}
    for m in MEASURES:
        short = m.split("_")[0]  # projects / investment, as in trends()
        out[short + "_range"] = None  # the interval of a derived total
        parts = [vals[p][m] for p in used]
        whole = stated.get(m)
        if whole is not None and whole.known:  # the source states this very cumulative figure
            out[m], out[short + "_qualifier"], out[short + "_status"] = float(whole.value), whole.qualifier, "reported"
        elif parts and all(x.known for x in parts):
            h = hedge_of_values(parts, count=m == "projects")
            out[m], out[short + "_qualifier"] = float(h.value), h.qualifier
            out[short + "_status"] = "derived" if len(parts) > 1 or parts[0].status == "derived" else "reported"
            if out[short + "_status"] == "derived":
                out[short + "_range"] = Value(h.value, h.qualifier, interval=h.interval).range
        else:
            out[m] = out[short + "_qualifier"] = out[short + "_status"] = None
    out["inside"] = inside[0].label if inside else None
    if inside:
        out["note"] = (
            f"{through} lies inside the aggregate period {inside[0].label}; single years are not published, "
            + (
                f"so the cumulative total stops at {used[-1].last_year}"
                if used
                else "so nothing is published through it"
            )
        )
    return out


def breakdown_periods(ds: Dataset, through: int | None = None) -> list[Period]:
    """The periods ending by ``through`` that have a published breakdown (any scheme).

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    list of Period
    """
    through = _upto(ds, through)
    sig = ds["signings"]
    sig = sig[sig["dimension"] != TOTAL]
    ps = {Period(int(a), int(b)) for a, b in zip(sig["first_year"], sig["last_year"], strict=True)}
    return sorted(p for p in ps if p.last_year <= through)


def dimensions(ds: Dataset) -> list[str]:
    """The classification schemes in taxonomy.csv, in the order they first appear there.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    list of str
    """
    return list(dict.fromkeys(ds["taxonomy"]["dimension"]))


def dimension_labels(ds: Dataset) -> dict[str, tuple[str, str]]:
    """Scheme -> (zh, en) label, from taxonomy.csv.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    dict
        ``{scheme: (zh, en)}``.
    """
    tax = ds["taxonomy"].drop_duplicates("dimension")
    return {r["dimension"]: (r["dimension_zh"], r["dimension_en"]) for _, r in rows_of(tax)}


# --------------------------------------------------------------------------------------------- landing


def wilson(landed: int, signed: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for landed/signed, clipped so that it holds the estimate and stays in [0, 1].

    The closed form (Wilson 1927) with the normal quantile from the standard library, so that the
    commands that print landing rates do not import a statistics package (about half a second);
    tests/test_metrics.py checks it against statsmodels' ``proportion_confint(method="wilson")``.

    Parameters
    ----------
    landed, signed : int
        Landed and signed counts (``signed`` > 0).
    alpha : float
        1 − the interval's level.

    Returns
    -------
    tuple of float
        ``(lo, hi)``.
    """
    from statistics import NormalDist

    n, k = int(signed), int(landed)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def span_total(ds: Dataset, period: Period, measure: str = "projects") -> Value:
    """A span's total in its most precise form.

    A span's total in its most precise form: as a source states it when exact, else the sum of the
    atomic periods inside it when those are exact (derived), else the stated total with its hedge.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    period : Period
        Any span (a cohort of landing.csv).
    measure : str
        ``projects`` or ``investment_100m_yuan``.

    Returns
    -------
    Value
        Status ``reported`` (the stated total), ``derived`` (the sum) or ``missing``.
    """
    stated = reported_totals(ds).get(period, {}).get(measure)
    as_stated = None
    if stated is not None and stated.known:
        as_stated = Value(
            stated.value, stated.qualifier, "reported", Formula.of(Term(stated.value, period, total=True)), stated.line
        )
        if stated.qualifier == "exact":
            return as_stated
    vals = period_values(ds)
    parts = [(a, v[measure]) for a, v in sorted(vals.items()) if period.contains(a)]
    covered = {y for a, _ in parts for y in range(a.first_year, a.last_year + 1)}
    if parts and covered == set(range(period.first_year, period.last_year + 1)) and all(v.known for _, v in parts):
        h = hedge_of_values([v for _, v in parts], count=measure == "projects")
        summed = Value(
            float(h.value),
            h.qualifier,
            "derived",
            Formula.of(*(Term(v.value, a) for a, v in parts)),
            interval=h.interval,
        )
        if summed.qualifier == "exact" or as_stated is None:
            return summed
    return as_stated if as_stated is not None else Value(None, status="missing")


def date_label(date: tuple[int, int, int] | None) -> str | None:
    """A source date as far as it is known: 2021-05-14, 2022, 2023-09 (see :func:`analysis.core.locale.iso_date`).

    Parameters
    ----------
    date : tuple of int or None
        (year, month, day), 0 where not stated.

    Returns
    -------
    str or None
    """
    return locale.iso_date(date)


@dataclass(frozen=True)
class LandingStatement:
    """One landing statement of landing.csv, as every renderer reads it (built once, by :func:`landing_statements`).

    Parameters
    ----------
    cohort : str
        The signing cohort's label ('2019–2022').
    first_year, last_year : int
        The cohort's years.
    source_id : str
        The article that states it.
    vintage : tuple of int
        The article's date (year, month, day; 0 where not stated): the statement holds as of then.
    as_of : str or None
        That date as far as it is known ('2023-09').
    signed : int or None
        Projects signed in the cohort: as stated, else its exact total from signings.csv (None when
        no exact total is published).
    signed_status : str
        ``reported`` (landing.csv states it), ``derived`` (from signings.csv) or ``missing``.
    signed_formula : Formula or None
        How a derived count was found ('85 (2019–2021 total)' or a sum of periods).
    signed_from : str or None
        What a derived count is: ``total`` (a stated total of the cohort's span) or ``sum`` (the sum of
        the periods inside it); None when it is not derived.
    landed : int or None
        The landed count as stated.
    landed_lo, landed_hi : int or None
        The whole numbers of landed projects the statement allows (the count itself, or those the
        stated rate with its hedge allows out of ``signed``).
    landed_point : int or None
        The single count when the statement allows one, else None.
    rate : float or None
        ``landed_point / signed``.
    ci95_lo, ci95_hi : float or None
        The 95 % Wilson interval of the rate.
    stated_rate : float or None
        The rate the article states, as a fraction.
    stated_rate_pct : float or None
        The same in percent, as written (近80% -> 80).
    stated_qualifier : str or None
        Its hedge.
    consistent : bool or None
        Whether the stated rate agrees with the stated counts (None when it cannot be judged).
    line : int
        The statement's line in landing.csv.
    """

    cohort: str
    first_year: int
    last_year: int
    source_id: str
    vintage: Date
    as_of: str | None
    signed: int | None
    signed_status: str
    signed_formula: Formula | None
    signed_from: str | None
    landed: int | None
    landed_lo: int | None
    landed_hi: int | None
    landed_point: int | None
    rate: float | None
    ci95_lo: float | None
    ci95_hi: float | None
    stated_rate: float | None
    stated_rate_pct: float | None
    stated_qualifier: str | None
    consistent: bool | None
    line: int

    @property
    def period(self) -> Period:
        """The signing cohort as a :class:`Period`."""
        return Period(self.first_year, self.last_year)


#: The counts of a landing statement (whole numbers; ``Int64`` in :func:`landing_frame`).
LANDING_COUNTS = ("signed", "landed", "landed_lo", "landed_hi", "landed_point")

#: The columns of :func:`landing_rates`, in order: the fields of :class:`LandingStatement` but ``signed_from``.
LANDING_COLUMNS = [
    "cohort",
    "first_year",
    "last_year",
    "source_id",
    "vintage",
    "as_of",
    "signed",
    "signed_status",
    "signed_formula",
    "landed",
    "landed_lo",
    "landed_hi",
    "landed_point",
    "rate",
    "ci95_lo",
    "ci95_hi",
    "stated_rate",
    "stated_rate_pct",
    "stated_qualifier",
    "consistent",
    "line",
]


@per_dataset
def landing_statements(ds: Dataset, through: int | None = None) -> tuple[LandingStatement, ...]:
    """One typed record per landing statement of cohorts ending by ``through``, in date order.

    ``signed`` comes from landing.csv when stated there, else from the cohort's signings
    (``signed_status`` 'derived', with ``signed_formula``). ``landed_lo``/``landed_hi`` are the whole
    numbers the statement allows: the count itself, or those the stated rate (with its hedge) allows
    out of ``signed`` (超过九成 of 85: 77–85). ``rate`` and the 95 % Wilson interval need a single
    count (``landed_point``). ``consistent`` judges a stated rate against stated counts, on the percent
    scale the source writes (近80% holds for 75.5–80.5 %): ``stated_rate_pct`` is that figure as written,
    ``stated_rate`` the same as a fraction.

    Parameters
    ----------
    ds : Dataset
        A dataset (usually a vintage, :func:`vintage`).
    through : int, optional
        The last year of the cohorts kept; default all.

    Returns
    -------
    tuple of LandingStatement
    """
    through = _upto(ds, through)
    dates = ds.source_dates
    out = []
    lan = ds["landing"].assign(_date=ds["landing"]["source_id"].map(dates))
    for line, r in rows_of(lan.sort_values(["_date", "first_year", "last_year"], kind="stable")):
        if r["last_year"] > through:
            continue
        p = Period(int(r["first_year"]), int(r["last_year"]))
        if pd.notna(r["signed"]):
            signed, s_status, s_formula, s_from = int(r["signed"]), "reported", None, None
        else:
            tot = span_total(ds, p)
            exact = tot.known and tot.qualifier == "exact"
            signed = int(round(tot.value)) if exact else None
            s_status, s_formula = ("derived", tot.formula) if exact else ("missing", None)
            s_from = ("total" if tot.status == "reported" else "sum") if exact else None
        stated = None if pd.isna(r["stated_rate_pct"]) else float(r["stated_rate_pct"])  # percent
        q = None if pd.isna(r["rate_qualifier"]) else str(r["rate_qualifier"])
        landed = None if pd.isna(r["landed"]) else int(r["landed"])
        lo = hi = landed
        if landed is None and stated is not None and signed:
            allowed = interval(stated, q).scale(signed / 100).whole_numbers()
            if allowed is not None:
                lo, hi = allowed[0], min(allowed[1], signed)
        point = lo if lo is not None and lo == hi else None
        valid = point is not None and signed and 0 <= point <= signed
        rate = point / signed if valid else None
        ci = wilson(point, signed) if valid else (None, None)
        # Judged on the percent scale the source writes ("近80%"): 80 is written to whole percent points,
        # so its rounding tolerance is half a point, not half of 0.1 as it would be for 0.8.
        consistent = (
            None if stated is None or landed is None or not signed else agrees(stated, q, 100 * landed / signed)
        )
        out.append(
            LandingStatement(
                cohort=p.label,
                first_year=p.first_year,
                last_year=p.last_year,
                source_id=r["source_id"],
                vintage=r["_date"],
                as_of=date_label(r["_date"]),
                signed=signed,
                signed_status=s_status,
                signed_formula=s_formula,
                signed_from=s_from,
                landed=landed,
                landed_lo=lo,
                landed_hi=hi,
                landed_point=point,
                rate=rate,
                ci95_lo=ci[0],
                ci95_hi=ci[1],
                stated_rate=None if stated is None else stated / 100,
                stated_rate_pct=stated,
                stated_qualifier=q,
                consistent=consistent,
                line=int(line),
            )
        )
    return tuple(out)


def landing_frame(statements) -> pd.DataFrame:
    """Landing statements as the frame an analyst reads (one row per :class:`LandingStatement`).

    The counts (``signed``, ``landed``, ``landed_lo``, ``landed_hi``, ``landed_point``) are whole numbers
    (``Int64``; unknown is ``<NA>``); ``vintage`` is the article's date as a date (``datetime64``; ``NaT``
    when the article gives only part of it, as 北京日报客户端 2022 gives the day but not the month), and
    ``as_of`` the same date as far as it is known (``'2022'``).

    Parameters
    ----------
    statements : iterable of LandingStatement

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LANDING_COLUMNS`, declared by :class:`analysis.stats.frames.LandingFrame`.

    Examples
    --------
    >>> from analysis import load
    >>> frame = landing_frame(landing_statements(load()))
    >>> str(frame["signed"].dtype), str(frame["vintage"].dtype), frame["as_of"].tolist()
    ('Int64', 'datetime64[s]', ['2021-05-14', '2022', '2023-09-19'])
    """
    statements = list(statements)
    out = pd.DataFrame([{c: getattr(s, c) for c in LANDING_COLUMNS} for s in statements], columns=LANDING_COLUMNS)
    for c in LANDING_COUNTS:
        out[c] = pd.array([getattr(s, c) for s in statements], dtype="Int64")
    out["vintage"] = pd.Series([as_date(s.vintage) for s in statements], index=out.index, dtype="datetime64[s]")
    return out


@per_dataset
def landing_rates(ds: Dataset, through: int | None = None) -> pd.DataFrame:
    """One row per landing statement, as the claims and the projection read them.

    :func:`landing_frame` of :func:`landing_statements`, but ``vintage`` is the ``(year, month, day)`` tuple
    (0 for an unknown part): a partly known date still orders the statements.

    Parameters
    ----------
    ds : Dataset
        A dataset (usually a vintage, :func:`vintage`).
    through : int, optional
        The last year of the cohorts kept; default all.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LANDING_COLUMNS`.
    """
    statements = landing_statements(ds, through)
    return landing_frame(statements).assign(vintage=[s.vintage for s in statements])


def as_date(date) -> pd.Timestamp:
    """A ``(year, month, day)`` as a date when every part is known, else ``NaT`` (a missing date, never a guess).

    Parameters
    ----------
    date : tuple of int or None
        ``(year, month, day)``, 0 where not stated.

    Returns
    -------
    pandas.Timestamp
        The day, or ``NaT``.

    Examples
    --------
    >>> as_date((2021, 5, 14)), as_date((2022, 0, 15))
    (Timestamp('2021-05-14 00:00:00'), NaT)
    """
    if date is None or not all(date):
        return pd.NaT
    return pd.Timestamp(*date)


def dated_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """Rows of sources.csv with their publication ``date`` as a date (``NaT`` when only partly known).

    Parameters
    ----------
    sources : pandas.DataFrame
        Rows of sources.csv (``date_year``, ``date_month``, ``date_day``).

    Returns
    -------
    pandas.DataFrame
        A copy with a ``date`` column (``datetime64``), declared by :class:`analysis.stats.frames.SourcesFrame`.

    Examples
    --------
    >>> from analysis import load
    >>> dated_sources(load()["sources"]).set_index("source_id")["date"].head(2).tolist()
    [Timestamp('2021-05-14 00:00:00'), NaT]
    """
    parts = sources[["date_year", "date_month", "date_day"]].astype(object)
    dates = [as_date(tuple(0 if pd.isna(v) else int(v) for v in row)) for row in parts.itertuples(index=False)]
    return sources.assign(date=pd.Series(dates, index=sources.index, dtype="datetime64[s]"))


# --------------------------------------------------------------------------------------------- mix


@dataclass
class Mix:
    """Breakdown of one period along one classification scheme (``dimension``).

    Parameters
    ----------
    period : Period
        The period broken down.
    dimension : str
        The classification scheme.
    groups : pandas.DataFrame
        One row per published group (:class:`analysis.stats.frames.MixGroupsFrame`).
    total_projects, total_investment : float or None
        The period's totals.
    total_investment_qualifier : str or None
        The hedge of its total amount.
    stated_investment : float
        The sum of the groups' stated amounts.
    unstated_groups : list of str
        Groups without an amount.
    remainder_investment : float or None
        The total less the stated amounts (None without a total).
    remainder_projects : float or None
        The total less the stated counts, set only when some group's count is not published.
    hhi_investment : tuple of float or None
        The Herfindahl index of the investment shares, as (low, high).
    complete : bool
        Every group's count is published and they add up to the period's total.
    remainder_range : tuple of float or None
        What the unstated groups together can hold, given the total's hedge (clipped at 0).
    """

    period: Period
    dimension: str
    groups: pd.DataFrame
    total_projects: float | None
    total_investment: float | None
    total_investment_qualifier: str | None
    stated_investment: float
    unstated_groups: list[str] = field(default_factory=list)
    remainder_investment: float | None = None
    #: total minus the stated counts, set only when some group's count is not published
    remainder_projects: float | None = None
    hhi_investment: tuple[float, float] | None = None
    #: every group's count is published and they add up to the period's total
    complete: bool = False
    #: what the unstated groups together can hold, given the total's hedge (clipped at 0)
    remainder_range: tuple[float, float] | None = None

    @property
    def measure(self) -> str:
        """What a chart of this breakdown shows: investment when any group's amount is stated, else projects."""
        return "investment" if self.groups["investment_100m_yuan"].notna().any() else "projects"

    @property
    def remainder_verdict(self) -> str | None:
        """The one verdict on the unstated groups' amount, used by every renderer.

        ``None`` (every group states an amount), ``counts_only`` (no group states one: the breakdown
        splits the projects only, and the total's amount is not split), ``no_total`` (no total to
        derive it from), ``zero`` (the stated groups make up the total as written; with a hedged total
        the range still allows a little) or ``positive`` (the total leaves an amount for them).
        """
        if not self.unstated_groups:
            return None
        if self.groups["investment_100m_yuan"].isna().all():
            return "counts_only"
        if self.remainder_investment is None:
            return "no_total"
        return "zero" if abs(self.remainder_investment) < 1e-6 else "positive"

    @property
    def remainder_share(self) -> float | None:
        """The unstated groups' amount as a share of the period's total (None when either is unknown)."""
        if self.remainder_investment is None or not self.total_investment:
            return None
        return self.remainder_investment / self.total_investment


def mix(ds: Dataset, period: Period, dimension: str) -> Mix:
    """Projects and investment by group with shares, per-project amounts, the unstated remainder and HHI.

    Shares of investment are of the conference total, so the stated groups' shares plus the
    remainder share sum to 1. HHI (sum of squared investment shares) is exact when every group
    states an amount or the remainder is nil; otherwise it is a range: the remainder spread evenly
    over the unstated groups (low) or all in one of them (high).

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    period : Period
        A period with a published breakdown.
    dimension : str
        A classification scheme of taxonomy.csv.

    Returns
    -------
    Mix
        Its ``groups`` frame is declared by :class:`analysis.stats.frames.MixGroupsFrame`.
    """
    sig = ds["signings"]
    rows = sig[
        (sig["dimension"] == dimension)
        & (sig["first_year"] == period.first_year)
        & (sig["last_year"] == period.last_year)
    ]
    if rows.empty:
        raise NotPublished(f"no {dimension} breakdown is published for {period.label}")
    tax = ds["taxonomy"]
    tax = tax[tax["dimension"] == dimension].set_index("group_zh")
    totals = reported_totals(ds).get(period) or {}
    vals = period_values(ds).get(period, totals)
    tp = vals.get("projects", Value(None))
    ti = vals.get("investment_100m_yuan", Value(None))
    g = pd.DataFrame(
        {
            "group_zh": rows["group_zh"].astype(str).values,
            "group_en": [tax.at[z, "group_en"] for z in rows["group_zh"]],
            "harmonised": [tax.at[z, "harmonised"] for z in rows["group_zh"]],
            "harmonised_zh": [tax.at[z, "harmonised_zh"] for z in rows["group_zh"]],
            "harmonised_en": [tax.at[z, "harmonised_en"] for z in rows["group_zh"]],
            "projects": rows["projects"].values,
            "investment_100m_yuan": rows["investment_100m_yuan"].values,
            "investment_qualifier": rows["investment_qualifier"].values,
            "line": rows.index.values,
        }
    )
    # Shares of the conference total when it is known (a group without a count must not inflate
    # the others' shares); of the stated counts only when no total is published.
    proj_sum = g["projects"].sum(skipna=True)
    denom = tp.value if tp.known and tp.value else proj_sum
    g["project_share"] = (
        (g["projects"] / denom).astype("Float64") if denom else pd.array([pd.NA] * len(g), dtype="Float64")
    )
    remainder_projects = (tp.value - proj_sum) if tp.known and g["projects"].isna().any() else None
    complete = bool(g["projects"].notna().all()) and tp.known and abs(float(proj_sum) - tp.value) < 1e-9
    stated = float(g["investment_100m_yuan"].sum(skipna=True))
    unstated = g.loc[g["investment_100m_yuan"].isna(), "group_zh"].tolist()
    remainder = (ti.value - stated) if ti.known else None
    if remainder is not None and abs(remainder) < 1e-9:
        remainder = 0.0
    remainder_range = None
    if ti.known and unstated:
        iv = interval(ti.value, ti.qualifier or "exact") - interval_of_sum(
            list(zip(g["investment_100m_yuan"].dropna(), g["investment_qualifier"].dropna(), strict=True))
        )
        remainder_range = (max(0.0, round(iv.lo, 6)), max(0.0, round(iv.hi, 6)))
    if ti.known and ti.value > 0:
        g["investment_share"] = g["investment_100m_yuan"] / ti.value
    else:
        g["investment_share"] = pd.array([pd.NA] * len(g), dtype="Float64")
    g["investment_per_project_100m_yuan"] = ratio(g["investment_100m_yuan"], g["projects"])
    hhi = None
    if ti.known and ti.value > 0:
        base = float((g["investment_share"].dropna() ** 2).sum())
        r = max(remainder or 0.0, 0.0) / ti.value
        if not unstated or r == 0:
            hhi = (base, base)
        else:
            hhi = (base + r * r / len(unstated), base + r * r)
    return Mix(
        period=period,
        dimension=dimension,
        groups=g,
        total_projects=tp.value if tp.known else None,
        total_investment=ti.value if ti.known else None,
        total_investment_qualifier=ti.qualifier,
        stated_investment=stated,
        unstated_groups=unstated,
        remainder_investment=remainder,
        remainder_projects=remainder_projects,
        hhi_investment=hhi,
        complete=complete,
        remainder_range=remainder_range,
    )


@per_dataset
def mixes(ds: Dataset, through: int | None = None) -> dict[Period, dict[str, Mix]]:
    """Every published breakdown ending by ``through``, per period and classification scheme.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    dict
        ``{Period: {scheme: Mix}}``.
    """
    out: dict[Period, dict[str, Mix]] = {}
    for p in breakdown_periods(ds, through):
        out[p] = {}
        for d in dimensions(ds):
            try:
                out[p][d] = mix(ds, p, d)
            except NotPublished:
                pass
    return out


def compare_mix(ds: Dataset, dimension: str, through: int | None = None) -> pd.DataFrame:
    """Periods side by side on the harmonised groups of one scheme.

    One row per (period, harmonised group) for every single-year or aggregate period ending by
    ``through``. Published names mapped to the same group are added (many-to-one). ``status``:

    * ``published``: the group appears in the period's breakdown;
    * ``none``: the breakdown is complete (every count published, adding up to the total) and the
      group is not listed, so none of the year's projects was counted under it (0 projects, 0 亿元) —
      though a group new in a later list may have been counted under another name (see
      :func:`taxonomy_notes`);
    * ``classified_differently``: the period is broken down only under other schemes (named in
      ``schemes``), so this scheme's groups cannot be compared;
    * ``not_published``: no breakdown of the period, or an incomplete one without the group.

    ``investment_100m_yuan`` is the sum of the group's stated amounts; None when a part is not stated.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    dimension : str
        A classification scheme.
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    pandas.DataFrame
        Declared by :class:`analysis.stats.frames.CompareFrame`.
    """
    through = _upto(ds, through)
    tax = ds["taxonomy"]
    tax = tax[tax["dimension"] == dimension]
    keys = list(dict.fromkeys(tax["harmonised"]))
    labels = tax.drop_duplicates("harmonised").set_index("harmonised")
    by_period = mixes(ds, through)
    cols = [
        "period",
        "first_year",
        "last_year",
        "harmonised",
        "harmonised_zh",
        "harmonised_en",
        "status",
        "names_zh",
        "names_en",
        "projects",
        "project_share",
        "investment_100m_yuan",
        "investment_qualifier",
        "investment_share",
        "schemes",
    ]
    rows = []
    periods = sorted(set(trends_periods(ds, through)) | set(by_period))
    used = {k for p in by_period for d, m in by_period[p].items() if d == dimension for k in m.groups["harmonised"]}
    for p in periods:
        dims = by_period.get(p, {})
        mx = dims.get(dimension)
        for k in [k for k in keys if k in used]:
            row = {
                "period": p.label,
                "first_year": p.first_year,
                "last_year": p.last_year,
                "harmonised": k,
                "harmonised_zh": labels.at[k, "harmonised_zh"],
                "harmonised_en": labels.at[k, "harmonised_en"],
                "names_zh": None,
                "names_en": None,
                "projects": None,
                "project_share": None,
                "investment_100m_yuan": None,
                "investment_qualifier": None,
                "investment_share": None,
                "schemes": None,
            }
            if mx is None:
                row["status"] = "classified_differently" if dims else "not_published"
                row["schemes"] = ", ".join(dims) or None
            else:
                g = mx.groups[mx.groups["harmonised"] == k]
                if len(g):
                    row["status"] = "published"
                    row["names_zh"] = locale.NAME_SEP.join(g["group_zh"])
                    row["names_en"] = ", ".join(g["group_en"])
                    if g["projects"].notna().all():
                        row["projects"] = float(g["projects"].sum())
                        row["project_share"] = row["projects"] / mx.total_projects if mx.total_projects else None
                    if g["investment_100m_yuan"].notna().all():
                        h = hedge_of_values(
                            [
                                Value(float(v), q)
                                for v, q in zip(g["investment_100m_yuan"], g["investment_qualifier"], strict=True)
                            ]
                        )
                        row["investment_100m_yuan"], row["investment_qualifier"] = float(h.value), h.qualifier
                        row["investment_share"] = (
                            row["investment_100m_yuan"] / mx.total_investment if mx.total_investment else None
                        )
                elif mx.complete:
                    row.update(
                        status="none",
                        projects=0.0,
                        project_share=0.0,
                        investment_100m_yuan=0.0,
                        investment_qualifier="exact",
                        investment_share=0.0 if mx.total_investment else None,
                    )
                else:
                    row["status"] = "not_published"
            rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    out["projects"] = out["projects"].astype("Int64")  # a count: whole numbers, unknown <NA>
    return out


def period_statuses(compared: pd.DataFrame) -> dict[str, str]:
    """One status per period of a :func:`compare_mix` frame, in its order.

    One status per period of a :func:`compare_mix` frame, in its order: ``published`` when the period
    has a breakdown under this scheme (some group published or not listed), else ``classified_differently``
    (broken down under another scheme only) or ``not_published``.

    Parameters
    ----------
    compared : pandas.DataFrame
        A :func:`compare_mix` frame.

    Returns
    -------
    dict
        ``{period label: status}``.
    """
    out = {}
    for label, st in compared.groupby("period", sort=False)["status"]:
        s = set(st)
        out[label] = (
            "published"
            if s & {"published", "none"}
            else "classified_differently"
            if "classified_differently" in s
            else "not_published"
        )
    return out


def taxonomy_notes(ds: Dataset, dimension: str, compared: pd.DataFrame | None = None) -> list[dict]:
    """The judgements behind a scheme's harmonised groups.

    The judgements behind a scheme's harmonised groups (taxonomy.csv ``note``/``note_zh``), one per noted
    name; with ``compared`` (a :func:`compare_mix` frame) only the names printed in its periods.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    dimension : str
        A classification scheme.
    compared : pandas.DataFrame, optional
        A :func:`compare_mix` frame.

    Returns
    -------
    list of dict
    """
    tax = ds["taxonomy"]
    tax = tax[(tax["dimension"] == dimension) & tax["note"].notna()]
    if compared is not None:
        printed = {n for names in compared["names_zh"].dropna() for n in str(names).split(locale.NAME_SEP)}
        tax = tax[tax["group_zh"].isin(printed)]
    return [
        {
            "group_zh": r["group_zh"],
            "group_en": r["group_en"],
            "harmonised": r["harmonised"],
            "note_en": r["note"],
            "note_zh": r["note_zh"],
        }
        for _, r in tax.iterrows()
    ]


def trends_periods(ds: Dataset, through: int | None = None) -> list[Period]:
    """The atomic periods ending by ``through``.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    through : int, optional
        The last year kept (checked once, at the door: :func:`vintage`); default the last conference year.

    Returns
    -------
    list of Period
    """
    through = _upto(ds, through)
    return [p for p in sorted(period_values(ds)) if p.last_year <= through]


def as_float(x) -> float | None:
    """JSON-friendly float: NA/NaN -> None.

    Parameters
    ----------
    x : object
        A number, NA, NaN or None.

    Returns
    -------
    float or None
    """
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


# --------------------------------------------------------------------------------------------- vintages


@dataclass(frozen=True)
class Release:
    """One release: the articles of one date that first published some periods' figures.

    ``periods`` are the periods whose figures this release first published (2019–2020 and 2021 came
    out together, in the 2021 article); ``through`` is the last year its vintage states, so a report
    as of this release forecasts from the year after it and never a period the release states.

    Parameters
    ----------
    date : tuple of int
        The articles' date (year, month, day).
    periods : tuple of Period
        The periods whose figures it first published.
    through : int
        The last year its vintage states.
    """

    date: tuple[int, int, int]
    periods: tuple[Period, ...]
    through: int

    @property
    def key(self) -> str:
        """The report folder of the release: its last year ('2021' for 2019–2020 and 2021)."""
        return str(self.through)

    @property
    def label(self) -> str:
        """The release's periods as one label ('2019–2020、2021')."""
        return locale.NAME_SEP.join(p.label for p in self.periods)


@per_dataset
def known_at(ds: Dataset, date: Date) -> Dataset:
    """``ds`` as it stood on ``date`` (:meth:`analysis.data.dataset.Dataset.as_known_at`), cut once per date.

    The releases, the period releases and the door all cut the same dates; the cut is made once per dataset
    and date, so that what is computed on it (its periods, its totals) is computed once too. A vintage
    (:func:`vintage`) shares the cuts of its parent at its own earlier dates: they hold the same sources.

    Parameters
    ----------
    ds : Dataset
        A dataset.
    date : tuple of int
        ``(year, month, day)``.

    Returns
    -------
    Dataset
        The same object on every call for ``ds`` and ``date`` (datasets are read-only).

    Examples
    --------
    >>> from analysis import load
    >>> ds = load()
    >>> known_at(ds, (2021, 12, 31)) is known_at(ds, (2021, 12, 31))
    True
    """
    return ds.as_known_at(tuple(date))


@per_dataset
def releases(ds: Dataset) -> list[Release]:
    """The releases of the data, in date order: one report each.

    A release is a source date at which new periods became known (with a project count). When a later
    release states no year beyond an earlier one's (an older article found later that splits an
    aggregate), the later one, which knows more, stands for that year and takes over its periods.

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).

    Returns
    -------
    list of Release
    """
    found: list[Release] = []
    seen: set[Period] = set()
    for date in sorted(set(ds.source_dates.values())):
        v = known_at(ds, date)
        if not len(v["conferences"]):
            continue
        known = {p for p, m in period_values(v).items() if m["projects"].known}
        new = sorted(known - seen)
        if not new:
            continue
        seen |= known
        found.append(Release(date, tuple(new), max(p.last_year for p in known)))
    by_through: dict[int, Release] = {}
    for r in found:
        before = by_through.get(r.through)
        periods = tuple(sorted(set(before.periods) | set(r.periods))) if before else r.periods
        by_through[r.through] = Release(r.date, periods, r.through)
    return sorted(by_through.values(), key=lambda r: r.date)


def release_of(ds: Dataset, year: int) -> Release:
    """The release that first published the figures of ``year`` (or of the aggregate holding it).

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    year : int
        A conference year.

    Returns
    -------
    Release

    Raises
    ------
    NotPublished
        When no source publishes the figures of ``year``.
    """
    for r in releases(ds):
        if any(p.covers(year) for p in r.periods):
            return r
    raise NotPublished(f"no source publishes the figures of {year}")


def period_release(ds: Dataset, period: Period) -> tuple[int, int, int]:
    """Date of the first source by which ``period``'s own figures were published (or derivable).

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    period : Period
        An atomic period.

    Returns
    -------
    tuple of int
        The date (year, month, day).
    """
    for date in sorted(set(ds.source_dates.values())):
        v = known_at(ds, date)
        vals = period_values(v) if len(v["conferences"]) else {}
        if period in vals and vals[period]["projects"].known:
            return date
    raise NotPublished(f"no source publishes the figures of {period.label}")


def period_of(ds: Dataset, year: int) -> Period:
    """The atomic period that holds ``year`` (a single year, or the aggregate it is published in).

    Parameters
    ----------
    ds : Dataset
        A dataset (a vintage in a report: :func:`vintage`).
    year : int
        A conference year.

    Returns
    -------
    Period
    """
    for p in period_values(ds):
        if p.covers(year):
            return p
    raise NotPublished(f"no signing totals cover {year}")


@dataclass(frozen=True)
class Vintage:
    """A dataset as known at one release, cut once at the door (:func:`vintage`).

    Everything below the door (trends, totals, landing, mix, claims, the projection) computes on
    :attr:`dataset` for the years up to :attr:`through` and never checks ``through`` again.

    Parameters
    ----------
    dataset : Dataset
        The dataset as it stood at the release: only the sources published by :attr:`Release.date`.
    release : Release
        The release that first published the figures of the year asked for.
    """

    dataset: Dataset
    release: Release

    @property
    def through(self) -> int:
        """The last year the release states (2021 for a question about 2020: 2019–2020 came out in 2021)."""
        return self.release.through

    @property
    def as_of(self) -> Date:
        """The release's date: the date of the latest source the vintage keeps."""
        return self.release.date


@per_dataset
def vintage(ds: Dataset, through: int | None = None) -> Vintage:
    """The door: the dataset as known at the release that first published ``through``, made once.

    ``through`` is checked here and only here (a year before the first or after the last conference
    raises ValueError); the release of that year is found and the dataset is cut to the sources
    published by its date (:meth:`analysis.data.dataset.Dataset.as_known_at`).

    Parameters
    ----------
    ds : Dataset
        The full dataset (every source).
    through : int, optional
        A conference year; default the last one.

    Returns
    -------
    Vintage
        The cut dataset and its release.

    Examples
    --------
    >>> from analysis import load
    >>> v = vintage(load(), 2020)
    >>> v.through, v.dataset.as_of == v.release.date
    (2021, True)
    """
    release = release_of(ds, _check_through(ds, through))
    cut = known_at(ds, release.date)
    for key, earlier in list(ds.cache.items()):  # the parent's cuts at earlier dates are the vintage's own
        if key[0] == "known_at" and key[1] and tuple(key[1][0]) <= release.date:
            cut.cache.setdefault(key, earlier)
    return Vintage(cut, release)


def known_at_release(ds: Dataset, through: int | None = None) -> Dataset:
    """The dataset as it stood at the release that first published the figures of ``through``.

    What a report about that release can say: later articles (later cumulative totals, later landing
    statements, later years) are left out, and appear only in its "since then" section.

    Parameters
    ----------
    ds : Dataset
        The full dataset.
    through : int, optional
        A conference year; default the last one.

    Returns
    -------
    Dataset
        :attr:`Vintage.dataset` of :func:`vintage`.
    """
    return vintage(ds, through).dataset


def release_through(ds: Dataset, through: int | None = None) -> int:
    """The last year stated by the release that first published ``through``.

    The last year stated by the release that first published ``through`` (2020 -> 2021: the 2021
    article published 2019–2020 and 2021 together). Results are always for a whole release.

    Parameters
    ----------
    ds : Dataset
        The full dataset.
    through : int, optional
        A conference year; default the last one.

    Returns
    -------
    int
        :attr:`Vintage.through` of :func:`vintage`.
    """
    return vintage(ds, through).through
