"""Property-based tests on generated SYNTHETIC tables (hypothesis)."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load
from analysis.core.qualifiers import QUALIFIERS, hedge_of_sum
from analysis.data.schema import DataError
from analysis.stats import claims as C
from analysis.stats import metrics as M

from .conftest import find_line, set_cell
from .synth import new_folder, write_dataset

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.decimals(min_value=0, max_value=500, places=2).map(float)


@st.composite
def year_with_groups(draw, year: int):
    n_groups = draw(st.integers(2, 6))
    counts = draw(st.lists(st.integers(0, 40), min_size=n_groups, max_size=n_groups).filter(lambda c: sum(c) > 0))
    stated = draw(st.lists(st.one_of(st.none(), amounts), min_size=n_groups, max_size=n_groups))
    stated = [
        None if n == 0 and a else a for n, a in zip(counts, stated, strict=True)
    ]  # 0 projects have no amount (check)
    known = round(sum(a for a in stated if a is not None), 2)
    if all(a is not None for a in stated):
        total = known
    else:
        total = round(known + draw(amounts), 2)
    return {
        "year": year,
        "projects": sum(counts),
        "investment": total,
        "groups": list(zip(counts, stated, strict=True)),
    }


@st.composite
def histories(draw):
    n_years = draw(st.integers(1, 4))
    return [draw(year_with_groups(2019 + i)) for i in range(n_years)]


def _load(years, landing=None):
    tmp = new_folder()
    return load(write_dataset(tmp / "data", years, landing)), tmp / "data"


@SETTINGS
@given(histories())
def test_shares_sum_to_one(years):
    ds, _ = _load(years)
    for _p, by_dim in M.mixes(ds).items():
        mx = by_dim["category"]
        g = mx.groups
        assert float(g["project_share"].sum()) == pytest.approx(1.0)
        if mx.total_investment:
            stated_share = float(g["investment_share"].sum(skipna=True))
            assert stated_share + (mx.remainder_share or 0.0) == pytest.approx(1.0)
            if not mx.unstated_groups:
                assert stated_share == pytest.approx(1.0)
            lo, hi = mx.hhi_investment
            assert 0 <= lo <= hi <= 1 + 1e-9


@SETTINGS
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_wilson_contains_estimate_within_unit_interval(nk):
    n, k = nk
    lo, hi = M.wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@SETTINGS
@given(histories())
def test_through_never_increases_totals(years):
    ds, _ = _load(years)
    last = None
    for y in ds.conference_years:
        c = M.cumulative(ds, y)
        if last is not None:
            assert c["projects"] >= last["projects"]
            assert c["investment_100m_yuan"] >= last["investment_100m_yuan"] - 1e-9
        last = c
    full = M.cumulative(ds)
    for y in ds.conference_years:
        assert M.cumulative(ds, y)["projects"] <= full["projects"]


@SETTINGS
@given(histories(), st.integers(1, 9))
def test_corrupted_breakdown_flips_its_claim(years, bump):
    ds, folder = _load(years)
    year = years[-1]["year"]
    claim_id = f"breakdown_projects_{year}_category"
    assert bool(C.ledger(ds).set_index("id").at[claim_id, "consistent"])
    f = folder / "signings.csv"
    line = find_line(f, first_year=str(year), dimension="category", group_zh="甲类")
    set_cell(f, line, "projects", str(years[-1]["groups"][0][0] + bump))
    with pytest.raises(DataError) as exc:
        load(folder)
    total_line = find_line(f, first_year=str(year), dimension="total")
    assert any(
        p.line == total_line and p.column == "projects" and "add up to the total" in p.message
        for p in exc.value.problems
    )


@st.composite
def aggregated_histories(draw):
    """Like the real data: the first years only as one aggregate, later years single, a cumulative over all;
    sometimes the aggregate's investment is left out and must be derived from the cumulative."""
    n_agg = draw(st.integers(2, 3))
    agg_years = list(range(2019, 2019 + n_agg))
    singles = [draw(year_with_groups(2019 + n_agg + i)) for i in range(draw(st.integers(1, 2)))]
    agg = {
        "first_year": agg_years[0],
        "last_year": agg_years[-1],
        "projects": draw(st.integers(1, 200)),
        "investment": draw(amounts.filter(lambda a: a > 0)),
    }
    cum = {
        "first_year": agg_years[0],
        "last_year": singles[-1]["year"],
        "projects": agg["projects"] + sum(y["projects"] for y in singles),
        "investment": round(agg["investment"] + sum(y["investment"] for y in singles), 2),
    }
    hide = draw(st.booleans())
    return agg_years, singles, agg, cum, hide


