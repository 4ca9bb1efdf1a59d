"""Reading and validating the CSV tables in data/: the only code that opens them.

Each table is read as text with the standard ``csv`` module (so every problem can name its line),
converted column by column into pandas' nullable dtypes, and then checked against a pandera schema
built from the same column specifications (allowed values, ranges, unique keys, required cells).
Cross-table rules (source references, taxonomy coverage, duplicate facts from several sources) follow.
Reconciliation of figures against each other lives in :mod:`analysis.claims`.

Nothing here writes to the data directory.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .qualifiers import QUALIFIERS

#: Upper bound of intended investment for one conference year (亿元); larger is a typo, not news.
MAX_INVESTMENT_PER_YEAR_100M_YUAN = 10_000.0
FIRST_PLAUSIBLE_YEAR = 2000

DIMENSIONS = ("total", "category", "place")
BREAKDOWN_DIMENSIONS = ("category", "place")
TENSES = ("actual", "planned")
CLAIM_KINDS = ("sum_of_groups", "total_minus_groups", "conference_count")
CLAIM_MEASURES = ("projects", "investment_100m_yuan", "conferences")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, precise enough to fix without reading code."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"


class DataError(Exception):
    """Raised with every problem found, never only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Col:
    kind: str  # "str" | "int" | "float" | "year"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, Col]
    key: tuple[str, ...]
    #: columns that identify the same fact across sources (for agreement between articles)
    fact_key: tuple[str, ...] = ()
    #: value columns compared between sources of the same fact
    value_columns: tuple[str, ...] = ()
    #: whether a header without rows is an error (optional tables may be empty)
    needs_rows: bool = True
    doc: str = ""

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _q(required=False):
    return Col("str", required=required, allowed=QUALIFIERS, doc="exact | approx (约) | nearly (近) | more_than (余/逾) | over (超)")


