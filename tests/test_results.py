"""Typed results: declared frames (pandera), typed landing records, the vintage cut once at the door.

Expected values are worked out here from data/*.csv read with the csv module, not from the package.
"""

from __future__ import annotations

import csv
import dataclasses
import json

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest
from pandera.typing import Series
from statsmodels.stats.proportion import proportion_confint

from analysis import load
from analysis.core import locale
from analysis.present.output import jsonable, metrics_dict, results_dict
from analysis.stats import frames as F
from analysis.stats import metrics as M
from analysis.stats.results import compute

from .conftest import DATA


def _csv(name: str) -> list[dict]:
    """Rows of data/<name>.csv with their file line numbers (the header is line 1)."""
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
        return [dict(r, _line=i) for i, r in enumerate(csv.DictReader(fh), start=2)]


def _date(r: dict) -> tuple[int, int, int]:
    return tuple(int(r[c]) if r[c] else 0 for c in ("date_year", "date_month", "date_day"))


SOURCE_DATES = {r["source_id"]: _date(r) for r in _csv("sources")}


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def res22(ds):
    return compute(ds, 2022, projection=False)


# --------------------------------------------------------------------------------------------- the door


def test_through_is_checked_once_at_the_door(monkeypatch):
    """compute checks ``through`` once (metrics.vintage); nothing below it checks again."""
    calls = []
    real = M._check_through
    monkeypatch.setattr(M, "_check_through", lambda ds, through: calls.append(through) or real(ds, through))
    compute(load(DATA), 2022)  # a fresh dataset: nothing cached
    assert calls == [2022]


@pytest.mark.parametrize("year, fragment", [(2018, "before the first conference"), (2099, "after the last conference")])
def test_the_door_refuses_a_year_outside_the_data(ds, year, fragment):
    with pytest.raises(ValueError, match=fragment):
        M.vintage(ds, year)
    with pytest.raises(ValueError, match=fragment):
        compute(ds, year, projection=False)


def test_below_the_door_only_the_vintage_is_seen(res22):
    """A later source's facts are absent from everything computed on the vintage, and appear since then."""
    release = max(SOURCE_DATES[r["source_id"]] for r in _csv("signings") if r["last_year"] == "2022")
    later = {s for s, d in SOURCE_DATES.items() if d > release}
    assert later, "the data has sources after the 2022 release"
    assert res22.vintage == release and res22.dataset.as_of == release
    assert set(res22.sources["source_id"]) == set(SOURCE_DATES) - later
    for name, frame in res22.dataset.rows.items():
        if "source_id" in frame:
            assert not set(frame["source_id"]) & later, name
    assert all(s.source_id not in later for s in res22.landing_statements)
    later_landing = [r for r in _csv("landing") if r["source_id"] in later and int(r["last_year"]) <= 2022]
    assert [s.line for s in res22.since_then.landing_statements] == [r["_line"] for r in later_landing]


def test_a_release_is_cut_once_per_dataset(ds):
    assert M.vintage(ds, 2020) is M.vintage(ds, 2020)
    assert M.known_at_release(ds, 2020) is M.vintage(ds, 2020).dataset
    assert M.release_through(ds, 2020) == M.vintage(ds, 2020).through == 2021


# --------------------------------------------------------------------------------------------- typed records


def _signed_by_hand(first: str, last: str, vintage) -> tuple[int, str]:
    """The cohort's signed count from signings.csv as known at ``vintage``: its exact total, else the sum of
    the exact single totals inside it."""
    totals = [r for r in _csv("signings") if r["dimension"] == "total" and SOURCE_DATES[r["source_id"]] <= vintage]
    own = [
        r for r in totals if (r["first_year"], r["last_year"]) == (first, last) and r["projects_qualifier"] == "exact"
    ]
    if own:
        return int(own[0]["projects"]), "total"
    parts = [
        r
        for r in totals
        if first <= r["first_year"] and r["last_year"] <= last and (r["first_year"], r["last_year"]) != (first, last)
    ]
    return sum(int(r["projects"]) for r in parts), "sum"


