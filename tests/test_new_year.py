"""A new year's release goes in without code changes (SYNTHETIC 2025 fixtures in tests/fixtures).

The numbers typed here are the fixtures' own (synthetic) figures and the real articles' figures of
tests/test_metrics.py; every expectation is worked out by hand from them.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis import load
from analysis.pipeline.cli import main
from analysis.present import facts
from analysis.present.output import metrics_dict
from analysis.stats import claims as C
from analysis.stats import metrics as M

from .conftest import DATA, apply_fixture, find_line, problems_of, set_cell
from .test_metrics import (
    CATEGORY_2022,
    INV19_20,
    INV21,
    INV23,
    INV24,
    INV_2022,
    INVESTMENT_TO_2024,
    LANDED_19_22,
    P24,
    PLACE_2024,
    PROJECTS_TO_2024,
    TOTAL_2022,
)

# the real yearly figures before the synthetic 2025 releases: PROJECTS_TO_2024 (291) and INVESTMENT_TO_2024
# (1837.49, of which three parts are 约)


def test_new_names_many_to_one_and_a_new_place(data_copy):
    apply_fixture(data_copy, "new_names_2025")
    assert problems_of(data_copy) == []
    ds = load(data_copy)
    assert ds.conference_years[-1] == 2025
    # 交通项目 (140) and 市政项目 (30) both map to infrastructure: the comparison adds them
    cmp = M.compare_mix(ds, "category").set_index(["period", "harmonised"])
    row = cmp.loc[("2025", "infrastructure")]
    assert (row["projects"], row["investment_100m_yuan"], row["names_zh"]) == (4 + 4, 140 + 30, "交通项目、市政项目")
    assert row["status"] == "published"
    # a group absent from a complete breakdown had no projects; a new place is compared too
    assert cmp.at[("2025", "business_environment"), "status"] == "none"
    assert cmp.at[("2022", "modern_services"), "projects"] == 0
    assert cmp.at[("2021", "infrastructure"), "status"] == "not_published"
    places = M.compare_mix(ds, "place").set_index(["period", "harmonised"])
    assert places.at[("2025", "wuqing"), "projects"] == 4 and places.at[("2022", "wuqing"), "status"] == "none"
    # 2024's place list is complete (its counts add up to the total), so Wuqing had none then; Tongzhou,
    # listed in 2024, is absent from 2025's complete list
    assert sum(PLACE_2024.values()) == P24 and places.at[("2024", "wuqing"), "status"] == "none"
    assert places.at[("2024", "tongzhou"), "projects"] == PLACE_2024["通州区"]
    assert places.at[("2025", "tongzhou"), "status"] == "none"
    # the cumulative 约2160 is judged as an interval against 1837.49 + 320
    led = C.ledger(ds).set_index("id")
    assert led.at["cumulative_projects_2019-2025", "computed"] == PROJECTS_TO_2024 + 44
    assert bool(led.at["cumulative_investment_2019-2025", "consistent"])
    # landing of 2019–2024 in 2025 (250) against 137 of 2019–2022 in 2023: at most 113 of 2023–2024's 130
    assert led.at["landing_vintage_upper_2023-2024_2025-10-10", "computed"] == 250 - LANDED_19_22
    assert facts.formula(led.at["landing_vintage_upper_2023-2024_2025-10-10", "formula"]) == f"250 − {LANDED_19_22}"


def test_new_scheme_needs_only_taxonomy_rows(data_copy):
    """A release classified by investor (投资主体), a scheme no real release uses: no code, no other table."""
    apply_fixture(data_copy, "new_scheme_2025")
    assert problems_of(data_copy) == []
    ds = load(data_copy)
    assert "investor" in M.dimensions(ds) and M.dimension_labels(ds)["investor"] == ("投资主体", "investor")
    mx = M.mix(ds, M.Period(2025, 2025), "investor")
    assert mx.complete and mx.total_projects == 48
    # two printed names, one group
    investor = M.compare_mix(ds, "investor").set_index(["period", "harmonised"])
    assert investor.at[("2025", "state_owned"), "projects"] == 14 + 6
    assert investor.at[("2023", "state_owned"), "status"] == "classified_differently"
    assert investor.at[("2024", "state_owned"), "status"] == "classified_differently"
    # in the category comparison 2025 is classified differently, never "not published"
    cat = M.compare_mix(ds, "category").set_index(["period", "harmonised"])
    assert cat.at[("2025", "industry"), "status"] == "classified_differently"
    assert cat.at[("2025", "industry"), "schemes"] == "investor" and pd.isna(cat.at[("2025", "industry"), "projects"])
    assert "investor" in metrics_dict(ds, projection=False)["mix"]["2025"]


def test_rate_only_landing_statement(data_copy):
    """近90% of 2019–2024: the signed count is derived from signings, the landed counts from the rate."""
    apply_fixture(data_copy, "rate_only_landing_2025")
    ds = load(data_copy)
    lr = M.landing_rates(ds).set_index("cohort")
    r = lr.loc["2019–2024"]
    assert (r["signed"], r["signed_status"]) == (PROJECTS_TO_2024, "derived")
    assert facts.formula(r["signed_formula"]) == "85 (2019–2020) + 39 (2021) + 37 (2022) + 50 (2023) + 80 (2024)"
    # 近90 %: 85.0–90.5 % (5 % below, half a point above) of 291 = 247.35–263.355
    allowed = [math.ceil(PROJECTS_TO_2024 * 0.85), math.floor(PROJECTS_TO_2024 * 0.905)]  # 248, 263
    assert [r["landed_lo"], r["landed_hi"]] == allowed and pd.isna(r["landed"])
    m = metrics_dict(ds, projection=False)
    row = next(x for x in m["landing"] if (x["first_year"], x["last_year"]) == (2019, 2024))
    assert row["landed"] is None and row["landed_range"] == allowed and row["signed_status"] == "derived"


def test_contradicting_landing_statements_are_refused(data_copy, capsys):
    """约四成 of 291 is at most 42 % of 291 = 122.22, so 122 landed, fewer than the 137 of 2019–2022 already
    landed in 2023."""
    apply_fixture(data_copy, "landing_contradicts_2025")
    line = find_line(data_copy / "landing.csv", source_id="syn2025h")
    assert main(["check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"landing.csv:{line}: column 'stated_rate_pct':" in err and "landed projects do not un-land" in err


def test_counts_only_year(data_copy):
    apply_fixture(data_copy, "counts_only_2025")
    ds = load(data_copy)
    mx = M.mix(ds, M.Period(2025, 2025), "category")
    assert mx.groups["investment_100m_yuan"].isna().all()  # missing, never 0
    assert mx.remainder_investment == 300 and len(mx.unstated_groups) == 3
    lo, hi = mx.hhi_investment
    assert lo == pytest.approx(1 / 3) and hi == pytest.approx(1.0)
    ids = set(C.ledger(ds)["id"])
    assert "breakdown_projects_2025_category" in ids and "breakdown_investment_2025_category" not in ids
    groups = metrics_dict(ds, projection=False)["mix"]["2025"]["category"]
    assert all(g["investment_100m_yuan"] is None and g["investment_share"] is None for g in groups)


def test_counts_only_year_draws_counts_and_an_incomplete_breakdown_still_counts_as_published(data_copy):
    """2025 lists 产业项目 without its count: the breakdown is incomplete and its first harmonised group
    (营商环境) is not listed, yet 2025 has a breakdown: the text, the chart and the notebook agree."""
    from analysis.present import charts, prose
    from analysis.stats.results import compute

    apply_fixture(data_copy, "counts_only_2025")
    res = compute(load(data_copy), projection=False)
    mx = res.mix[M.Period(2025, 2025)]["category"]
    assert mx.measure == "projects"  # no amount stated: a chart of counts, not of "not published" bars
    assert charts.mix(res, "zh", mx).axes[0].get_title("left") == "2025年各类别签约多少个项目？"
    line = find_line(data_copy / "signings.csv", group_zh="产业项目", first_year="2025")
    set_cell(data_copy / "signings.csv", line, "projects", "")
    set_cell(data_copy / "signings.csv", line, "projects_qualifier", "")
    res = compute(load(data_copy), projection=False)
    cmp = res.compare["category"].set_index(["period", "harmonised"])
    assert cmp.at[("2025", "business_environment"), "status"] == "not_published"  # the first row of 2025
    assert M.period_statuses(res.compare["category"])["2025"] == "published"
    en = prose.render("compare", res, "en")
    assert "2022, 2023 and 2025 published breakdowns" in en and "2025: no breakdown" not in en
    # places are compared too: 2022 and the real 2024 release list them; 行业领域 (2024 only) is not
    assert res.comparable_schemes() == ["category", "place"]


def test_hedged_cumulative_that_agrees(data_copy):
    apply_fixture(data_copy, "hedged_agrees_2025")
    ds = load(data_copy)
    led = C.ledger(ds).set_index("id")
    assert led.at["cumulative_projects_2019-2025", "computed"] == PROJECTS_TO_2024 + 50  # 341: 340余
    assert led.at["cumulative_investment_2019-2025", "computed"] == pytest.approx(INVESTMENT_TO_2024 + 450)  # 超2200
    assert led["consistent"].map(bool).all()


def test_hedged_cumulative_that_contradicts(data_copy, capsys):
    apply_fixture(data_copy, "hedged_contradicts_2025")
    line = find_line(data_copy / "signings.csv", first_year="2019", last_year="2025")
    assert main(["check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"signings.csv:{line}: column 'projects':" in err and f"data give {PROJECTS_TO_2024 + 30}" in err
    assert f"signings.csv:{line}: column 'investment_100m_yuan':" in err


def test_two_disagreeing_sources(data_copy):
    apply_fixture(data_copy, "two_sources_2025")
    probs = problems_of(data_copy)
    first = find_line(data_copy / "signings.csv", source_id="syn2025d")
    second = find_line(data_copy / "signings.csv", source_id="syn2025e")
    assert any(p.startswith(f"signings.csv:{second}: column 'projects': disagrees with line {first}") for p in probs), (
        probs
    )


def test_superseding_source_resolves_the_disagreement(data_copy):
    apply_fixture(data_copy, "two_sources_2025")
    set_cell(
        data_copy / "sources.csv", find_line(data_copy / "sources.csv", source_id="syn2025e"), "supersedes", "syn2025d"
    )
    ds = load(data_copy)
    t = M.trends(ds).set_index("period")
    assert t.at["2025", "projects"] == 42  # the superseding article wins


def test_year_known_only_from_a_hedged_cumulative(data_copy):
    """340余 − 291 (the sum of the exact yearly counts): 340 < c < 350 less 291 is 50 to 58 projects, a range no
    hedge word describes (not 'over 49', which drops the upper end). 超2200 less the most the hedged yearly amounts
    can be is a lower bound. The cumulative claim is not judged against itself."""
    apply_fixture(data_copy, "cumulative_only_2025")
    ds = load(data_copy)  # the check passes
    t = M.trends(ds).set_index("period")
    lo, hi = 340 + 1 - PROJECTS_TO_2024, 350 - 1 - PROJECTS_TO_2024
    assert t.at["2025", "projects_qualifier"] == "range" and t.at["2025", "projects_range"] == (lo, hi)
    assert t.at["2025", "projects"] == (lo + hi) / 2  # drawn at the middle of its range, never outside it
    assert pd.isna(t.at["2025", "investment_per_project_100m_yuan"])  # no point to divide
    # the hedge algebra takes figures at the precision written: 552 and 331.02 are themselves, 约 parts up to +5 %
    most = INV19_20 + 1.05 * (INV21 + INV_2022 + INV23) + INV24
    assert t.at["2025", "investment_100m_yuan"] == pytest.approx(2200 - most, abs=1e-6)
    assert t.at["2025", "investment_qualifier"] == "over" and t.at["2025", "investment_status"] == "derived"
    led = C.ledger(ds).set_index("id")
    assert led.at["cumulative_investment_2019-2025", "basis"] == "by construction"
    assert bool(led.at["cumulative_investment_2019-2025", "consistent"])
    cum = metrics_dict(ds, projection=False)["cumulative"]
    assert (cum["investment_100m_yuan"], cum["investment_qualifier"], cum["investment_status"]) == (
        2200,
        "over",
        "reported",
    )
    assert (cum["projects"], cum["projects_qualifier"]) == (340, "more_than")


@pytest.mark.parametrize(
    "fixture",
    [
        "new_names_2025",
        "counts_only_2025",
        "hedged_agrees_2025",
        "cumulative_only_2025",
        "rate_only_landing_2025",
        "new_scheme_2025",
    ],
)
def test_metrics_text_renders_every_release_that_passes(data_copy, capsys, fixture):
    apply_fixture(data_copy, fixture)
    assert main(["metrics", "--data", str(data_copy), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Through 2025") and "Claims" in out and "BAD" not in out


def test_metrics_text_with_unpublished_rate_and_count(data_copy, capsys):
    """A landing row without a stated rate and a group without a count print as such, not as a crash or a 0."""
    set_cell(data_copy / "landing.csv", 3, "stated_rate_pct", "")
    set_cell(data_copy / "landing.csv", 3, "rate_qualifier", "")
    f = data_copy / "signings.csv"
    line = find_line(f, dimension="category", group_zh="营商环境类")
    set_cell(f, line, "projects", "")
    set_cell(f, line, "projects_qualifier", "")
    ds = load(data_copy)
    mx = M.mix(ds, M.Period(2022, 2022), "category")
    g = mx.groups.set_index("group_zh")
    gone = CATEGORY_2022["营商环境类"][0]  # the count blanked above
    assert mx.remainder_projects == gone and pd.isna(g.at["营商环境类", "project_share"]) and not mx.complete
    assert g.at["产业类", "project_share"] == pytest.approx(CATEGORY_2022["产业类"][0] / TOTAL_2022)  # of the total
    led = C.ledger(ds).set_index("id")
    assert led.at["breakdown_projects_2022_category", "kind"] == "breakdown_bound"
    assert bool(led.at["breakdown_projects_2022_category", "consistent"])
    # an incomplete breakdown: an absent group is not published, not none
    cmp = M.compare_mix(ds, "category").set_index(["period", "harmonised"])
    assert cmp.at[("2022", "modern_services"), "status"] == "not_published"
    assert main(["metrics", "--data", str(data_copy), "--no-projection"]) == 0
    out = capsys.readouterr().out
    assert "97/124 = 78.2%" in out and "no rate stated" in out
    assert f"the total leaves {gone} project(s) for them" in out


def test_breakdown_counts_above_the_total_are_refused(data_copy):
    f = data_copy / "signings.csv"
    set_cell(f, find_line(f, dimension="category", group_zh="营商环境类"), "projects", "")
    set_cell(f, find_line(f, dimension="category", group_zh="营商环境类"), "projects_qualifier", "")
    line = find_line(f, dimension="category", group_zh="产业类")
    set_cell(f, line, "projects", "40")
    set_cell(f, line, "evidence", "产业类签约项目40个,意向投资额约115.77亿元")
    total = find_line(f, first_year="2022", last_year="2022", dimension="total")
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"signings.csv:{total}: column 'projects':") and "no more than the total" in p for p in probs
    ), probs


# ----------------------------------------------------------------------------- the README's worked example


def readme_example() -> dict[str, list[str]]:
    """The rows of data/README.md's worked example, by file, exactly as written there."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Worked example.*?```csv\n(.*?)```", text, re.S).group(1)
    rows: dict[str, list[str]] = {}
    current = None
    for line in block.splitlines():
        m = re.match(r"# (\w+\.csv)", line)
        if m:
            current = m.group(1)
            rows[current] = []
        elif line.strip():
            rows[current].append(line)
    return rows


