"""Rules a per-table schema cannot express, each named, each yielding problems with their message.

Every rule takes the typed frames of all tables (every row, before agreeing sources are merged) and
yields :class:`~analysis.data.schema.Problem` objects naming file, line and column. :data:`RULES` lists
them in the order they run; :func:`check_rules` runs them all. :func:`resolve_sources` then keeps one
row per fact and reports sources that disagree. Reconciliation of figures against each other (sums,
cumulative totals, landing rates) lives in :mod:`analysis.stats.claims`.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pandas as pd

from ..core import locale
from ..core.qualifiers import interval
from .reading import is_missing, rows_of
from .schema import (
    COUNT_COLUMNS,
    MAX_INVESTMENT_PER_YEAR_100M_YUAN,
    NUMBER_COLUMNS,
    PERCENT_COLUMNS,
    QUALIFIED,
    TABLES,
    TERM_SPELLINGS,
    TOTAL,
    Problem,
)


class Frames(dict):
    """The typed frames of every table by name (a dict), with each table's rows read once for all the rules.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        The typed frames, indexed by CSV line.

    Examples
    --------
    >>> import pandas as pd
    >>> f = Frames({"t": pd.DataFrame({"a": ["x"]}, index=[2])})
    >>> f.rows("t"), f.rows("t") is f.rows("t")
    ([(2, {'a': 'x'})], True)
    """

    def __init__(self, frames: dict[str, pd.DataFrame]):
        super().__init__(frames)
        self._rows: dict[str, list[tuple[int, dict]]] = {}

    def rows(self, name: str) -> list[tuple[int, dict]]:
        """The ``(line, row)`` pairs of table ``name`` (:func:`~analysis.data.reading.rows_of`), read on first use.

        Parameters
        ----------
        name : str
            A table.

        Returns
        -------
        list of (int, dict)
            Its rows, in file order (shared by the rules: not to be changed).
        """
        if name not in self._rows:
            self._rows[name] = rows_of(self[name])
        return self._rows[name]


Rule = Callable[[Frames], Iterator[Problem]]

#: Longest evidence fragment accepted: one clause, not a copy of the article.
MAX_EVIDENCE_CHARS = 40

RULES: dict[str, Rule] = {}


def rule(name: str):
    """Register a rule under ``name`` (the order of registration is the order of checking).

    Parameters
    ----------
    name : str
        The rule's name in :data:`RULES`.

    Returns
    -------
    callable
        A decorator that registers the function and returns it unchanged.
    """

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


@rule("source_exists")
def source_exists(f: Frames) -> Iterator[Problem]:
    """Every row names a source of sources.csv; a superseded source exists too.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    sources = set(f["sources"]["source_id"].dropna())
    for name, frame in f.items():
        if name == "sources" or "source_id" not in frame:
            continue
        for line, sid in frame["source_id"].items():
            if pd.notna(sid) and sid not in sources:
                yield Problem(
                    TABLES[name].filename, line, "source_id", f"unknown source '{sid}'; add it to sources.csv first"
                )
    for line, sup in f["sources"]["supersedes"].items():
        if pd.notna(sup) and sup not in sources:
            yield Problem("sources.csv", line, "supersedes", f"unknown source '{sup}'")


#: Characters a web address copied from a browser never has, which could end an HTML attribute or a
#: Markdown link around it: quotes, angle brackets, backquote, backslash (whitespace and control
#: characters are refused apart).
_URL_FORBIDDEN = set("\"'<>`\\")


