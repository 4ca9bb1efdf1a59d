"""Tables of the results as styled DataFrames, in zh or en.

Every function returns a :class:`Table`: a pandas ``Styler`` (text left, numbers right, fixed
decimals per column with thousands separators as the language writes them, the source's hedge where
the language puts it: zh in the cell as the source writes it, 约164.89; en in its own column beside the
number; "—" for what is not published) whose ``.data`` is the plain DataFrame an analyst can take
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
from . import facts


class Table(Styler):
    """A Styler whose plain-text form is its DataFrame (no memory address in notebook outputs).

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.periods(compute(load(), 2023), "en")
    >>> repr(t) == repr(t.data)
    True
    """

    def __repr__(self) -> str:
        return repr(self.data)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Beside the HTML, the table's numbers as CSV (``text/csv``): the page links this file, made from the
        frame (numbers whole, each hedge in its column), not from the cells as shown (zh writes 约164.89)."""
        from .output import CSV_BOM, csv_bytes

        return {"text/csv": csv_bytes(self.data).decode("utf-8").removeprefix(CSV_BOM)}


def _fixed(nd: int, loc: locale.Locale | None = None):
    return (lambda x: loc.fixed(x, nd)) if loc is not None else (lambda x: locale.fixed(x, nd))


def _pct(x):
    return locale.pct(x)


def _style(
    df: pd.DataFrame, name: str, numeric: dict[str, str], pct_cols=(), caption: str | None = None, loc=None
) -> Table:
    """Style ``df``: numeric columns (label -> the result column it shows) right-aligned, with the decimals of
    :mod:`analysis.core.columns` (and the thousands separators of ``loc``'s language)."""
    df = df.reset_index(drop=True)
    st = Table(df)
    st.set_uuid(name)
    st.hide(axis="index")
    fmt = {c: _fixed(columns.decimals(k), loc) for c, k in numeric.items() if c in df}
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


def _hedge_in_cells(st: Table, value: str, hedge: str, key: str, q, loc: locale.Locale, ranges=None) -> None:
    """Where the language writes a hedge in the cell (zh: 约164.89, as the source does), write each value of
    column ``value`` with its hedge and hide the hedge column (``.data`` keeps both); else leave the columns."""
    if not loc.hedge_in_cell:
        return
    ranges = [None] * len(q) if ranges is None else list(ranges)
    nd = columns.decimals(key)
    for i, (x, b) in enumerate(zip(q, ranges, strict=True)):
        st.format(lambda v, x=x, b=b: loc.hedged_cell(v, x, b, nd), subset=([i], [value]), na_rep="—", escape="html")
    st.hide([hedge], axis="columns")


def _hedge_col(q, loc: locale.Locale, ranges=None):
    """The hedge word of each value; a derived value no word describes shows its range (160–240)."""
    ranges = [None] * len(q) if ranges is None else list(ranges)
    return [loc.hedge_cell(x, b) for x, b in zip(q, ranges, strict=True)]


def _projects_col(t: pd.DataFrame, loc: locale.Locale):
    """The projects column: the counts as numbers, or, when a count is a bound or a range (a derived
    不足60 or 41–100), every count written with its hedge so that none loses it."""
    if (t["projects_qualifier"].fillna("exact") == "exact").all():
        return t["projects"]
    return [
        loc.hedged(v, q, None, bounds=b)
        for v, q, b in zip(t["projects"], t["projects_qualifier"], t["projects_range"], strict=True)
    ]


def _status(values, loc: locale.Locale):
    return [loc.word(v) if isinstance(v, str) and v in locale.WORDS else (v or "") for v in values]


