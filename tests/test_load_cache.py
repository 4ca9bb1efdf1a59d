"""The vintages of a dataset are resolved once: ``as_known_at`` of a date already asked for hands out copies that
cannot change the next answer, and every answer is the dataset a first call gives."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import load
from analysis.data import dataset

from .conftest import DATA


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def _frames(v) -> dict:
    return {("tables", k): f for k, f in v.tables.items()} | {("rows", k): f for k, f in v.rows.items()}


def _assert_same(a, b) -> None:
    assert a.as_of == b.as_of and a.data_dir == b.data_dir
    assert list(a.tables) == list(b.tables) and list(a.rows) == list(b.rows)
    for key, frame in _frames(a).items():
        pd.testing.assert_frame_equal(frame, _frames(b)[key], check_exact=True)
        assert frame.index.name == _frames(b)[key].index.name


def test_each_date_is_resolved_once(monkeypatch):
    """A second call with the same date does not resolve the sources again; another date does."""
    calls = []
    original = dataset.resolve_sources
    monkeypatch.setattr(dataset, "resolve_sources", lambda rows: calls.append(1) or original(rows))
    ds, other = load(DATA), load(DATA)
    calls.clear()  # a load resolves the whole dataset's sources once
    dates = sorted(set(ds.source_dates.values()))
    first = ds.as_known_at(dates[0])
    again = ds.as_known_at(list(dates[0]))
    assert len(calls) == 1 and again is not first
    _assert_same(first, again)
    ds.as_known_at(dates[-1])
    assert len(calls) == 2
    other.as_known_at(dates[0])  # another dataset resolves its own
    assert len(calls) == 3


def test_every_call_gives_what_a_first_call_gives(ds):
    """At every source date (and before the first, after the last, with an unknown day): the answer of a
    repeated call is the answer of a fresh dataset's first call, a table that is its rows stays one frame."""
    dates = sorted(set(ds.source_dates.values()))
    asked = [*dates, (dates[0][0] - 1, 1, 1), (dates[-1][0] + 1, 12, 31), (dates[-1][0], dates[-1][1], 0)]
    for date in asked:
        ds.as_known_at(date)
    for date in asked:
        again, first = ds.as_known_at(date), load(DATA).as_known_at(date)
        _assert_same(again, first)
        assert again.cache == {}
        shared = {k for k in first.tables if first.tables[k] is first.rows.get(k)}
        assert {k for k in again.tables if again.tables[k] is again.rows.get(k)} == shared


def test_editing_a_vintage_never_changes_the_next_answer(ds):
    """A caller that edits what ``as_known_at`` returned (cells in place, a column, a table, the cache) does not
    change what the next call returns: pandas copies on write."""
    date = max(ds.source_dates.values())
    expected = load(DATA).as_known_at(date)
    v = ds.as_known_at(date)
    sig = v["signings"]
    sig.loc[sig.index[0], "projects"] = 999
    v.rows["signings"].loc[v.rows["signings"].index[0], "investment_100m_yuan"] = -1.0
    v["sources"]["publisher_en"] = "edited"
    v.rows["sources"].index.name = "edited"
    v.tables["conferences"] = v.tables["conferences"].iloc[:0]
    v.cache["edited"] = True
    _assert_same(ds.as_known_at(date), expected)
    assert ds.as_known_at(date).cache == {}