def web_address_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) address a page may link to, or None when it is one.

    Parameters
    ----------
    url : str
        The address as written in sources.csv.

    Returns
    -------
    str or None
        The problem in plain words, or None.

    Examples
    --------
    >>> web_address_problem("https://example.org/a") is None
    True
    >>> web_address_problem("javascript:alert(1)")
    "'javascript:alert(1)' is not a web address: only http:// and https:// addresses are accepted"
    """
    odd = sorted({ch for ch in url if ch in _URL_FORBIDDEN or ch.isspace() or not ch.isprintable()})
    if odd:
        shown = ", ".join(repr(ch) for ch in odd)
        return (
            f"'{url}' has a character a web address cannot have ({shown}); "
            "copy the address from the browser's address bar (it percent-encodes such characters)"
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"'{url}' is not a web address: only http:// and https:// addresses are accepted"
    if not parts.netloc or url[len(parts.scheme) :][:3] != "://":
        return f"'{url}' is not a web address: it names no host (http://host/...)"
    return None


@rule("url_is_a_web_address")
def url_is_a_web_address(f: Frames) -> Iterator[Problem]:
    """A source's url is an http(s) address a page may link to.

    Never javascript:, data:, mailto: or relative, and nothing that could break out of the link
    the pages make of it.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, url in f["sources"]["url"].items():
        why = None if pd.isna(url) else web_address_problem(str(url))
        if why:
            yield Problem("sources.csv", line, "url", why)


@rule("qualifier_with_value")
def qualifier_with_value(f: Frames) -> Iterator[Problem]:
    """A qualifier exactly when there is a value: unknown is empty in both.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for name, pairs in QUALIFIED.items():
        fname = TABLES[name].filename
        for value_col, q_col in pairs.items():
            for line, row in f.rows(name):
                v, q = row[value_col], row[q_col]
                if pd.notna(v) and pd.isna(q):
                    yield Problem(
                        fname,
                        line,
                        q_col,
                        f"{value_col} is given, so its qualifier is required (exact when the source has no hedge)",
                    )
                if pd.isna(v) and pd.notna(q):
                    yield Problem(
                        fname,
                        line,
                        q_col,
                        f"qualifier without a value in {value_col}; leave both empty when the source does not state it",
                    )


@rule("years_in_order")
def years_in_order(f: Frames) -> Iterator[Problem]:
    """A row's first year is not after its last year.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for name, frame in f.items():
        if "first_year" in frame and "last_year" in frame:
            bad = (frame["first_year"] > frame["last_year"]).fillna(False)
            for line in frame.index[bad]:
                yield Problem(TABLES[name].filename, line, "last_year", "last_year is before first_year")


def _dimensions(f: Frames) -> set[str]:
    return set(f["taxonomy"]["dimension"].dropna())


@rule("dimension_is_mapped")
def dimension_is_mapped(f: Frames) -> Iterator[Problem]:
    """A breakdown's dimension (its classification scheme) is the total or a scheme of taxonomy.csv.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    dims = _dimensions(f)
    if TOTAL in dims:
        line = int(f["taxonomy"].index[f["taxonomy"]["dimension"] == TOTAL][0])
        yield Problem(
            "taxonomy.csv",
            line,
            "dimension",
            f"'{TOTAL}' is the dimension of period totals, not a classification scheme",
        )
    for line, d in f["signings"]["dimension"].items():
        if pd.notna(d) and d != TOTAL and d not in dims:
            yield Problem(
                "signings.csv",
                line,
                "dimension",
                f"dimension '{d}' is neither '{TOTAL}' nor a classification scheme of taxonomy.csv; "
                f"map its groups there (known schemes: {', '.join(sorted(dims))})",
            )
    for line, d in f["claims"]["dimension"].items():
        if pd.notna(d) and d not in dims:
            yield Problem(
                "claims.csv", line, "dimension", f"dimension '{d}' is not a classification scheme of taxonomy.csv"
            )


@rule("group_names_match_dimension")
def group_names_match_dimension(f: Frames) -> Iterator[Problem]:
    """A total row has no group name; a breakdown row has the group name as published.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("signings"):
        if row["dimension"] == TOTAL and pd.notna(row["group_zh"]):
            yield Problem("signings.csv", line, "group_zh", "total rows have no group; leave group_zh empty")
        if pd.notna(row["dimension"]) and row["dimension"] != TOTAL and pd.isna(row["group_zh"]):
            yield Problem(
                "signings.csv", line, "group_zh", f"a {row['dimension']} row needs the group name as published"
            )