_SOURCE = Col("str", required=True, doc="-> sources.source_id")
_EVIDENCE = Col("str", required=True, doc="the few characters of the source around the number, verbatim")

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "sources",
            {
                "source_id": Col("str", required=True),
                "publisher_zh": Col("str", required=True),
                "publisher_en": Col("str", required=True),
                "author_zh": Col("str"),
                "author_en": Col("str"),
                "title_zh": Col("str"),
                "date_year": Col("year"),
                "date_month": Col("int", min=1, max=12),
                "date_day": Col("int", min=1, max=31),
                "language": Col("str", required=True),
                "file": Col("str"),
                "supersedes": Col("str"),
                "note": Col("str"),
            },
            key=("source_id",),
            doc="one row per article",
        ),
        Table(
            "conferences",
            {
                "year": Col("year", required=True),
                "month": Col("int", min=1, max=12),
                "day": Col("int", min=1, max=31),
                "source_id": _SOURCE,
                "evidence": _EVIDENCE,
            },
            key=("year", "source_id"),
            fact_key=("year",),
            value_columns=("month", "day"),
        ),
        Table(
            "signings",
            {
                "source_id": _SOURCE,
                "first_year": Col("year", required=True),
                "last_year": Col("year", required=True),
                "dimension": Col("str", required=True, allowed=DIMENSIONS),
                "group_zh": Col("str"),
                "projects": Col("int", min=0),
                "projects_qualifier": _q(),
                "investment_100m_yuan": Col("float", min=0),
                "investment_qualifier": _q(),
                "evidence": _EVIDENCE,
            },
            key=("source_id", "first_year", "last_year", "dimension", "group_zh"),
            fact_key=("first_year", "last_year", "dimension", "group_zh"),
            value_columns=("projects", "projects_qualifier", "investment_100m_yuan", "investment_qualifier"),
        ),
        Table(
            "landing",
            {
                "source_id": _SOURCE,
                "first_year": Col("year", required=True),
                "last_year": Col("year", required=True),
                "signed": Col("int", required=True, min=0),
                "landed": Col("int", required=True, min=0),
                "stated_rate_pct": Col("float", min=0, max=100),
                "rate_qualifier": _q(),
                "evidence": _EVIDENCE,
            },
            key=("source_id", "first_year", "last_year"),
            needs_rows=False,
            fact_key=("first_year", "last_year"),
            value_columns=("signed", "landed", "stated_rate_pct", "rate_qualifier"),
        ),
        Table(
            "taxonomy",
            {
                "dimension": Col("str", required=True, allowed=BREAKDOWN_DIMENSIONS),
                "group_zh": Col("str", required=True),
                "group_en": Col("str", required=True),
                "harmonised": Col("str", required=True),
                "harmonised_zh": Col("str", required=True),
                "harmonised_en": Col("str", required=True),
            },
            key=("dimension", "group_zh"),
        ),
        Table(
            "claims",
            {
                "claim_id": Col("str", required=True),
                "source_id": _SOURCE,
                "kind": Col("str", required=True, allowed=CLAIM_KINDS),
                "first_year": Col("year", required=True),
                "last_year": Col("year", required=True),
                "dimension": Col("str", allowed=BREAKDOWN_DIMENSIONS),
                "groups_zh": Col("str"),
                "measure": Col("str", required=True, allowed=CLAIM_MEASURES),
                "stated": Col("float", required=True, min=0),
                "qualifier": _q(required=True),
                "text_en": Col("str", required=True),
                "evidence": _EVIDENCE,
            },
            key=("claim_id",),
            needs_rows=False,
        ),
        Table(
            "named_projects",
            {
                "project_id": Col("str", required=True),
                "source_id": _SOURCE,
                "company_zh": Col("str", required=True),
                "company_en": Col("str"),
                "partner_zh": Col("str"),
                "partner_en": Col("str"),
                "county_zh": Col("str"),
                "category_zh": Col("str"),
                "field_zh": Col("str"),
                "field_en": Col("str"),
                "capacity": Col("int", min=0),
                "capacity_unit": Col("str"),
                "annual_output_100m_yuan": Col("float", min=0),
                "output_qualifier": _q(),
                "tense": Col("str", required=True, allowed=TENSES),
                "evidence": _EVIDENCE,
            },
            key=("project_id",),
            needs_rows=False,
        ),
        Table(
            "details",
            {
                "fact_id": Col("str", required=True),
                "source_id": _SOURCE,
                "subject_zh": Col("str", required=True),
                "subject_en": Col("str", required=True),
                "measure": Col("str", required=True),
                "value": Col("float", min=0),
                "unit": Col("str"),
                "amount_100m_yuan": Col("float", min=0),
                "qualifier": _q(),
                "tense": Col("str", required=True, allowed=TENSES),
                "evidence": _EVIDENCE,
            },
            key=("fact_id",),
            needs_rows=False,
        ),
    ]
}

#: value column -> its qualifier column, for the rule "a qualifier exactly when there is a value"
QUALIFIED = {
    "signings": {"projects": "projects_qualifier", "investment_100m_yuan": "investment_qualifier"},
    "landing": {"stated_rate_pct": "rate_qualifier"},
    "named_projects": {"annual_output_100m_yuan": "output_qualifier"},
}


@dataclass
class Dataset:
    """The typed tables of one data directory. Each frame's index is the CSV line number."""

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the raw text of each source that has a readable ``file``
    source_texts: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def file(self, table: str) -> str:
        return TABLES[table].filename

    @property
    def conference_years(self) -> list[int]:
        return sorted(int(y) for y in self.tables["conferences"]["year"].unique())


