"""The real 2024 release, two statements of one figure, and one report per release (issue 18).

Expected values come from the articles' figures, typed once as constants in tests/test_metrics.py
(the 2024 ones from bjyouth2024), and are worked out here by hand.
"""

from __future__ import annotations

import re

import pytest

from analysis import load
from analysis.pipeline.cli import main
from analysis.present import facts, prose
from analysis.stats import claims as C
from analysis.stats import metrics as M
from analysis.stats.results import compute

from .conftest import DATA, find_line, problems_of, set_cell
from .test_metrics import (
    CONFERENCES_24,
    CUM24_INV,
    CUM24_PROJECTS,
    FIELD_2024,
    INV19_20,
    INV21,
    INV23,
    INV24,
    INV_2022,
    INVESTMENT_TO_2024,
    P24,
    PLACE_2024,
    PROJECTS_TO_2024,
    RATE_19_22,
)

#: the published periods, as the articles print them: 2019–2020 only as a two-year total, then single years
PERIODS = [(2019, 2020), (2021, 2021), (2022, 2022), (2023, 2023), (2024, 2024)]


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def results(ds):
    return {through: compute(ds, through) for through in (2021, 2022, 2023)}


def test_check_passes_with_the_five_published_periods(ds, capsys):
    assert main(["check", "--data", str(DATA)]) == 0
    assert "conferences 2019–2024" in capsys.readouterr().out
    assert [(r.first_year, r.last_year) for r in M.trends(ds).itertuples()] == PERIODS


def test_cumulative_2024_and_six_conferences_are_consistent_claims(ds):
    led = C.ledger(ds).set_index("id")
    # 累计签约项目290余个: 85 + 39 + 37 + 50 + 80 = 291, inside 290余 (290 < n < 300)
    row = led.loc["cumulative_projects_2019-2024"]
    assert (row["stated"], row["qualifier"], row["computed"]) == (CUM24_PROJECTS, "more_than", PROJECTS_TO_2024)
    assert PROJECTS_TO_2024 == 291 and bool(row["consistent"]) and row["basis"] == "independent"
    # 意向投资额超1800亿元: 552 (exact, ±0.5) + 约247 + 约280.66 + 约426.81 (±5 % each) + 331.02 (exact, ±0.005)
    row = led.loc["cumulative_investment_2019-2024"]
    assert row["computed"] == pytest.approx(INVESTMENT_TO_2024) and row["qualifier"] == "over"
    hedged = INV21 + INV_2022 + INV23
    lo = INV19_20 - 0.5 + 0.95 * hedged + INV24 - 0.005
    hi = INV19_20 + 0.5 + 1.05 * hedged + INV24 + 0.005
    assert lo < CUM24_INV < hi  # the hedges alone decide it: the sum may lie on either side of 1800 ...
    assert bool(row["consistent"])  # ... and "over 1800" overlaps what they allow
    # 2019年以来已连续举办六届: one conference a year, 2019 through 2024
    row = led.loc["six_conferences"]
    assert row["stated"] == CONFERENCES_24 == len(range(2019, 2024 + 1)) == row["computed"] and bool(row["consistent"])
    assert led["consistent"].map(bool).all()


def test_the_2024_mix_has_places_and_the_field_scheme(ds):
    places = M.mix(ds, M.Period(2024, 2024), "place")
    g = places.groups.set_index("group_zh")
    assert {k: int(g.at[k, "projects"]) for k in g.index} == PLACE_2024 and g.at["通州区", "harmonised"] == "tongzhou"
    assert places.total_projects == sum(PLACE_2024.values()) == P24 and places.complete
    assert g["investment_100m_yuan"].isna().all()  # counts only: amounts missing, never 0
    field = M.mix(ds, M.Period(2024, 2024), "field")
    g = field.groups.set_index("group_zh")
    assert {k: int(g.at[k, "projects"]) for k in g.index} == FIELD_2024
    assert sum(FIELD_2024.values()) == P24 == field.total_projects and field.complete
    assert M.dimension_labels(ds)["field"] == ("行业领域", "industry field")