@rule("investment_plausible")
def investment_plausible(f: Frames) -> Iterator[Problem]:
    """An amount is plausible in 亿元 for the years it covers (not yuan or 万元 by mistake).

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("signings"):
        inv = row["investment_100m_yuan"]
        if pd.notna(inv) and pd.notna(row["first_year"]) and pd.notna(row["last_year"]):
            n = int(row["last_year"]) - int(row["first_year"]) + 1
            if inv > MAX_INVESTMENT_PER_YEAR_100M_YUAN * n:
                yield Problem(
                    "signings.csv",
                    line,
                    "investment_100m_yuan",
                    f"{locale.sig(inv, 6)} {locale.SOURCE_UNIT} is implausibly large (over {locale.num(MAX_INVESTMENT_PER_YEAR_100M_YUAN)} {locale.SOURCE_UNIT} per conference year); "
                    f"the column is in {locale.SOURCE_UNIT} (100 million yuan), not yuan or {locale.SOURCE_WAN_YUAN}",
                )


@rule("investment_term_recorded")
def investment_term_recorded(f: Frames) -> Iterator[Problem]:
    """The source's word for an amount (意向投资额, 资金) is recorded, and written in the evidence.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("signings"):
        term, inv, ev = row["investment_term_zh"], row["investment_100m_yuan"], row["evidence"]
        if pd.notna(inv) and pd.isna(term):
            yield Problem(
                "signings.csv",
                line,
                "investment_term_zh",
                f"an amount is given: record the source's word for it ({' or '.join(locale.INVESTMENT_TERMS)})",
            )
        elif pd.isna(inv) and pd.notna(term):
            yield Problem("signings.csv", line, "investment_term_zh", "no amount is given: leave the term empty")
        elif (
            pd.notna(term)
            and pd.notna(ev)
            and not any(w in str(ev) for w in TERM_SPELLINGS.get(str(term), (str(term),)))
        ):
            yield Problem("signings.csv", line, "investment_term_zh", f"'{term}' is not written in the evidence '{ev}'")


@rule("landing_counts")
def landing_counts(f: Frames) -> Iterator[Problem]:
    """Landed never exceeds signed; a row states a count or a rate (or both).

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("landing"):
        if pd.notna(row["landed"]) and pd.notna(row["signed"]) and row["landed"] > row["signed"]:
            yield Problem(
                "landing.csv", line, "landed", f"landed ({row['landed']}) is more than signed ({row['signed']})"
            )
        if pd.isna(row["landed"]) and pd.isna(row["stated_rate_pct"]):
            yield Problem("landing.csv", line, "landed", "give the landed count, the stated rate, or both")


def _mapped(f: Frames) -> set[tuple[str, str]]:
    tax = f["taxonomy"]
    return set(zip(tax["dimension"], tax["group_zh"], strict=True))


@rule("groups_are_mapped")
def groups_are_mapped(f: Frames) -> Iterator[Problem]:
    """Every printed group name is in taxonomy.csv: there is no silent "other".

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    mapped = _mapped(f)
    for line, row in f.rows("signings"):
        if (
            row["dimension"] != TOTAL
            and pd.notna(row["group_zh"])
            and (row["dimension"], row["group_zh"]) not in mapped
        ):
            yield Problem(
                "signings.csv",
                line,
                "group_zh",
                f"group '{row['group_zh']}' ({row['dimension']}) is not in taxonomy.csv; "
                "add a row there mapping it to a harmonised group",
            )
    for line, row in f.rows("claims"):
        if pd.notna(row["groups_zh"]):
            for g in str(row["groups_zh"]).split("|"):
                if (row["dimension"], g) not in mapped:
                    yield Problem(
                        "claims.csv", line, "groups_zh", f"group '{g}' ({row['dimension']}) is not in taxonomy.csv"
                    )
    for line, row in f.rows("named_projects"):
        for col, dim in (("county_zh", "place"), ("category_zh", "category")):
            if pd.notna(row[col]) and (dim, row[col]) not in mapped:
                yield Problem("named_projects.csv", line, col, f"'{row[col]}' is not a {dim} in taxonomy.csv")