# --------------------------------------------------------------------------------------------- reading

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _decode(raw: bytes, fname: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")  # a BOM is harmless and accepted
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = " It decodes as GBK/GB18030: re-save it as UTF-8."
        except UnicodeDecodeError:
            pass
        problems.append(Problem(fname, line, None, f"file is not valid UTF-8 (byte {exc.start}).{hint}"))
        return None


def read_table(data_dir: Path, table: Table, problems: list[Problem]) -> pd.DataFrame | None:
    """Read one CSV into a frame of strings (None for empty cells), indexed by line number."""
    fname = table.filename
    path = data_dir / fname
    if not path.is_file():
        problems.append(Problem(fname, None, None, f"file is missing from {data_dir}"))
        return None
    text = _decode(path.read_bytes(), fname, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(fname, None, None, "file is empty: expected a header line and rows"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.append(Problem(fname, 1, None, f"cannot parse header: {exc}"))
        return None
    header = [h.strip() for h in header]
    expected = list(table.columns)
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        problems.append(
            Problem(fname, 1, None, "header has a single column: the file uses another delimiter; use commas (,)")
        )
        return None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in table.columns]
    for c in missing:
        problems.append(Problem(fname, 1, c, f"column is missing; expected columns: {', '.join(expected)}"))
    for c in extra:
        problems.append(Problem(fname, 1, c, "unknown column (typo?); see data/README.md for the columns"))
    if len(set(header)) != len(header):
        problems.append(Problem(fname, 1, None, "header repeats a column name"))
    if missing or extra or len(set(header)) != len(header):
        return None
    rows: dict[int, list[str | None]] = {}
    try:
        line_start = reader.line_num + 1
        for values in reader:
            line = line_start
            line_start = reader.line_num + 1
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(
                    Problem(
                        fname,
                        line,
                        None,
                        f"row has {len(values)} fields, expected {len(header)}"
                        + (" (truncated line or missing quotes?)" if len(values) < len(header) else " (unquoted comma?)"),
                    )
                )
                continue
            rows[line] = [v.strip() or None for v in values]
    except csv.Error as exc:
        problems.append(Problem(fname, reader.line_num, None, f"cannot parse CSV: {exc} (unclosed quote or truncated file?)"))
    if not rows and table.needs_rows:
        problems.append(Problem(fname, None, None, "file has a header but no rows"))
        return None
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype=object) if rows else pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in header}
    )
    frame.index.name = "line"
    return frame[expected]


def _parse_number(text: str, kind: str) -> tuple[float | int | None, str | None]:
    """Parse one numeric cell; return (value, None) or (None, why-not)."""
    t = text.strip()
    if "亿" in t or "万" in t or "元" in t or "%" in t:
        return None, f"'{t}' has a unit in it; write the bare number (the column name carries the unit)"
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", t) or "，" in t:
        return None, f"'{t}' has a thousands separator; write it without (e.g. {t.replace(',', '').replace('，', '')})"
    if not _NUMBER.match(t):
        if re.search(r"[０-９．]", t):
            return None, f"'{t}' has full-width digits; type ASCII digits (0-9)"
        return None, f"'{t}' is not a number"
    value = float(t)
    if kind in ("int", "year"):
        if not value.is_integer():
            return None, f"'{t}' is not a whole number"
        return int(value), None
    return value, None


_DTYPES = {"str": "string", "int": "Int64", "year": "Int64", "float": "Float64"}


def coerce(frame: pd.DataFrame, table: Table, problems: list[Problem]) -> pd.DataFrame:
    """Typed copy of a string frame; unparseable cells become NA and a problem each."""
    out = {}
    for name, col in table.columns.items():
        values = []
        for line, cell in frame[name].items():
            if cell is None or col.kind == "str":
                values.append(cell)
                continue
            value, why = _parse_number(cell, col.kind)
            if why:
                problems.append(Problem(table.filename, int(line), name, why))
            values.append(value)
        out[name] = pd.array(values, dtype=_DTYPES[col.kind])
    typed = pd.DataFrame(out, index=frame.index)
    return typed


def pandera_schema(table: Table) -> pa.DataFrameSchema:
    """The declarative part of a table's rules, as a pandera schema."""
    this_year = _dt.date.today().year
    columns = {}
    for name, col in table.columns.items():
        checks = []
        if col.allowed is not None:
            checks.append(pa.Check.isin(list(col.allowed), error=f"expected one of: {', '.join(col.allowed)}"))
        if col.min is not None:
            checks.append(pa.Check.ge(col.min, error=f"must be >= {col.min:g}" + (" (amounts and counts are never negative)" if col.min == 0 else "")))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"must be <= {col.max:g}"))
        if col.kind == "year":
            checks.append(pa.Check.ge(FIRST_PLAUSIBLE_YEAR, error=f"year must be {FIRST_PLAUSIBLE_YEAR} or later"))
            checks.append(pa.Check.le(this_year, error=f"year is later than the current year {this_year}"))
        columns[name] = pa.Column(_DTYPES[col.kind], checks=checks, nullable=not col.required)
    return pa.DataFrameSchema(columns, unique=list(table.key), report_duplicates="all", strict=False)


