"""Findings (analysis.stats.findings) and the titles and main points built from them (issue 21, item 1).

Properties on SYNTHETIC histories (hypothesis): a tie within the hedges gives no record and no change; a
fall is never a rise, in the record or in the words; a finding about a period needs its figures; a record
over an aggregate holds even if all of it sat in one year. Then the real data, the expected values derived
from data/ through another path (the CSV files read here, the mix frame, the projection table).
"""

from __future__ import annotations

import csv
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load
from analysis.core.qualifiers import APPROX_REL_TOL
from analysis.present import page, prose
from analysis.stats import findings as F
from analysis.stats.metrics import Period
from analysis.stats.results import compute

from .conftest import DATA
from .synth import new_folder, write_dataset
from .test_locale import TEMPLATES, skeleton

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TREND_KINDS = ("change", "record", "run")
FALL_WORDS = {"zh": ("下降", "最少", "最低"), "en": ("down", "fell", "fewest", "lowest")}
RISE_WORDS = {"zh": ("增长", "最多", "最高"), "en": (" up ", "rose", "the most", "highest")}


# --------------------------------------------------------------------------------------------- synthetic


def _history(years: list[dict], hedges: dict[int, str] | None = None, **kw):
    """Results of a synthetic history; ``hedges`` sets a year's amount's qualifier (approx …)."""
    folder = write_dataset(new_folder() / "data", years, **kw)
    if hedges:
        path = folder / "signings.csv"
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            total = r["dimension"] == "total" and r["first_year"] == r["last_year"] and r["investment_qualifier"]
            if total and int(r["first_year"]) in hedges:
                r["investment_qualifier"] = hedges[int(r["first_year"])]
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return compute(load(folder), projection=False)


def _allowed(value: float, qualifier: str) -> tuple[float, float]:
    """The values a stated amount allows, from the hedge's definition (约: within APPROX_REL_TOL)."""
    return (value * (1 - APPROX_REL_TOL), value * (1 + APPROX_REL_TOL)) if qualifier == "approx" else (value, value)


amount = st.integers(10, 900).map(float)
year_rows = st.lists(
    st.tuples(st.integers(1, 60), amount, st.sampled_from(["exact", "approx"])), min_size=2, max_size=5
)


def _years(rows) -> tuple[list[dict], dict[int, str]]:
    years = [{"year": 2019 + i, "projects": n, "investment": inv, "groups": []} for i, (n, inv, _) in enumerate(rows)]
    return years, {2019 + i: q for i, (_, _, q) in enumerate(rows)}


@SETTINGS
@given(year_rows, st.floats(1 - APPROX_REL_TOL, 1 + APPROX_REL_TOL))
def test_a_tie_within_the_hedges_gives_no_record_and_no_change(rows, u):
    years, hedges = _years(rows)
    top = max(y["investment"] for y in years)
    years[-1]["investment"] = round(top * 1.2, 2)  # the year before holds the most so far …
    last = {"year": years[-1]["year"] + 1, "projects": 10, "investment": round(top * 1.2 * u, 2), "groups": []}
    hedges[years[-1]["year"]] = hedges[last["year"]] = "approx"  # … and the new year ties it within 约
    res = _history([*years, last], hedges)
    about_last = [f for f in F.trend_findings(res) if f.period.first_year == last["year"] and f.measure == "investment"]
    assert not [f for f in about_last if f.kind in ("record", "change")], about_last


@SETTINGS
@given(year_rows)
def test_a_fall_is_never_a_rise_in_the_record_or_in_the_words(rows):
    years, hedges = _years(rows)
    res = _history(years, hedges)
    by_year = {y["year"]: y for y in years}
    for f in F.trend_findings(res):
        if f.kind == "change" and f.measure == "investment":
            cur, prev = by_year[f.period.first_year], by_year[f.since.first_year]
            lo_c, hi_c = _allowed(cur["investment"], hedges[cur["year"]])
            lo_p, hi_p = _allowed(prev["investment"], hedges[prev["year"]])
            # every allowed pair of values moves the way the finding says
            assert (lo_c > hi_p) if f.direction > 0 else (hi_c < lo_p), f
        for lang in ("zh", "en"):
            text = f" {prose.finding(f, res, lang)} "
            words = FALL_WORDS[lang] if f.direction < 0 else RISE_WORDS[lang]
            other = RISE_WORDS[lang] if f.direction < 0 else FALL_WORDS[lang]
            assert any(w in text for w in words) and not any(w in text for w in other), (f, text)


