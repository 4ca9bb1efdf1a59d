"""Tables as a page shows them: a caption each, a totals row where a total means something (with the hedge the
qualifier algebra gives its parts, "at least" when a part is not published), the key columns first and marked,
and the comparison table leading with what was published."""

from __future__ import annotations

import csv
import html
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import load
from analysis.core.qualifiers import APPROX_REL_TOL, nominal
from analysis.present import tables
from analysis.stats.metrics import Period
from analysis.stats.results import compute

from .conftest import DATA

LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def res24(ds):
    return compute(ds, 2024)


@pytest.fixture(scope="module")
def res23(ds):
    return compute(ds, 2023)


def _published_totals(through: int) -> list[dict]:
    """The single periods' totals as data/signings.csv states them (the last statement of each period)."""
    with open(DATA / "signings.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["dimension"] == "total"]
    spans = {(int(r["first_year"]), int(r["last_year"])) for r in rows}
    # a period: a span no other span of the data splits (2019–2022 is a cumulative statement, not a period)
    periods = [s for s in spans if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
    periods = sorted(p for p in periods if p[1] <= through)
    return [next(r for r in reversed(rows) if (int(r["first_year"]), int(r["last_year"])) == p) for p in periods]


def _cells(html: str, section: str) -> list[str]:
    part = re.search(f"<{section}>(.*?)</{section}>", html, re.S)
    return [re.sub("<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", part.group(1), re.S)]


def _every_table(res, lang):
    out = [tables.periods(res, lang), tables.landing(res, lang), tables.claims(res, lang), tables.projection(res, lang)]
    out += [tables.mix(mx, lang) for by in res.mix.values() for mx in by.values()]
    out += [tables.compare(res, d, lang) for d in res.comparable_schemes()]
    bt = tables.backtest(res, lang)
    return out + ([bt] if bt is not None else [])


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_has_a_caption_and_its_key_columns_first(res23, lang):
    for t in _every_table(res23, lang):
        html = t.to_html()
        caption = re.search(r"<caption>(.*?)</caption>", html, re.S)
        assert caption and caption.group(1).strip(), html[:300]
        cols = list(t.data.columns)
        assert t.key and list(t.key) == cols[: len(t.key)], (t.key, cols)  # what a phone shows without scrolling
        first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html, re.S).group(1)
        keyed = re.findall(r'class="data row0 col(\d+) key', first_row)
        shown = [k for k in t.key if cols.index(k) not in t.hidden_columns]  # zh: the hedge is in the cell
        assert [cols[int(i)] for i in keyed] == shown


def test_the_periods_total_adds_the_published_figures_with_their_hedges(res24):
    published = _published_totals(2024)
    projects = sum(int(r["projects"]) for r in published)
    amount = sum(float(r["investment_100m_yuan"]) for r in published)
    hedged = any(r["investment_qualifier"] != "exact" for r in published)
    for lang in LANGS:
        loc = tables.locale.of(lang)
        t = tables.periods(res24, lang)
        assert len(t.data) == len(published)  # the totals row is not part of the plain frame
        foot = _cells(t.to_html(), "tfoot")
        assert foot[0] == tables.locale.word("total_row", lang)
        assert foot[1] == str(projects)  # whole counts add exactly
        q = "approx" if hedged else "exact"  # 约 parts: an 约 total
        if loc.hedge_in_cell:  # zh: 约1837 in the cell, the hedge column hidden
            assert foot[2] == loc.hedged_cell(round(amount), q, nd=0)
            foot.insert(3, "")
        else:
            assert foot[2] == f"{round(amount):,}" and foot[3] == (loc.hedge_word(q) if hedged else "")
        assert foot[4] == str(sum(int(r["last_year"]) - int(r["first_year"]) + 1 for r in published))
        assert set(foot[5:]) == {""}  # a status, yearly averages and amounts per project do not add
        if hedged:
            assert tables.locale.word("caption_total_hedged", lang) in html.unescape(t.caption)


def test_a_group_not_stated_makes_the_total_at_least_the_others(ds):
    res = compute(ds, 2022, projection=False)
    mx = res.mix[Period(2022, 2022)]["category"]  # two groups without an amount, two with 约
    g = mx.groups
    stated = g[g["investment_100m_yuan"].notna()]
    assert 0 < len(stated) < len(g)
    lo = sum(float(v) * (1 - APPROX_REL_TOL) for v in stated["investment_100m_yuan"])  # 约X: down to 95% of X
    for lang in LANGS:
        loc = tables.locale.of(lang)
        foot = _cells(tables.mix(mx, lang).to_html(), "tfoot")
        assert foot[1] == str(int(g["projects"].sum()))
        if loc.hedge_in_cell:  # zh: 不少于267 in the cell
            assert foot[2] == loc.word("at_least") + str(math.floor(lo))  # never above what the parts allow
        else:
            assert foot[2] == f"{math.floor(lo):,}" and foot[3] == loc.word("at_least")
        assert set(foot[4 - loc.hedge_in_cell :]) == {""}  # shares and amounts per project do not add


def test_no_stated_amount_leaves_the_total_unknown(res24):
    mx = res24.mix[Period(2024, 2024)]["place"]
    assert mx.groups["investment_100m_yuan"].isna().all()
    foot = _cells(tables.mix(mx, "en").to_html(), "tfoot")
    assert foot[1] == str(int(mx.groups["projects"].sum())) and foot[2] == "—" and foot[3] == ""


def test_tables_whose_parts_do_not_add_have_no_totals_row(res23):
    for t in (
        tables.landing(res23, "zh"),  # the cohorts are nested
        tables.projection(res23, "zh"),
        tables.claims(res23, "zh"),
        tables.backtest(res23, "zh"),
        tables.compare(res23, "category", "zh"),  # one row per group and period
    ):
        assert not t.totals and "<tfoot>" not in t.to_html()


@pytest.mark.parametrize("lang", LANGS)
def test_the_comparison_leads_with_what_was_published(res24, lang):
    c = res24.compare["category"]
    unpublished = [p for p, g in c.groupby("period", sort=False) if set(g["status"]) == {"not_published"}]
    assert unpublished  # 2019–2020 and 2021 have no breakdown
    loc = tables.locale.of(lang)
    label = {
        p: loc.period(a, b, suffix=False) for p, a, b in zip(c["period"], c["first_year"], c["last_year"], strict=True)
    }
    unpublished = [label[p] for p in unpublished]
    df = tables.compare(res24, "category", lang).data
    period = tables.locale.word("period", lang)
    rest = df[df[period].isin(unpublished)]
    assert len(rest) == len(unpublished)  # one row per period without a breakdown, not one per group
    assert list(rest.index) == list(range(len(df) - len(rest) - _other_schemes(c), len(df) - _other_schemes(c)))
    assert (rest.iloc[:, 0] == tables.locale.word("all_groups", lang)).all()
    published = df[~df[period].isin(unpublished)].iloc[: len(df) - len(rest) - _other_schemes(c)]
    loc = tables.locale.of(lang)
    assert published[loc.header("projects_short", loc.word("count_unit"))].notna().all()


def _other_schemes(c) -> int:
    """Periods broken down under another scheme only: one row each, at the end."""
    return sum(
        1
        for _, g in c.groupby("period", sort=False)
        if "classified_differently" in set(g["status"]) and not set(g["status"]) & {"published", "none"}
    )


def test_the_projection_table_puts_its_intervals_among_the_key_columns(res23):
    t = tables.projection(res23, "en")
    assert {"median", "80% prediction interval"} <= set(t.key)


_QUALIFIERS = ("exact", "approx", "nearly", "more_than", "over", "under", "at_most")


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(1, 2000).map(float)),
            st.sampled_from(_QUALIFIERS),
            st.floats(0, 1),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_hedged_total_holds_every_sum_its_parts_allow(parts):
    """Property: whatever true values the parts' hedges allow (a part not published: any amount from 0), their sum
    lies inside what the total's written hedge allows; a total is unknown only when no part is known."""
    total = tables.hedged_total([v for v, _, _ in parts], [q for _, q, _ in parts])
    if all(v is None for v, _, _ in parts):
        assert total is None
        return
    true = 0.0
    for v, q, t in parts:
        if v is None:
            true += 1e6 * t  # not published: anything from 0
            continue
        iv = nominal(v, q)
        hi = iv.hi if math.isfinite(iv.hi) else iv.lo + 1e6
        true += iv.lo + t * (hi - iv.lo)
    if total.qualifier == "range":
        lo, hi = total.bounds
        assert lo - 1e-6 <= true and (hi is None or true <= hi + 1e-6)
    else:
        iv = nominal(total.value, total.qualifier)
        assert iv.lo - 1e-6 <= true <= iv.hi + 1e-6
    if any(v is None for v, _, _ in parts):
        assert total.qualifier in ("range", "over") and (total.bounds is None or total.bounds[1] is None)
