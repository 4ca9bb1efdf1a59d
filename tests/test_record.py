"""The forecast record (issue 22, item 6): an archive kept as made, read back with its faults named, and scored.

Expected values come from first principles (closed forms for a normal, scoringrules) or from another path
through the package (the projection's own intervals and backtest), never from numbers typed here.
"""

from __future__ import annotations

import hashlib
import math
import shutil

import numpy as np
import pytest
import scoringrules as sr
from scipy.stats import norm

from analysis import compute, load
from analysis.pipeline.cli import main
from analysis.stats import record as R

from .conftest import DATA, ROOT

ARCHIVE = ROOT / "forecasts"
MADE = "2025-01-01"


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def made(ds):
    """The forecast from the data through 2023, made once for the module (a hindcast)."""
    return R.make(ds, 2023, "hindcast", made=MADE)


@pytest.fixture(scope="module")
def record(ds, tmp_path_factory):
    """The record of an archive seeded as the README says (hindcasts through 2021–2024), with today's refit."""
    folder = tmp_path_factory.mktemp("forecasts")
    for y in (2021, 2022, 2023, 2024):
        R.write(R.make(ds, y, "hindcast", made=MADE), folder)
    return R.forecast_record(ds, folder)


def _digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))}


# ------------------------------------------------------------------------------------------------ the archive


def test_the_committed_archive_reads_and_round_trips_byte_for_byte():
    files = sorted(ARCHIVE.glob("*.csv"))
    assert files, "the archive is seeded"
    for p in files:
        f = R.read(p)
        assert f.to_bytes() == p.read_bytes(), p.name
        assert p.name == f.filename


def test_a_new_forecast_round_trips_byte_for_byte(made, tmp_path):
    path = R.write(made, tmp_path)
    again = R.read(path)
    assert again.to_bytes() == path.read_bytes() == made.to_bytes()
    assert again.meta == made.meta
    assert set(again.quantiles["year"]) == {2024, 2025, 2026}
    assert set(again.quantiles["horizon"]) == {1, 2, 3}


def test_a_file_holds_what_the_forecast_was_made_with(ds, made):
    from analysis import __version__
    from analysis.stats import calibration, metrics
    from analysis.stats import projection as P

    m = made.meta
    assert (m["package_version"], m["code_digest"]) == (__version__, calibration.code_digest())
    door = metrics.vintage(ds, 2023)
    assert m["data_digest"] == R.data_digest(*P.observations(door.dataset, 2023))
    assert m["data_digest"] != R.data_digest(*P.observations(metrics.vintage(ds, 2022).dataset, 2022))
    release = next(r for r in metrics.releases(ds) if r.through == 2023)
    assert (m["through"], m["release_date"], m["made"], m["kind"]) == (
        2023,
        metrics.date_label(release.date),
        MADE,
        "hindcast",
    )
    q = made.quantiles
    assert sorted(set(q["target"])) == sorted(R.TARGETS)
    for (_, _), g in q.groupby(["target", "year"]):
        assert tuple(g["quantile"]) == R.LEVELS
    assert {0.01, 0.025, 0.1, 0.5, 0.9, 0.975, 0.99} <= set(R.LEVELS)


def test_the_stored_intervals_are_the_projections_intervals(ds, made):
    """The 0.1/0.9 and 0.025/0.975 quantiles are the 80 %/95 % intervals the projection prints (another path)."""
    table = compute(ds, 2023).projection.table
    for target in R.TARGETS:
        for y in (2024, 2025, 2026):
            v = dict(zip(R.LEVELS, made.values(target, y), strict=True))
            row = table[(table["year"] == y) & (table["metric"] == target)].iloc[0]
            nd = 0 if target == "projects" else 3
            got = [v[0.1], v[0.9], v[0.025], v[0.975], v[0.5]]
            want = [row[c] for c in ("pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi", "median")]
            assert got == pytest.approx([round(w, nd) for w in want], abs=10**-nd / 2), (target, y)


