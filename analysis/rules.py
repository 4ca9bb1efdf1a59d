"""Rules a per-table schema cannot express, each named, each yielding problems with their message.

Every rule takes the typed frames of all tables (every row, before agreeing sources are merged) and
yields :class:`~analysis.schema.Problem` objects naming file, line and column. :data:`RULES` lists
them in the order they run; :func:`check_rules` runs them all. :func:`resolve_sources` then keeps one
row per fact and reports sources that disagree. Reconciliation of figures against each other (sums,
cumulative totals, landing rates) lives in :mod:`analysis.claims`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pandas as pd

from . import vocab
from .qualifiers import interval
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

Frames = dict[str, pd.DataFrame]
Rule = Callable[[Frames], Iterator[Problem]]

#: Longest evidence fragment accepted: one clause, not a copy of the article.
MAX_EVIDENCE_CHARS = 40

RULES: dict[str, Rule] = {}


def rule(name: str):
    """Register a rule under ``name`` (the order of registration is the order of checking)."""

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def _rows(frame: pd.DataFrame):
    """(line, row) pairs; the index of every frame is the CSV line number."""
    return frame.iterrows()


@rule("source_exists")
def source_exists(f: Frames) -> Iterator[Problem]:
    """Every row names a source of sources.csv; a superseded source exists too."""
    sources = set(f["sources"]["source_id"].dropna())
    for name, frame in f.items():
        if name == "sources" or "source_id" not in frame:
            continue
        for line, sid in frame["source_id"].items():
            if pd.notna(sid) and sid not in sources:
                yield Problem(TABLES[name].filename, line, "source_id", f"unknown source '{sid}'; add it to sources.csv first")
    for line, sup in f["sources"]["supersedes"].items():
        if pd.notna(sup) and sup not in sources:
            yield Problem("sources.csv", line, "supersedes", f"unknown source '{sup}'")


@rule("url_is_a_web_address")
def url_is_a_web_address(f: Frames) -> Iterator[Problem]:
    for line, url in f["sources"]["url"].items():
        if pd.notna(url) and not re.match(r"^https?://\S+$", str(url)):
            yield Problem("sources.csv", line, "url", f"'{url}' is not a web address (http:// or https://)")


@rule("qualifier_with_value")
def qualifier_with_value(f: Frames) -> Iterator[Problem]:
    """A qualifier exactly when there is a value: unknown is empty in both."""
    for name, pairs in QUALIFIED.items():
        fname = TABLES[name].filename
        for value_col, q_col in pairs.items():
            for line, (v, q) in f[name][[value_col, q_col]].iterrows():
                if pd.notna(v) and pd.isna(q):
                    yield Problem(fname, line, q_col, f"{value_col} is given, so its qualifier is required (exact when the source has no hedge)")
                if pd.isna(v) and pd.notna(q):
                    yield Problem(fname, line, q_col, f"qualifier without a value in {value_col}; leave both empty when the source does not state it")


@rule("years_in_order")
def years_in_order(f: Frames) -> Iterator[Problem]:
    for name, frame in f.items():
        if "first_year" in frame and "last_year" in frame:
            bad = (frame["first_year"] > frame["last_year"]).fillna(False)
            for line in frame.index[bad]:
                yield Problem(TABLES[name].filename, line, "last_year", "last_year is before first_year")


def _dimensions(f: Frames) -> set[str]:
    return set(f["taxonomy"]["dimension"].dropna())


@rule("dimension_is_mapped")
def dimension_is_mapped(f: Frames) -> Iterator[Problem]:
    """A breakdown's dimension (its classification scheme) is the total or a scheme of taxonomy.csv."""
    dims = _dimensions(f)
    if TOTAL in dims:
        line = int(f["taxonomy"].index[f["taxonomy"]["dimension"] == TOTAL][0])
        yield Problem("taxonomy.csv", line, "dimension", f"'{TOTAL}' is the dimension of period totals, not a classification scheme")
    for line, d in f["signings"]["dimension"].items():
        if pd.notna(d) and d != TOTAL and d not in dims:
            yield Problem("signings.csv", line, "dimension",
                          f"dimension '{d}' is neither '{TOTAL}' nor a classification scheme of taxonomy.csv; "
                          f"map its groups there (known schemes: {', '.join(sorted(dims))})")
    for line, d in f["claims"]["dimension"].items():
        if pd.notna(d) and d not in dims:
            yield Problem("claims.csv", line, "dimension", f"dimension '{d}' is not a classification scheme of taxonomy.csv")


