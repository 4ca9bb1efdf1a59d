"""What the tables in data/ hold: one declaration per table (columns, types, keys) and the error type.

This module only declares. :mod:`analysis.data.reading` parses the CSV files against these declarations,
:mod:`analysis.data.rules` checks what a declaration cannot express, and :func:`analysis.data.dataset.read`
runs both. Column meanings are documented for people in ``data/README.md`` (a test keeps the two
in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import locale
from ..core.qualifiers import QUALIFIERS

#: Upper bound of intended investment for one conference year (亿元); larger is a typo, not news.
MAX_INVESTMENT_PER_YEAR_100M_YUAN = 10_000.0
FIRST_PLAUSIBLE_YEAR = 2000

#: The dimension of a period's total. Every other dimension (a classification scheme such as
#: ``category``, ``place`` or ``field``) is whatever taxonomy.csv maps: a new scheme needs no code.
TOTAL = "total"
#: What a scheme key (a ``dimension`` cell) may be: it names tables in the pages and chart files in a build,
#: so lower-case ASCII letters, digits and ``_``, starting with a letter (``category``, ``place``, ``field``).
SCHEME_KEY = r"[a-z][a-z0-9_]*"
SCHEME_KEY_SAYS = "lower-case ASCII letters, digits and _, starting with a letter (it names tables and chart files)"
TENSES = ("actual", "planned")
CLAIM_KINDS = ("sum_of_groups", "total_minus_groups", "conference_count")
CLAIM_MEASURES = ("projects", "investment_100m_yuan", "conferences")
#: How sources name the amount: intended investment, or (2021, for 2019–2020) "funds involved".
INVESTMENT_TERMS = locale.INVESTMENT_TERMS
#: How each term may be printed in an evidence fragment: a copy in traditional characters writes
#: 意向投資額 (the term is recorded in simplified characters either way).
TERM_SPELLINGS = locale.TERM_SPELLINGS
#: Language of a source: zh (simplified characters), zh-Hant (a copy in traditional characters), en.
LANGUAGES = ("zh", "zh-Hant", "en")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, precise enough to fix without reading code.

    Parameters
    ----------
    file : str
        The file (or folder) at fault.
    line : int or None
        The CSV line, None for the file as a whole.
    column : str or None
        The column, None for the row as a whole.
    message : str
        What is wrong, in plain words.

    Examples
    --------
    >>> str(Problem("signings.csv", 3, "projects", "not a number"))
    "signings.csv:3: column 'projects': not a number"
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {one_line(self.message)}"


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks shown as escapes (``\\n``, ``\\x1b``).

    A message quoting a cell stays on one line and cannot move the terminal's cursor.

    Parameters
    ----------
    text : str
        A message.

    Returns
    -------
    str
        The message on one line, printable.

    Examples
    --------
    >>> print(one_line("two\\nlines"))
    two\\nlines
    """
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