def test_writing_twice_refuses_and_the_file_is_unchanged(ds, made, tmp_path):
    path = R.write(made, tmp_path)
    before = path.read_bytes()
    other = R.make(ds, 2023, "hindcast", made="2030-12-31")  # the same forecast made another day
    with pytest.raises(FileExistsError, match="never rewritten"):
        R.write(other, tmp_path)
    assert path.read_bytes() == before


def test_the_command_refuses_to_overwrite_and_changes_no_file(tmp_path, capsys):
    args = ["forecast", "--write", "--hindcast", "--through", "2022", "2023", "--archive", str(tmp_path)]
    assert main(args) == 0
    before = _digests(tmp_path)
    assert sorted(before) == ["2022-hindcast.csv", "2023-hindcast.csv"]
    with pytest.raises(SystemExit, match="2022-hindcast.csv exists: an archived forecast is never rewritten"):
        main(["forecast", "--write", "--hindcast", "--through", "2022", "2024", "--archive", str(tmp_path)])
    assert _digests(tmp_path) == before  # nothing written for 2024 either: all or nothing


def test_no_tool_changes_the_committed_archive(ds, capsys):
    """Reading, scoring, printing and a refused write leave every archived file as it was."""
    before = _digests(ARCHIVE)
    R.forecast_record(ds, refit=False)
    assert main(["forecast", "--through", "2023", "--hindcast"]) == 0
    assert capsys.readouterr().out.startswith(",".join(R.COLUMNS))
    existing = R.read(sorted(ARCHIVE.glob("*.csv"))[0])
    args = ["forecast", "--write", "--through", str(existing.meta["through"])]
    if existing.meta["kind"] == "hindcast":
        args.append("--hindcast")
    with pytest.raises(SystemExit, match="never rewritten"):
        main(args)
    assert _digests(ARCHIVE) == before


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--through", "2022"], "is not the latest (2024): a forecast made now from its data is a hindcast"),
        (["--through", "2020", "--hindcast"], "2020 is not the last year of a release"),
    ],
)
def test_the_command_refuses_a_forecast_it_cannot_make(args, fragment, capsys):
    assert main(["forecast", *args]) == 2
    assert fragment in capsys.readouterr().err


def _corrupt(made, tmp_path, line: int, column: str, value: str):
    path = R.write(made, tmp_path)
    rows = path.read_text(encoding="utf-8").split("\n")
    cells = rows[line - 1].split(",")
    cells[R.COLUMNS.index(column)] = value
    rows[line - 1] = ",".join(cells)
    path.write_text("\n".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "line,column,value,message",
    [
        (5, "value", "x", "not a number: 'x'"),
        (7, "kind", "forecast", "differs from the first row's 'hindcast'"),
        (9, "target", "landed", "'landed' is not one of projects, investment_100m_yuan"),
        (11, "horizon", "2", "is not year − through"),
        (13, "quantile", "0.33", "the levels must be"),
        (14, "value", "0", "a quantile below the one of a lower level"),
        (3, "made", "2025-13-01", "not an ISO date"),
    ],
)
def test_a_corrupted_file_names_its_file_row_and_column(made, tmp_path, line, column, value, message):
    path = _corrupt(made, tmp_path, line, column, value)
    with pytest.raises(R.ArchiveError) as err:
        R.read(path)
    e = err.value
    assert (e.path, e.row, e.column) == (path, line, column)
    assert str(e).startswith(f"{path}:{line}: column '{column}': ") and message in str(e)


def test_a_file_with_a_bad_header_or_name_is_refused(made, tmp_path):
    path = R.write(made, tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("data_digest", "digest", 1), encoding="utf-8")
    with pytest.raises(R.ArchiveError, match=r":1: column 'data_digest': the header must be"):
        R.read(path)
    renamed = tmp_path / "2022-hindcast.csv"
    renamed.write_text(text, encoding="utf-8")
    with pytest.raises(R.ArchiveError, match="the name must be 2023-hindcast.csv"):
        R.read(renamed)


def test_a_bad_file_in_the_archive_stops_the_record_with_its_name(ds, tmp_path):
    for p in ARCHIVE.glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    bad = sorted(tmp_path.glob("*.csv"))[-1]
    bad.write_text(bad.read_text(encoding="utf-8").replace(",0.5,", ",0.55,", 1), encoding="utf-8")
    with pytest.raises(R.ArchiveError, match=bad.name):
        R.forecast_record(ds, tmp_path, refit=False)


