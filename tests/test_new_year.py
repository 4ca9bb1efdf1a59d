"""A new year's release goes in without code changes (SYNTHETIC fixtures in tests/fixtures)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import claims as C
from analysis import metrics as M
from analysis import report as R
from analysis.cli import main
from analysis.data import load
from analysis.output import metrics_dict
from analysis.projection import project

from .conftest import apply_fixture, find_line, problems_of, read_rows, set_cell
from .test_metrics import CATEGORY_2022, CUM_INV, CUM_PROJECTS, TOTAL_2022


def test_new_names_and_place_flow_through(data_copy, capsys):
    apply_fixture(data_copy, "new_names_2023")
    assert main(["check", "--data", str(data_copy)]) == 0
    ds = load(data_copy)
    assert ds.conference_years[-1] == 2023
    # the mix compares years on harmonised groups and keeps the published names
    cmp = M.harmonised_mix(ds, "category")
    infra = cmp[cmp["harmonised"] == "infrastructure"].set_index("period")["group_zh"].to_dict()
    assert infra == {"2022": "基础设施类", "2023": "交通类"}
    assert "tongzhou" in set(M.harmonised_mix(ds, "place")["harmonised"])
    # cumulative 约1380 is judged with the approx rule against the yearly sums
    led = C.ledger(ds).set_index("id")
    assert bool(led.at["cumulative_projects_2019-2023", "consistent"])
    assert bool(led.at["cumulative_investment_2019-2023", "consistent"])
    # overlapping cohorts keep their own rows; the 2023 cohort uses the latest cohort's rate
    lr = M.landing_rates(ds)
    assert list(lr["cohort"]) == ["2019–2021", "2019–2022"] and lr["consistent"].map(bool).all()
    exp = M.expected_landing(ds)
    assert list(exp["cohort"]) == ["2023"] and exp.iloc[0]["rate_from"] == "2019–2022"
    # metrics and the backtest pick the year up
    m = metrics_dict(ds, 2022)
    assert {(b["year"], b["metric"]) for b in m["backtest"]} >= {(2023, "projects"), (2023, "investment_100m_yuan")}
    actual = {b["metric"]: b["actual"] for b in m["backtest"] if b["year"] == 2023}
    assert actual == {"projects": 40, "investment_100m_yuan": 300}
    assert "2023" in metrics_dict(ds)["mix"]


def test_counts_only_year(data_copy):
    apply_fixture(data_copy, "counts_only_2023")
    ds = load(data_copy)
    mx = M.mix(ds, M.Period(2023, 2023), "category")
    assert mx.groups["investment_100m_yuan"].isna().all()  # missing, never 0
    assert mx.remainder_investment == 300 and len(mx.unstated_groups) == 3
    lo, hi = mx.hhi_investment
    assert lo == pytest.approx(1 / 3) and hi == pytest.approx(1.0)
    ids = set(C.ledger(ds)["id"])
    assert "breakdown_projects_2023_category" in ids and "breakdown_investment_2023_category" not in ids
    m = metrics_dict(ds)
    groups = m["mix"]["2023"]["category"]
    assert [g["investment_100m_yuan"] for g in groups] == [None, None, None]
    assert m["mix_summary"]["2023"]["category"]["remainder_investment_100m_yuan"] == 300
    assert [b["year"] for b in metrics_dict(ds, 2022)["backtest"]] == [2023, 2023]


def test_hedged_cumulative_that_agrees(data_copy):
    apply_fixture(data_copy, "hedged_agrees_2023")
    led = C.ledger(load(data_copy)).set_index("id")
    assert led.at["cumulative_projects_2019-2023", "qualifier"] == "more_than"
    assert bool(led.at["cumulative_projects_2019-2023", "consistent"])
    assert bool(led.at["cumulative_investment_2019-2023", "consistent"])
    claims = {c["id"]: c for c in metrics_dict(load(data_copy), projection=False)["claims"]}
    assert claims["cumulative_projects_2019-2023"]["computed"] == CUM_PROJECTS + 50  # 210余 = more than 210
    assert claims["cumulative_investment_2019-2023"]["consistent"] is True


def test_hedged_cumulative_that_contradicts(data_copy, capsys):
    apply_fixture(data_copy, "hedged_contradicts_2023")
    line = find_line(data_copy / "signings.csv", first_year="2019", last_year="2023")
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}: column 'projects':") and "more_than 210" in p for p in probs), probs
    assert any(p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan':") and "over 1500" in p for p in probs), probs
    assert main(["check", "--data", str(data_copy)]) == 1
    with pytest.raises(SystemExit) as exc:
        main(["metrics", "--data", str(data_copy)])
    assert "fails the data check" in str(exc.value.code)


def test_two_disagreeing_sources(data_copy):
    apply_fixture(data_copy, "two_sources_2023")
    f = data_copy / "signings.csv"
    first = find_line(f, source_id="syn2023d")
    second = find_line(f, source_id="syn2023e")
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{second}: column 'projects': disagrees with line {first}") for p in probs), probs


def test_superseding_source_resolves_the_disagreement(data_copy):
    apply_fixture(data_copy, "two_sources_2023")
    f = data_copy / "sources.csv"
    header, rows = read_rows(f)
    for r in rows:
        if r[0] == "syn2023e":
            r[header.index("supersedes")] = "syn2023d"
    from .conftest import write_rows

    write_rows(f, header, rows)
    ds = load(data_copy)
    t = M.trends(ds).set_index("period")
    assert t.at["2023", "projects"] == 42  # the superseding article wins


def test_new_year_gets_its_yearly_report(data_copy, tmp_path):
    from analysis.build import build, plan

    apply_fixture(data_copy, "new_names_2023")
    ds = load(data_copy)
    jobs = [j for j in plan(ds, data_dir=data_copy, out_dir=tmp_path, years=[2023], lang="en") if j.name == "2023"]
    build(jobs, n_jobs=1, progress=False, data_dir=data_copy)
    page = (tmp_path / "2023" / "report.html").read_text(encoding="utf-8")
    assert "Yearly report 2023" in page and "data:image/png;base64" in page
    m = json.loads((tmp_path / "2023" / "metrics.json").read_text(encoding="utf-8"))
    assert m["through_year"] == 2023 and "2023" in m["mix"]


def test_year_known_only_from_a_hedged_cumulative(data_copy):
    """210余 − 161 and 超1500 − 1080 (the earlier cumulatives, as stated) stay lower bounds: 'over'.
    The cumulative claim the 2023 figures came from is not judged against itself."""
    apply_fixture(data_copy, "cumulative_only_2023")
    ds = load(data_copy)  # the check passes
    t = M.trends(ds).set_index("period")
    assert t.at["2023", "projects"] == 210 - CUM_PROJECTS and t.at["2023", "projects_qualifier"] == "over"
    assert t.at["2023", "investment_100m_yuan"] == 1500 - CUM_INV and t.at["2023", "investment_qualifier"] == "over"
    assert t.at["2023", "investment_status"] == "derived"
    assert t.at["2023", "investment_formula"] == f"1500 (2019–2023) − {CUM_INV} (2019–2022)"
    led = C.ledger(ds).set_index("id")
    assert led.at["cumulative_investment_2019-2023", "basis"] == "by construction"
    assert bool(led.at["cumulative_investment_2019-2023", "consistent"])
    cum = metrics_dict(ds, projection=False)["cumulative"]
    assert (cum["investment_100m_yuan"], cum["investment_qualifier"], cum["investment_status"]) == (1500, "over", "reported")
    assert (cum["projects"], cum["projects_qualifier"]) == (210, "more_than")
    assert "超1,500亿元" in R.trends_md(ds, None, "zh") and f"over {1500 - CUM_INV} 亿元 intended investment" in R.trends_md(ds, None, "en")


@pytest.mark.parametrize("fixture", ["new_names_2023", "counts_only_2023", "hedged_agrees_2023", "cumulative_only_2023"])
def test_metrics_text_renders_every_release_that_passes(data_copy, capsys, fixture):
    apply_fixture(data_copy, fixture)
    assert main(["metrics", "--data", str(data_copy), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Through 2023") and "Claims" in out and "BAD" not in out
    cum = metrics_dict(load(data_copy), projection=False)["cumulative"]
    assert f"cumulative: {R.hedge(cum['projects'], cum['projects_qualifier'], 'en')} projects ({cum['projects_status']})" in out


def test_metrics_text_with_unpublished_rate_and_count(data_copy, capsys):
    """A landing row without a stated rate and a group without a count print as such, not as a crash or a 0."""
    set_cell(data_copy / "landing.csv", 2, "stated_rate_pct", "")
    set_cell(data_copy / "landing.csv", 2, "rate_qualifier", "")
    f = data_copy / "signings.csv"
    line = find_line(f, dimension="category", group_zh="营商环境类")
    set_cell(f, line, "projects", "")
    set_cell(f, line, "projects_qualifier", "")
    ds = load(data_copy)
    mx = M.mix(ds, M.Period(2022, 2022), "category")
    g = mx.groups.set_index("group_zh")
    gone = CATEGORY_2022["营商环境类"][0]  # the count blanked above
    assert mx.remainder_projects == gone and pd.isna(g.at["营商环境类", "project_share"])
    assert g.at["产业类", "project_share"] == pytest.approx(CATEGORY_2022["产业类"][0] / TOTAL_2022)  # of the total, not of the stated counts
    led = C.ledger(ds).set_index("id")
    assert led.at["breakdown_projects_2022_category", "kind"] == "breakdown_bound"
    assert bool(led.at["breakdown_projects_2022_category", "consistent"])
    assert main(["metrics", "--data", str(data_copy), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert "97/124 = 78.2%" in out and "no rate stated" in out
    assert f"the total leaves {gone} project(s) for them" in out
    assert f"未公布项目数,总数减去已公布部分余{gone}个" in R.mix_md(mx, "zh")


def test_breakdown_counts_above_the_total_are_refused(data_copy):
    f = data_copy / "signings.csv"
    set_cell(f, find_line(f, dimension="category", group_zh="营商环境类"), "projects", "")
    set_cell(f, find_line(f, dimension="category", group_zh="营商环境类"), "projects_qualifier", "")
    set_cell(f, find_line(f, dimension="category", group_zh="产业类"), "projects", "40")
    total = find_line(f, first_year="2022", last_year="2022", dimension="total")
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{total}: column 'projects':") and "no more than the total" in p for p in probs), probs