def periods(res, lang: str) -> Table:
    """The published periods: counts and amounts with their hedges and status, and the yearly averages.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.periods(res, "en").data.columns[:4])
    ['period', 'years', 'projects', 'intended investment (hundred million yuan)']
    """
    loc = locale.of(lang)
    t = res.periods
    inv = loc.header("investment", loc.word("yi_yuan"))
    df = pd.DataFrame(
        {
            loc.word("period"): [
                loc.period(a, b, suffix=False) for a, b in zip(t["first_year"], t["last_year"], strict=True)
            ],
            loc.word("years"): t["n_years"],
            loc.header("projects_short", loc.word("count_unit")): _projects_col(t, loc),
            inv: t["investment_100m_yuan"],
            loc.word("hedge"): _hedge_col(t["investment_qualifier"], loc, t["investment_range"]),
            loc.word("status"): _status(t["investment_status"], loc),
            loc.word("projects_per_year"): t["projects_per_year"],
            loc.word("investment_per_year"): t["investment_per_year_100m_yuan"],
            loc.word("investment_per_project"): t["investment_per_project_100m_yuan"],
        }
    )
    num = {
        df.columns[1]: "n_years",
        df.columns[2]: "projects",
        inv: "investment_100m_yuan",
        df.columns[6]: "projects_per_year",
        df.columns[7]: "investment_per_year_100m_yuan",
        df.columns[8]: "investment_per_project_100m_yuan",
    }
    st = _style(df, "periods", num, loc=loc)
    _hedge_in_cells(
        st, inv, df.columns[4], "investment_100m_yuan", t["investment_qualifier"], loc, t["investment_range"]
    )
    return st


def landing(res, lang: str, statements=None, name: str = "landing") -> Table:
    """The landing statements: each cohort at its statement's date, counted and stated rates and the verdict.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    statements : list of analysis.stats.metrics.LandingStatement, optional
        Typed landing records to show instead of ``res.landing_statements`` (the since-then statements).
    name : str
        The table's id in the HTML.

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.landing(res, "zh").data.columns[:3])
    ['签约批次', '报道日期', '签约（个）']
    """
    loc = locale.of(lang)
    rows = res.landing_statements if statements is None else statements
    stated = [
        loc.hedged(s.stated_rate * 100, s.stated_qualifier, "percent") if s.stated_rate is not None else "—"
        for s in rows
    ]
    landed = [
        (
            "—"
            if s.landed_lo is None
            else loc.num(s.landed_lo)
            if s.landed_lo == s.landed_hi
            else loc.interval(s.landed_lo, s.landed_hi, fmt=loc.num)
        )
        if s.landed is None
        else loc.num(s.landed)
        for s in rows
    ]
    ci = ["—" if s.ci95_lo is None else loc.pct_interval(s.ci95_lo, s.ci95_hi) for s in rows]
    df = pd.DataFrame(
        {
            loc.word("cohort"): [loc.period(s.first_year, s.last_year, suffix=False) for s in rows],
            loc.word("as_of"): [loc.date(s.vintage) for s in rows],
            loc.header("signed", loc.word("count_unit")): [s.signed for s in rows],
            loc.word("status"): _status([s.signed_status for s in rows], loc),
            loc.header("landed", loc.word("count_unit")): landed,
            loc.word("landing_rate"): [s.rate for s in rows],
            loc.word("ci95"): ci,
            loc.word("stated"): stated,
            loc.word("verdict"): [
                loc.verdict(s.consistent) if s.stated_rate is not None and s.landed is not None else "—" for s in rows
            ],
        }
    )
    st = _style(df, name, {df.columns[2]: "signed"}, pct_cols=[df.columns[5]], loc=loc)
    st.set_properties(subset=[df.columns[4], df.columns[6], df.columns[7]], **{"text-align": "right"})
    return st


def mix(mx, lang: str, name: str | None = None) -> Table:
    """One breakdown, groups in the order of the chart (as published).

    Parameters
    ----------
    mx : analysis.stats.metrics.Mix
        One breakdown of ``res.mix``.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    name : str, optional
        The table's id in the HTML (default from the period and the scheme).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.mix(res.mix[res.period]["category"], "en").data.columns[:3])
    ['published name', 'harmonised group', 'projects']
    """
    loc = locale.of(lang)
    g = mx.groups
    inv = loc.header("investment", loc.word("yi_yuan"))
    df = pd.DataFrame(
        {
            loc.word("published_name"): loc.col(g, "group"),
            loc.word("harmonised_group"): loc.col(g, "harmonised"),
            loc.header("projects_short", loc.word("count_unit")): g["projects"],
            loc.word("share_projects"): g["project_share"],
            inv: g["investment_100m_yuan"],
            loc.word("hedge"): _hedge_col(g["investment_qualifier"], loc),
            loc.word("share_investment"): g["investment_share"],
            loc.word("investment_per_project"): g["investment_per_project_100m_yuan"],
        }
    )
    cols = df.columns
    st = _style(
        df,
        name or f"mix{mx.period.key}{mx.dimension}",
        {cols[2]: "projects", inv: "investment_100m_yuan", cols[7]: "investment_per_project_100m_yuan"},
        pct_cols=[cols[3], cols[6]],
        loc=loc,
    )
    _hedge_in_cells(st, inv, cols[5], "investment_100m_yuan", g["investment_qualifier"], loc)
    return st


