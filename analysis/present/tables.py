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

import math
import re
from typing import NamedTuple

import pandas as pd
from markupsafe import escape
from pandas.io.formats.style import Styler

from ..core import columns, locale
from ..core.qualifiers import RANGE, Interval, describe
from ..stats import metrics
from ..stats.calibration import process_label
from ..stats.model import LEVELS
from . import facts


class Table(Styler):
    """A Styler whose plain-text form is its DataFrame (no memory address in notebook outputs).

    Its HTML has the table's caption, and, where a total means something, a totals row (``<tfoot>``: not part
    of ``.data``, which stays the plain frame). The cells of the columns a reader needs first carry the class
    ``key`` (they come first, and a phone shows them without scrolling); long words the class ``wrap``.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.periods(compute(load(), 2023), "en")
    >>> repr(t) == repr(t.data)
    True
    >>> t.totals["period"], "<tfoot>" in t.to_html()
    ('Total', True)
    """

    #: The totals row: column label -> text (empty: no totals row).
    totals: dict = {}
    #: The labels of the columns a reader needs first.
    key: tuple = ()
    #: The labels of the columns whose long words may break across lines.
    wrap: tuple = ()
    _num: frozenset = frozenset()

    def __repr__(self) -> str:
        return repr(self.data)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Beside the HTML, the table's numbers as CSV (``text/csv``): the page links this file, made from the
        frame (numbers whole, each hedge in its column), not from the cells as shown (zh writes 约164.89)."""
        from .downloads import CSV_BOM, csv_bytes

        return {"text/csv": csv_bytes(self.data).decode("utf-8").removeprefix(CSV_BOM)}

    def to_html(self, buf=None, **kwargs):
        """The table as HTML, with its totals row (see :meth:`pandas.io.formats.style.Styler.to_html`).

        Parameters
        ----------
        buf : str, path or file-like, optional
            Where to write it; None returns the text.
        **kwargs
            As :meth:`pandas.io.formats.style.Styler.to_html`.

        Returns
        -------
        str or None
            The HTML when ``buf`` is None.
        """
        html = super().to_html(None, **kwargs)
        if self.totals:
            end = html.rindex("</table>")
            html = html[:end] + self._tfoot() + html[end:]
        if buf is None:
            return html
        if hasattr(buf, "write"):
            buf.write(html)
        else:
            with open(buf, "w", encoding=kwargs.get("encoding") or "utf-8") as fh:
                fh.write(html)
        return None

    def _tfoot(self) -> str:
        key = set(getattr(self, "key", ()))
        cells = []
        for i, c in enumerate(self.data.columns):
            if i in self.hidden_columns:  # zh writes the hedge in the cell and hides its column
                continue
            classes = f"total col{i}" + (" key" if c in key else "") + (" num" if c in self._num else "")
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cells.append(f'<{tag} class="{classes}"{scope}>{escape(self.totals.get(c, ""))}</{tag}>')
        return "  <tfoot>\n    <tr>\n      " + "\n      ".join(cells) + "\n    </tr>\n  </tfoot>\n"


class Total(NamedTuple):
    """A total of published figures as the hedge algebra writes it.

    Parameters
    ----------
    value : float
        The figure written (a range's lower end when it has no upper one).
    qualifier : str
        Its hedge (:data:`analysis.core.qualifiers.QUALIFIERS`, or ``range``).
    bounds : tuple or None
        ``(lo, hi)`` of a range (``hi`` None when unbounded); None otherwise.
    """

    value: float
    qualifier: str
    bounds: tuple | None


def hedged_total(values, qualifiers, ranges=None, count: bool = False) -> Total | None:
    """The total of figures with their hedges, as the qualifier algebra gives it.

    约 parts make an 约 total (or a range when no word fits), an exact figure plus 超X is 超, and a part that is
    not published (missing) leaves only a lower end: the total is "at least" the rest (a range open above).
    None when no part is known.

    Parameters
    ----------
    values : iterable of float or None
        The figures (missing: not published).
    qualifiers : iterable of str or None
        Their hedges.
    ranges : iterable of tuple or None, optional
        A derived figure's ``(lo, hi)`` (``hi`` None when unbounded).
    count : bool
        The figures are counts of projects.

    Returns
    -------
    Total or None
        The total, its hedge and its range.

    Examples
    --------
    >>> from analysis import tables
    >>> tables.hedged_total([552, 247, 280.66], ["exact", "approx", "approx"])
    Total(value=1079.66, qualifier='approx', bounds=None)
    >>> tables.hedged_total([28, None, 3], ["exact", None, "exact"], count=True)
    Total(value=31.0, qualifier='range', bounds=(31.0, None))
    >>> tables.hedged_total([None], [None]) is None
    True
    """
    values = list(values)
    qualifiers = list(qualifiers)
    ranges = [None] * len(values) if ranges is None else list(ranges)
    known = []
    for v, q, b in zip(values, qualifiers, ranges, strict=True):
        if locale.missing(v):
            continue
        iv = None
        if b is not None:
            iv = Interval(float(b[0]), math.inf if b[1] is None or locale.missing(b[1]) else float(b[1]))
        q = q if isinstance(q, str) and q else "exact"
        known.append(metrics.Value(float(v), q, interval=iv))
    if not known:
        return None
    h = metrics.hedge_of_values(known, count=count)
    if len(known) < len(values):  # a part not published: at least the others
        point = round(sum(v.value for v in known), 6)
        h = describe(Interval(h.interval.lo, math.inf, lo_open=h.interval.lo_open), point, count=count)
    bounds = None
    if h.qualifier == RANGE:
        bounds = (h.interval.lo, None if math.isinf(h.interval.hi) else h.interval.hi)
    return Total(round(float(h.value), 6), h.qualifier, bounds)


def _total_cells(t: Total | None, loc: locale.Locale, nd: int) -> tuple[str, str]:
    """A total as a table writes it: the number (the column's decimals when exact, else whole) and its hedge."""
    if t is None:
        return "—", ""
    exact = t.qualifier == "exact"
    figure = loc.fixed(t.value, nd if exact else 0)  # a sum of hedged parts has no meaningful decimals
    if t.qualifier == RANGE and (t.bounds is None or t.bounds[1] is None):
        return loc.fixed(math.floor(t.value), 0), loc.word("at_least")  # "at least": never above what parts allow
    if t.qualifier == RANGE:
        return figure, loc.hedge_cell(RANGE, (math.floor(t.bounds[0]), math.ceil(t.bounds[1])))  # rounded outward
    return figure, loc.hedge_word(t.qualifier)


def _fixed(nd: int, loc: locale.Locale | None = None):
    return (lambda x: loc.fixed(x, nd)) if loc is not None else (lambda x: locale.fixed(x, nd))


def _pct(x):
    return locale.pct(x)


def _style(
    df: pd.DataFrame,
    name: str,
    numeric: dict[str, str],
    pct_cols=(),
    caption: str | None = None,
    key=(),
    totals: dict | None = None,
    wrap=(),
    loc=None,
) -> Table:
    """Style ``df``: numeric columns (label -> the result column it shows) right-aligned, with the decimals of
    :mod:`analysis.core.columns`; ``key``: the labels of the columns a reader needs first; ``totals``: the
    totals row (label -> text); ``wrap``: the columns of long words (names, statements) a line may break;
    ``loc``: the language whose thousands separators the numbers take. ``name`` becomes the table's id (pandas
    does not escape it), so anything but ASCII letters, digits, ``_`` and ``-`` in it becomes ``_``."""
    df = df.reset_index(drop=True)
    st = Table(df)
    st.key = tuple(c for c in key if c in df)
    st.wrap = tuple(c for c in wrap if c in df)
    st.totals = dict(totals or {})
    st.set_uuid(re.sub(r"[^\w-]", "_", name, flags=re.ASCII))
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
    st._num = frozenset(num_cols)
    _classes(st)
    st.set_table_styles(
        [
            {"selector": "th", "props": [("text-align", "left")]},
            {"selector": "caption", "props": [("text-align", "left"), ("caption-side", "top")]},
            {"selector": "tfoot th, tfoot td", "props": [("font-weight", "600"), ("border-top", "2px solid")]},
            {"selector": "tfoot td.num", "props": [("text-align", "right")]},
        ]
    )
    st.set_table_attributes('class="report-table"')
    if caption:
        st.set_caption(str(escape(caption)))
    return st


def _right(st: Table, cols) -> None:
    """Right-align ``cols`` (numbers written as text: intervals, hedged values), in the totals row too."""
    cols = [c for c in cols if c in st.data]
    st.set_properties(subset=cols, **{"text-align": "right", "font-variant-numeric": "tabular-nums"})
    st._num = st._num | frozenset(cols)
    _classes(st)


def _classes(st: Table) -> None:
    """The cells' classes: ``key`` for the columns a reader needs first, ``wrap`` for long words."""
    df = st.data
    classes = {c: " ".join(w for w, on in (("key", c in st.key), ("wrap", c in st.wrap)) if on) for c in df.columns}
    if len(df):
        st.set_td_classes(pd.DataFrame({c: [classes[c]] * len(df) for c in df.columns}, index=df.index))


def _hedge_in_cells(
    st: Table, value: str, hedge: str, key: str, q, loc: locale.Locale, ranges=None, total: str | None = None
) -> None:
    """Where the language writes a hedge in the cell (zh: 约164.89, as the source does), write each value of
    column ``value`` with its hedge and hide the hedge column (``.data`` keeps both; ``total``: the totals row's
    cell written so); else leave the columns."""
    if not loc.hedge_in_cell:
        return
    ranges = [None] * len(q) if ranges is None else list(ranges)
    nd = columns.decimals(key)
    for i, (x, b) in enumerate(zip(q, ranges, strict=True)):
        st.format(lambda v, x=x, b=b: loc.hedged_cell(v, x, b, nd), subset=([i], [value]), na_rep="—", escape="html")
    st.hide([hedge], axis="columns")
    if total is not None and value in st.totals:
        st.totals[value] = total


def _total_in_cell(t, loc: locale.Locale, nd: int) -> str:
    """A total as a zh cell writes it: its hedge where the source would put it (约1080, 不少于1079)."""
    if t is None:
        return "—"
    figure, word = _total_cells(t, loc, nd)
    if t.qualifier == "exact":
        return figure
    if t.qualifier == RANGE and (t.bounds is None or t.bounds[1] is None):
        return word + figure
    return loc.hedged_cell(t.value, t.qualifier, t.bounds, 0)


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
    ['period', 'projects', 'intended investment (hundred million yuan)', 'hedge']
    """
    loc = locale.of(lang)
    t = res.periods
    inv = loc.header("investment", loc.word("yi_yuan"))
    period, projects, hedge = (
        loc.word("period"),
        loc.header("projects_short", loc.word("count_unit")),
        loc.word("hedge"),
    )
    df = pd.DataFrame(
        {
            period: [loc.period(a, b, suffix=False) for a, b in zip(t["first_year"], t["last_year"], strict=True)],
            projects: _projects_col(t, loc),
            inv: t["investment_100m_yuan"],
            hedge: _hedge_col(t["investment_qualifier"], loc, t["investment_range"]),
            loc.word("years"): t["n_years"],
            loc.word("status"): _status(t["investment_status"], loc),
            loc.word("projects_per_year"): t["projects_per_year"],
            loc.word("investment_per_year"): t["investment_per_year_100m_yuan"],
            loc.word("investment_per_project"): t["investment_per_project_100m_yuan"],
        }
    )
    num = {
        loc.word("years"): "n_years",
        projects: "projects",
        inv: "investment_100m_yuan",
        loc.word("projects_per_year"): "projects_per_year",
        loc.word("investment_per_year"): "investment_per_year_100m_yuan",
        loc.word("investment_per_project"): "investment_per_project_100m_yuan",
    }
    n_proj = hedged_total(t["projects"], t["projects_qualifier"], t["projects_range"], count=True)
    n_inv = hedged_total(t["investment_100m_yuan"], t["investment_qualifier"], t["investment_range"])
    figure, word = _total_cells(n_inv, loc, columns.decimals("investment_100m_yuan"))
    if n_proj is not None and n_proj.qualifier != "exact":  # a count with a hedge: written whole, like its cells
        proj_total = loc.hedged_sum(n_proj.value, n_proj.qualifier, bounds=n_proj.bounds)
    else:
        proj_total = _total_cells(n_proj, loc, 0)[0]
    totals = {
        period: loc.word("total_row"),
        projects: proj_total,
        inv: figure,
        hedge: word,
        loc.word("years"): loc.fixed(int(t["n_years"].sum()), 0),
    }
    hedged = any(x is not None and x.qualifier != "exact" for x in (n_proj, n_inv))
    caption = loc.word("caption_periods") + (loc.bracket(loc.word("caption_total_hedged")) if hedged else "")
    st = _style(df, "periods", num, caption=caption, key=[period, projects, inv, hedge], totals=totals, loc=loc)
    nd = columns.decimals("investment_100m_yuan")
    _hedge_in_cells(
        st,
        inv,
        hedge,
        "investment_100m_yuan",
        t["investment_qualifier"],
        loc,
        t["investment_range"],
        total=_total_in_cell(n_inv, loc, nd),
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
    ['签约批次', '签约（个）', '落地（个）']
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
    cohort, signed = loc.word("cohort"), loc.header("signed", loc.word("count_unit"))
    n_landed, rate = loc.header("landed", loc.word("count_unit")), loc.word("landing_rate")
    df = pd.DataFrame(
        {
            cohort: [loc.period(s.first_year, s.last_year, suffix=False) for s in rows],
            signed: [s.signed for s in rows],
            n_landed: landed,
            rate: [s.rate for s in rows],
            loc.word("stated"): stated,
            loc.word("as_of"): [loc.date(s.vintage) for s in rows],
            loc.word("status"): _status([s.signed_status for s in rows], loc),
            loc.word("ci95"): ci,
            loc.word("verdict"): [
                loc.verdict(s.consistent) if s.stated_rate is not None and s.landed is not None else "—" for s in rows
            ],
        }
    )
    st = _style(
        df,
        name,
        {signed: "signed"},
        pct_cols=[rate],
        caption=loc.word("caption_landing"),
        key=[cohort, signed, n_landed, rate, loc.word("stated")],
        loc=loc,
    )
    _right(st, [n_landed, loc.word("ci95"), loc.word("stated")])
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
    ['published name', 'projects', 'intended investment (hundred million yuan)']
    """
    loc = locale.of(lang)
    g = mx.groups
    inv = loc.header("investment", loc.word("yi_yuan"))
    group, projects = loc.word("published_name"), loc.header("projects_short", loc.word("count_unit"))
    hedge = loc.word("hedge")
    per_project = loc.word("investment_per_project")
    df = pd.DataFrame(
        {
            group: loc.col(g, "group"),
            projects: g["projects"],
            inv: g["investment_100m_yuan"],
            hedge: _hedge_col(g["investment_qualifier"], loc),
            loc.word("share_projects"): g["project_share"],
            loc.word("share_investment"): g["investment_share"],
            per_project: g["investment_per_project_100m_yuan"],
            loc.word("harmonised_group"): loc.col(g, "harmonised"),
        }
    )
    # shares and amounts per project do not add; the amounts add with their hedges (a group not stated: at least)
    n_proj = hedged_total(g["projects"], [None] * len(g), count=True)
    n_inv = hedged_total(g["investment_100m_yuan"], g["investment_qualifier"])
    figure, word = _total_cells(n_inv, loc, columns.decimals("investment_100m_yuan"))
    totals = {group: loc.word("total_row"), projects: _total_cells(n_proj, loc, 0)[0], inv: figure, hedge: word}
    hedged = any(x is not None and x.qualifier != "exact" for x in (n_proj, n_inv))
    caption = loc.word("caption_mix", period=loc.period(mx.period.first_year, mx.period.last_year))
    st = _style(
        df,
        name or f"mix{mx.period.key}{mx.dimension}",
        {projects: "projects", inv: "investment_100m_yuan", per_project: "investment_per_project_100m_yuan"},
        pct_cols=[loc.word("share_projects"), loc.word("share_investment")],
        caption=caption + (loc.bracket(loc.word("caption_total_hedged")) if hedged else ""),
        key=[group, projects, inv, hedge],
        totals=totals,
        wrap=[group, loc.word("harmonised_group")],
        loc=loc,
    )
    _hedge_in_cells(
        st,
        inv,
        hedge,
        "investment_100m_yuan",
        g["investment_qualifier"],
        loc,
        total=_total_in_cell(n_inv, loc, columns.decimals("investment_100m_yuan")),
    )
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
    ['harmonised group', 'period', 'projects']
    """
    loc = locale.of(lang)
    c = res.compare[dimension]
    statuses = metrics.period_statuses(c)
    shown = c[c["period"].map(statuses) == "published"]
    inv = loc.header("investment", loc.word("yi_yuan"))
    group, period, projects = (
        loc.word("harmonised_group"),
        loc.word("period"),
        loc.header("projects_short", loc.word("count_unit")),
    )
    df = pd.DataFrame(
        {
            group: loc.col(shown, "harmonised"),
            period: [
                loc.period(a, b, suffix=False) for a, b in zip(shown["first_year"], shown["last_year"], strict=True)
            ],
            projects: shown["projects"],
            inv: shown["investment_100m_yuan"],
            loc.word("hedge"): _hedge_col(shown["investment_qualifier"], loc),
            loc.word("share_projects"): shown["project_share"],
            loc.word("published_name"): (loc.col(shown, "names")).fillna("—"),
            loc.word("status"): _status(shown["status"], loc),
        }
    )
    # a period without a breakdown under this scheme: one row, after the published ones
    other = [(p, st) for p, st in statuses.items() if st != "published"]
    spans = {
        p: loc.period(a, b, suffix=False) for p, a, b in zip(c["period"], c["first_year"], c["last_year"], strict=True)
    }
    if other:
        rest = pd.DataFrame(
            {
                group: [loc.word("all_groups")] * len(other),
                period: [spans[p] for p, _ in other],
                loc.word("hedge"): [""] * len(other),
                loc.word("published_name"): ["—"] * len(other),
                loc.word("status"): _status([st for _, st in other], loc),
            }
        )
        df = pd.concat([df, rest], ignore_index=True)[df.columns]
    caption = loc.word("caption_compare", dim=loc.pick(res.dimension_labels[dimension]))
    st = _style(
        df,
        f"compare{dimension}",
        {projects: "projects", inv: "investment_100m_yuan"},
        pct_cols=[loc.word("share_projects")],
        caption=caption,
        key=[group, period, projects, inv, loc.word("hedge")],
        wrap=[group, loc.word("published_name")],
        loc=loc,
    )
    q = list(shown["investment_qualifier"]) + [None] * (len(df) - len(shown))
    _hedge_in_cells(st, inv, loc.word("hedge"), "investment_100m_yuan", q, loc)
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
    st = _style(
        df,
        name,
        {},
        caption=loc.word("caption_claims"),
        key=[loc.word("statement"), loc.word("stated"), loc.word("computed"), loc.word("verdict")],
        wrap=[loc.word("statement"), loc.word("basis")],
    )
    _right(st, [loc.word("stated"), loc.word("computed")])
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
    ['year', 'measure', 'median', '80% prediction interval', '95% prediction interval', 'mean']
    """
    loc = locale.of(lang)
    tab = res.projection.table
    df = pd.DataFrame(
        {
            loc.word("year"): tab["year"].astype(str),
            loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in tab["metric"]],
            loc.word("median"): [loc.rounded(v) for v in tab["median"]],
            loc.word("pi80"): [loc.interval(a, b) for a, b in zip(tab["pi80_lo"], tab["pi80_hi"], strict=True)],
            loc.word("pi95"): [loc.interval(a, b) for a, b in zip(tab["pi95_lo"], tab["pi95_hi"], strict=True)],
            loc.word("mean"): [loc.rounded(v) for v in tab["mean"]],
        }
    )
    key = [loc.word(w) for w in ("year", "metric", "median", "pi80")]
    st = _style(df, "projection", {}, caption=loc.word("caption_projection"), key=key, wrap=[loc.word("metric")])
    _right(st, list(df.columns[2:]))
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
            loc.word("pi80"): [loc.interval(a, b) for a, b in zip(bt["pi80_lo"], bt["pi80_hi"], strict=True)],
            loc.word("inside80"): [loc.word("yes" if v else "no") for v in bt["inside80"]],
            loc.word("median"): [loc.rounded(v) for v in bt["median"]],
            loc.word("pi95"): [loc.interval(a, b) for a, b in zip(bt["pi95_lo"], bt["pi95_hi"], strict=True)],
            loc.word("interval_score"): bt["interval_score95"],
            loc.word("crps"): bt["crps"],
        }
    )
    key = [loc.word(w) for w in ("year", "metric", "actual", "pi80")]
    st = _style(
        df,
        "backtest",
        {loc.word("interval_score"): "interval_score95", loc.word("crps"): "crps"},
        caption=loc.word("caption_backtest"),
        key=key,
        wrap=[loc.word("metric"), loc.word("actual")],
        loc=loc,
    )
    _right(st, [loc.word(w) for w in ("actual", "pi80", "median", "pi95")])
    return st