@SETTINGS
@given(aggregated_histories())
def test_aggregate_periods_and_derivation(h):
    agg_years, singles, agg, cum, hide = h
    shown = dict(agg, investment=None) if hide else agg
    tmp = new_folder()
    ds = load(write_dataset(tmp / "data", singles, totals=[shown, cum], extra_years=agg_years))
    period = M.Period(agg["first_year"], agg["last_year"])
    v = M.period_values(ds)[period]
    assert v["projects"].value == agg["projects"] and v["projects"].status == "reported"
    inv = v["investment_100m_yuan"]
    assert inv.value == pytest.approx(agg["investment"], abs=1e-6)
    assert inv.status == ("derived" if hide else "reported")
    # a year inside the aggregate has no cumulative of its own; the end of the aggregate does
    assert M.cumulative(ds, agg_years[0])["projects"] is None
    assert M.cumulative(ds, agg["last_year"])["projects"] == agg["projects"]
    full = M.cumulative(ds)
    assert (full["projects"], full["investment_100m_yuan"]) == (cum["projects"], pytest.approx(cum["investment"]))
    assert full["investment_status"] == "reported"
    led = C.ledger(ds).set_index("id")
    key = f"cumulative_investment_{M.Period(cum['first_year'], cum['last_year']).key}"
    assert bool(led.at[key, "consistent"])
    assert led.at[key, "basis"] == ("by construction" if hide else "independent")


# --------------------------------------------------------------------------------------------- the hedge algebra
# The meaning of each hedge, written again here from data/README.md's table (not taken from
# analysis.core.qualifiers), at the precision written: true values to sample, and whether a value satisfies it.


def _unit(x: float) -> float:
    """One unit of the last non-zero digit as written (210 -> 10, 1000 -> 1000, 2.5 -> 0.1)."""
    return float(10 ** Decimal(repr(float(x))).normalize().as_tuple().exponent)


def _true_values(x: float, q: str) -> list[float]:
    """True values the hedge allows, the ends included (or just inside an open end) and far out when unbounded."""
    tiny, k = 1e-6 * max(1.0, x), 9
    inner = lambda a, b: [a + (b - a) * i / k for i in range(k)] + [b]  # noqa: E731
    return {
        "exact": [x],
        "approx": inner(0.95 * x, 1.05 * x),
        "nearly": inner(0.95 * x, x),
        "more_than": [x + tiny, x + _unit(x) - tiny] + inner(x, x + _unit(x))[1:-1],
        "over": [x + tiny, 1.05 * x, 2 * x, 10 * x, 1000 * x + 1e6],
        "under": [0.0, x - tiny] + inner(0.0, x)[1:-1],
        "at_most": inner(0.0, x),
    }[q]


def _ends(x: float, q: str) -> tuple[float, float]:
    """Lowest and highest true value the hedge allows (open or closed)."""
    return {
        "exact": (x, x),
        "approx": (0.95 * x, 1.05 * x),
        "nearly": (0.95 * x, x),
        "more_than": (x, x + _unit(x)),
        "over": (x, math.inf),
        "under": (0.0, x),
        "at_most": (0.0, x),
    }[q]