@rule("group_names_match_dimension")
def group_names_match_dimension(f: Frames) -> Iterator[Problem]:
    for line, row in _rows(f["signings"]):
        if row["dimension"] == TOTAL and pd.notna(row["group_zh"]):
            yield Problem("signings.csv", line, "group_zh", "total rows have no group; leave group_zh empty")
        if pd.notna(row["dimension"]) and row["dimension"] != TOTAL and pd.isna(row["group_zh"]):
            yield Problem("signings.csv", line, "group_zh", f"a {row['dimension']} row needs the group name as published")


@rule("investment_plausible")
def investment_plausible(f: Frames) -> Iterator[Problem]:
    for line, row in _rows(f["signings"]):
        inv = row["investment_100m_yuan"]
        if pd.notna(inv) and pd.notna(row["first_year"]) and pd.notna(row["last_year"]):
            n = int(row["last_year"]) - int(row["first_year"]) + 1
            if inv > MAX_INVESTMENT_PER_YEAR_100M_YUAN * n:
                yield Problem("signings.csv", line, "investment_100m_yuan",
                              f"{vocab.sig(inv, 6)} 亿元 is implausibly large (over {vocab.num(MAX_INVESTMENT_PER_YEAR_100M_YUAN)} 亿元 per conference year); "
                              "the column is in 亿元 (100 million yuan), not yuan or 万元")


@rule("investment_term_recorded")
def investment_term_recorded(f: Frames) -> Iterator[Problem]:
    """The source's word for an amount (意向投资额, 资金) is recorded, and written in the evidence."""
    for line, row in _rows(f["signings"]):
        term, inv, ev = row["investment_term_zh"], row["investment_100m_yuan"], row["evidence"]
        if pd.notna(inv) and pd.isna(term):
            yield Problem("signings.csv", line, "investment_term_zh", "an amount is given: record the source's word for it (意向投资额 or 资金)")
        elif pd.isna(inv) and pd.notna(term):
            yield Problem("signings.csv", line, "investment_term_zh", "no amount is given: leave the term empty")
        elif pd.notna(term) and pd.notna(ev) and not any(w in str(ev) for w in TERM_SPELLINGS.get(str(term), (str(term),))):
            yield Problem("signings.csv", line, "investment_term_zh", f"'{term}' is not written in the evidence '{ev}'")


@rule("landing_counts")
def landing_counts(f: Frames) -> Iterator[Problem]:
    """Landed never exceeds signed; a row states a count or a rate (or both)."""
    for line, row in _rows(f["landing"]):
        if pd.notna(row["landed"]) and pd.notna(row["signed"]) and row["landed"] > row["signed"]:
            yield Problem("landing.csv", line, "landed", f"landed ({row['landed']}) is more than signed ({row['signed']})")
        if pd.isna(row["landed"]) and pd.isna(row["stated_rate_pct"]):
            yield Problem("landing.csv", line, "landed", "give the landed count, the stated rate, or both")


def _mapped(f: Frames) -> set[tuple[str, str]]:
    tax = f["taxonomy"]
    return set(zip(tax["dimension"], tax["group_zh"]))


@rule("groups_are_mapped")
def groups_are_mapped(f: Frames) -> Iterator[Problem]:
    """Every printed group name is in taxonomy.csv: there is no silent "other"."""
    mapped = _mapped(f)
    for line, row in _rows(f["signings"]):
        if row["dimension"] != TOTAL and pd.notna(row["group_zh"]) and (row["dimension"], row["group_zh"]) not in mapped:
            yield Problem("signings.csv", line, "group_zh",
                          f"group '{row['group_zh']}' ({row['dimension']}) is not in taxonomy.csv; "
                          "add a row there mapping it to a harmonised group")
    for line, row in _rows(f["claims"]):
        if pd.notna(row["groups_zh"]):
            for g in str(row["groups_zh"]).split("|"):
                if (row["dimension"], g) not in mapped:
                    yield Problem("claims.csv", line, "groups_zh", f"group '{g}' ({row['dimension']}) is not in taxonomy.csv")
    for line, row in _rows(f["named_projects"]):
        for col, dim in (("county_zh", "place"), ("category_zh", "category")):
            if pd.notna(row[col]) and (dim, row[col]) not in mapped:
                yield Problem("named_projects.csv", line, col, f"'{row[col]}' is not a {dim} in taxonomy.csv")


