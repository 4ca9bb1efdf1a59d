"""What is computed once per process: a release's results (keyed on the dataset's content), the cuts of a
dataset at a date, the claims ledger, the calibration study's digest, stored tables and summary.

Each test counts the work a second call does (the function that does it is wrapped), and checks that what a
cache hands out is equal to what a fresh computation gives and independent of what other callers did with it.
"""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from analysis import load, posterior
from analysis.data.dataset import Dataset
from analysis.stats import calibration, claims, metrics, results
from analysis.stats.results import compute

from .conftest import DATA, find_line, read_rows, set_cell


def _counted(monkeypatch, owner, name: str) -> list:
    """Wrap ``owner.name`` so that each call is recorded; the list of calls' arguments."""
    calls = []
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def _frames(res) -> dict[str, pd.DataFrame]:
    out = {"periods": res.periods, "landing": res.landing, "claims": res.claims, "sources": res.sources}
    if res.projection is not None:
        out |= {"projection": res.projection.table, "thresholds": res.projection.thresholds}
    if res.since_then is not None:
        out |= {"since_claims": res.since_then.claims, "backtest": res.since_then.backtest}
    return out


# ------------------------------------------------------------------------------------------- compute's memo


def test_a_second_compute_of_equal_data_is_not_computed_again_and_equals_a_fresh_one(monkeypatch):
    fresh = results._compute(load(DATA), 2023, projection=True, horizon=3, seed=None, scenario=None)
    calls = _counted(monkeypatch, results, "_compute")
    first = compute(load(DATA), 2023)
    again = compute(load(DATA), 2023)  # another dataset object, the same files
    assert len(calls) == 1
    for got in (first, again):
        assert (got.through, got.vintage, got.period, got.cumulative) == (
            fresh.through,
            fresh.vintage,
            fresh.period,
            fresh.cumulative,
        )
        for name, frame in _frames(fresh).items():
            pd.testing.assert_frame_equal(_frames(got)[name], frame, obj=name)
        view, fresh_view = posterior(got), posterior(fresh)  # the copy keeps the model's priors (by identity)
        for name in ("weights", "diagnostics", "parameters"):
            pd.testing.assert_frame_equal(getattr(view, name), getattr(fresh_view, name), obj=name)
    compute(load(DATA), 2023, projection=False)  # other arguments: computed
    assert len(calls) == 2


def test_the_default_year_and_seed_are_the_same_call_and_a_wrong_year_is_still_refused(monkeypatch):
    ds = load(DATA)
    last = ds.conference_years[-1]
    calls = _counted(monkeypatch, results, "_compute")
    compute(ds, projection=False)
    compute(ds, last, projection=False, seed=1, horizon=2)  # no projection: its arguments do not act
    assert len(calls) == 1
    for wrong in (float(last), str(last), True):
        with pytest.raises(TypeError, match="through must be an int year"):
            compute(ds, wrong, projection=False)


def test_what_one_caller_does_to_its_results_does_not_reach_the_next():
    res = compute(load(DATA), 2023)  # a release with a projection and later sources
    before = {name: frame.copy() for name, frame in _frames(res).items()}
    cumulative, caveats = dict(res.cumulative), list(res.caveats)
    samples = res.projection.samples["projects"].copy()
    # a careless caller edits everything it was given
    res.periods.loc[:, "projects"] = 0
    del res.claims["stated"]
    res.projection.table.loc[:, "mean"] = -1.0
    res.projection.samples["projects"][:] = -1
    res.since_then.backtest.loc[:, "year"] = 0
    res.cumulative.clear()
    res.caveats.append({"kind": "edited"})
    res.mix.clear()
    again = compute(load(DATA), 2023)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(_frames(again)[name], frame, obj=name)
    assert (again.cumulative, again.caveats, bool(again.mix)) == (cumulative, caveats, True)
    assert (again.projection.samples["projects"] == samples).all()


def test_a_changed_dataset_is_computed_again(monkeypatch, data_copy):
    calls = _counted(monkeypatch, results, "_compute")
    before = compute(load(data_copy), 2021, projection=False)
    path = data_copy / "signings.csv"
    line = find_line(path, source_id="cn2021", first_year="2021", last_year="2021", dimension="total")
    header, rows = read_rows(path)
    old = rows[line - 2][header.index("investment_100m_yuan")]
    new = float(old) + 1
    evidence = rows[line - 2][header.index("evidence")]
    assert old in evidence
    set_cell(path, line, "investment_100m_yuan", f"{new:g}")
    set_cell(path, line, "evidence", evidence.replace(old, f"{new:g}"))  # the figure as its source states it
    after = compute(load(data_copy), 2021, projection=False)  # the same folder, other content
    assert len(calls) == 2
    invest = {r.period: r.investment_100m_yuan for r in after.periods.itertuples()}
    assert invest["2021"] == new != {r.period: r.investment_100m_yuan for r in before.periods.itertuples()}["2021"]
    assert results.content_key(load(data_copy)) != results.content_key(load(DATA))