def compare(res, dimension: str, lang: str) -> Table:
    """One classification scheme across the periods, on its harmonised groups.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    dimension : str
        A scheme of ``res.compare`` (``"category"``, ``"place"``, ``"field"``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.compare(res, "category", "en").data.columns[:3])
    ['harmonised group', 'period', 'published name']
    """
    loc = locale.of(lang)
    c = res.compare[dimension]
    inv = loc.header("investment", loc.word("yi_yuan"))
    df = pd.DataFrame(
        {
            loc.word("harmonised_group"): loc.col(c, "harmonised"),
            loc.word("period"): [
                loc.period(a, b, suffix=False) for a, b in zip(c["first_year"], c["last_year"], strict=True)
            ],
            loc.word("published_name"): (loc.col(c, "names")).fillna("—"),
            loc.header("projects_short", loc.word("count_unit")): c["projects"],
            loc.word("share_projects"): c["project_share"],
            inv: c["investment_100m_yuan"],
            loc.word("hedge"): _hedge_col(c["investment_qualifier"], loc),
            loc.word("status"): _status(c["status"], loc),
        }
    )
    cols = df.columns
    st = _style(
        df, f"compare{dimension}", {cols[3]: "projects", inv: "investment_100m_yuan"}, pct_cols=[cols[4]], loc=loc
    )
    _hedge_in_cells(st, inv, cols[6], "investment_100m_yuan", c["investment_qualifier"], loc)
    return st


def claims(res, lang: str, frame: pd.DataFrame | None = None, name: str = "claims", kind: str | None = None) -> Table:
    """The claims ledger (or ``frame``); ``kind``: only the claims whose kind starts with it (``"landing"``).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    frame : pandas.DataFrame, optional
        Claims to show instead of ``res.claims``.
    name : str
        The table's id in the HTML.
    kind : str, optional
        Only the claims whose kind starts with this.

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.claims(res, "en", kind="landing").data.columns)
    ['statement', 'stated', 'computed', 'verdict', 'basis']
    """
    loc = locale.of(lang)
    led = res.claims if frame is None else frame
    if kind is not None:
        led = led[led["kind"].str.startswith(kind)]
    rate = led["kind"] == "landing_rate"
    df = pd.DataFrame(
        {
            loc.word("statement"): facts.claims(led, loc.lang),
            loc.word("stated"): [
                ("—" if locale.missing(s) else loc.hedged(s, q, "percent" if r else None))
                for s, q, r in zip(led["stated"], led["qualifier"], rate, strict=True)
            ],
            loc.word("computed"): [
                ("—" if locale.missing(c) else locale.pct(c / 100) if r else locale.num(c))
                for c, r in zip(led["computed"], rate, strict=True)
            ],
            loc.word("verdict"): [loc.verdict(c) for c in led["consistent"]],
            loc.word("basis"): [loc.word(b) for b in led["basis"]],
        }
    )
    st = _style(df, name, {})
    st.set_properties(subset=[df.columns[1], df.columns[2]], **{"text-align": "right"})
    return st


