"""The hedge rules of analysis.core.qualifiers at their boundaries."""

from __future__ import annotations

import pytest

from analysis import load
from analysis.core.qualifiers import agrees, decimals, hedge_of_sum, last_digit_unit
from analysis.stats import metrics as M

from .conftest import set_cell


@pytest.mark.parametrize(
    "stated, qualifier, computed, expected",
    [
        # exact: half a unit of the last digit written
        (280.66, "exact", 280.664, True),
        (280.66, "exact", 280.666, False),
        (1080, "exact", 1080.4, True),
        (1080, "exact", 1081, False),
        # 约: within 5 %
        (280.66, "approx", 280.66 * 1.049, True),
        (280.66, "approx", 280.66 * 1.051, False),
        (280.66, "approx", 280.66 * 0.951, True),
        (280.66, "approx", 280.66 * 0.949, False),
        # 近: at or below, not more than 5 % below (percent scale, as the source writes it)
        (80, "nearly", 78.2, True),
        (80, "nearly", 80.4, True),  # rounds to 80
        (80, "nearly", 81, False),
        (80, "nearly", 84, False),
        (80, "nearly", 75.6, True),
        (80, "nearly", 75.4, False),
        # 余: above, below the next step of the last non-zero digit
        (210, "more_than", 215, True),
        (210, "more_than", 210, False),
        (210, "more_than", 220, False),
        (1000, "more_than", 1500, True),
        (1000, "more_than", 2000, False),
        # 超: above
        (1000, "over", 1000.5, True),
        (1000, "over", 1000, False),
        (1000, "over", 999, False),
    ],
)
def test_agrees_boundaries(stated, qualifier, computed, expected):
    assert agrees(stated, qualifier, computed) is expected


def test_agrees_rejects_unknown_qualifier_and_missing_values():
    with pytest.raises(ValueError, match="unknown qualifier 'roughly'"):
        agrees(1, "roughly", 1)
    with pytest.raises(ValueError, match="needs two numbers"):
        agrees(float("nan"), "exact", 1)


def test_digits_and_units():
    assert [decimals(x) for x in (1080.0, 280.66, 0.8)] == [0, 2, 1]
    assert [last_digit_unit(x) for x in (210, 1500, 1000, 2.5)] == [10, 100, 1000, 0.1]


@pytest.mark.parametrize(
    "parts, signs, expected",
    [
        # sums
        ([(552, "exact"), (39, "exact")], None, ("exact", 591)),
        ([(552, "exact"), (247, "approx")], None, ("approx", 799)),  # 786.65..811.35 is within 5 % of 799
        ([(552, "exact"), (300, "nearly")], None, ("nearly", 852)),  # 837..852: at or below 852, within 5 %
        ([(210, "more_than"), (10, "exact")], None, ("more_than", 220)),  # 220 < c < 230 is 220余
        ([(300, "over"), (52, "exact")], None, ("over", 352)),
        ([(300, "under"), (52, "exact")], None, ("range", (52 + 352) / 2)),  # 52..352: no word; drawn at its middle
        # differences
        ([(552, "exact"), (300, "over")], [1, -1], ("under", 252)),  # 552 − 超300 < 252: 不足252, not 约252
        ([(552, "exact"), (300, "at_most")], [1, -1], ("range", (252 + 552) / 2)),  # 252..552
        ([(300, "over"), (52, "exact")], [1, -1], ("over", 248)),
        ([(1500, "over"), (247, "approx")], [1, -1], ("over", 1240.65)),  # above 1500 − 259.35
        ([(552, "exact"), (210, "more_than")], [1, -1], ("nearly", 342)),  # 332 < c < 342
        ([(500, "approx"), (300, "approx")], [1, -1], ("range", (160 + 240) / 2)),  # 160..240: 20 % either side
        ([(1500, "over"), (1080, "over")], [1, -1], ("range", 0)),  # anything from 0 up: no bound, drawn at 0
    ],
)
def test_hedge_of_a_sum_or_difference_is_read_off_its_interval(parts, signs, expected):
    h = hedge_of_sum(parts, signs)
    assert (h.qualifier, h.value) == pytest.approx(expected)
    # the value written is always one the interval allows (a range's middle, never a point outside it)
    assert h.interval.lo <= h.value <= h.interval.hi


@pytest.mark.parametrize("landed, consistent", [(97, True), (104, False), (94, True), (93, False)])
def test_landing_rate_judged_on_the_percent_scale(data_copy, landed, consistent):
    """近80%: 97/124 = 78.2 % agrees; 104/124 = 83.9 % does not (it would at a 0.05 tolerance on 0.8)."""
    set_cell(data_copy / "landing.csv", 3, "landed", str(landed))
    set_cell(data_copy / "landing.csv", 3, "evidence", f"签约的124个项目中有{landed}个落地,项目落地率近80%")
    if consistent:
        lr = M.landing_rates(load(data_copy)).set_index("cohort")
        assert bool(lr.loc["2019–2021", "consistent"])
    else:
        with pytest.raises(Exception, match=r"stated_rate_pct.*nearly 80%"):
            load(data_copy)