@SETTINGS
@given(year_rows, st.integers(0, 4))
def test_a_finding_about_a_period_needs_its_figures(rows, gap):
    years, hedges = _years(rows)
    missing = years[gap % len(years)]
    missing["investment"] = None  # unknown, never 0
    res = _history(years, hedges)
    y = missing["year"]
    for f in F.findings(res, projection=False):
        if f.measure in ("investment", "per_project"):
            touched = range(f.since.first_year if f.since else f.period.first_year, f.period.last_year + 1)
            assert y not in touched, f


@SETTINGS
@given(st.integers(30, 200), st.floats(0.55, 0.95))
def test_a_record_over_an_aggregate_holds_even_if_all_of_it_sat_in_one_year(total, frac):
    """2019–2020 published as one total: a later single year above its annual average but below the total
    is no record over it (one of the two years may have held it all)."""
    single = max(1, math.floor(total * frac))
    years = [
        {"year": 2021, "projects": max(1, single // 3), "investment": 10.0, "groups": []},
        {"year": 2022, "projects": max(1, single // 2), "investment": 10.0, "groups": []},
        {"year": 2023, "projects": single, "investment": 10.0, "groups": []},
    ]
    agg = [{"first_year": 2019, "last_year": 2020, "projects": total, "investment": 20.0}]
    res = _history(years, totals=agg, extra_years=[2019, 2020])
    for f in F.trend_findings(res):
        if f.kind == "record" and f.measure == "projects" and f.direction > 0:
            assert f.since.first_year > 2020 and not f.all_time, f
    assert not [
        f for f in F.trend_findings(res) if f.kind == "record" and f.direction < 0 and f.since.last_year <= 2020
    ]


# --------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def releases(ds):
    return {t: compute(ds, t, projection=False) for t in (2021, 2022, 2023, 2024)}


def _csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _total(year: int, source: str) -> dict:
    return next(
        r
        for r in _csv("signings.csv")
        if r["source_id"] == source and r["dimension"] == "total" and r["first_year"] == r["last_year"] == str(year)
    )


def test_2022_leads_with_the_infrastructure_share_recomputed_from_the_csv_and_the_mix_frame(releases):
    res = releases[2022]
    top = F.lead(res)[0]
    row = next(r for r in _csv("signings.csv") if r["dimension"] == "category" and r["group_zh"] == top.group[0])
    tot = _total(2022, row["source_id"])
    lo_g, hi_g = _allowed(float(row["investment_100m_yuan"]), row["investment_qualifier"])
    lo_t, hi_t = _allowed(float(tot["investment_100m_yuan"]), tot["investment_qualifier"])
    share = top.figure("share")
    assert (share.lo, share.hi) == pytest.approx((lo_g / hi_t, hi_g / lo_t))
    groups = res.mix[res.period]["category"].groups.set_index("group_zh")
    assert share.value == pytest.approx(float(groups.at[top.group[0], "investment_share"]))
    # the most money per project of any 2022 category: the finding names the group that has it
    per = (groups["investment_100m_yuan"] / groups["projects"]).dropna()
    assert per.idxmax() == top.group[0] and top.kind == "concentration"


def test_money_per_project_rose_in_2022_and_2023_as_the_csv_totals_say(releases):
    res = releases[2023]
    run = [f for f in F.trend_findings(res) if f.kind == "run" and f.measure == "per_project"]
    assert len(run) == 1 and run[0].direction > 0
    want = {}
    for y, src in ((2021, "cn2021"), (2022, "bjd2022"), (2023, "bjnews2023")):
        r = _total(y, src)
        want[y] = float(r["investment_100m_yuan"]) / float(r["projects"])
    got = {p.first_year: f.value for p, f in run[0].series}
    assert got == pytest.approx(want) and list(want.values()) == sorted(want.values())


def test_the_2021_landing_gap_from_the_landing_csv(releases):
    rows = {r["source_id"]: r for r in _csv("landing.csv")}
    early, late = rows["cn2021"], rows["bjd2022"]
    signed_early = int(
        next(r for r in _csv("signings.csv") if r["source_id"] == "cn2021" and r["last_year"] == "2020")["projects"]
    )
    least_early = math.floor(float(early["stated_rate_pct"]) / 100 * signed_early) + 1  # 超过九成: strictly more
    gap = [f for f in F.lead(releases[2022]) if f.kind == "landing_gap"]
    assert len(gap) == 1
    f = gap[0]
    assert f.period == Period(int(early["last_year"]) + 1, int(late["last_year"]))
    assert f.figure("landed").value == int(late["landed"]) - least_early
    assert f.figure("signed").value == int(late["signed"]) - signed_early


def test_titles_of_the_releases_differ_and_each_states_its_strongest_finding(releases):
    titles = {t: {lang: page.report_title(res, lang) for lang in ("zh", "en")} for t, res in releases.items()}
    for lang in ("zh", "en"):
        assert len({titles[t][lang] for t in (2022, 2023, 2024)}) == 3
    for t, res in releases.items():
        top = F.lead(res)[0]
        assert top.period in F.release_periods(res) or top.subject == "landing"
        projects = _total(
            t, next(r["source_id"] for r in _csv("signings.csv") if r["first_year"] == r["last_year"] == str(t))
        )["projects"]
        assert (
            projects in titles[t]["zh"]
            and prose.finding(top, res, "zh", "clause").split("年", 1)[-1] in titles[t]["zh"]
        )


def _rendered_template(f) -> tuple:
    """The branch of findings.j2 that writes ``f``: its kind, and a concentration's share (money or
    projects); a rise and a fall are written by one sentence template."""
    return (f.kind, f.measure if f.kind == "concentration" else None)


def _shared_templates(a, b) -> set:
    ids = [{"release_totals"} | {_rendered_template(f) for f in F.lead(res)} for res in (a, b)]
    return ids[0] & ids[1]


def test_a_rise_and_a_fall_are_one_sentence_template(releases):
    for res in releases.values():
        found = F.findings(res, projection=False)
        for f in found:
            for g in found:
                assert (f.template == g.template) == (_rendered_template(f) == _rendered_template(g)), (f, g)


def _masked_lines(text: str) -> set[str]:
    return {re.sub(r"[\d.,]+", "#", line) for line in text.splitlines() if line.startswith("- ")}


def test_consecutive_reports_share_at_most_two_sentence_templates(releases):
    order = sorted(releases)
    for a, b in zip(order, order[1:], strict=False):
        assert len(_shared_templates(releases[a], releases[b])) <= 2, (a, b)
        for lang in ("zh", "en"):
            pa, pb = (prose.render("main_points", releases[t], lang) for t in (a, b))
            assert len(_masked_lines(pa) & _masked_lines(pb)) <= 2, (a, b, lang)


def test_main_points_use_one_interval_level_and_pages_lead_with_their_subject(ds):
    res = compute(ds)
    for subject in F.SUBJECTS:
        lead = F.lead(res, subject)
        assert lead, subject
        if subject != "release":
            assert {f.subject for f in lead} == {subject}
        for lang in ("zh", "en"):
            text = prose.render("main_points", res, lang, subject=subject)
            assert "95%" not in text and ("80%" in text or subject != "projection")
    kinds = [f.kind for f in F.lead(res, "projection")]
    assert "backtest" in kinds and "forecast" in kinds


def test_the_projection_page_leads_with_the_latest_backtest(ds):
    """The 2023 release's projection against 2024: the title says above the 80% interval exactly when
    the 2024 count (signings.csv) lies above the projection table's 80% upper end."""
    made = compute(ds, 2023)
    t = made.projection.table
    hi80 = float(t[(t["year"] == 2024) & (t["metric"] == "projects")]["pi80_hi"].iloc[0])
    actual = float(_total(2024, "bjyouth2024")["projects"])
    res = compute(ds, projection=False)
    f = next(f for f in F.lead(res, "projection") if f.kind == "backtest" and f.measure == "projects")
    assert (f.direction > 0) == (actual > hi80) and f.figure("actual").value == actual
    title = page.analysis_title("4.0-projection", "en", full=True, res=res)
    assert title.startswith("Projection and calibration") and "80% interval" in title


def test_findings_templates_have_one_structure_in_both_languages():
    zh, en = (skeleton((TEMPLATES / lang / "findings.j2").read_text(encoding="utf-8")) for lang in ("zh", "en"))
    assert zh == en


def test_an_unknown_subject_is_refused(releases):
    with pytest.raises(ValueError, match="subject must be one of"):
        F.for_subject(releases[2022], "weather")


def test_a_what_if_scenario_leads_with_its_own_forecast(ds):
    """The projection page's findings follow the projection shown (a scenario), never an earlier one's."""
    from analysis import Scenario

    def forecast(res):
        return next(f for f in F.lead(res, "projection") if f.kind == "forecast").figure("projects").value

    base, grown = compute(ds), compute(ds, scenario=Scenario(growth_projects=0.5))
    t = grown.projection.table
    want = float(t[(t["year"] == grown.projection.years[0]) & (t["metric"] == "projects")]["median"].iloc[0])
    assert forecast(base) != forecast(grown) == want


@SETTINGS
@given(st.integers(60, 200), st.lists(st.integers(1, 99), min_size=2, max_size=3))
def test_a_run_never_chains_across_an_aggregate(total, counts):
    """2019–2020 published as one two-year total: its annual average says nothing of 2020 alone, so a
    run of rises or falls starts after it (at 2021 at the earliest), whatever the later counts."""
    years = [
        {"year": 2021 + i, "projects": n, "investment": 10.0 * (i + 1), "groups": []} for i, n in enumerate(counts)
    ]
    agg = [{"first_year": 2019, "last_year": 2020, "projects": total, "investment": 500.0}]
    res = _history(years, totals=agg, extra_years=[2019, 2020])
    for f in F.trend_findings(res):
        if f.kind == "run":
            assert all(q.n_years == 1 for q, _ in f.series) and f.since.first_year > 2020, f
            for lang in ("zh", "en"):
                assert "2019" not in prose.finding(f, res, lang), f


CHANGE_WORDS = {
    "zh": r"(?:增长|下降)(约|近|超)?([\d.]+)%(?:～([\d.]+)%)?",
    "en": r"(?:up|down) (about |nearly |over )?([\d.]+)%(?:–([\d.]+)%)?",
}


@SETTINGS
@given(st.integers(100, 900), st.floats(0.2, 3.0).filter(lambda r: abs(r - 1) > 0.15), st.booleans())
def test_a_change_of_a_hedged_figure_keeps_its_hedge_and_stays_inside_its_interval(prev, ratio, both):
    """约 on the earlier amount (and on the later one too, when ``both``): the size of the change is written with
    a hedge or as a range, and every number it prints lies in the changes every pair of allowed values gives."""
    cur = round(prev * ratio, 2)
    years = [
        {"year": 2021 + i, "projects": 10, "investment": float(v), "groups": []} for i, v in enumerate((prev, cur))
    ]
    hedges = {2021: "approx", 2022: "approx" if both else "exact"}
    res = _history(years, hedges)
    lo_c, hi_c = _allowed(cur, hedges[2022])
    lo_p, hi_p = _allowed(prev, hedges[2021])
    sizes = sorted((abs(lo_c / hi_p - 1), abs(hi_c / lo_p - 1)))
    change = [f for f in F.trend_findings(res) if f.kind == "change" and f.measure == "investment"]
    assert change
    for lang in ("zh", "en"):
        for form in ("sentence", "clause"):
            text = prose.finding(change[0], res, lang, form)
            m = re.search(CHANGE_WORDS[lang], text)
            assert m and (m.group(1) or m.group(3)), text  # a hedge word or a range
            for x in (m.group(2), m.group(3)):
                if x:
                    # a range's ends are rounded outward (one step of 0.1 at most), a hedged value to the nearest
                    assert 100 * sizes[0] - 0.1 <= float(x) <= 100 * sizes[1] + 0.1, (text, sizes)


def test_the_trends_page_reports_only_runs_still_going(ds):
    """A run the latest conference broke is not reported on the trends page: every run there ends at the
    latest year with a published total (signings.csv)."""
    res = compute(ds, projection=False)
    latest = max(
        int(r["last_year"])
        for r in _csv("signings.csv")
        if r["dimension"] == "total" and int(r["last_year"]) <= res.through
    )
    runs = [f for f in F.for_subject(res, "trends") if f.kind == "run"]
    assert all(f.period.last_year == latest for f in runs), runs
    assert all(f.period.last_year == latest for f in F.lead(res, "trends") if f.kind == "run")


def test_a_landing_gap_clause_carries_the_date_of_its_statement(releases):
    """The bound held as of the later article's date (sources.csv), and a title says so in both languages."""
    from analysis.core.locale import Locale

    dates = {r["source_id"]: r for r in _csv("sources.csv")}
    later = {int(r["last_year"]): r["source_id"] for r in _csv("landing.csv")}
    gap = next(f for f in F.lead(releases[2022]) if f.kind == "landing_gap")
    src = dates[later[gap.period.last_year]]
    when = tuple(int(src[k] or 0) for k in ("date_year", "date_month", "date_day"))  # unknown parts 0
    for lang in ("zh", "en"):
        clause = prose.finding(gap, releases[2022], lang, "clause")
        assert Locale(lang).date(when) in clause, clause


#: A first breakdown is first in the articles the report uses: earlier periods with no breakdown in the data are
#: unknown, not "not published".
IN_THE_ARTICLES = {"zh": "本报告所依据的报道中首次", "en": "in the articles used"}


def test_a_first_breakdown_is_first_in_the_articles_used(releases):
    res = releases[2024]
    firsts = [f for f in F.findings(res, projection=False) if f.kind == "new_scheme"]
    assert firsts
    for f in firsts:
        for lang in ("zh", "en"):
            for form in ("sentence", "clause"):
                text = prose.finding(f, res, lang, form)
                assert IN_THE_ARTICLES[lang] in text, text