def test_a_counts_only_breakdown_is_said_to_split_the_projects_only(ds):
    """No 2024 group states an amount: the sentence says the total is not split, and never subtracts a
    published 0 or widens 331.02 into a range ("减去已公布的0亿元 … 331至331")."""
    res = compute(ds, 2024, projection=False)
    for scheme in ("place", "field"):
        mx = res.mix[M.Period(2024, 2024)][scheme]
        assert mx.remainder_verdict == "counts_only"
        zh, en = prose.mix_note(mx, "zh", "amounts"), prose.mix_note(mx, "en", "amounts")
        assert "未公布各组投资额" in zh and f"{INV24}亿元" in zh and "减去" not in zh and "约" not in zh
        assert "is not split" in en and "leaves" not in en


def test_the_field_scheme_is_not_compared_with_earlier_years(ds, results):
    cmp = M.compare_mix(ds, "field")
    published = cmp[cmp["status"] == "published"]
    assert set(published["period"]) == {"2024"}
    assert cmp.loc[cmp["period"] != "2024", "projects"].isna().all()  # no count for a year it did not classify
    # the category comparison does not call 2024 "not published": it is classified by place and field
    cat = M.compare_mix(ds, "category")
    assert set(cat.loc[cat["period"] == "2024", "status"]) == {"classified_differently"}
    res = compute(ds, projection=False)
    assert "field" not in res.comparable_schemes() and "place" in res.comparable_schemes()  # places: 2022 and 2024


def test_two_statements_of_331_02_agree_and_the_exact_one_is_used(ds):
    sig = ds.rows["signings"]
    both = sig[(sig["first_year"] == 2024) & (sig["last_year"] == 2024) & (sig["dimension"] == "total")]
    assert dict(zip(both["source_id"], both["investment_qualifier"], strict=True)) == {
        "bjyouth2024": "exact",
        "repost2024": "approx",
    }
    assert set(both["investment_100m_yuan"]) == {INV24}
    kept = ds["signings"]
    kept = kept[(kept["first_year"] == 2024) & (kept["last_year"] == 2024) & (kept["dimension"] == "total")]
    assert list(kept["source_id"]) == ["bjyouth2024"] and list(kept["investment_qualifier"]) == ["exact"]
    t = M.trends(ds).set_index("period")
    assert (t.at["2024", "investment_100m_yuan"], t.at["2024", "investment_qualifier"]) == (INV24, "exact")
    led = C.ledger(ds).set_index("id")
    row = led.loc["agree_investment_2024_total_repost2024"]
    assert row["kind"] == "sources_agree" and bool(row["consistent"])
    assert (row["stated"], row["qualifier"], row["computed"]) == (INV24, "approx", INV24)
    assert "bjyouth2024" in facts.formula(row["formula"]) and row["file"] == "signings.csv"
    assert row["line"] == find_line(DATA / "signings.csv", source_id="repost2024", first_year="2024", last_year="2024")


@pytest.mark.parametrize(
    "projects, amount, differ",
    [(82, 331.02, ""), (90, 331.02, "projects"), (90, 300, "projects, investment_100m_yuan")],
)
def test_two_statements_agree_only_when_their_hedges_overlap(data_copy, projects, amount, differ):
    """约82 allows 77.9–86.1 projects, so 80 is among them; 约90 allows 85.5–94.5, so it is not; 约300亿元
    allows 285–315, not 331.02. Statements that do not overlap fail the check once, naming both lines, and
    are never called agreeing."""
    f = data_copy / "signings.csv"
    repost = find_line(f, source_id="repost2024", first_year="2024", last_year="2024")
    exact = find_line(f, source_id="bjyouth2024", first_year="2024", last_year="2024")
    set_cell(f, repost, "projects", str(projects))
    set_cell(f, repost, "projects_qualifier", "approx")
    set_cell(f, repost, "investment_100m_yuan", str(amount))
    set_cell(f, repost, "evidence", f"簽約合作項目約{projects}個,意向投資額約{amount}億元")
    probs = problems_of(data_copy)
    if not differ:
        assert probs == []
        row = C.ledger(load(data_copy)).set_index("id").loc["agree_projects_2024_total_repost2024"]
        assert bool(row["consistent"]) and row["computed"] == P24
        return
    mine = [p for p in probs if p.startswith(f"signings.csv:{repost}:")]
    assert mine == [
        f"signings.csv:{repost}: column 'projects': disagrees with line {exact} on {differ} "
        "(repost2024 vs bjyouth2024); fix one, or mark the newer source as superseding the older "
        "in sources.csv (column supersedes)"
    ], probs
    assert main(["check", "--data", str(data_copy)]) == 1