def projection(res, lang: str) -> Table:
    """The projection: median, mean and 80 %/95 % prediction intervals of each figure and year.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.projection(res, "en").data.columns)
    ['year', 'measure', 'median', 'mean', '80% prediction interval', '95% prediction interval']
    """
    loc = locale.of(lang)
    tab = res.projection.table
    df = pd.DataFrame(
        {
            loc.word("year"): tab["year"].astype(str),
            loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in tab["metric"]],
            loc.word("median"): [loc.rounded(v) for v in tab["median"]],
            loc.word("mean"): [loc.rounded(v) for v in tab["mean"]],
            loc.word("pi80"): [loc.interval(a, b) for a, b in zip(tab["pi80_lo"], tab["pi80_hi"], strict=True)],
            loc.word("pi95"): [loc.interval(a, b) for a, b in zip(tab["pi95_lo"], tab["pi95_hi"], strict=True)],
        }
    )
    st = _style(df, "projection", {})
    st.set_properties(subset=list(df.columns[2:]), **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    return st


def _actual(value, qualifier, bounds, source, loc: locale.Locale):
    """A published figure with its hedge; a cumulative total the sources never state is marked as a sum."""
    if source == "sum":
        return loc.hedged_sum(value, qualifier, bounds=bounds) + loc.bracket(loc.word("sum_of_periods"))
    return loc.hedged(value, qualifier, bounds=bounds)


def backtest(res, lang: str) -> Table | None:
    """The projection made at the release against what was published later; None when nothing later was.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table or None
        The styled table; None when nothing was published after the release.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> res = compute(load(), 2023)
    >>> list(tables.backtest(res, "en").data.columns[:3])
    ['year', 'measure', 'actual']
    >>> tables.backtest(compute(load(), 2024), "en") is None
    True
    """
    loc = locale.of(lang)
    if res.since_then is None or res.since_then.backtest.empty:
        return None
    bt = res.since_then.backtest
    df = pd.DataFrame(
        {
            loc.word("year"): bt["year"].astype(str),
            loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in bt["metric"]],
            loc.word("actual"): [
                _actual(v, q, b, src, loc)
                for v, q, b, src in zip(
                    bt["actual"], bt["actual_qualifier"], bt["actual_range"], bt["actual_source"], strict=True
                )
            ],
            loc.word("median"): [loc.rounded(v) for v in bt["median"]],
            loc.word("pi80"): [loc.interval(a, b) for a, b in zip(bt["pi80_lo"], bt["pi80_hi"], strict=True)],
            loc.word("pi95"): [loc.interval(a, b) for a, b in zip(bt["pi95_lo"], bt["pi95_hi"], strict=True)],
            loc.word("inside80"): [loc.word("yes" if v else "no") for v in bt["inside80"]],
            loc.word("interval_score"): bt["interval_score95"],
            loc.word("crps"): bt["crps"],
        }
    )
    st = _style(df, "backtest", {df.columns[7]: "interval_score95", df.columns[8]: "crps"}, loc=loc)
    st.set_properties(subset=list(df.columns[2:6]), **{"text-align": "right"})
    return st


def calibration(study: pd.DataFrame, lang: str) -> Table:
    """The calibration study of the yearly figures, as a table.

    Coverage of the 80 %/95 % intervals one and three years ahead (± Monte-Carlo standard error) and the
    model's interval score relative to the Poisson baseline.

    Parameters
    ----------
    study : pandas.DataFrame
        A calibration study's table (``analysis.stats.calibration.stored()[0]``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import tables
    >>> from analysis.stats import calibration
    >>> list(tables.calibration(calibration.stored()[0], "en").data.columns[:2])
    ['simulated world', 'measure']
    """
    loc = locale.of(lang)
    s = study[study["metric"].isin(["projects", "investment"])]
    last = int(s["horizon"].max())
    rows = []
    for (proc, metric), g in s.groupby(["process", "metric"], sort=False):
        row = {
            loc.word("process"): process_label(proc, loc.lang),
            loc.word("metric"): loc.word(
                locale.METRIC_LABELS["projects" if metric == "projects" else "investment_100m_yuan"]
            ),
        }
        for level in LEVELS:
            for h in (1, last):
                r = g[(g["level"] == level) & (g["horizon"] == h)].iloc[0]
                key = loc.word("coverage_h", level=round(level * 100), h=h)
                row[key] = f"{loc.pct(r['coverage'], 0)} ± {loc.pct(r['mc_se'], 1)}"
        r = g[(g["level"] == 0.95) & (g["horizon"] == 1)].iloc[0]
        row[loc.word("is_ratio")] = r["is_model"] / r["is_poisson"]
        rows.append(row)
    df = pd.DataFrame(rows)
    return _style(df, "calibration", {df.columns[-1]: "is_ratio"}, loc=loc)


# ---- the fitted model as an analyst inspects it (issue 20, item 2; computed by analysis.stats.posterior)


def _model_label(model: str, loc: locale.Locale) -> str:
    return loc.word(f"model_{model}")