def test_readme_worked_example_passes_check_as_written(data_copy, capsys):
    rows = readme_example()
    assert set(rows) == {"sources.csv", "conferences.csv", "signings.csv", "taxonomy.csv", "landing.csv"}
    for name, lines in rows.items():
        path = data_copy / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "".join(line + "\n" for line in lines), encoding="utf-8")
    assert main(["check", "--data", str(data_copy)]) == 0, capsys.readouterr().err
    ds = load(data_copy)
    # what the README says check verifies and derives
    led = C.ledger(ds).set_index("id")
    assert facts.formula(led.at["breakdown_projects_2025_category", "formula"]) == "30 + 6 + 4"
    assert led.at["cumulative_projects_2019-2025", "computed"] == PROJECTS_TO_2024 + 40
    lr = M.landing_rates(ds).set_index("cohort").loc["2019–2024"]
    # 近90 %: 85.0–90.5 % of 291
    allowed = (math.ceil(PROJECTS_TO_2024 * 0.85), math.floor(PROJECTS_TO_2024 * 0.905))
    assert (lr["signed"], lr["landed_lo"], lr["landed_hi"]) == (PROJECTS_TO_2024, *allowed)
    assert led.loc[led["kind"] == "landing_vintage", "consistent"].all()


def test_upper_bound_hedges_in_data_and_in_derivation(data_copy, capsys):
    """SYNTHETIC upper_bound_2026: 2025 and 2026 stated together (100 projects, 900亿元, exact) and 2026 alone as
    不足60个 / 超500亿元. `check` accepts the 不足 row (its number is in its evidence); 2025 is derived: 900 − 超500
    is under 400 (not 'about 400'), 100 − 不足60 is 41 to 100 projects (no hedge word fits: a range); the JSON
    carries the intervals; the prose writes the hedges; the model gets bounds, not points."""
    apply_fixture(data_copy, "upper_bound_2026")
    assert main(["check", "--data", str(data_copy)]) == 0
    ds = load(data_copy)
    t = M.trends(ds).set_index("period")
    both, y26_projects, y26_money = 100, 60, 500  # as the fixture's evidence writes them
    assert (t.at["2026", "projects"], t.at["2026", "projects_qualifier"]) == (y26_projects, "under")
    assert (t.at["2025", "investment_100m_yuan"], t.at["2025", "investment_qualifier"]) == (900 - y26_money, "under")
    assert t.at["2025", "investment_range"] == (0, 900 - y26_money) and t.at["2025", "investment_status"] == "derived"
    assert t.at["2025", "projects_qualifier"] == "range"
    assert t.at["2025", "projects_range"] == (both - (y26_projects - 1), both)  # 不足60: at most 59
    out = metrics_dict(ds, projection=False)
    p25 = next(p for p in out["periods"] if p["first_year"] == 2025)
    assert p25["investment_range_100m_yuan"] == [0, 900 - y26_money] and p25["investment_qualifier"] == "under"
    assert p25["projects_range"] == [both - (y26_projects - 1), both] and p25["projects_qualifier"] == "range"
    # the cumulative sum: 291 exact + 41..100 + 0..59 projects; amounts: the lowest the 约 parts allow + 0 + over 500
    cum = out["cumulative"]
    assert (cum["projects_qualifier"], cum["projects_range"]) == (
        "range",
        [PROJECTS_TO_2024 + 41, PROJECTS_TO_2024 + 100 + 59],
    )
    low = INV19_20 + 0.95 * (INV21 + INV_2022 + INV23) + INV24 + y26_money
    assert cum["investment_qualifier"] == "over" and cum["investment_100m_yuan"] == pytest.approx(low)
    from analysis.present import prose
    from analysis.stats import projection as P
    from analysis.stats.results import compute

    res = compute(ds, 2026, projection=False)
    zh, en = prose.render("trends", res, "zh"), prose.render("trends", res, "en")
    assert "不足400亿元" in zh and "41～100个" in zh and "不足60个" in zh
    assert "under 400 hundred million yuan" in en and "41–100 projects" in en and "约400" not in zh
    periods, _ = P.observations(ds, 2026)
    obs = {(p.first_year, p.last_year): p for p in periods}
    assert obs[(2025, 2025)].money_bounds() == (0.0, 900 - y26_money) and obs[(2025, 2025)].investment is None
    assert obs[(2025, 2025)].count_bounds() == (both - (y26_projects - 1), both)
    assert (
        obs[(2026, 2026)].count_bounds() == (0, y26_projects - 1) and obs[(2026, 2026)].money_bounds()[0] == y26_money
    )
    assert main(["metrics", "--data", str(data_copy), "--no-projection"]) == 0
    assert "under 60 projects" in capsys.readouterr().out