def test_the_memo_keeps_at_most_its_size(monkeypatch):
    monkeypatch.setattr(results, "MEMO_SIZE", 2)
    calls = _counted(monkeypatch, results, "_compute")
    ds = load(DATA)
    years = [r.through for r in metrics.releases(ds)][:3]
    for year in years:
        compute(ds, year, projection=False)
    assert len(results._MEMO) == 2
    compute(ds, years[-1], projection=False)  # kept
    compute(ds, years[0], projection=False)  # the oldest was forgotten
    assert len(calls) == 4


# ---------------------------------------------------------------------------- the work below compute, once


def test_each_cut_of_a_dataset_is_made_once_and_shared_with_its_vintages(monkeypatch):
    calls = _counted(monkeypatch, Dataset, "as_known_at")
    ds = load(DATA)
    for r in metrics.releases(ds):
        res = compute(ds, r.through, projection=False)
        results.previous_release(res)
    dates = set(ds.source_dates.values())
    assert sorted(c[1] for c in calls) == sorted(dates)  # one cut per date, whoever asks
    last = metrics.vintage(ds, None)
    for date in {d for d in dates if d <= last.release.date}:
        assert metrics.known_at(last.dataset, date) is metrics.known_at(ds, date)


def test_the_claims_ledger_is_built_once_per_dataset(monkeypatch):
    calls = _counted(monkeypatch, claims, "_breakdown_claims")
    ds = load(DATA)
    built = len(calls)  # at load: the reconciliation check
    full = claims.ledger(ds)
    up_to = claims.ledger(ds, 2022)
    assert len(calls) == built
    assert set(up_to["id"]) == set(full.loc[full["last_year"] <= 2022, "id"])
    del full["id"]  # an edited ledger does not reach the next caller
    assert "id" in claims.ledger(ds).columns


# ------------------------------------------------------------------------------------- the calibration study


def test_the_study_digest_parses_each_module_once_per_process(monkeypatch):
    calibration.code_digest()
    parses = _counted(monkeypatch, ast, "parse")
    versions = _counted(monkeypatch, calibration.metadata, "version")
    assert calibration.code_digest() == calibration.code_digest()
    assert (parses, versions) == ([], [])


def test_the_stored_study_is_parsed_once_and_handed_out_as_copies(monkeypatch):
    first, _ = calibration.stored()
    reads = _counted(monkeypatch, pd, "read_csv")
    first.table.loc[:, "coverage"] = -1.0
    again, meta = calibration.stored()
    assert reads == []
    assert (again.table["coverage"] >= 0).all()
    assert meta["digest"] == calibration.code_digest()


@pytest.fixture(scope="module")
def res2023():
    """The 2023 release's results, computed once for the file (before any test's patch: the study's tests below
    patch and count the summary, not the results)."""
    return compute(load(DATA), 2023)


def test_a_page_summarises_the_stored_study_once(monkeypatch, res2023):
    from analysis.core.locale import Locale
    from analysis.present import prose

    res = res2023
    calls = _counted(monkeypatch, calibration, "summary")
    en = prose.ctx_calibration(res, Locale("en"))
    zh = prose.ctx_calibration(res, Locale("zh"))
    assert len(calls) == 1
    fresh = calibration.summary(calibration.stored()[0])
    assert en["n"] == zh["n"] == fresh["n_histories"]
    assert [p["key"] for p in en["under"]] == [k for k, e in fresh["processes"].items() if e["under"]]


@pytest.mark.parametrize("edit", ["table", "pit"])
def test_an_edited_study_is_summarised_again(monkeypatch, edit, res2023):
    from analysis.core.locale import Locale
    from analysis.present import prose

    res = res2023
    study, meta = calibration.stored()
    prose.ctx_calibration(res, Locale("en"), study, meta)
    calls = _counted(monkeypatch, calibration, "summary")
    frame = getattr(study, edit)
    frame.loc[frame.index[0], frame.select_dtypes("number").columns[0]] += 1
    prose.ctx_calibration(res, Locale("en"), study, meta)
    assert len(calls) == 1