@rule("taxonomy_labels_agree")
def taxonomy_labels_agree(f: Frames) -> Iterator[Problem]:
    """One harmonised group, one pair of labels; one scheme, one pair of scheme labels.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    rows = list(f.rows("taxonomy"))
    for (dim, key), lines in _groups(rows, ("dimension", "harmonised"), ("harmonised_zh", "harmonised_en")):
        yield Problem(
            "taxonomy.csv",
            lines[1],
            "harmonised_en",
            f"harmonised group '{key}' ({dim}) has different labels on different rows",
        )
    for (dim,), lines in _groups(rows, ("dimension",), ("dimension_zh", "dimension_en")):
        yield Problem(
            "taxonomy.csv",
            lines[1],
            "dimension_en",
            f"scheme '{dim}' has different labels on different rows",
        )
    for line, row in rows:  # the pages show the notes in both languages
        if pd.notna(row["note"]) != pd.notna(row["note_zh"]):
            col = "note_zh" if pd.notna(row["note"]) else "note"
            yield Problem("taxonomy.csv", line, col, "give the note in both languages (note and note_zh) or in neither")


def _groups(rows: list[tuple[int, dict]], by: tuple[str, ...], labels: tuple[str, ...]):
    """The groups of ``rows`` by the columns ``by`` whose rows give more than one set of ``labels``.

    As ``groupby(by)`` (sorted keys, a key with an empty cell left out) and ``drop_duplicates`` on the labels
    (empty cells equal) would find them: ``(key, lines)`` in the order of the keys, ``lines`` in file order.
    """
    found: dict[tuple, list[int]] = {}
    seen: dict[tuple, set[tuple]] = {}
    for line, row in rows:
        key = tuple(row[c] for c in by)
        if any(pd.isna(k) for k in key):
            continue
        found.setdefault(key, []).append(line)
        seen.setdefault(key, set()).add(tuple(None if pd.isna(row[c]) else row[c] for c in labels))
    return [(key, found[key]) for key in sorted(found) if len(seen[key]) > 1]


@rule("detail_units")
def detail_units(f: Frames) -> Iterator[Problem]:
    """A detail's number has its unit and its qualifier, in one of value or amount_100m_yuan.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("details"):
        if pd.notna(row["value"]) and pd.isna(row["unit"]):
            yield Problem(
                "details.csv",
                line,
                "unit",
                f"a value needs its unit (amounts in {locale.SOURCE_UNIT} go in amount_100m_yuan)",
            )
        if pd.notna(row["value"]) and pd.notna(row["amount_100m_yuan"]):
            yield Problem(
                "details.csv", line, "amount_100m_yuan", "give either value (with unit) or amount_100m_yuan, not both"
            )
        if (pd.notna(row["value"]) or pd.notna(row["amount_100m_yuan"])) and pd.isna(row["qualifier"]):
            yield Problem(
                "details.csv", line, "qualifier", "a number needs its qualifier (exact when the source has no hedge)"
            )


@rule("years_are_conference_years")
def years_are_conference_years(f: Frames) -> Iterator[Problem]:
    """Every year a row covers had a conference (in conferences.csv).

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    years = {int(y) for y in f["conferences"]["year"].dropna()}
    for name in ("signings", "landing", "claims"):
        for line, row in f.rows(name):
            if pd.isna(row["first_year"]) or pd.isna(row["last_year"]):
                continue
            gap = [y for y in range(int(row["first_year"]), int(row["last_year"]) + 1) if y not in years]
            if gap:
                yield Problem(
                    TABLES[name].filename,
                    line,
                    "first_year" if gap[0] == row["first_year"] else "last_year",
                    f"year(s) {', '.join(map(str, gap))} have no row in conferences.csv",
                )


def _label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


@rule("totals_nest")
def totals_nest(f: Frames) -> Iterator[Problem]:
    """The periods of the totals nest: two are apart or one lies inside the other.

    A 2020–2021 total beside the 2019–2020 one would count 2020 in both, and no single years could
    be derived from them.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    seen: dict[tuple[int, int], int] = {}
    for line, row in f.rows("signings"):
        if not isinstance(row["dimension"], str) or row["dimension"] != TOTAL:
            continue
        if pd.isna(row["first_year"]) or pd.isna(row["last_year"]) or row["first_year"] > row["last_year"]:
            continue
        a, b = int(row["first_year"]), int(row["last_year"])
        for (c, d), other in seen.items():
            if a <= d and c <= b and not (a <= c and d <= b) and not (c <= a and b <= d):
                yield Problem(
                    "signings.csv",
                    line,
                    "first_year" if c <= a <= d else "last_year",
                    f"the total of {_label(a, b)} straddles the boundary of the total of {_label(c, d)} (line {other}): "
                    "totals must lie one inside the other or not overlap; "
                    "check the years, or record the rows of one article only",
                )
                break
        seen.setdefault((a, b), line)