@rule("taxonomy_labels_agree")
def taxonomy_labels_agree(f: Frames) -> Iterator[Problem]:
    """One harmonised group, one pair of labels; one scheme, one pair of scheme labels."""
    tax = f["taxonomy"]
    for (dim, key), grp in tax.groupby(["dimension", "harmonised"]):
        if grp[["harmonised_zh", "harmonised_en"]].drop_duplicates().shape[0] > 1:
            yield Problem("taxonomy.csv", int(grp.index[1]), "harmonised_en",
                          f"harmonised group '{key}' ({dim}) has different labels on different rows")
    for dim, grp in tax.groupby("dimension"):
        if grp[["dimension_zh", "dimension_en"]].drop_duplicates().shape[0] > 1:
            yield Problem("taxonomy.csv", int(grp.index[1]), "dimension_en", f"scheme '{dim}' has different labels on different rows")
    for line, row in _rows(tax):  # the pages show the notes in both languages
        if pd.notna(row["note"]) != pd.notna(row["note_zh"]):
            col = "note_zh" if pd.notna(row["note"]) else "note"
            yield Problem("taxonomy.csv", line, col, "give the note in both languages (note and note_zh) or in neither")


@rule("detail_units")
def detail_units(f: Frames) -> Iterator[Problem]:
    for line, row in _rows(f["details"]):
        if pd.notna(row["value"]) and pd.isna(row["unit"]):
            yield Problem("details.csv", line, "unit", "a value needs its unit (amounts in 亿元 go in amount_100m_yuan)")
        if pd.notna(row["value"]) and pd.notna(row["amount_100m_yuan"]):
            yield Problem("details.csv", line, "amount_100m_yuan", "give either value (with unit) or amount_100m_yuan, not both")
        if (pd.notna(row["value"]) or pd.notna(row["amount_100m_yuan"])) and pd.isna(row["qualifier"]):
            yield Problem("details.csv", line, "qualifier", "a number needs its qualifier (exact when the source has no hedge)")


@rule("years_are_conference_years")
def years_are_conference_years(f: Frames) -> Iterator[Problem]:
    years = set(int(y) for y in f["conferences"]["year"].dropna())
    for name in ("signings", "landing", "claims"):
        for line, row in _rows(f[name]):
            if pd.isna(row["first_year"]) or pd.isna(row["last_year"]):
                continue
            gap = [y for y in range(int(row["first_year"]), int(row["last_year"]) + 1) if y not in years]
            if gap:
                yield Problem(TABLES[name].filename, line, "first_year" if gap[0] == row["first_year"] else "last_year",
                              f"year(s) {', '.join(map(str, gap))} have no row in conferences.csv")


@rule("evidence_is_a_fragment")
def evidence_is_a_fragment(f: Frames) -> Iterator[Problem]:
    """Evidence is one clause of the source, not a copy of it."""
    for name, frame in f.items():
        if "evidence" not in frame:
            continue
        for line, ev in frame["evidence"].items():
            if pd.notna(ev) and len(str(ev)) > MAX_EVIDENCE_CHARS:
                yield Problem(TABLES[name].filename, line, "evidence",
                              f"evidence is {len(str(ev))} characters; quote one clause (at most {MAX_EVIDENCE_CHARS})")


@rule("number_in_evidence")
def number_in_evidence(f: Frames) -> Iterator[Problem]:
    """Each number of a row is written in its own evidence, so a typo is caught on its row."""
    for name, cols in NUMBER_COLUMNS.items():
        for line, row in _rows(f[name]):
            ev = row["evidence"]
            for col in cols:
                x = row[col]
                if pd.notna(x) and pd.notna(ev) and not number_in_text(float(x), str(ev), percent=(name, col) in PERCENT_COLUMNS):
                    yield Problem(TABLES[name].filename, line, col,
                                  f"{number_forms(float(x))[0]} does not appear in the evidence '{ev}'; quote the fragment that states it")


def check_rules(frames: Frames) -> list[Problem]:
    return [p for fn in RULES.values() for p in fn(frames)]


# --------------------------------------------------------------------------------------------- numbers in text

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_numeral(n: int) -> list[str]:
    """Chinese numerals for 0-99 as an article writes them (三, 十二, 二十, 两 for 2)."""
    if n < 10:
        return [_ZH_DIGITS[n]] + (["两"] if n == 2 else [])
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _ZH_DIGITS[tens]
    return [head + "十" + (_ZH_DIGITS[ones] if ones else "")]