def calibration(study, lang: str) -> Table:
    """The calibration study of the yearly figures, as a table.

    Per world and measure, the shares of outcomes below and above the 80 %/95 % intervals one and three
    years ahead (their nominal shares in the caption), and the model's interval score relative to the
    Poisson baseline.

    Parameters
    ----------
    study : analysis.stats.calibration.Study or pandas.DataFrame
        A calibration study (``analysis.stats.calibration.stored()[0]``) or its ``table``.
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
    table = getattr(study, "table", study)
    s = table[table["metric"].isin(["projects", "investment"])]
    last = int(s["horizon"].max())
    rows = []
    for (proc, metric), g in s.groupby(["process", "metric"], sort=False):
        row = {
            loc.word("process"): process_label(proc, loc.lang),
            loc.word("metric"): loc.word(
                locale.METRIC_LABELS["projects" if metric == "projects" else "investment_100m_yuan"]
            ),
        }
        for h in (1, last):
            for level in LEVELS:
                r = g[(g["level"] == level) & (g["horizon"] == h)].iloc[0]
                key = loc.word("tails_h", level=round(level * 100), h=h)
                row[key] = f"{loc.pct(r['below'], 1)} / {loc.pct(r['above'], 1)}"
        r = g[(g["level"] == 0.95) & (g["horizon"] == 1)].iloc[0]
        row[loc.word("is_ratio")] = r["is_model"] / r["is_poisson"]
        rows.append(row)
    df = pd.DataFrame(rows)
    nominal = {f"lo{round(100 * lv)}": loc.pct((1 - lv) / 2, 1) for lv in LEVELS}
    return _style(
        df,
        "calibration",
        {df.columns[-1]: "is_ratio"},
        caption=loc.word("caption_calibration_tails", **nominal),
        key=list(df.columns[:3]),
        wrap=list(df.columns[:2]),
        loc=loc,
    )


def calibration_pit(study, lang: str) -> Table | None:
    """Where the simulated outcomes fell in their predictive distributions (the PIT histograms, summarised).

    Per world and measure, one and three years ahead: the mean PIT (0.5 when calibrated) and the shares in the
    lowest and highest tenth of the predictive distribution (a tenth each when calibrated); the ten bins of
    every world, measure and horizon are in the study's ``pit`` table.

    Parameters
    ----------
    study : analysis.stats.calibration.Study
        A calibration study (``analysis.stats.calibration.stored()[0]``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table or None
        The styled table (``.data`` is the plain DataFrame), or None for a study without PIT histograms.

    Examples
    --------
    >>> from analysis import tables
    >>> from analysis.stats import calibration
    >>> list(tables.calibration_pit(calibration.stored()[0], "en").data.columns[:3])
    ['simulated world', 'measure', '1 yr ahead: mean PIT']
    """
    pit = getattr(study, "pit", None)
    if pit is None or pit.empty:
        return None
    loc = locale.of(lang)
    s = pit[pit["metric"].isin(["projects", "investment"])]
    last = int(s["horizon"].max())
    rows = []
    for (proc, metric), g in s.groupby(["process", "metric"], sort=False):
        row = {
            loc.word("process"): process_label(proc, loc.lang),
            loc.word("metric"): loc.word(
                locale.METRIC_LABELS["projects" if metric == "projects" else "investment_100m_yuan"]
            ),
        }
        for h in (1, last):
            r = g[g["horizon"] == h].iloc[0]
            row[loc.word("pit_mean_h", h=h)] = loc.fixed(r["pit_mean"], 2)
            row[loc.word("pit_low_h", h=h)] = loc.pct(r["bin1"] / r["n"], 1)
            row[loc.word("pit_high_h", h=h)] = loc.pct(r["bin10"] / r["n"], 1)
        rows.append(row)
    df = pd.DataFrame(rows)
    st = _style(
        df,
        "calibrationpit",
        {},
        caption=loc.word("caption_calibration_pit"),
        key=list(df.columns[:3]),
        wrap=list(df.columns[:2]),
        loc=loc,
    )
    _right(st, df.columns[2:])
    return st


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
    ['model', 'weight', 'prior probability', 'log evidence']
    """
    from ..stats.posterior import posterior

    loc = locale.of(lang)
    view = posterior(res)
    t = view.weights.merge(view.diagnostics, on="model", how="left", validate="one_to_one")
    names = ("weight", "prior_probability", "log_evidence", "draws", "ess", "khat")
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
    key = [loc.word("model"), loc.word(columns.column("weight").title)]  # what a phone shows without scrolling
    caption = loc.word("caption_model_weights")
    return _style(df, "modelweights", numeric, pct_cols=shares, caption=caption, key=key, loc=loc)


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
            f"{loc.fixed(m, nd)}{loc.bracket(loc.interval(lo, hi, _fixed(nd, loc)))}"
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
    caption, key = loc.word("caption_prior_posterior"), [loc.word("model"), loc.word("parameter")]
    st = _style(df, "priorposterior", {ratio: "sd_ratio"}, caption=caption, key=key, wrap=key, loc=loc)
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


# ---- how to combine the time structures, and how much the priors matter (issue 22, item 5)


def prior_sensitivity(res, lang: str) -> Table:
    """Next year's count and the models' weights with each prior's scale halved and doubled, beside the default.

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
    >>> t = tables.prior_sensitivity(compute(load(), 2023), "en")
    >>> list(t.data.columns[:3])
    ['parameter', 'change', 'prior scale']
    """
    from ..stats.model import MODELS
    from ..stats.posterior import prior_sensitivity as sensitivity

    loc = locale.of(lang)
    t = sensitivity(res)
    year = res.projection.years[0]
    df = pd.DataFrame(
        {
            loc.word("parameter"): [
                loc.word("prior_default") if pd.isna(k) else loc.word(f"param_{k}") for k in t["prior"]
            ],
            loc.word("prior_factor"): [
                loc.word("factor_default") if pd.isna(k) else loc.word(f"factor_{f}")
                for k, f in zip(t["prior"], t["factor"], strict=True)
            ],
            loc.word("prior_scale"): ["—" if pd.isna(v) else loc.num(v, 3) for v in t["scale"]],
            loc.word("sens_median", year=year): [loc.num(v, 0) for v in t["median"]],
            loc.word("sens_pi80", year=year): [
                loc.interval(lo, hi) for lo, hi in zip(t["pi80_lo"], t["pi80_hi"], strict=True)
            ],
            **{
                loc.word("sens_weight", model=_model_label(m, loc)): [loc.pct(v, 0) for v in t[f"weight_{m}"]]
                for m in MODELS
            },
        }
    )
    key = list(df.columns[:2])
    caption = loc.word("caption_prior_sensitivity", year=year)
    st = _style(df, "priorsensitivity", {}, caption=caption, key=key, wrap=key[:1], loc=loc)
    _right(st, df.columns[2:])
    return st


def _method_label(method: str, loc: locale.Locale) -> str:
    return loc.word(f"method_{method}")


def weighting_backtest(res, lang: str) -> Table | None:
    """Averaging, stacking and one local-linear-trend model scored on the real releases, year by year.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table or None
        The styled table (``.data`` the plain DataFrame); None when no year after an origin is published yet.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.weighting_backtest(compute(load(), 2024, projection=False), "en")
    >>> list(t.data.columns[:2])
    ['year', 'forecast of']
    """
    from ..stats import weighting

    loc = locale.of(lang)
    bt = weighting.backtest(res)
    if bt.empty:
        return None
    df = pd.DataFrame(
        {
            loc.word("year"): bt["year"].astype(str),
            loc.word("target"): [loc.word(f"target_{t}") for t in bt["target"]],
            **{
                loc.word("log_score_of", method=_method_label(m, loc)): [loc.fixed(v, 2) for v in bt[m]]
                for m in weighting.METHODS
            },
        }
    )
    key = list(df.columns[:2])
    st = _style(df, "weightingbacktest", {}, caption=loc.word("caption_weighting_backtest"), key=key, loc=loc)
    _right(st, df.columns[2:])
    return st


def weighting_study(lang: str, study: pd.DataFrame | None = None) -> Table:
    """Averaging, stacking and one local-linear-trend model on simulated histories: mean log scores per world.

    Parameters
    ----------
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    study : pandas.DataFrame, optional
        A table of :func:`analysis.stats.weighting.study` (default: the stored one).

    Returns
    -------
    Table
        The styled table; ``.data`` is the plain DataFrame. The caption names the method kept
        (:func:`analysis.stats.weighting.verdict`).

    Examples
    --------
    >>> from analysis import tables
    >>> t = tables.weighting_study("en")
    >>> list(t.data.columns[:2])
    ['simulated world', 'forecast of']
    """
    from ..stats import weighting

    loc = locale.of(lang)
    if study is None:
        study, _ = weighting.stored()
    wide = study.pivot_table(
        index=["process", "target"], columns="method", values=["log_score", "se", "diff", "diff_se"], sort=False
    )
    base, others = weighting.METHODS[0], weighting.METHODS[1:]

    def with_se(v, se):
        return f"{loc.fixed(v, 2)}{loc.bracket(loc.fixed(se, 2))}"

    df = pd.DataFrame(
        {
            loc.word("world"): [process_label(p, loc.lang) for p, _ in wide.index],
            loc.word("target"): [loc.word(f"target_{t}") for _, t in wide.index],
            loc.word("log_score_se", method=_method_label(base, loc)): [
                with_se(v, se) for v, se in zip(wide[("log_score", base)], wide[("se", base)], strict=True)
            ],
            **{
                loc.word("log_score_diff", method=_method_label(m, loc)): [
                    with_se(v, se) for v, se in zip(wide[("diff", m)], wide[("diff_se", m)], strict=True)
                ]
                for m in others
            },
        }
    )
    v = weighting.verdict(study)
    caption = loc.word(
        "caption_weighting_study",
        n=int(study["n"].max()),
        k=loc.num(weighting.WIN_SE, 0),
        keep=_method_label(v["keep"], loc),
        today=_method_label(base, loc),
    )
    key = list(df.columns[:2])
    st = _style(df, "weightingstudy", {}, caption=caption, key=key, wrap=key[:1], loc=loc)
    _right(st, df.columns[2:])
    return st


# ---- the landing model's checks (issue 22, item 4; computed by analysis.stats.projection)


def _count(loc: locale.Locale):
    """A count as a whole number (9, not 9.0)."""
    return lambda x: loc.num(x, 0)


def _landing_cells(t: pd.DataFrame, loc: locale.Locale, median: str) -> dict[str, list[str]]:
    """The cohort, the predicted median (column ``median`` of ``t``) and its 80 % and 95 % intervals, as cells
    under their headers."""
    whole = lambda lo, hi: loc.interval(lo, hi, fmt=_count(loc))  # noqa: E731  counts: whole numbers
    return {
        loc.word("cohort"): [loc.period(a, b) for a, b in zip(t["first_year"], t["last_year"], strict=True)],
        loc.word("median"): [_count(loc)(v) for v in t[median]],
        loc.word("pi80"): [whole(a, b) for a, b in zip(t["pi80_lo"], t["pi80_hi"], strict=True)],
        loc.word("pi95"): [whole(a, b) for a, b in zip(t["pi95_lo"], t["pi95_hi"], strict=True)],
    }


def landing_check(res, lang: str) -> Table | None:
    """The landing model's leave-one-statement-out check: each statement predicted from the others.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table or None
        The styled table (``.data`` is the plain DataFrame); None with fewer than two landing statements.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.landing_check(compute(load(), 2023), "en")
    >>> list(t.data.columns[:3]), len(t.data)
    (['signing cohort', 'stated in', 'landed, as stated'], 3)
    """
    from ..stats.projection import landing_check as check

    loc = locale.of(lang)
    if res.projection is None:
        return None
    t = check(res.projection, res.dataset)
    if t.empty:
        return None
    cells = _landing_cells(t, loc, "median")
    cohort, *counts = cells
    df = pd.DataFrame(
        {
            cohort: cells[cohort],
            loc.word("landing_stated_in"): t["vintage"].astype(str),
            loc.word("landing_stated"): [
                _count(loc)(lo) if lo == hi else loc.interval(lo, hi, fmt=_count(loc))
                for lo, hi in zip(t["landed_lo"], t["landed_hi"], strict=True)
            ],
            **{c: cells[c] for c in counts},
            loc.word("landing_pit"): [loc.fixed(p, 2) for p in t["pit"]],
        }
    )
    key = [loc.word(w) for w in ("cohort", "landing_stated")]  # what a phone shows without scrolling
    st = _style(df, "landingcheck", {}, caption=loc.word("caption_landing_check"), key=key, loc=loc)
    _right(st, list(df.columns[2:]))
    return st


def landing_priors(res, lang: str) -> Table | None:
    """The landing projection under today's priors and under other ones (a prior-sensitivity table).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (with a projection).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table or None
        The styled table (``.data`` is the plain DataFrame): per prior set, the eventual share and the
        predicted landed counts of the cohorts the landing section predicts; None without a landing model.

    Examples
    --------
    >>> from analysis import compute, load, tables
    >>> t = tables.landing_priors(compute(load(), 2023), "en")
    >>> list(t.data.iloc[:, 0].unique())
    ['used in this report', 'flat', 'sceptical']
    """
    from ..stats.projection import landing_priors as sensitivity

    loc = locale.of(lang)
    if res.projection is None:
        return None
    t = sensitivity(res.projection, res.dataset)
    t = t[t["kind"].isin(["span", "cohort"])]
    if t.empty:
        return None
    nd = columns.decimals("posterior_q50")
    cells = _landing_cells(t, loc, "landed_median")
    cohort, *counts = cells
    df = pd.DataFrame(
        {
            loc.word("landing_prior_set"): [loc.word(f"landing_priors_{p}") for p in t["priors"]],
            cohort: cells[cohort],
            loc.word("landing_stated_in"): t["vintage"].astype(int).astype(str),
            **{c: cells[c] for c in counts},
            loc.word("landing_rate_median"): [loc.pct(v) for v in t["rate_median"]],
            loc.word("landing_eventual_cell"): [
                f"{loc.fixed(m, nd)}{loc.bracket(loc.interval(lo, hi, _fixed(nd, loc)))}"
                for m, lo, hi in zip(
                    t["eventual_share_median"], t["eventual_share_q10"], t["eventual_share_q90"], strict=True
                )
            ],
            loc.word("landing_prior_why"): [loc.word(f"landing_priors_why_{p}") for p in t["priors"]],
        }
    )
    key = [loc.word(w) for w in ("landing_prior_set", "cohort")]  # what a phone shows without scrolling
    why = loc.word("landing_prior_why")
    st = _style(df, "landingpriors", {}, caption=loc.word("caption_landing_priors"), key=key, wrap=[why], loc=loc)
    _right(st, list(df.columns[2:8]))
    return st


# --------------------------------------------------------------------------------------------- the forecast record


def _record_key(rec: pd.DataFrame, loc: locale.Locale) -> dict[str, list]:
    """The columns that name a row of the record: the data it was made from, the year, the measure, the figure."""
    return {
        loc.word("record_through"): rec["through"].astype(int).astype(str).tolist(),
        loc.word("year"): rec["year"].astype(int).astype(str).tolist(),
        loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in rec["target"]],
        loc.word("actual"): [
            loc.word("record_pending") if s == "pending" else loc.hedged(v, q)
            for s, v, q in zip(rec["status"], rec["actual"], rec["actual_qualifier"], strict=True)
        ],
    }