#: The date columns of each table: year, month, day.
DATE_COLUMNS = {"sources": ("date_year", "date_month", "date_day"), "conferences": ("year", "month", "day")}


@rule("dates_exist")
def dates_exist(f: Frames) -> Iterator[Problem]:
    """A date with year, month and day is one the calendar has (2023-02-31 is not).

    Months outside 1–12 and days outside 1–31 are refused by the schema.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for name, (yc, mc, dc) in DATE_COLUMNS.items():
        for line, row in f.rows(name):
            y, m, d = row[yc], row[mc], row[dc]
            if pd.isna(y) or pd.isna(m) or pd.isna(d) or not 1 <= m <= 12 or not 1 <= d <= 31 or not 1 <= y <= 9999:
                continue
            days = calendar.monthrange(int(y), int(m))[1]
            if d > days:
                yield Problem(
                    TABLES[name].filename,
                    line,
                    dc,
                    f"{int(y)}-{int(m):02d}-{int(d):02d} is not a date: {calendar.month_name[int(m)]} {int(y)} has {days} days",
                )


Date = tuple[int, "int | None", "int | None"]


def _date(row, cols) -> Date | None:
    """(year, month, day) with None for an unknown or impossible part; None without a year."""
    y, m, d = (row[c] for c in cols)
    if pd.isna(y) or not 1 <= y <= 9999:
        return None
    m = int(m) if pd.notna(m) and 1 <= m <= 12 else None
    d = int(d) if pd.notna(d) and 1 <= d <= (calendar.monthrange(int(y), m)[1] if m else 31) else None
    return int(y), m, d


def _before(a: Date, b: Date) -> int | None:
    """The part (0 year, 1 month, 2 day) showing that ``a`` is before ``b``, comparing only the parts both
    dates give (a day counts only within a known month); None when ``a`` is not certainly earlier."""
    for i in range(3):
        if a[i] is None or b[i] is None:
            return None
        if a[i] != b[i]:
            return i if a[i] < b[i] else None
    return None


def _iso(d: Date) -> str:
    y, m, day = d
    return str(y) + (f"-{m:02d}" if m else "") + (f"-{day:02d}" if m and day else f", day {day}" if day else "")


@rule("source_after_conference")
def source_after_conference(f: Frames) -> Iterator[Problem]:
    """An article reports the signings of conferences held by its date.

    A source dated before a conference whose signings, landing or date it reports is a wrong date
    (or a wrong year on the row).

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    conf: dict[int, tuple[Date, int]] = {}
    for line, row in f.rows("conferences"):
        d = _date(row, DATE_COLUMNS["conferences"])
        if d is not None and (
            d[0] not in conf or sum(x is not None for x in d) > sum(x is not None for x in conf[d[0]][0])
        ):
            conf[d[0]] = (d, line)
    dates = {
        str(r["source_id"]): (_date(r, DATE_COLUMNS["sources"]), line)
        for line, r in f.rows("sources")
        if pd.notna(r["source_id"])
    }
    reported: dict[str, tuple[int, str, int]] = {}  # source -> the latest conference year it reports, and where
    for name, year_col in (
        ("signings", "last_year"),
        ("landing", "last_year"),
        ("claims", "last_year"),
        ("conferences", "year"),
    ):
        for line, row in f.rows(name):
            sid, year = row["source_id"], row[year_col]
            if pd.notna(sid) and pd.notna(year) and (str(sid) not in reported or year > reported[str(sid)][0]):
                reported[str(sid)] = (int(year), TABLES[name].filename, line)
    for sid, (year, fname, line) in reported.items():
        if sid not in dates or dates[sid][0] is None or year not in conf:
            continue
        (d, sline), (c, cline) = dates[sid], conf[year]
        part = _before(d, c)
        if part is not None:
            yield Problem(
                "sources.csv",
                sline,
                DATE_COLUMNS["sources"][part],
                f"{sid} is dated {_iso(d)}, before the {year} conference ({_iso(c)}, conferences.csv:{cline}) "
                f"whose figures it reports ({fname}:{line}); check the date",
            )