def run_schema(typed: pd.DataFrame, table: Table, problems: list[Problem], already: set[tuple[int, str]]) -> None:
    try:
        pandera_schema(table).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        seen: set[tuple] = set()
        for rec in fc.to_dict("records"):
            line = rec.get("index")
            line = None if line is None or pd.isna(line) else int(line)
            column = rec.get("column")
            check = str(rec.get("check"))
            if (line, column) in already:
                continue
            if check == "multiple_fields_uniqueness":
                key = ", ".join(table.key)
                msg = f"duplicate key ({key}): the same row appears more than once"
                column = table.key[-1] if len(table.key) == 1 else None
            elif check == "not_nullable":
                msg = "cell is empty but required"
            elif check.startswith("dtype(") or check.startswith("coerce_dtype("):
                continue  # reported by coerce() already
            else:
                msg = f"{check}; got {rec.get('failure_case')!r}"
            k = (line, column, msg)
            if k in seen:
                continue
            seen.add(k)
            problems.append(Problem(table.filename, line, column, msg))


# --------------------------------------------------------------------------------------------- rules


def _row_rules(ds: Dataset, problems: list[Problem]) -> None:
    sources = set(ds["sources"]["source_id"].dropna())
    for name, frame in ds.tables.items():
        fname = TABLES[name].filename
        if "source_id" in frame and name != "sources":
            for line, sid in frame["source_id"].items():
                if pd.notna(sid) and sid not in sources:
                    problems.append(Problem(fname, line, "source_id", f"unknown source '{sid}'; add it to sources.csv first"))
        for value_col, q_col in QUALIFIED.get(name, {}).items():
            for line, (v, q) in frame[[value_col, q_col]].iterrows():
                if pd.notna(v) and pd.isna(q):
                    problems.append(Problem(fname, line, q_col, f"{value_col} is given, so its qualifier is required (exact when the source has no hedge)"))
                if pd.isna(v) and pd.notna(q):
                    problems.append(Problem(fname, line, q_col, f"qualifier without a value in {value_col}; leave both empty when the source does not state it"))
        if "first_year" in frame and "last_year" in frame:
            bad = frame["first_year"] > frame["last_year"]
            for line in frame.index[bad.fillna(False)]:
                problems.append(Problem(fname, line, "last_year", "last_year is before first_year"))
    src = ds["sources"]
    for line, sup in src["supersedes"].items():
        if pd.notna(sup) and sup not in sources:
            problems.append(Problem("sources.csv", line, "supersedes", f"unknown source '{sup}'"))

    sig = ds["signings"]
    for line, row in sig.iterrows():
        if row["dimension"] == "total" and pd.notna(row["group_zh"]):
            problems.append(Problem("signings.csv", line, "group_zh", "total rows have no group; leave group_zh empty"))
        if row["dimension"] in BREAKDOWN_DIMENSIONS and pd.isna(row["group_zh"]):
            problems.append(Problem("signings.csv", line, "group_zh", f"a {row['dimension']} row needs the group name as published"))
        inv = row["investment_100m_yuan"]
        if pd.notna(inv) and pd.notna(row["first_year"]) and pd.notna(row["last_year"]):
            n = int(row["last_year"]) - int(row["first_year"]) + 1
            if inv > MAX_INVESTMENT_PER_YEAR_100M_YUAN * n:
                problems.append(
                    Problem(
                        "signings.csv",
                        line,
                        "investment_100m_yuan",
                        f"{inv:g} 亿元 is implausibly large (over {MAX_INVESTMENT_PER_YEAR_100M_YUAN:g} 亿元 per conference year); "
                        "the column is in 亿元 (100 million yuan), not yuan or 万元",
                    )
                )

    lan = ds["landing"]
    for line, row in lan.iterrows():
        if pd.notna(row["landed"]) and pd.notna(row["signed"]) and row["landed"] > row["signed"]:
            problems.append(Problem("landing.csv", line, "landed", f"landed ({row['landed']}) is more than signed ({row['signed']})"))

    # every published group name must be mapped in the taxonomy
    tax = ds["taxonomy"]
    mapped = set(zip(tax["dimension"], tax["group_zh"]))
    for line, row in sig.iterrows():
        if row["dimension"] in BREAKDOWN_DIMENSIONS and pd.notna(row["group_zh"]):
            if (row["dimension"], row["group_zh"]) not in mapped:
                problems.append(
                    Problem(
                        "signings.csv",
                        line,
                        "group_zh",
                        f"group '{row['group_zh']}' ({row['dimension']}) is not in taxonomy.csv; "
                        "add a row there mapping it to a harmonised group",
                    )
                )
    for line, row in ds["claims"].iterrows():
        if pd.notna(row["groups_zh"]):
            for g in str(row["groups_zh"]).split("|"):
                if (row["dimension"], g) not in mapped:
                    problems.append(Problem("claims.csv", line, "groups_zh", f"group '{g}' ({row['dimension']}) is not in taxonomy.csv"))
    for line, row in ds["named_projects"].iterrows():
        for col, dim in (("county_zh", "place"), ("category_zh", "category")):
            if pd.notna(row[col]) and (dim, row[col]) not in mapped:
                problems.append(Problem("named_projects.csv", line, col, f"'{row[col]}' is not a {dim} in taxonomy.csv"))
    # one harmonised key, one pair of labels
    for key, grp in tax.groupby("harmonised"):
        if grp[["harmonised_zh", "harmonised_en"]].drop_duplicates().shape[0] > 1:
            problems.append(Problem("taxonomy.csv", int(grp.index[1]), "harmonised_en", f"harmonised group '{key}' has different labels on different rows"))

    details = ds["details"]
    for line, row in details.iterrows():
        if pd.notna(row["value"]) and pd.isna(row["unit"]):
            problems.append(Problem("details.csv", line, "unit", "a value needs its unit (amounts in 亿元 go in amount_100m_yuan)"))
        if pd.notna(row["value"]) and pd.notna(row["amount_100m_yuan"]):
            problems.append(Problem("details.csv", line, "amount_100m_yuan", "give either value (with unit) or amount_100m_yuan, not both"))
        has = pd.notna(row["value"]) or pd.notna(row["amount_100m_yuan"])
        if has and pd.isna(row["qualifier"]):
            problems.append(Problem("details.csv", line, "qualifier", "a number needs its qualifier (exact when the source has no hedge)"))

    # years of signings must be conference years
    years = set(ds.conference_years)
    for name in ("signings", "landing", "claims"):
        for line, row in ds[name].iterrows():
            if pd.isna(row["first_year"]) or pd.isna(row["last_year"]):
                continue
            gap = [y for y in range(int(row["first_year"]), int(row["last_year"]) + 1) if y not in years]
            if gap:
                problems.append(
                    Problem(TABLES[name].filename, line, "first_year" if gap[0] == row["first_year"] else "last_year",
                            f"year(s) {', '.join(map(str, gap))} have no row in conferences.csv")
                )

    # evidence must be found in the source text, when we have it
    for name, frame in ds.tables.items():
        if "evidence" not in frame:
            continue
        for line, row in frame.iterrows():
            text = ds.source_texts.get(row["source_id"])
            ev = row["evidence"]
            if text is not None and pd.notna(ev) and ev not in text:
                problems.append(Problem(TABLES[name].filename, line, "evidence", f"evidence '{ev}' is not found verbatim in the source text"))
            for col in NUMBER_COLUMNS.get(name, ()):
                x = row[col]
                if pd.notna(x) and pd.notna(ev) and not number_in_text(float(x), str(ev)):
                    problems.append(Problem(TABLES[name].filename, line, col,
                                            f"{_number_forms(float(x))[0]} does not appear in the evidence '{ev}'; "
                                            "quote the fragment that states it"))