def record(rec: pd.DataFrame, lang: str) -> Table:
    """Each archived forecast against the figure published later: its intervals and scores (pending: no scores).

    Parameters
    ----------
    rec : pandas.DataFrame
        What :func:`analysis.stats.record.forecast_record` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table (``.data``: the plain frame).

    Examples
    --------
    >>> from analysis import forecast_record, load, tables
    >>> t = tables.record(forecast_record(load(), refit=False), "en")
    >>> list(t.data.columns[:4])
    ['data through', 'kind', 'year', 'measure']
    """
    loc = locale.of(lang)
    a = rec[rec["forecaster"] == "archived"].reset_index(drop=True)
    key = _record_key(a, loc)
    kind = {loc.word("record_kind"): [loc.word(f"record_kind_{k}") for k in a["kind"]]}
    first = dict(list(key.items())[:1])
    df = pd.DataFrame(
        {
            **first,
            **kind,
            **dict(list(key.items())[1:]),
            loc.word("median"): [loc.rounded(v) for v in a["median"]],
            loc.word("pi80"): [loc.interval(x, y) for x, y in zip(a["pi80_lo"], a["pi80_hi"], strict=True)],
            loc.word("pi95"): [loc.interval(x, y) for x, y in zip(a["pi95_lo"], a["pi95_hi"], strict=True)],
            loc.word("record_is80"): a["interval_score80"].astype(float),
            loc.word("record_is95"): a["interval_score95"].astype(float),
            loc.word("record_crps"): a["crps"].astype(float),
            loc.word("record_pit"): [None if pd.isna(p) else loc.fixed(p, 2) for p in a["pit"]],
        }
    )
    numeric = {loc.word(w): c for w, c in (("record_is80", "interval_score95"), ("record_is95", "interval_score95"))}
    st = _style(
        df,
        "record",
        {**numeric, loc.word("record_crps"): "crps"},
        caption=loc.word("caption_record"),
        key=list(key)[:4],
        wrap=[loc.word("metric"), loc.word("record_kind")],
        loc=loc,
    )
    _right(st, [loc.word(w) for w in ("actual", "median", "pi80", "pi95", "record_pit")])
    return st