def _holds(r: float, x: float, q: str, bounds=None) -> bool:
    """Whether the true value ``r`` satisfies ``x`` with hedge ``q`` (a range: ``bounds``)."""
    s = 1e-9 * max(1.0, abs(x), abs(r))
    return {
        "exact": lambda: abs(r - x) <= s,
        "approx": lambda: abs(r - x) <= 0.05 * x + s,
        "nearly": lambda: 0.95 * x - s <= r <= x + s,
        "more_than": lambda: x < r < x + _unit(x),
        "over": lambda: r > x,
        "under": lambda: -s <= r < x,
        "at_most": lambda: -s <= r <= x + s,
        "range": lambda: bounds[0] - s <= r <= (math.inf if bounds[1] is None else bounds[1] + s),
    }[q]()


positive = st.one_of(
    st.sampled_from([2.5, 80.0, 210.0, 300.0, 552.0, 1000.0, 1500.0]),
    st.decimals(min_value="0.1", max_value="3000", places=2).map(float),
)


@settings(max_examples=25, deadline=None)
@given(positive, positive)
def test_hedge_of_every_sum_and_difference_is_sound_and_tight(x, y):
    """For every qualifier x every qualifier, sum and difference: every sum/difference of true values the two
    hedges allow (sampled, ends included) satisfies the hedge describe() gives (negative results cannot be:
    counts and amounts); and that hedge is not looser than one the set has."""
    for qa, qb, sign in itertools.product(QUALIFIERS, QUALIFIERS, (1, -1)):
        raw = [a + sign * b for a in _true_values(x, qa) for b in _true_values(y, qb)]
        results = [max(r, 0.0) for r in raw if r >= -1e-9 * max(x, y)]  # 0 up to float error
        try:
            h = hedge_of_sum([(x, qa), (y, qb)], [1, sign])
        except ValueError:
            assert not results, (qa, qb, sign)  # the brute force finds no possible value either
            continue
        assert results, (qa, qb, sign)
        bounds = (h.interval.lo, None if math.isinf(h.interval.hi) else h.interval.hi)
        bad = [r for r in results if not _holds(r, h.value, h.qualifier, bounds)]
        assert not bad, f"{x} {qa} {'+' if sign > 0 else '-'} {y} {qb}: {h} misses {bad[:3]}"
        # tightness, against the ends interval arithmetic gives: the loosest words only where nothing tighter holds
        (a_lo, a_hi), (b_lo, b_hi) = _ends(x, qa), _ends(y, qb)
        lo, hi = (a_lo + b_lo, a_hi + b_hi) if sign > 0 else (a_lo - b_hi, a_hi - b_lo)
        point = x + sign * y
        if qa == qb == "exact":
            assert h.qualifier == "exact", (qa, qb, sign, h)
        if h.qualifier == "exact":
            assert max(results) - min(results) <= 1e-9 * max(1.0, point)
        if h.qualifier == "over":
            assert math.isinf(hi), (qa, qb, sign, h)
        if h.qualifier in ("under", "at_most"):
            assert lo <= 0 < hi < math.inf, (qa, qb, sign, h)  # nothing but 0 bounds it below; a range says no more
        if h.qualifier in ("approx", "nearly", "more_than"):
            assert 0 < lo and hi < math.inf, (qa, qb, sign, h)  # never a two-sided word for a one-sided result
        if h.qualifier == "range" and 0 < lo and hi < math.inf:
            # a bounded range only when no 约 (±5 %) around the figure holds every result
            assert any(abs(r - point) > 0.05 * point for r in results), (qa, qb, sign, h)
        if h.qualifier == "range" and math.isinf(hi):
            assert lo <= 0, (qa, qb, sign, h)  # with a positive lower end it would be 超


@settings(max_examples=25, deadline=None)
@given(positive, st.sampled_from(QUALIFIERS))
def test_a_single_hedged_figure_keeps_its_hedge(x, q):
    """A sum of one stated figure is that figure with its own hedge (describe() is the identity on the set)."""
    h = hedge_of_sum([(x, q)])
    assert (h.qualifier, h.value) == (q, pytest.approx(x))