#: Columns whose number must be written in the row's evidence fragment (years and dates are not:
#: a fragment such as "连续四年" supports a conference year without naming it).
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "signings": ("projects", "investment_100m_yuan"),
    "landing": ("signed", "landed", "stated_rate_pct"),
    "claims": ("stated",),
    "details": ("value", "amount_100m_yuan"),
    "named_projects": ("capacity", "annual_output_100m_yuan"),
}

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_numeral(n: int) -> list[str]:
    """Chinese numerals for 0-99 as an article writes them (三, 十二, 二十, 两 for 2)."""
    if n < 10:
        return [_ZH_DIGITS[n]] + (["两"] if n == 2 else [])
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _ZH_DIGITS[tens]
    return [head + "十" + (_ZH_DIGITS[ones] if ones else "")]


def _number_forms(x: float) -> list[str]:
    """How a stored number may be written: 280.66, 1080 / 1,080, 三 / 六 for small whole numbers."""
    if float(x).is_integer():
        n = int(x)
        forms = [str(n), f"{n:,}"]
        if 0 <= n < 100:
            forms += _zh_numeral(n)
        return forms
    return [repr(float(x)).rstrip("0")]


def number_in_text(x: float, text: str) -> bool:
    """Whether ``x`` is written in ``text`` as a whole number (4 does not match inside 40 or 4.5)."""
    for form in _number_forms(x):
        if form[0].isdigit():
            zeros = "0*" if "." in form else r"(?:\.0+)?"  # 280.60 / 100.0 write the same number
            if re.search(rf"(?<![\d.])(?<!\d,){re.escape(form)}{zeros}(?![\d]|[.,]\d)", text):
                return True
        elif form in text:
            return True
    return False