def record_compare(rec: pd.DataFrame, lang: str) -> Table:
    """The CRPS of each published figure: the archived forecast, today's model refitted, the two baselines.

    Parameters
    ----------
    rec : pandas.DataFrame
        What :func:`analysis.stats.record.forecast_record` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table, one row per scored figure of each archived forecast.

    Examples
    --------
    >>> from analysis import forecast_record, load, tables
    >>> t = tables.record_compare(forecast_record(load(), refit=False), "en")
    >>> list(t.data.columns[4:])
    ['CRPS: archived forecast', 'CRPS: constant-rate baseline', 'CRPS: last-value baseline']
    """
    loc = locale.of(lang)
    s = rec[rec["status"] == "scored"]
    a = s[s["forecaster"] == "archived"].reset_index(drop=True)
    cols = {}
    for name in (f for f in ("archived", "today", "poisson", "last") if f in set(s["forecaster"])):
        g = s[s["forecaster"] == name].set_index(["file", "target", "year"])["crps"]
        label = loc.word("record_crps_of", who=loc.word(f"record_{name}"))
        cols[label] = [float(g.loc[(f, t, y)]) for f, t, y in zip(a["file"], a["target"], a["year"], strict=True)]
    key = _record_key(a, loc)
    df = pd.DataFrame({**key, **cols})
    st = _style(
        df,
        "record-compare",
        dict.fromkeys(cols, "crps"),
        caption=loc.word("caption_record_compare"),
        key=list(key),
        wrap=[loc.word("metric")],
        loc=loc,
    )
    _right(st, [loc.word("actual")])
    return st