# ------------------------------------------------------------------------------------------------ scores


@pytest.mark.parametrize("y", [-3.0, -1.0, 0.0, 0.4, 2.2, 5.0])
def test_crps_from_dense_quantiles_is_the_normals_closed_form(y):
    levels = np.arange(1, 1000) / 1000
    got = R.crps_from_quantiles(y, levels, norm.ppf(levels, 1.0, 2.0))
    assert got == pytest.approx(float(sr.crps_normal(y, 1.0, 2.0)), rel=1e-3)


@pytest.mark.parametrize("y", [-3.0, -1.0, 0.0, 0.4, 2.2, 5.0])
def test_crps_from_the_stored_levels_is_close_to_the_closed_form(y):
    """23 levels: the approximation stays within 2 % of the exact CRPS of a normal, and below it (the tails)."""
    exact = float(sr.crps_normal(y, 1.0, 2.0))
    got = R.crps_from_quantiles(y, R.LEVELS, norm.ppf(R.LEVELS, 1.0, 2.0))
    assert exact * 0.98 <= got <= exact


def test_crps_from_quantiles_of_a_sample_is_scoringrules_ensemble_crps():
    """The quantiles of a large sample at dense levels score as scoringrules scores the sample itself."""
    sample = np.random.default_rng(7).gamma(3.0, 20.0, 40_000)
    levels = np.arange(1, 2000) / 2000
    q = np.quantile(sample, levels)
    for y in (10.0, 60.0, 150.0):
        assert R.crps_from_quantiles(y, levels, q) == pytest.approx(float(sr.crps_ensemble(y, sample)), rel=5e-3)


def test_every_interval_score_of_the_record_is_gneiting_and_rafterys(record):
    """Each scored row's interval scores follow ``(hi - lo) + 2/alpha (lo - y)+ + 2/alpha (y - hi)+`` from its own
    interval and figure, and ``inside`` says whether the figure lies in the interval."""
    scored = record[record["status"] == "scored"]
    assert len(scored)
    for r in scored.itertuples():
        for name, level in (("80", 0.8), ("95", 0.95)):
            lo, hi, y, alpha = getattr(r, f"pi{name}_lo"), getattr(r, f"pi{name}_hi"), r.actual, 1 - level
            want = (hi - lo) + 2 / alpha * max(lo - y, 0) + 2 / alpha * max(y - hi, 0)
            assert getattr(r, f"interval_score{name}") == pytest.approx(want)
            assert getattr(r, f"inside{name}") == (lo <= y <= hi)


def test_the_pit_of_a_stored_quantile_is_its_level():
    q = norm.ppf(R.LEVELS, 50.0, 10.0)
    for level, v in zip(R.LEVELS, q, strict=True):
        assert R.pit_from_quantiles(float(v), R.LEVELS, q) == pytest.approx(level)
    mid = (q[10] + q[11]) / 2  # half-way between two quantiles: half-way between their levels
    assert R.pit_from_quantiles(mid, R.LEVELS, q) == pytest.approx((R.LEVELS[10] + R.LEVELS[11]) / 2)
    assert R.pit_from_quantiles(q[0] - 1, R.LEVELS, q) == pytest.approx(R.LEVELS[0] / 2)
    assert R.pit_from_quantiles(q[-1] + 1, R.LEVELS, q) == pytest.approx((1 + R.LEVELS[-1]) / 2)


def test_the_pit_of_a_count_on_an_atom_is_the_middle_of_its_levels():
    levels = (0.1, 0.25, 0.5, 0.75, 0.9)
    counts = (3.0, 4.0, 4.0, 4.0, 6.0)  # 4 holds the levels 0.25–0.75
    assert R.pit_from_quantiles(4.0, levels, counts) == pytest.approx(0.5)
    assert R.pit_from_quantiles(5.0, levels, counts) == pytest.approx((0.75 + 0.9) / 2)