def test_an_under_figure_must_be_written_in_its_evidence(data_copy):
    """The number rule holds for 不足 rows as for any other: 不足60个 with 59 recorded is caught on its row."""
    apply_fixture(data_copy, "upper_bound_2026")
    f = data_copy / "signings.csv"
    line = find_line(f, source_id="syn2026u", first_year="2026", last_year="2026")
    set_cell(f, line, "projects", "59")
    probs = problems_of(data_copy)
    assert len(probs) == 1 and probs[0].startswith(f"signings.csv:{line}: column 'projects'") and "不足60个" in probs[0]


def test_a_cumulative_too_small_for_its_years_is_one_clear_problem(data_copy):
    """SYNTHETIC cumulative_only_2025 with an exact 1200亿元 instead of 超2200: less than 2019–2024 already hold, so
    2025 would be negative. `check` names the cumulative row and column in one line, not a traceback."""
    apply_fixture(data_copy, "cumulative_only_2025")
    f = data_copy / "signings.csv"
    line = find_line(f, source_id="syn2025f", first_year="2019")
    set_cell(f, line, "investment_100m_yuan", "1200")
    set_cell(f, line, "investment_qualifier", "exact")
    set_cell(f, line, "evidence", "累计签约项目340余个,意向投资额1200亿元")
    probs = problems_of(data_copy)
    assert len(probs) == 1 and probs[0].startswith(f"signings.csv:{line}: column 'investment_100m_yuan'")
    assert "cannot be negative" in probs[0] and f"= {1200 - INVESTMENT_TO_2024:.2f}" in probs[0]


def test_the_projection_starts_from_the_value_its_hedge_belongs_to(data_copy):
    """SYNTHETIC upper_bound_2026: the cumulative start is 超 the lowest sum the parts allow (the 约 parts at
    −5 %, 2025's 不足400 at 0, 2026's 超500 at 500), not the plain sum of the points written beside 超."""
    apply_fixture(data_copy, "upper_bound_2026")
    out = metrics_dict(load(data_copy))
    cum, start = out["cumulative"], out["projection_model"]["cumulative_start"]
    low = INV19_20 + 0.95 * (INV21 + INV_2022 + INV23) + INV24 + 0 + 500
    assert start["investment_qualifier"] == cum["investment_qualifier"] == "over"
    assert start["investment_100m_yuan"] == pytest.approx(low) == cum["investment_100m_yuan"]