def model_weights(res, lang: str) -> Table:
    """The time structures' prior probabilities, evidence and weights beside their importance-sampling diagnostics.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.model_weights(compute(load(), 2023), "en")
    >>> list(t.data.columns[:4])
    ['model', 'prior probability', 'log evidence', 'weight']
    """
    from ..stats.posterior import posterior

    loc = locale.of(lang)
    view = posterior(res)
    t = view.weights.merge(view.diagnostics, on="model", how="left", validate="one_to_one")
    names = ("prior_probability", "log_evidence", "weight", "draws", "ess", "khat")
    df = pd.DataFrame(
        {
            loc.word("model"): [_model_label(m, loc) for m in t["model"]],
            **{loc.word(columns.column(n).title): t[n] for n in names},
            loc.word("verdict"): [loc.word(f"khat_{v}") for v in t["khat_verdict"]],
        }
    )
    titles = {loc.word(columns.column(n).title): n for n in names}
    shares = [c for c, n in titles.items() if columns.column(n).decimals is None]
    numeric = {c: n for c, n in titles.items() if c not in shares}
    return _style(df, "modelweights", numeric, pct_cols=shares, caption=loc.word("caption_model_weights"), loc=loc)


def prior_posterior(res, lang: str) -> Table:
    """Each parameter's prior beside its posterior: medians with 80 % intervals, and how much the data narrowed it.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.prior_posterior(compute(load(), 2023), "en")
    >>> list(t.data.columns)
    ['model', 'parameter', 'prior: median (80% interval)', 'posterior: median (80% interval)', 'posterior sd ÷ prior sd']
    """
    from ..stats.posterior import posterior

    loc = locale.of(lang)
    p = posterior(res).parameters
    nd = columns.decimals("posterior_q50")

    def cell(side):
        return [
            f"{locale.fixed(m, nd)}{loc.bracket(loc.interval(lo, hi, _fixed(nd)))}"
            for m, lo, hi in zip(p[f"{side}_q50"], p[f"{side}_q10"], p[f"{side}_q90"], strict=True)
        ]

    ratio = loc.word(columns.column("sd_ratio").title)
    df = pd.DataFrame(
        {
            loc.word("model"): [_model_label(m, loc) for m in p["model"]],
            loc.word("parameter"): [loc.word(f"param_{k}") for k in p["parameter"]],
            loc.word("prior_interval"): cell("prior"),
            loc.word("posterior_interval"): cell("posterior"),
            ratio: p["sd_ratio"],
        }
    )
    st = _style(df, "priorposterior", {ratio: "sd_ratio"}, caption=loc.word("caption_prior_posterior"), loc=loc)
    st.set_properties(subset=list(df.columns[2:4]), **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    return st


def what_if(w, lang: str) -> Table:
    """A what-if beside the projection without it: medians and 80 % intervals before and after, per year and figure.

    Parameters
    ----------
    w : analysis.stats.posterior.WhatIf
        What :func:`analysis.what_if` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame.

    Examples
    --------
    >>> from analysis import compute, load, tables, what_if
    >>> t = tables.what_if(what_if(compute(load(), 2023), projects=60), "en")
    >>> t.caption
    'The projection if 2024 signs 60 projects'
    """
    loc = locale.of(lang)
    tab = w.table
    a = w.assumption
    caption = (
        loc.word("caption_fixed_projects", year=a["year"], projects=loc.num(a["projects"]))
        if a["kind"] == "fixed_projects"
        else loc.word("caption_scenario")
    )
    df = pd.DataFrame(
        {
            loc.word("year"): tab["year"].astype(str),
            loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in tab["metric"]],
            **{
                loc.word(f"{side}_median"): [loc.rounded(v) for v in tab[f"{side}_median"]]
                for side in ("before", "after")
            },
            **{
                loc.word(f"{side}_pi80"): [
                    loc.interval(lo, hi) for lo, hi in zip(tab[f"{side}_pi80_lo"], tab[f"{side}_pi80_hi"], strict=True)
                ]
                for side in ("before", "after")
            },
            loc.word("change_median"): [
                ("+" if v > 0 else "") + (loc.num(round(v)) if m.endswith("projects") else loc.rounded(v))
                for v, m in zip(tab["change_median"], tab["metric"], strict=True)
            ],
        }
    )
    df = df[[df.columns[i] for i in (0, 1, 2, 4, 3, 5, 6)]]
    st = _style(df, "whatif", {}, caption=caption, loc=loc)
    st.set_properties(subset=list(df.columns[2:]), **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    return st