@rule("no_amount_without_projects")
def no_amount_without_projects(f: Frames) -> Iterator[Problem]:
    """An amount is the intended investment of signed projects: none with 0 projects.

    0 projects with a positive amount cannot be (and would make the amount per project infinite).

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for line, row in f.rows("signings"):
        n, inv = row["projects"], row["investment_100m_yuan"]
        if pd.notna(n) and pd.notna(inv) and n == 0 and inv > 0:
            yield Problem(
                "signings.csv",
                line,
                "projects",
                f"0 projects with an amount of {locale.sig(inv, 6)} {locale.SOURCE_UNIT} cannot be; "
                "check the count (leave it empty when the article does not give it)",
            )


@rule("evidence_is_a_fragment")
def evidence_is_a_fragment(f: Frames) -> Iterator[Problem]:
    """Evidence is one clause of the source, not a copy of it.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for name, frame in f.items():
        if "evidence" not in frame:
            continue
        for line, ev in frame["evidence"].items():
            if pd.notna(ev) and len(str(ev)) > MAX_EVIDENCE_CHARS:
                yield Problem(
                    TABLES[name].filename,
                    line,
                    "evidence",
                    f"evidence is {len(str(ev))} characters; quote one clause (at most {MAX_EVIDENCE_CHARS})",
                )


@rule("number_in_evidence")
def number_in_evidence(f: Frames) -> Iterator[Problem]:
    """Each number of a row is written in its own evidence, so a typo is caught on its row.

    Parameters
    ----------
    f : dict of str to pandas.DataFrame
        The typed frames of every table, indexed by CSV line.

    Yields
    ------
    Problem
        One per row (or cell) that breaks the rule.
    """
    for name, cols in NUMBER_COLUMNS.items():
        for line, row in f.rows(name):
            ev = row["evidence"]
            for col in cols:
                x = row[col]
                if (
                    pd.notna(x)
                    and pd.notna(ev)
                    and not number_in_text(float(x), str(ev), percent=(name, col) in PERCENT_COLUMNS)
                ):
                    written = (number_forms(float(x)) or [str(x)])[0]
                    yield Problem(
                        TABLES[name].filename,
                        line,
                        col,
                        f"{written} does not appear in the evidence '{ev}'; quote the fragment that states it",
                    )


def check_rules(frames: Frames) -> list[Problem]:
    """Every rule of :data:`RULES` on the frames (stage 2 of the checks), in order of registration.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        The typed frames of every table.

    Returns
    -------
    list of Problem
        Every problem found.

    Examples
    --------
    >>> from analysis.core.config import DATA_DIR
    >>> from analysis.data.reading import read_frames
    >>> from analysis.data.schema import TABLES
    >>> check_rules(read_frames(DATA_DIR, TABLES, []))
    []
    """
    f = Frames(frames)
    return [p for fn in RULES.values() for p in fn(f)]


# --------------------------------------------------------------------------------------------- numbers in text

_ZH_DIGITS = locale.ZH_DIGITS


def _zh_numeral(n: int) -> list[str]:
    """Chinese numerals for 0-99 as an article writes them (三, 十二, 二十, 两 for 2)."""
    if n < 10:
        return [_ZH_DIGITS[n]] + ([locale.ZH_TWO] if n == 2 else [])
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _ZH_DIGITS[tens]
    return [head + locale.ZH_TEN + (_ZH_DIGITS[ones] if ones else "")]