# ------------------------------------------------------------------------------------------------ the record


def test_the_record_scores_every_archived_forecast_of_2022_to_2024(record):
    scored = record[record["status"] == "scored"]
    assert sorted(set(scored["year"])) == [2022, 2023, 2024]
    # each release through 2021–2023 forecasts the published years after it, by every forecaster
    for through in (2021, 2022, 2023):
        for name in R.FORECASTERS:
            g = scored[(scored["through"] == through) & (scored["forecaster"] == name)]
            years = [y for y in (2022, 2023, 2024) if through < y <= through + 3]
            assert sorted(set(g["year"])) == years, (through, name)
            assert len(g) == len(years) * len(R.TARGETS)
            for col in ("interval_score80", "interval_score95", "crps", "pit"):
                assert all(math.isfinite(v) for v in g[col]), (through, name, col)
    pending = record[record["status"] == "pending"]
    last = int(record["through"].max())
    assert set(pending["year"]) == {last + h for h in range(1, R.HORIZON + 1)}
    assert pending[["crps", "pit", "interval_score95", "actual"]].isna().all().all()
    assert record["same_data"].all()


def test_the_record_agrees_with_the_projections_backtest(ds, record):
    """Today's refit through each release: its intervals and interval scores are the backtest's (scoringrules)."""
    today = record[(record["forecaster"] == "today") & (record["status"] == "scored")]
    for through in (2021, 2022, 2023):
        bt = compute(ds, through).since_then.backtest
        for r in today[today["through"] == through].to_dict("records"):
            b = bt[(bt["year"] == r["year"]) & (bt["metric"] == r["target"])].iloc[0]
            assert r["actual"] == pytest.approx(b["actual"])
            nd = 0 if r["target"] == "projects" else 3
            for c in ("pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi"):
                assert r[c] == pytest.approx(round(b[c], nd), abs=10**-nd / 2), (through, r["year"], c)
            assert (r["inside80"], r["inside95"]) == (b["inside80"], b["inside95"])
            tol = 2 / (1 - 0.95) * 10**-nd  # the stored rounding of the bounds, times the score's largest slope
            assert r["interval_score95"] == pytest.approx(b["interval_score95"], abs=tol)


def test_the_archive_rows_match_todays_refit_when_nothing_changed(record):
    a = record[record["forecaster"] == "archived"].reset_index(drop=True)
    t = record[record["forecaster"] == "today"].reset_index(drop=True)
    cols = ["median", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi", "crps", "pit"]
    assert a[cols].equals(t[cols])


def test_a_record_through_an_earlier_release_has_later_years_pending(ds):
    res = compute(ds, 2023, projection=False)
    rec = R.forecast_record(res.dataset, ARCHIVE, refit=False)
    assert sorted(set(rec.loc[rec["status"] == "scored", "year"])) == [2022, 2023]
    assert 2024 in set(rec.loc[rec["status"] == "pending", "year"])


def test_an_empty_archive_gives_an_empty_record_and_a_page_that_says_so(ds, tmp_path):
    from analysis import prose

    rec = R.forecast_record(ds, tmp_path)
    assert rec.empty and list(rec.columns) == R.RECORD_COLUMNS
    res = compute(ds, projection=False)
    assert prose.render("record", res, "en", record=rec).strip() == "- The archive holds no forecast yet."


def test_the_facts_count_what_the_rows_show(record):
    f = R.facts(record)
    a = record[(record["forecaster"] == "archived") & (record["status"] == "scored")]
    expected = sum(len([y for y in (2022, 2023, 2024) if t < y <= t + 3]) for t in (2021, 2022, 2023))
    assert f["n"] == len(a) == expected * len(R.TARGETS)
    assert f["inside95"] == sum(
        bool(lo <= y <= hi) for lo, y, hi in zip(a["pi95_lo"], a["actual"], a["pi95_hi"], strict=True)
    )
    assert f["above"] + f["below"] <= f["n"]
    assert f["n_hindcasts"] == f["n_forecasts"] == record.loc[record["forecaster"] == "archived", "through"].nunique()
    assert f["today_same"] is True