def test_landing_records_equal_the_csv_worked_by_hand(res22):
    rows = [r for r in _csv("landing") if SOURCE_DATES[r["source_id"]] <= res22.vintage]
    rows.sort(key=lambda r: (SOURCE_DATES[r["source_id"]], r["first_year"], r["last_year"]))
    assert len(res22.landing_statements) == len(rows) >= 2
    for s, r in zip(res22.landing_statements, rows, strict=True):
        assert (s.first_year, s.last_year, s.source_id, s.line) == (
            int(r["first_year"]),
            int(r["last_year"]),
            r["source_id"],
            r["_line"],
        )
        assert s.vintage == SOURCE_DATES[r["source_id"]]
        if r["signed"]:
            assert (s.signed, s.signed_status, s.signed_from) == (int(r["signed"]), "reported", None)
        else:
            signed, source = _signed_by_hand(r["first_year"], r["last_year"], res22.vintage)
            assert (s.signed, s.signed_status, s.signed_from) == (signed, "derived", source)
        pct = float(r["stated_rate_pct"]) if r["stated_rate_pct"] else None
        assert s.stated_rate_pct == pct and s.stated_rate == (None if pct is None else pct / 100)
        assert s.stated_qualifier == (r["rate_qualifier"] or None)
        if r["landed"]:
            landed = int(r["landed"])
            assert (s.landed, s.landed_lo, s.landed_hi, s.landed_point) == (landed,) * 4
            assert s.rate == landed / s.signed
            lo, hi = proportion_confint(landed, s.signed, alpha=0.05, method="wilson")
            assert s.ci95_lo == pytest.approx(lo) and s.ci95_hi == pytest.approx(hi)
        elif r["rate_qualifier"] == "over":  # above the rate, at most all of them
            lo = int(s.signed * pct / 100) + 1
            assert (s.landed, s.landed_lo, s.landed_hi, s.rate) == (None, lo, s.signed, None)


def test_the_landing_frame_is_the_records(res22):
    """``res.landing`` holds, row by row, the fields of the typed records the renderers read."""
    fields = [f.name for f in dataclasses.fields(M.LandingStatement) if f.name != "signed_from"]
    assert list(res22.landing.columns) == fields
    assert len(res22.landing) == len(res22.landing_statements) >= 2
    for (_, row), s in zip(res22.landing.iterrows(), res22.landing_statements, strict=True):
        for name in fields:
            want, got = getattr(s, name), row[name]
            if name == "vintage":  # the record's (year, month, day) as a date: NaT when a part is not stated
                want = pd.Timestamp(*want) if all(want) else None
            assert (want is None and pd.isna(got)) if want is None else got == want, (s.cohort, name, got, want)


def test_the_json_landing_rows_are_read_off_the_records(res22):
    out = jsonable(results_dict(res22))
    assert [(r["source_id"], r["signed"], r["landed"], r["stated_rate"]) for r in out["landing"]] == [
        (s.source_id, s.signed, s.landed, s.stated_rate) for s in res22.landing_statements
    ]
    assert json.dumps(out, ensure_ascii=False) == json.dumps(
        metrics_dict(load(DATA), 2022, projection=False), ensure_ascii=False
    )


def test_records_are_read_only(res22):
    with pytest.raises(dataclasses.FrozenInstanceError):
        res22.landing_statements[0].signed = 0


# --------------------------------------------------------------------------------------------- declared frames


@pytest.fixture(scope="module")
def res23(ds):
    return compute(ds, 2023)


def test_every_result_frame_has_a_model_and_passes(res23):
    pairs = F.result_frames(res23)
    models = {m for m, _ in pairs}
    assert {
        F.PeriodsFrame,
        F.LandingFrame,
        F.CompareFrame,
        F.MixGroupsFrame,
        F.ClaimsFrame,
        F.ProjectionFrame,
    } <= models
    for model, frame in pairs:  # pandera itself, not only the fast path
        if len(frame.columns):
            model.validate(frame)
    F.validate(pairs)


def _mutations(res):
    p = res.periods
    return {
        "missing column": (F.PeriodsFrame, p.drop(columns="investment_100m_yuan")),
        "mistyped column": (F.PeriodsFrame, p.assign(projects_per_year=["many"] * len(p))),
        "undeclared column": (F.PeriodsFrame, p.assign(extra=1)),
        "missing where required": (F.LandingFrame, res.landing.assign(line=None)),
        "mistyped landing": (F.LandingFrame, res.landing.assign(rate="high")),
        "compare without status": (F.CompareFrame, next(iter(res.compare.values())).drop(columns="status")),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing column",
        "mistyped column",
        "undeclared column",
        "missing where required",
        "mistyped landing",
        "compare without status",
    ],
)
def test_a_mutated_real_result_is_rejected(res23, case):
    model, frame = _mutations(res23)[case]
    assert not F._surely_passes(model, frame)  # the fast path never waves a broken frame through
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        F.validate([(model, frame)])


def test_compute_rejects_a_frame_that_breaks_its_declaration(monkeypatch):
    real = M.trends
    monkeypatch.setattr(M, "trends", lambda ds, through=None: real(ds, through).drop(columns="n_years"))
    with pytest.raises(pandera.errors.SchemaError, match="n_years"):
        compute(load(DATA), 2022, projection=False)


