"""The result frames an analyst reads speak Python (issue 20, item 3): counts are whole numbers (``Int64``,
unknown ``<NA>``), dates are dates (``datetime64``, ``NaT`` when a source gives only part of its date), and
``res.landing.vintage`` reads as a date, not as the internal ``(year, month, day)`` tuple.

Expected values come from data/*.csv read with the csv module, not from the package.
"""

from __future__ import annotations

import csv
import datetime

import pandas as pd
import pandera.errors
import pytest

from analysis import load
from analysis.stats import frames as F
from analysis.stats import metrics as M
from analysis.stats.results import compute

from .conftest import DATA


def _csv(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _full_date(r: dict) -> datetime.date | None:
    """A source's date when the CSV states year, month and day; else None (unknown is missing)."""
    parts = [r["date_year"], r["date_month"], r["date_day"]]
    return datetime.date(*map(int, parts)) if all(parts) else None


DATES = {r["source_id"]: _full_date(r) for r in _csv("sources")}
PARTIAL = sorted(s for s, d in DATES.items() if d is None)


@pytest.fixture(scope="module")
def results() -> dict:
    """The results of three releases (2021 has later sources: its since-then part)."""
    ds = load(DATA)
    return {year: compute(ds, year, projection=False) for year in (2021, 2022, 2023)}


# --------------------------------------------------------------------------------------------- counts


def test_period_counts_are_whole_numbers(results):
    """Int64 in the data as published (a count known only as a range keeps its midpoint: metrics.whole_counts)."""
    res23 = results[2023]
    totals = {
        (int(r["first_year"]), int(r["last_year"])): int(r["projects"])
        for r in _csv("signings")
        if r["dimension"] == "total" and r["first_year"] == r["last_year"] and r["projects"]
    }
    p = res23.periods
    assert str(p["projects"].dtype) == "Int64"
    for r in p.itertuples():
        if (r.first_year, r.last_year) in totals:
            assert r.projects == totals[(r.first_year, r.last_year)]
    text = p[["period", "projects"]].to_string()
    assert all(f"{n}.0" not in text for n in totals.values())  # printed as 39, not 39.0


def test_landing_counts_are_whole_numbers_and_unknown_stays_missing(results):
    res22 = results[2022]
    frame = res22.landing.set_index("source_id")
    for c in ("signed", "landed", "landed_lo", "landed_hi", "landed_point"):
        assert str(frame[c].dtype) == "Int64", c
    stated = {r["source_id"]: r["landed"] for r in _csv("landing") if r["source_id"] in frame.index}
    for source, landed in stated.items():
        got = frame.loc[source, "landed"]
        assert got is pd.NA if not landed else got == int(landed)
    assert any(not v for v in stated.values()), "a statement without a landed count"


def test_compare_and_mix_counts_are_whole_numbers(results):
    res23 = results[2023]
    for frame in res23.compare.values():
        assert str(frame["projects"].dtype) == "Int64"
        missing = frame[frame["status"] == "not_published"]
        assert missing["projects"].isna().all()
    for by_scheme in res23.mix.values():
        for mx in by_scheme.values():
            assert str(mx.groups["projects"].dtype) == "Int64"


def test_the_declarations_say_count_and_reject_a_fraction(results):
    res22 = results[2022]
    schema = F.LandingFrame.to_schema()
    assert {c: str(schema.columns[c].dtype) for c in ("signed", "landed")} == {"signed": "Int64", "landed": "Int64"}
    half = res22.landing.assign(signed=res22.landing["signed"].astype(float) + 0.5)
    assert not F._surely_passes(F.LandingFrame, half)
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        F.validate([(F.LandingFrame, half)])


# --------------------------------------------------------------------------------------------- dates


def test_landing_vintage_is_a_date_and_reads_as_one(results):
    res22 = results[2022]
    frame = res22.landing
    assert pd.api.types.is_datetime64_dtype(frame["vintage"])
    for r in frame.itertuples():
        want = DATES[r.source_id]
        assert (pd.isna(r.vintage) and want is None) or r.vintage.date() == want, (r.source_id, r.vintage)
    text = frame[["cohort", "vintage"]].to_string()
    assert "(" not in text  # no tuple
    full = [d for s, d in DATES.items() if d is not None and s in set(frame["source_id"])]
    assert full and all(d.isoformat() in text for d in full)


def test_a_partly_known_date_is_missing_as_a_date_and_kept_as_far_as_known(results):
    """北京日报客户端 2022 states the day but not the month: no date is invented, the year is kept in as_of."""
    res22 = results[2022]
    assert PARTIAL, "the data has a source with a partly known date"
    frame = res22.landing.set_index("source_id")
    for source in PARTIAL:
        if source in frame.index:
            year = next(r["date_year"] for r in _csv("sources") if r["source_id"] == source)
            assert pd.isna(frame.loc[source, "vintage"]) and frame.loc[source, "as_of"] == year


def test_sources_have_their_date_as_a_date(results):
    res23 = results[2023]
    s = res23.sources.set_index("source_id")
    assert pd.api.types.is_datetime64_dtype(s["date"])
    for source, d in s["date"].items():
        assert (pd.isna(d) and DATES[source] is None) or d.date() == DATES[source]


def test_since_then_frames_are_typed_too(results):
    st = results[2021].since_then
    assert str(st.landing["signed"].dtype) == "Int64" and pd.api.types.is_datetime64_dtype(st.landing["vintage"])
    assert pd.api.types.is_datetime64_dtype(st.sources["date"])


def test_the_internals_keep_an_ordering_date(results):
    """The claims and the projection order statements by date, partly known ones too: the tuple stays there."""
    lr = M.landing_rates(results[2023].dataset)
    assert all(isinstance(v, tuple) and len(v) == 3 for v in lr["vintage"])
    assert list(lr["vintage"]) == sorted(lr["vintage"])


def test_as_date():
    assert M.as_date((2021, 5, 14)) == pd.Timestamp("2021-05-14")
    assert pd.isna(M.as_date((2022, 0, 15))) and pd.isna(M.as_date(None))