def number_forms(x: float, percent: bool = False) -> list[str]:
    """How a stored number may be written: 280.66, 1080 / 1,080, 三 / 六; a percent of 90 also as 九成.

    Infinity and NaN have no written form (an article never states "inf").

    Parameters
    ----------
    x : float
        The stored number.
    percent : bool
        The number is a percent (90 may also be written 九成).

    Returns
    -------
    list of str
        Every written form looked for in the evidence.

    Examples
    --------
    >>> number_forms(1080)
    ['1080', '1,080']
    """
    if not math.isfinite(float(x)):
        return []
    if float(x).is_integer():
        n = int(x)
        forms = [str(n), locale.num(n)]  # 1080 or 1,080
        if 0 <= n < 100:
            forms += _zh_numeral(n)
        if percent and n % 10 == 0 and 0 < n < 100:
            forms.append(_ZH_DIGITS[n // 10] + locale.ZH_TENTHS)
        return forms
    return [repr(float(x)).rstrip("0")]


def number_in_text(x: float, text: str, percent: bool = False) -> bool:
    """Whether ``x`` is written in ``text`` as a whole number (4 does not match inside 40 or 4.5).

    Parameters
    ----------
    x : float
        The stored number.
    text : str
        The evidence fragment.
    percent : bool
        The number is a percent.

    Returns
    -------
    bool
        True when one of :func:`number_forms` stands alone in ``text``.

    Examples
    --------
    >>> number_in_text(4, "签约项目40个"), number_in_text(40, "签约项目40个")
    (False, True)
    """
    for form in number_forms(x, percent):
        if form[0].isdigit():
            zeros = "0*" if "." in form else r"(?:\.0+)?"  # 280.60 / 100.0 write the same number
            if re.search(rf"(?<![\d.])(?<!\d,){re.escape(form)}{zeros}(?![\d]|[.,]\d)", text):
                return True
        elif form in text:
            return True
    return False


# --------------------------------------------------------------------------------------------- sources


def source_dates(sources: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Publication date of each source as a sortable (year, month, day); an unknown part sorts first.

    Parameters
    ----------
    sources : pandas.DataFrame
        The sources table.

    Returns
    -------
    dict of str to tuple of (int, int, int)
        ``(year, month, day)`` by ``source_id``, 0 for an unknown month or day.
    """
    out = {}
    columns = [sources[c].tolist() for c in ("source_id", "date_year", "date_month", "date_day")]
    for sid, *date in zip(*columns, strict=True):
        if is_missing(sid) or is_missing(date[0]):
            continue
        out[str(sid)] = tuple(0 if is_missing(x) else int(x) for x in date)
    return out


def hedged_pairs(table) -> list[tuple[str, str]]:
    """The (value column, qualifier column) pairs of a table's facts: a value is read with its hedge.

    Parameters
    ----------
    table : Table
        A table's declaration.

    Returns
    -------
    list of (str, str)
        The pairs among the table's value columns.
    """
    return [
        (c, q)
        for c, q in QUALIFIED.get(table.name, {}).items()
        if c in table.value_columns and q in table.value_columns
    ]


def value_interval(value, qualifier, column: str):
    """The true values a stated figure allows (counts are whole numbers, so an exact count is a point).

    Parameters
    ----------
    value : float
        The stated figure.
    qualifier : str or None
        Its hedge (None: exact).
    column : str
        The column it is stated in (a count column or not).

    Returns
    -------
    Interval
        :func:`analysis.core.qualifiers.interval` of the figure.
    """
    return interval(float(value), qualifier or "exact", count=column in COUNT_COLUMNS)


def statements_agree(a: dict, b: dict, table) -> list[str]:
    """The value columns on which two rows stating the same fact disagree (empty: they agree).

    A value one row leaves unstated is not a disagreement. A value with a hedge (约 331.02 against an
    exact 331.02) agrees with another when the true values they allow overlap.

    Parameters
    ----------
    a, b : dict
        The two rows, column -> value.
    table : Table
        The table's declaration (its value columns and hedges).

    Returns
    -------
    list of str
        The columns that disagree.
    """
    pairs = dict(hedged_pairs(table))
    hedges = set(pairs.values())
    diff = []
    for c in table.value_columns:
        if c in hedges or None in (a[c], b[c]):
            continue
        if c in pairs:
            if (a[c], a[pairs[c]]) == (b[c], b[pairs[c]]):
                continue
            if not value_interval(a[c], a[pairs[c]], c).overlaps(value_interval(b[c], b[pairs[c]], c)):
                diff.append(c)
        elif a[c] != b[c]:
            diff.append(c)
    return diff


def _tightness(row: dict, table) -> tuple:
    """Sort key of the row kept for a fact: it states the most, and its hedged values are the tightest."""
    stated = sum(v is not None for v in row.values())
    width = 0.0
    for c, q in hedged_pairs(table):
        if row[c] is not None:
            iv = value_interval(row[c], row[q], c)
            width += iv.width / max(abs(float(row[c])), 1.0)
    return (-stated, width)


def _superseded_by(sources: pd.DataFrame) -> dict[str, str]:
    """The source each superseded source is superseded by, the ids as text (as ``iterrows`` gives them)."""
    supersedes, ids = sources["supersedes"].tolist(), sources["source_id"].tolist()
    if any(not is_missing(s) and is_missing(i) for s, i in zip(supersedes, ids, strict=True)):
        # an empty id reads '<NA>' or, in a row of text only, 'nan': word it as the rows give it
        return {str(r["supersedes"]): str(r["source_id"]) for _, r in rows_of(sources) if pd.notna(r["supersedes"])}
    return {str(s): str(i) for s, i in zip(supersedes, ids, strict=True) if not is_missing(s)}


def resolve_sources(frames: Frames) -> tuple[Frames, list[Problem]]:
    """One row per fact: sources that agree merge; a disagreement is a problem unless one supersedes.

    For each fact the row of the superseding source is kept, or else the row that states the most with
    the tightest hedges (two sources writing 331.02 and 约331.02 agree, and the exact one is kept; the
    claims ledger shows the agreement). Landing facts are as of a date: the same cohort stated in two
    years is two facts (``vintage`` is the source's date).

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Every row of every table, as read.

    Returns
    -------
    tuple of (dict of str to pandas.DataFrame, list of Problem)
        The frames with one row per fact, and the disagreements found.
    """
    problems: list[Problem] = []
    superseded_by = _superseded_by(frames["sources"])
    dates = source_dates(frames["sources"])
    out = dict(frames)
    for name, table in TABLES.items():
        if not table.fact_key or name not in frames:
            continue
        frame = frames[name]
        lines = frame.index.tolist()
        sids = dict(zip(lines, frame["source_id"].tolist(), strict=True))  # pd.NA when empty
        # the cells of the fact's key and values, an empty one None
        rows = {line: {"vintage": dates.get(sids[line])} for line in lines}
        for c in {*table.fact_key, *table.value_columns} - {"vintage"}:
            for line, v in zip(lines, frame[c].tolist(), strict=True):
                rows[line][c] = None if is_missing(v) else v
        # the groups of groupby(fact_key, dropna=False, sort=False): in order of first appearance, an empty
        # cell equal to another
        groups: dict[tuple, list[int]] = {}
        for line, row in rows.items():
            groups.setdefault(tuple(row[c] for c in table.fact_key), []).append(line)
        keep = []
        for lines in groups.values():
            if len(lines) == 1:
                keep.append(lines[0])
                continue
            present = {sids[i] for i in lines}
            live = [i for i in lines if superseded_by.get(sids[i]) not in present]
            values = {i: {c: rows[i][c] for c in table.value_columns} for i in live}
            first = live[0]
            for other in live[1:]:
                diff = statements_agree(values[first], values[other], table)
                if diff:
                    problems.append(
                        Problem(
                            table.filename,
                            int(other),
                            diff[0],
                            f"disagrees with line {first} on {', '.join(diff)} "
                            f"({sids[other]} vs {sids[first]}); "
                            "fix one, or mark the newer source as superseding the older in sources.csv (column supersedes)",
                        )
                    )
            # keep the row that states the most, with the tightest hedges (2021's month and day come from
            # the 2021 article; 331.02 is kept over 约331.02)
            keep.append(min(live, key=lambda i: (*_tightness(values[i], table), live.index(i))))
        out[name] = frame.loc[sorted(keep)]
    return out, problems