class DataError(Exception):
    """Raised with every problem found, never only the first.

    Parameters
    ----------
    problems : list of Problem
        Everything wrong, one per line of the message.

    Examples
    --------
    >>> from analysis import load
    >>> try:
    ...     load("no/such/folder")
    ... except DataError as e:
    ...     print(e.problems[0].message)
    data directory does not exist
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Col:
    """One column of a table: its type, whether it is required, its allowed values and range.

    Parameters
    ----------
    kind : str
        ``"str"``, ``"int"``, ``"float"`` or ``"year"``.
    required : bool
        A row without a value is a problem.
    allowed : tuple of str, optional
        The only values allowed (None: any).
    min, max : float, optional
        The allowed range (None: unbounded).
    pattern : str, optional
        A regular expression the whole of every value matches (None: any text).
    pattern_says : str
        The pattern in plain words, for the message when a value does not match.
    """

    kind: str  # "str" | "int" | "float" | "year"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    pattern_says: str = ""


@dataclass(frozen=True)
class Table:
    """One CSV file of data/: its columns, key, and what identifies and compares a fact across sources.

    Parameters
    ----------
    name : str
        The table's name (its file is ``<name>.csv``).
    columns : dict of str to Col
        The columns in file order.
    key : tuple of str
        The columns no two rows share.
    fact_key : tuple of str
        The columns that identify the same fact across sources (``vintage`` is the publication date of
        the row's source: landing is a fact as of a date).
    value_columns : tuple of str
        The value columns compared between sources of the same fact.
    needs_rows : bool
        Whether a header without rows is an error (optional tables may be empty).

    Examples
    --------
    >>> TABLES["landing"].filename
    'landing.csv'
    """

    name: str
    columns: dict[str, Col]
    key: tuple[str, ...]
    #: columns that identify the same fact across sources (for agreement between articles);
    #: ``vintage`` is the publication date of the row's source (landing is a fact as of a date)
    fact_key: tuple[str, ...] = ()
    #: value columns compared between sources of the same fact
    value_columns: tuple[str, ...] = ()
    #: whether a header without rows is an error (optional tables may be empty)
    needs_rows: bool = True

    @property
    def filename(self) -> str:
        """The table's file name in data/."""
        return f"{self.name}.csv"


def _q(required=False):
    return Col("str", required=required, allowed=QUALIFIERS)


_SOURCE = Col("str", required=True)
_SCHEME = Col("str", required=True, pattern=SCHEME_KEY, pattern_says=SCHEME_KEY_SAYS)
_EVIDENCE = Col("str", required=True)

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
                "url": Col("str"),
                "date_year": Col("year", required=True),
                "date_month": Col("int", min=1, max=12),
                "date_day": Col("int", min=1, max=31),
                "language": Col("str", required=True, allowed=LANGUAGES),
                "supersedes": Col("str"),
                "note": Col("str"),
            },
            key=("source_id",),
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
                "dimension": _SCHEME,
                "group_zh": Col("str"),
                "projects": Col("int", min=0),
                "projects_qualifier": _q(),
                "investment_100m_yuan": Col("float", min=0),
                "investment_qualifier": _q(),
                "investment_term_zh": Col("str", allowed=INVESTMENT_TERMS),
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
                "signed": Col("int", min=0),
                "landed": Col("int", min=0),
                "stated_rate_pct": Col("float", min=0, max=100),
                "rate_qualifier": _q(),
                "evidence": _EVIDENCE,
            },
            key=("source_id", "first_year", "last_year"),
            needs_rows=False,
            fact_key=("first_year", "last_year", "vintage"),
            value_columns=("signed", "landed", "stated_rate_pct", "rate_qualifier"),
        ),
        Table(
            "taxonomy",
            {
                "dimension": _SCHEME,
                "dimension_zh": Col("str", required=True),
                "dimension_en": Col("str", required=True),
                "group_zh": Col("str", required=True),
                "group_en": Col("str", required=True),
                "harmonised": Col("str", required=True),
                "harmonised_zh": Col("str", required=True),
                "harmonised_en": Col("str", required=True),
                "note": Col("str"),
                "note_zh": Col("str"),
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
                "dimension": Col("str", pattern=SCHEME_KEY, pattern_says=SCHEME_KEY_SAYS),
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

#: Columns that count projects: whole numbers, so an exact count allows no rounding.
COUNT_COLUMNS = frozenset({"projects", "signed", "landed"})

#: Columns whose number must be written in the row's evidence fragment (years and dates are not:
#: a fragment such as "连续四年" supports a conference year without naming it). Percent columns may
#: also be written in tenths (九成 = 90 %).
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "signings": ("projects", "investment_100m_yuan"),
    "landing": ("signed", "landed", "stated_rate_pct"),
    "claims": ("stated",),
    "details": ("value", "amount_100m_yuan"),
    "named_projects": ("capacity", "annual_output_100m_yuan"),
}
PERCENT_COLUMNS = {("landing", "stated_rate_pct")}