@pytest.mark.parametrize(
    "values, sure",
    [
        ([1.0, None], True),
        ([None, None], True),
        ([1, 2], True),
        (["1", 2], False),
        ([True, 1.0], False),
        ([pd.NA, 1.0], False),
    ],
)
def test_the_fast_path_is_sure_only_of_plain_numbers(values, sure):
    """An object column declared as a float passes without pandera only when it holds plain numbers."""

    class Amounts(F._Model):
        amount: Series[float] = pa.Field(nullable=True)

    frame = pd.DataFrame({"amount": pd.Series(values, dtype=object)})
    assert F._surely_passes(Amounts, frame) is sure
    if sure:
        Amounts.validate(frame)


def test_validation_leaves_the_frames_as_they_were(res23):
    before = res23.periods.dtypes.to_dict()
    F.PeriodsFrame.validate(res23.periods)
    F.validate([(F.PeriodsFrame, res23.periods)])
    assert res23.periods.dtypes.to_dict() == before


# --------------------------------------------------------------------------------------------- the column table


def test_every_declared_result_column_is_in_the_column_table():
    from analysis.core import columns

    declared = {
        c for name in F.__all__ if isinstance(getattr(F, name), type) for c in getattr(F, name).to_schema().columns
    }
    assert declared - set(columns.COLUMNS) == set()


def test_every_column_the_json_writes_is_in_the_column_table():
    from analysis.core import columns
    from analysis.present import output

    keys = [
        k[1] if isinstance(k, tuple) else k
        for keys in (output.PERIOD_KEYS, output.GROUP_KEYS, output.COMPARE_KEYS, output.TOTAL_KEYS)
        for k in keys
    ]
    assert [k for k in keys if k not in columns.COLUMNS] == []


def test_the_json_writes_counts_as_integers_and_amounts_as_numbers(res22):
    """What the column table calls a whole count is a JSON integer, in every period row."""
    from analysis.core import columns

    out = jsonable(results_dict(res22))
    for row in out["periods"]:
        for key, value in row.items():
            if key in columns.COLUMNS and columns.is_count(key) and value is not None:
                assert type(value) is int, key
    assert any(isinstance(r["investment_100m_yuan"], float) for r in out["periods"])


def test_column_words_are_the_locales(monkeypatch):
    """Titles and units are words of the locale (zh and en), never typed in the column table."""
    from analysis.core import columns, locale

    for c in columns.COLUMNS.values():
        for key in (c.title, c.unit):
            assert key is None or key in locale.WORDS, (c.name, key)


def test_tables_read_their_decimals_from_the_column_table(res22, monkeypatch):
    """Changing a column's decimals in the table changes the report table (the table is read, not copied)."""
    from analysis.core import columns
    from analysis.present import tables

    before = tables.periods(res22, "en").to_html()
    c = columns.COLUMNS["investment_100m_yuan"]
    monkeypatch.setitem(columns.COLUMNS, c.name, dataclasses.replace(c, decimals=4))
    after = tables.periods(res22, "en").to_html()
    assert before != after and "280.6600" in after and "280.66<" in before


# --------------------------------------------------------------------------------------------- templates phrase, stats decide


def test_templates_keep_no_dict_of_their_own_and_do_not_search_formulas():
    from pathlib import Path

    import analysis.present

    folder = Path(analysis.present.__file__).parent / "templates"
    for path in sorted(folder.glob("*/*.j2")):
        text = path.read_text(encoding="utf-8")
        assert "{% set names" not in text, path
        assert "in r.signed_formula" not in text, path


def test_the_calibration_verdict_is_decided_in_stats(monkeypatch):
    """prose words the verdict coverage_verdict gives; it does not work one out."""
    from analysis.present import prose
    from analysis.stats import results

    monkeypatch.setattr(prose, "coverage_verdict", lambda lo, hi, se, level: "narrow")
    ctx = prose.ctx_calibration(compute(load(DATA), 2023, projection=False), locale.of("en"))
    assert {v for p in [ctx["own"], *ctx["others"]] for v in p["verdict"].values()} == {"narrow"}
    assert results.coverage_verdict(0.5, 0.6, 0.01, 0.8) == "narrow"
    assert results.coverage_verdict(0.9, 0.95, 0.01, 0.8) == "wide"


def test_backtest_names_its_metrics_with_locale_words():
    from analysis.present import prose

    res = compute(load(DATA), 2022)
    rows = prose.ctx_backtest(res, locale.of("zh"))["rows"]
    assert rows and all(r["metric_name"] == locale.word(f"metric_{r['metric']}", "zh") for r in rows)