def test_the_85_percent_landing_statement_is_the_2023_release(ds):
    lan = ds["landing"]
    row = lan[(lan["first_year"] == 2019) & (lan["last_year"] == 2022)]
    assert list(row["source_id"]) == ["release2023"] and list(row["stated_rate_pct"]) == [RATE_19_22]
    assert "落地率已達85%" in row.iloc[0]["evidence"]  # as printed, in traditional characters
    assert "bjnews2023" not in set(lan["source_id"])
    lr = M.landing_rates(ds).set_index("cohort")
    assert lr.at["2019–2022", "source_id"] == "release2023"


def test_releases_are_the_articles_that_first_published_each_period(ds):
    rel = M.releases(ds)
    assert [r.key for r in rel] == ["2021", "2022", "2023", "2024"]
    first = rel[0]
    assert first.periods == (M.Period(2019, 2020), M.Period(2021, 2021)) and first.through == 2021
    assert first.date == (2021, 5, 14)
    assert [r.date for r in rel[2:]] == [(2023, 9, 19), (2024, 9, 26)]
    assert [M.release_of(ds, y).key for y in ds.conference_years] == ["2021", "2021", "2021", "2022", "2023", "2024"]
    assert M.release_through(ds, 2020) == 2021


def test_a_report_never_forecasts_a_period_its_release_states(ds):
    res = compute(ds, 2020)
    assert res.through == 2021 and int(res.projection.table["year"].min()) == 2022
    for year in ds.conference_years:
        stated = {y for p in M.release_of(ds, year).periods for y in range(p.first_year, p.last_year + 1)}
        projected = set(compute(ds, year).projection.table["year"].astype(int))
        assert projected and not projected & stated and min(projected) == max(stated) + 1


def test_the_2023_report_states_the_2024_figures_and_scores_its_projection(results):
    st = results[2023].since_then
    assert list(st.sources["source_id"]) == ["bjyouth2024", "repost2024"]
    assert [(r.projects, r.investment_100m_yuan) for r in st.totals.itertuples()] == [(CUM24_PROJECTS, CUM24_INV)]
    bt = st.backtest.set_index(["year", "metric"])
    assert bt.at[(2024, "projects"), "actual"] == P24
    assert (
        bt.at[(2024, "investment_100m_yuan"), "actual"],
        bt.at[(2024, "investment_100m_yuan"), "actual_qualifier"],
    ) == (INV24, "exact")
    assert {"crps", "interval_score95", "inside80"} <= set(st.backtest.columns)
    zh = prose.render("backtest", results[2023], "zh")
    assert f"2024年签约项目{P24}个，意向投资额{INV24}亿元" in zh
    en = prose.render("backtest", results[2023], "en")
    assert f"2024: projects {P24}, intended investment {INV24} hundred million yuan" in en


@pytest.mark.parametrize("through", [2021, 2022, 2023])
def test_the_backtest_counts_the_figures_it_lists(results, through):
    """The stated number of figures is the backtest rows plus the landing rows, and the list before it
    names exactly that many (its items are separated by ，/；; numbers use ASCII commas)."""
    res = results[through]
    n = len(res.since_then.backtest) + len(res.since_then.landing_backtest)
    zh = prose.render("backtest", res, "zh")
    assert f"与这{n}个数字相比" in zh and f"against these {n} figures" in prose.render("backtest", res, "en")
    listed = re.search(r"其后公布的实际数字：(.*?)。", zh).group(1)
    assert len(re.split(r"[，；]", listed)) == n
    n80 = sum(
        bool(x) for f in (res.since_then.backtest, res.since_then.landing_backtest) if len(f) for x in f["inside80"]
    )
    assert f"有{n80}个落在预测的80%可能范围内" in zh


def test_since_then_states_each_later_cumulative_figure_once(ds, results):
    """210余 / 超1500 is stated by 新京报 and by the 2023 release: the 2022 report lists it once."""
    sig = ds.rows["signings"]
    assert len(sig[(sig["first_year"] == 2019) & (sig["last_year"] == 2023)]) == 2
    totals = results[2022].since_then.totals
    assert [(r.first_year, r.last_year) for r in totals.itertuples()] == [(2019, 2023), (2019, 2024)]
    assert prose.render("since_then", results[2022], "zh").count("210余") == 1