def _superseded(ds: Dataset) -> dict[str, str]:
    src = ds["sources"]
    return {str(r["supersedes"]): str(r["source_id"]) for _, r in src.iterrows() if pd.notna(r["supersedes"])}


def _cross_source(ds: Dataset, problems: list[Problem]) -> None:
    """The same fact from several sources: agreeing is fine, disagreeing is an error unless superseded.

    After this, each table keeps one row per fact: the row of the superseding source, or the first row.
    """
    superseded_by = _superseded(ds)
    for name, table in TABLES.items():
        if not table.fact_key:
            continue
        frame = ds[name]
        keep = []
        for _, grp in frame.groupby(list(table.fact_key), dropna=False, sort=False):
            if len(grp) == 1:
                keep.append(grp.index[0])
                continue
            live = [i for i in grp.index if grp.at[i, "source_id"] not in superseded_by
                    or superseded_by[grp.at[i, "source_id"]] not in set(grp["source_id"])]
            values = grp.loc[live, list(table.value_columns)].astype(object).where(grp.loc[live, list(table.value_columns)].notna(), None)
            first = live[0]
            for other in live[1:]:
                diff = [c for c in table.value_columns if values.at[first, c] != values.at[other, c]]
                if diff:
                    problems.append(
                        Problem(
                            table.filename,
                            int(other),
                            diff[0],
                            f"disagrees with line {first} on {', '.join(diff)} "
                            f"({grp.at[other, 'source_id']} vs {grp.at[first, 'source_id']}); "
                            "fix one, or mark the newer source as superseding the older in sources.csv (column supersedes)",
                        )
                    )
            keep.append(first)
        ds.tables[name] = frame.loc[sorted(keep)]


def read_dataset(data_dir: str | Path, problems: list[Problem] | None = None) -> Dataset | None:
    """Read and validate every table (types, values, keys, references).

    Without ``problems``: return the Dataset or raise DataError with every problem found.
    With a ``problems`` list: append to it and return what could be read (None when a table could
    not be read at all), so that a caller can run further checks and report everything at once.
    """
    collect = problems is not None
    problems = [] if problems is None else problems
    start = len(problems)
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        why = "is a file, not a data directory" if data_dir.exists() else "data directory does not exist"
        problems.append(Problem(str(data_dir), None, None, why))
        if collect:
            return None
        raise DataError(problems)
    ds = Dataset(data_dir=data_dir)
    failed_read = False
    for table in TABLES.values():
        raw = read_table(data_dir, table, problems)
        if raw is None:
            failed_read = True
            continue
        before = len(problems)
        typed = coerce(raw, table, problems)
        bad_cells = {(p.line, p.column) for p in problems[before:]}
        run_schema(typed, table, problems, bad_cells)
        ds.tables[table.name] = typed
    if failed_read:
        if collect:
            return None
        raise DataError(problems)
    for line, row in ds["sources"].iterrows():
        if pd.notna(row["file"]):
            path = data_dir / str(row["file"])
            if path.is_file():
                ds.source_texts[str(row["source_id"])] = path.read_text(encoding="utf-8-sig")
            else:
                problems.append(Problem("sources.csv", int(line), "file", f"source text {row['file']} not found under {data_dir}"))
    _row_rules(ds, problems)
    _cross_source(ds, problems)
    if len(problems) > start and not collect:
        raise DataError(problems[start:])
    return ds