def record_summary(rec: pd.DataFrame, lang: str) -> Table:
    """Each forecaster's mean scores over the published figures, per measure.

    Parameters
    ----------
    rec : pandas.DataFrame
        What :func:`analysis.stats.record.forecast_record` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    Table
        The styled table.

    Examples
    --------
    >>> from analysis import forecast_record, load, tables
    >>> t = tables.record_summary(forecast_record(load(), refit=False), "en")
    >>> t.data.iloc[0, 0]
    'archived forecast'
    """
    from ..stats.record import summary

    loc = locale.of(lang)
    sm = summary(rec)
    df = pd.DataFrame(
        {
            loc.word("record_forecaster"): [loc.word(f"record_{f}") for f in sm["forecaster"]],
            loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in sm["target"]],
            loc.word("record_n"): sm["n"].astype(int),
            loc.word("record_inside80"): sm["inside80"].astype(int),
            loc.word("record_inside95"): sm["inside95"].astype(int),
            loc.word("record_is80"): sm["interval_score80"],
            loc.word("record_is95"): sm["interval_score95"],
            loc.word("record_crps"): sm["crps"],
            loc.word("record_mean_pit"): [loc.fixed(p, 2) for p in sm["mean_pit"]],
        }
    )
    numeric = {
        loc.word("record_n"): "projects",
        loc.word("record_inside80"): "projects",
        loc.word("record_inside95"): "projects",
        loc.word("record_is80"): "interval_score95",
        loc.word("record_is95"): "interval_score95",
        loc.word("record_crps"): "crps",
    }
    st = _style(
        df,
        "record-summary",
        numeric,
        caption=loc.word("caption_record_summary"),
        key=[loc.word("record_forecaster"), loc.word("metric")],
        wrap=[loc.word("record_forecaster"), loc.word("metric")],
        loc=loc,
    )
    _right(st, [loc.word("record_mean_pit")])
    return st
