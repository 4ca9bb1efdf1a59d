"""An older article, found later, that splits a published aggregate (SYNTHETIC ``older_split_2019``).

The fixture's article is dated 2019-03-01, before the 2021 article that published 2019–2020 as one
total, and states 2019 alone: 40 projects, 约200 亿元 (synthetic figures). With rows in data/ only,
2019 becomes its own period, 2020 is derived by subtraction with the hedge its interval implies, the
first release moves to the older article's date, and a report as of that release exists, with a
projection from one data point that is honestly wide.
"""

from __future__ import annotations

import json

import pytest

from analysis import load
from analysis.core import qualifiers as Q
from analysis.pipeline.build import plan
from analysis.pipeline.cli import main
from analysis.stats import metrics as M
from analysis.stats.results import compute

from .conftest import apply_fixture, problems_of
from .test_metrics import INV19_20, P19_20

#: the fixture's own (synthetic) figures for 2019
P19, INV19 = 40, 200.0
SPLIT_DATE = (2019, 3, 1)


@pytest.fixture(scope="module")
def split_dir(tmp_path_factory):
    import shutil

    from .conftest import DATA

    dst = tmp_path_factory.mktemp("split") / "data"
    shutil.copytree(DATA, dst)
    return apply_fixture(dst, "older_split_2019")


@pytest.fixture(scope="module")
def ds(split_dir):
    return load(split_dir)


def test_check_accepts_the_split(split_dir):
    assert problems_of(split_dir) == []


def test_the_year_becomes_its_own_period_and_the_other_is_derived(ds):
    t = M.trends(ds).set_index("period")
    assert list(t.index[:3]) == ["2019", "2020", "2021"]
    assert "2019–2020" not in t.index
    assert (t.at["2019", "projects"], t.at["2019", "projects_status"]) == (P19, "reported")
    # 2020 = the two-year total less 2019: exact for counts
    assert (t.at["2020", "projects"], t.at["2020", "projects_status"]) == (P19_20 - P19, "derived")
    # the amount: 552 − 约200, i.e. between 552 − 210 and 552 − 190 by interval arithmetic (the algebra takes
    # a figure at the precision written)
    inv = M.period_values(ds)[M.Period(2020, 2020)]["investment_100m_yuan"]
    assert inv.status == "derived" and inv.value == pytest.approx(INV19_20 - INV19)
    expected = Q.Interval.point(INV19_20) - Q.interval(INV19, "approx")
    assert (inv.interval.lo, inv.interval.hi) == pytest.approx((expected.lo, expected.hi))
    assert inv.qualifier != "exact"
    assert Q.interval(inv.value, inv.qualifier).contains(expected.lo)
    assert Q.interval(inv.value, inv.qualifier).contains(expected.hi)


def test_the_first_release_moves_to_the_older_article(ds):
    rel = M.releases(ds)
    assert rel[0].date == SPLIT_DATE and rel[0].periods == (M.Period(2019, 2019),) and rel[0].through == 2019
    # 2020 became known only with the 2021 article, together with 2021: one release, one report
    second = rel[1]
    assert second.periods == (M.Period(2020, 2020), M.Period(2021, 2021)) and second.key == "2021"
    assert M.release_through(ds, 2020) == 2021


def test_a_report_as_of_the_older_release_forecasts_honestly_wide(ds):
    res = compute(ds, 2019)
    assert res.vintage == SPLIT_DATE and list(res.periods["period"]) == ["2019"]
    tab = res.projection.table.set_index(["year", "metric"])
    first = tab.loc[(2020, "projects")]
    # one data point: the 80 % interval is wider, relative to its median, than the one made from the
    # five periods known in 2023 for 2024
    late = compute(ds, 2023).projection.table.set_index(["year", "metric"]).loc[(2024, "projects")]
    rel = lambda r: (r["pi80_hi"] - r["pi80_lo"]) / r["median"]  # noqa: E731
    assert rel(first) > rel(late)
    # and never a year its own release states
    assert int(res.projection.table["year"].min()) == 2020


def test_metrics_and_the_build_plan_say_so(split_dir, ds, capsys, tmp_path):
    assert main(["metrics", "--data", str(split_dir), "--through", "2019", "--format", "json", "--no-projection"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["through_year"] == 2019 and m["vintage"]["as_of"] == "2019-03-01" and m["vintage"]["n_sources"] == 1
    assert [p["first_year"] for p in m["periods"]] == [2019]
    names = [j.name for j in plan(ds, data_dir=split_dir, out_dir=tmp_path / "out", lang="zh") if j.through]
    assert names == ["2019", "2021", "2022", "2023", "2024"]
