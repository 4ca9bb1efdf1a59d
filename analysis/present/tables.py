"""Tables of the results as styled DataFrames, in zh or en.

Every function returns a :class:`Table`: a pandas ``Styler`` (text left, numbers right, fixed
decimals per column with thousands separators, the source's hedge in its own column beside the
number, "—" for what is not published) whose ``.data`` is the plain DataFrame an analyst can take
further. Numbers are formatted through :mod:`analysis.core.locale`; the ids in the HTML are fixed, so a
notebook shows the same bytes on every run. Cells, column labels and captions are HTML-escaped: a
group name from the data is shown as text, never as markup.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import escape
from pandas.io.formats.style import Styler

from ..core import columns, locale
from ..stats.calibration import process_label
from ..stats.model import LEVELS
from ..core.locale import word



class Table(Styler):
    """A Styler whose plain-text form is its DataFrame (no memory address in notebook outputs)."""

    def __repr__(self) -> str:
        return repr(self.data)


def _fixed(nd: int):
    return lambda x: locale.fixed(x, nd)


def _pct(x):
    return locale.pct(x)


def _style(df: pd.DataFrame, name: str, numeric: dict[str, str], pct_cols=(), caption: str | None = None) -> Table:
    """Style ``df``: numeric columns (label -> the result column it shows) right-aligned, with the decimals of
    :mod:`analysis.core.columns`."""
    df = df.reset_index(drop=True)
    st = Table(df)
    st.set_uuid(name)
    st.hide(axis="index")
    fmt = {c: _fixed(columns.decimals(k)) for c, k in numeric.items() if c in df}
    fmt.update({c: _pct for c in pct_cols if c in df})
    st.format(fmt, na_rep="—", escape="html")  # every column: the dict's callables, the default for text
    st.format_index(escape="html", axis=1)
    text_cols = [c for c in df.columns if c not in fmt]
    num_cols = [c for c in df.columns if c in fmt]
    if text_cols:
        st.set_properties(subset=text_cols, **{"text-align": "left"})
    if num_cols:
        st.set_properties(subset=num_cols, **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    st.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    st.set_table_attributes('class="report-table"')
    if caption:
        st.set_caption(str(escape(caption)))
    return st


def _h(key: str, lang: str, unit: str | None = None) -> str:
    w = word(key, lang)
    if unit is None:
        return w
    return f"{w}（{unit}）" if lang == "zh" else f"{w} ({unit})"


def _hedge_col(q, lang, ranges=None):
    """The hedge word of each value; a derived value no word describes shows its range (160–240)."""
    ranges = [None] * len(q) if ranges is None else list(ranges)
    return [locale.hedge_cell(x, b, lang) for x, b in zip(q, ranges)]


def _projects_col(t: pd.DataFrame, lang: str):
    """The projects column: the counts as numbers, or, when a count is a bound or a range (a derived
    不足60 or 41–100), every count written with its hedge so that none loses it."""
    if (t["projects_qualifier"].fillna("exact") == "exact").all():
        return t["projects"]
    return [locale.hedged(v, q, lang, None, bounds=b) for v, q, b in zip(t["projects"], t["projects_qualifier"], t["projects_range"])]


def _status(values, lang):
    return [word(v, lang) if isinstance(v, str) and v in locale.WORDS else (v or "") for v in values]


def periods(res, lang: str) -> Table:
    t = res.periods
    inv = _h("investment", lang, word("yi_yuan", lang))
    df = pd.DataFrame({
        word("period", lang): [locale.period(a, b, lang, suffix=False) for a, b in zip(t["first_year"], t["last_year"])],
        word("years", lang): t["n_years"],
        _h("projects_short", lang, "个" if lang == "zh" else None): _projects_col(t, lang),
        inv: t["investment_100m_yuan"],
        word("hedge", lang): _hedge_col(t["investment_qualifier"], lang, t["investment_range"]),
        word("status", lang): _status(t["investment_status"], lang),
        word("projects_per_year", lang): t["projects_per_year"],
        word("investment_per_year", lang): t["investment_per_year_100m_yuan"],
        word("investment_per_project", lang): t["investment_per_project_100m_yuan"],
    })
    num = {df.columns[1]: "n_years", df.columns[2]: "projects", inv: "investment_100m_yuan", df.columns[6]: "projects_per_year",
           df.columns[7]: "investment_per_year_100m_yuan", df.columns[8]: "investment_per_project_100m_yuan"}
    return _style(df, "periods", num)


def landing(res, lang: str, statements=None, name: str = "landing") -> Table:
    """The landing statements (default ``res.landing_statements``: typed records, read by field)."""
    rows = res.landing_statements if statements is None else statements
    stated = [locale.hedged(s.stated_rate * 100, s.stated_qualifier, lang, "percent") if s.stated_rate is not None else "—"
              for s in rows]
    landed = [("—" if s.landed_lo is None else locale.num(s.landed_lo) if s.landed_lo == s.landed_hi
               else f"{locale.num(s.landed_lo)}–{locale.num(s.landed_hi)}") if s.landed is None else locale.num(s.landed)
              for s in rows]
    ci = ["—" if s.ci95_lo is None else f"{locale.pct(s.ci95_lo)}–{locale.pct(s.ci95_hi)}" for s in rows]
    df = pd.DataFrame({
        word("cohort", lang): [locale.period(s.first_year, s.last_year, lang, suffix=False) for s in rows],
        word("as_of", lang): [locale.date(s.vintage, lang) for s in rows],
        _h("signed", lang, "个" if lang == "zh" else None): [s.signed for s in rows],
        word("status", lang): _status([s.signed_status for s in rows], lang),
        _h("landed", lang, "个" if lang == "zh" else None): landed,
        word("landing_rate", lang): [s.rate for s in rows],
        "95%置信区间" if lang == "zh" else "95% interval": ci,
        word("stated", lang): stated,
        word("verdict", lang): [locale.verdict(s.consistent, lang) if s.stated_rate is not None and s.landed is not None else "—"
                                for s in rows],
    })
    st = _style(df, name, {df.columns[2]: "signed"}, pct_cols=[df.columns[5]])
    st.set_properties(subset=[df.columns[4], df.columns[6], df.columns[7]], **{"text-align": "right"})
    return st


def mix(mx, lang: str, name: str | None = None) -> Table:
    """One breakdown, groups in the order of the chart (as published)."""
    g = mx.groups
    inv = _h("investment", lang, word("yi_yuan", lang))
    df = pd.DataFrame({
        word("published_name", lang): g["group_zh"] if lang == "zh" else g["group_en"],
        word("harmonised_group", lang): g["harmonised_zh"] if lang == "zh" else g["harmonised_en"],
        _h("projects_short", lang, "个" if lang == "zh" else None): g["projects"],
        word("share_projects", lang): g["project_share"],
        inv: g["investment_100m_yuan"],
        word("hedge", lang): _hedge_col(g["investment_qualifier"], lang),
        word("share_investment", lang): g["investment_share"],
        word("investment_per_project", lang): g["investment_per_project_100m_yuan"],
    })
    cols = df.columns
    return _style(df, name or f"mix{mx.period.key}{mx.dimension}", {cols[2]: "projects", inv: "investment_100m_yuan",
                                                                         cols[7]: "investment_per_project_100m_yuan"},
                  pct_cols=[cols[3], cols[6]])


def compare(res, dimension: str, lang: str) -> Table:
    c = res.compare[dimension]
    inv = _h("investment", lang, word("yi_yuan", lang))
    df = pd.DataFrame({
        word("harmonised_group", lang): c["harmonised_zh"] if lang == "zh" else c["harmonised_en"],
        word("period", lang): c["period"],
        word("published_name", lang): (c["names_zh"] if lang == "zh" else c["names_en"]).fillna("—"),
        _h("projects_short", lang, "个" if lang == "zh" else None): c["projects"],
        word("share_projects", lang): c["project_share"],
        inv: c["investment_100m_yuan"],
        word("hedge", lang): _hedge_col(c["investment_qualifier"], lang),
        word("status", lang): _status(c["status"], lang),
    })
    cols = df.columns
    return _style(df, f"compare{dimension}", {cols[3]: "projects", inv: "investment_100m_yuan"}, pct_cols=[cols[4]])


def claims(res, lang: str, frame: pd.DataFrame | None = None, name: str = "claims", kind: str | None = None) -> Table:
    """The claims ledger (or ``frame``); ``kind``: only the claims whose kind starts with it (``"landing"``)."""
    led = res.claims if frame is None else frame
    if kind is not None:
        led = led[led["kind"].str.startswith(kind)]
    rate = led["kind"] == "landing_rate"
    df = pd.DataFrame({
        word("statement", lang): led["text_zh"] if lang == "zh" else led["text_en"],
        word("stated", lang): [("—" if locale.missing(s) else locale.hedged(s, q, lang, "percent" if r else None))
                               for s, q, r in zip(led["stated"], led["qualifier"], rate)],
        word("computed", lang): [("—" if locale.missing(c) else locale.pct(c / 100) if r else locale.num(c))
                                 for c, r in zip(led["computed"], rate)],
        word("verdict", lang): [locale.verdict(c, lang) for c in led["consistent"]],
        word("basis", lang): [word(b, lang) for b in led["basis"]],
    })
    st = _style(df, name, {})
    st.set_properties(subset=[df.columns[1], df.columns[2]], **{"text-align": "right"})
    return st


_METRIC_WORDS = {"projects": "projects", "investment_100m_yuan": "investment_unit",
                 "cumulative_projects": "cumulative_projects", "cumulative_investment_100m_yuan": "cumulative_investment"}


def projection(res, lang: str) -> Table:
    tab = res.projection.table
    df = pd.DataFrame({
        word("year", lang): tab["year"].astype(str),
        word("metric", lang): [word(_METRIC_WORDS[m], lang) for m in tab["metric"]],
        word("median", lang): [locale.rounded(v, lang) for v in tab["median"]],
        word("mean", lang): [locale.rounded(v, lang) for v in tab["mean"]],
        word("pi80", lang): [locale.interval(a, b, lang) for a, b in zip(tab["pi80_lo"], tab["pi80_hi"])],
        word("pi95", lang): [locale.interval(a, b, lang) for a, b in zip(tab["pi95_lo"], tab["pi95_hi"])],
    })
    st = _style(df, "projection", {})
    st.set_properties(subset=list(df.columns[2:]), **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    return st


def _actual(value, qualifier, bounds, source, lang):
    """A published figure with its hedge; a cumulative total the sources never state is marked as a sum."""
    if source == "sum":
        return f"{locale.hedged_sum(value, qualifier, lang, bounds=bounds)}（{word('sum_of_periods', lang)}）" if lang == "zh" \
            else f"{locale.hedged_sum(value, qualifier, lang, bounds=bounds)} ({word('sum_of_periods', lang)})"
    return locale.hedged(value, qualifier, lang, bounds=bounds)


def backtest(res, lang: str) -> Table | None:
    """The projection made at the release against what was published later; None when nothing later was."""
    if res.since_then is None or res.since_then.backtest.empty:
        return None
    bt = res.since_then.backtest
    df = pd.DataFrame({
        word("year", lang): bt["year"].astype(str),
        word("metric", lang): [word(_METRIC_WORDS[m], lang) for m in bt["metric"]],
        word("actual", lang): [_actual(v, q, b, src, lang) for v, q, b, src in
                               zip(bt["actual"], bt["actual_qualifier"], bt["actual_range"], bt["actual_source"])],
        word("median", lang): [locale.rounded(v, lang) for v in bt["median"]],
        word("pi80", lang): [locale.interval(a, b, lang) for a, b in zip(bt["pi80_lo"], bt["pi80_hi"])],
        word("pi95", lang): [locale.interval(a, b, lang) for a, b in zip(bt["pi95_lo"], bt["pi95_hi"])],
        word("inside80", lang): [word("yes" if v else "no", lang) for v in bt["inside80"]],
        word("interval_score", lang): bt["interval_score95"],
        word("crps", lang): bt["crps"],
    })
    st = _style(df, "backtest", {df.columns[7]: "interval_score95", df.columns[8]: "crps"})
    st.set_properties(subset=list(df.columns[2:6]), **{"text-align": "right"})
    return st


def calibration(study: pd.DataFrame, lang: str) -> Table:
    """The calibration study, yearly figures: coverage of the 80 %/95 % intervals one and three years ahead
    (± Monte-Carlo standard error) and the model's interval score relative to the Poisson baseline."""
    s = study[study["metric"].isin(["projects", "investment"])]
    last = int(s["horizon"].max())
    rows = []
    for (proc, metric), g in s.groupby(["process", "metric"], sort=False):
        row = {word("process", lang): process_label(proc, lang),
               word("metric", lang): word(_METRIC_WORDS["projects" if metric == "projects" else "investment_100m_yuan"], lang)}
        for level in LEVELS:
            for h in (1, last):
                r = g[(g["level"] == level) & (g["horizon"] == h)].iloc[0]
                key = word("coverage_h", lang).format(level=round(level * 100), h=h)
                row[key] = f"{locale.pct(r['coverage'], lang, 0)} ± {locale.pct(r['mc_se'], lang, 1)}"
        r = g[(g["level"] == 0.95) & (g["horizon"] == 1)].iloc[0]
        row[word("is_ratio", lang)] = r["is_model"] / r["is_poisson"]
        rows.append(row)
    df = pd.DataFrame(rows)
    return _style(df, "calibration", {df.columns[-1]: "is_ratio"})