def number_forms(x: float, percent: bool = False) -> list[str]:
    """How a stored number may be written: 280.66, 1080 / 1,080, 三 / 六; a percent of 90 also as 九成."""
    if float(x).is_integer():
        n = int(x)
        forms = [str(n), vocab.num(n)]  # 1080 or 1,080
        if 0 <= n < 100:
            forms += _zh_numeral(n)
        if percent and n % 10 == 0 and 0 < n < 100:
            forms.append(_ZH_DIGITS[n // 10] + "成")
        return forms
    return [repr(float(x)).rstrip("0")]


def number_in_text(x: float, text: str, percent: bool = False) -> bool:
    """Whether ``x`` is written in ``text`` as a whole number (4 does not match inside 40 or 4.5)."""
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
    """Publication date of each source as a sortable (year, month, day); an unknown part sorts first."""
    out = {}
    for _, r in sources.iterrows():
        if pd.isna(r["source_id"]) or pd.isna(r["date_year"]):
            continue
        out[str(r["source_id"])] = tuple(0 if pd.isna(r[c]) else int(r[c]) for c in ("date_year", "date_month", "date_day"))
    return out


def hedged_pairs(table) -> list[tuple[str, str]]:
    """The (value column, qualifier column) pairs of a table's facts: a value is read with its hedge."""
    return [(c, q) for c, q in QUALIFIED.get(table.name, {}).items() if c in table.value_columns and q in table.value_columns]


def value_interval(value, qualifier, column: str):
    """The true values a stated figure allows (counts are whole numbers, so an exact count is a point)."""
    return interval(float(value), qualifier or "exact", count=column in COUNT_COLUMNS)


def statements_agree(a: dict, b: dict, table) -> list[str]:
    """The value columns on which two rows stating the same fact disagree (empty: they agree).

    A value one row leaves unstated is not a disagreement. A value with a hedge (约 331.02 against an
    exact 331.02) agrees with another when the true values they allow overlap.
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


def resolve_sources(frames: Frames) -> tuple[Frames, list[Problem]]:
    """One row per fact: sources that agree merge; a disagreement is a problem unless one supersedes.

    Returns the frames keeping, for each fact, the row of the superseding source or else the row that
    states the most with the tightest hedges (two sources writing 331.02 and 约331.02 agree, and the
    exact one is kept; the claims ledger shows the agreement), and the problems found. Landing facts
    are as of a date: the same cohort stated in two years is two facts (``vintage`` is the source's date).
    """
    problems: list[Problem] = []
    superseded_by = {str(r["supersedes"]): str(r["source_id"]) for _, r in frames["sources"].iterrows() if pd.notna(r["supersedes"])}
    dates = source_dates(frames["sources"])
    out = dict(frames)
    for name, table in TABLES.items():
        if not table.fact_key or name not in frames:
            continue
        frame = frames[name]
        keyed = frame.assign(vintage=frame["source_id"].map(lambda s: dates.get(s))) if "vintage" in table.fact_key else frame
        keep = []
        for _, grp in keyed.groupby(list(table.fact_key), dropna=False, sort=False):
            if len(grp) == 1:
                keep.append(grp.index[0])
                continue
            present = set(grp["source_id"])
            live = [i for i in grp.index if superseded_by.get(grp.at[i, "source_id"]) not in present]
            values = grp.loc[live, list(table.value_columns)].astype(object)
            values = values.where(values.notna(), None)
            rows = {i: values.loc[i].to_dict() for i in live}
            first = live[0]
            for other in live[1:]:
                diff = statements_agree(rows[first], rows[other], table)
                if diff:
                    problems.append(Problem(
                        table.filename, int(other), diff[0],
                        f"disagrees with line {first} on {', '.join(diff)} "
                        f"({grp.at[other, 'source_id']} vs {grp.at[first, 'source_id']}); "
                        "fix one, or mark the newer source as superseding the older in sources.csv (column supersedes)",
                    ))
            # keep the row that states the most, with the tightest hedges (2021's month and day come from
            # the 2021 article; 331.02 is kept over 约331.02)
            keep.append(min(live, key=lambda i: (*_tightness(rows[i], table), live.index(i))))
        out[name] = frame.loc[sorted(keep)]
    return out, problems
