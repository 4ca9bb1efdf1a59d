"""The one column table: what each result and data column holds, in what unit, shown with how many decimals.

One :class:`Column` per column name, read by the tables (decimals), the charts (axis units), the JSON
(which values are whole counts) and checked against data/README.md's "Result columns" table by a test.
A column means the same in every frame that has it (``projects`` in the periods, a breakdown and a
comparison). Words (titles, units) are keys of :data:`analysis.core.locale.WORDS`, so that the zh and en
wording stays in the locale.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMNS", "Column", "column", "decimals", "is_count", "readme_rows"]


@dataclass(frozen=True)
class Column:
    """The facts of one column.

    Parameters
    ----------
    name : str
        The column's name, as in the frames and in data/*.csv.
    kind : str
        What it holds: ``count``, ``amount`` (亿元), ``share`` (0–1), ``rate`` (0–1), ``percent``,
        ``change`` (a relative change, 0.1 = +10 %), ``avg``, ``score``, ``ratio``, ``probability``,
        ``figure`` (a count or an amount, by the row's measure), ``year``, ``text``, ``hedge``, ``status``, ``range``,
        ``date``, ``flag`` or ``id``.
    short_unit : str or None
        The unit as a column name or the README writes it: ``projects``, ``100m_yuan`` (亿元), ``share``,
        ``percent``, ``year``, ``metric`` (the unit of the row's metric); None for text.
    decimals : int or None
        The decimals a table shows; None when the column is not shown as a fixed-point number.
    unit : str or None
        The :data:`~analysis.core.locale.WORDS` key of the unit in words (zh, en), as axes label it.
    title : str or None
        The :data:`~analysis.core.locale.WORDS` key of its table header.
    description : str
        What the column means (the README's words).
    """

    name: str
    kind: str
    short_unit: str | None
    decimals: int | None
    unit: str | None
    title: str | None
    description: str


def _c(name, kind, short_unit, decimals, unit, title, description) -> Column:
    return Column(name, kind, short_unit, decimals, unit, title, description)


_P, _Y = "unit_projects", "yi_yuan"

# ---- the fitted projection model as an analyst inspects it (analysis.stats.posterior, issue 20 item 2)
_Q = {"q10": "10 % quantile", "median": "median", "q50": "median", "q90": "90 % quantile", "mean": "mean", "sd": "sd"}
_MODEL_COLUMNS = [
    _c("model", "id", None, None, None, "model", "a time structure (iid, level, drift), averaged, or landing"),
    _c("prior_probability", "probability", "share", None, None, "prior_probability", "the model's prior probability"),
    _c("log_evidence", "score", None, 2, None, "log_evidence", "log marginal likelihood, importance sampling"),
    _c("log_evidence_laplace", "score", None, 2, None, None, "log marginal likelihood, grid-Laplace approximation"),
    _c("weight", "probability", "share", None, None, "weight", "posterior probability of the model (sums to 1)"),
    _c("draws", "count", None, 0, None, "draws", "importance draws of the model"),
    _c("ess", "avg", None, 0, None, "ess", "effective sample size of the importance weights, (Σw)² ÷ Σw²"),
    _c("ess_share", "share", "share", None, None, "ess_share", "effective sample size ÷ draws"),
    _c("khat", "score", None, 2, None, "khat", "Pareto k-hat of the weights' tail (≤ 0.5 good, ≤ 0.7 ok)"),
    _c("khat_verdict", "status", None, None, None, "verdict", "good, ok or unreliable, by the Pareto k-hat"),
    _c("log_evidence_mcse", "score", None, 3, None, None, "Monte-Carlo standard error of the log evidence"),
    _c("refits", "count", None, 0, None, None, "refits of the importance sampler because k-hat was above 0.7"),
    _c("fit_status", "status", None, None, None, None, "ok, refit (a refit brought k-hat to 0.7) or failed"),
    *[
        _c(
            f"expected_projects_{q}",
            "avg",
            "projects",
            1,
            _P,
            None,
            f"posterior {_Q[q]} of the year's expected projects",
        )
        for q in ("mean", "q10", "median", "q90")
    ],
    *[
        _c(
            f"amount_per_project_{q}",
            "amount",
            "100m_yuan",
            2,
            _Y,
            None,
            f"posterior {_Q[q]} of the expected amount per project",
        )
        for q in ("q10", "median", "q90")
    ],
    _c("parameter", "id", None, None, None, "parameter", "the parameter: the key of its prior in PRIORS"),
    _c("symbol", "text", None, None, None, None, "the parameter's symbol in the model (mu, beta, sigma, …)"),
    _c("prior", "text", None, None, None, None, "the prior as declared: distribution(parameters)"),
    *[
        _c(f"{side}_{q}", "avg", None, 3, None, None, f"{side} {_Q[q]} of the parameter (its own scale)")
        for side in ("prior", "posterior")
        for q in ("mean", "sd", "q10", "q50", "q90")
    ],
    _c("sd_ratio", "ratio", None, 2, None, "sd_ratio", "posterior sd ÷ prior sd (below 1: the data narrowed it)"),
    *[
        _c(f"{side}_{c}", "avg", "metric", None, None, None, f"{desc}, {side} the what-if")
        for side in ("before", "after")
        for c, desc in (
            ("median", "posterior predictive median"),
            ("pi80_lo", "lower end of the 80 % prediction interval"),
            ("pi80_hi", "upper end of the 80 % prediction interval"),
        )
    ],
    _c("change_median", "avg", "metric", None, None, "change_median", "the what-if's median − the median before"),
    _c("weight_before", "probability", "share", None, None, None, "the model's weight before the what-if"),
    _c("weight_after", "probability", "share", None, None, None, "the model's weight under the what-if"),
]

#: Every result column (and the data columns they come from), by name.
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in [
        # periods, totals and breakdowns
        _c("period", "text", None, None, None, "period", "the period's label (2019–2020)"),
        _c("first_year", "year", "year", None, None, None, "first conference year of the period or cohort"),
        _c("last_year", "year", "year", None, None, None, "last conference year of the period or cohort"),
        _c("n_years", "count", "year", 0, None, "years", "conference years in the period"),
        _c("projects", "count", "projects", 0, _P, "projects_short", "projects signed"),
        _c("projects_qualifier", "hedge", None, None, None, "hedge", "hedge of the project count"),
        _c("projects_status", "status", None, None, None, "status", "reported, derived or missing"),
        _c("projects_range", "range", "projects", None, _P, None, "interval of a derived count (None: unbounded end)"),
        _c("investment_100m_yuan", "amount", "100m_yuan", 2, _Y, "investment", "intended investment"),
        _c("investment_qualifier", "hedge", None, None, None, "hedge", "hedge of the amount"),
        _c("investment_status", "status", None, None, None, "status", "reported, derived or missing"),
        _c("investment_formula", "text", None, None, None, None, "how a derived amount was computed"),
        _c(
            "investment_range",
            "range",
            "100m_yuan",
            None,
            _Y,
            None,
            "interval of a derived amount (None: unbounded end)",
        ),
        _c(
            "projects_per_year",
            "avg",
            "projects",
            1,
            _P,
            "projects_per_year",
            "projects a year (multi-year periods: average)",
        ),
        _c(
            "investment_per_year_100m_yuan",
            "amount",
            "100m_yuan",
            2,
            _Y,
            "investment_per_year",
            "intended investment a year (multi-year periods: average)",
        ),
        _c(
            "investment_per_project_100m_yuan",
            "amount",
            "100m_yuan",
            2,
            _Y,
            "investment_per_project",
            "intended investment per project",
        ),
        _c(
            "change_projects_per_year",
            "change",
            "share",
            None,
            None,
            None,
            "change of projects a year from the previous period",
        ),
        _c(
            "change_investment_per_year",
            "change",
            "share",
            None,
            None,
            None,
            "change of intended investment a year from the previous period",
        ),
        _c("group_zh", "text", None, None, None, "published_name", "a breakdown's group as printed"),
        _c("group_en", "text", None, None, None, "published_name", "the group in English"),
        _c("harmonised", "id", None, None, None, None, "the harmonised group's key"),
        _c("harmonised_zh", "text", None, None, None, "harmonised_group", "the harmonised group in Chinese"),
        _c("harmonised_en", "text", None, None, None, "harmonised_group", "the harmonised group in English"),
        _c("project_share", "share", "share", None, None, "share_projects", "share of the period's projects"),
        _c(
            "investment_share",
            "share",
            "share",
            None,
            None,
            "share_investment",
            "share of the period's intended investment",
        ),
        _c("line", "id", None, None, None, None, "line of the row in its CSV file"),
        _c("status", "status", None, None, None, "status", "published, none, classified_differently or not_published"),
        _c("names_zh", "text", None, None, None, "published_name", "the printed names counted under the group"),
        _c("names_en", "text", None, None, None, "published_name", "the same in English"),
        _c("schemes", "text", None, None, None, None, "the schemes a period is broken down under instead"),
        # landing
        _c("cohort", "text", None, None, None, "cohort", "the signing cohort's label"),
        _c("source_id", "id", None, None, None, "source", "the article stating it"),
        _c("vintage", "date", None, None, None, None, "the article's date (NaT when it states only part of it)"),
        _c("as_of", "date", None, None, None, "as_of", "the article's date as far as it is known"),
        _c("signed", "count", "projects", 0, _P, "signed", "projects signed in the cohort"),
        _c("signed_status", "status", None, None, None, "status", "reported, derived or missing"),
        _c("signed_formula", "text", None, None, None, None, "how a derived signed count was found"),
        _c("landed", "count", "projects", 0, _P, "landed", "landed projects as stated"),
        _c("landed_lo", "count", "projects", 0, _P, None, "fewest landed projects the statement allows"),
        _c("landed_hi", "count", "projects", 0, _P, None, "most landed projects the statement allows"),
        _c("landed_point", "count", "projects", 0, _P, None, "the one landed count the statement allows, if one"),
        _c("rate", "rate", "share", None, None, "landing_rate", "landed ÷ signed"),
        _c("ci95_lo", "rate", "share", None, None, None, "lower end of the rate's 95 % Wilson interval"),
        _c("ci95_hi", "rate", "share", None, None, None, "upper end of the rate's 95 % Wilson interval"),
        _c("stated_rate", "rate", "share", None, None, "stated", "the rate the article states"),
        _c("stated_rate_pct", "percent", "percent", 1, None, "stated", "the same in percent, as written"),
        _c("stated_qualifier", "hedge", None, None, None, "hedge", "hedge of the stated rate"),
        _c("consistent", "flag", None, None, None, "verdict", "whether the stated figure agrees with the computed one"),
        # claims
        _c("id", "id", None, None, None, None, "the claim's id"),
        _c("kind", "id", None, None, None, None, "what kind of claim or prediction the row is"),
        _c("stated", "figure", "metric", None, None, "stated", "the figure as the article states it"),
        _c("computed", "figure", "metric", None, None, "computed", "the same figure computed from the tables"),
        _c("basis", "status", None, None, None, "basis", "independent, by construction or not checkable"),
        # sources
        _c("publisher_zh", "text", None, None, None, "source", "publisher as printed"),
        _c("publisher_en", "text", None, None, None, "source", "publisher in English"),
        _c("url", "text", None, None, None, None, "web address of the article"),
        _c("date_year", "year", "year", None, None, None, "publication year"),
        _c("date_month", "date", None, None, None, None, "publication month, when stated"),
        _c("date_day", "date", None, None, None, None, "publication day, when stated"),
        _c("date", "date", None, None, None, None, "publication date (NaT when only partly stated)"),
        # projection and backtest
        _c("year", "year", "year", None, None, "year", "a projected or published conference year"),
        _c("metric", "id", None, None, None, "metric", "projects, investment_100m_yuan or a cumulative one"),
        _c("mean", "avg", "metric", None, None, "mean", "posterior predictive mean"),
        _c("median", "avg", "metric", None, None, "median", "posterior predictive median"),
        _c("pi80_lo", "avg", "metric", None, None, "pi80", "lower end of the 80 % prediction interval"),
        _c("pi80_hi", "avg", "metric", None, None, "pi80", "upper end of the 80 % prediction interval"),
        _c("pi95_lo", "avg", "metric", None, None, "pi95", "lower end of the 95 % prediction interval"),
        _c("pi95_hi", "avg", "metric", None, None, "pi95", "upper end of the 95 % prediction interval"),
        _c("threshold_100m_yuan", "amount", "100m_yuan", 2, _Y, None, "a threshold of a year's intended investment"),
        _c("probability", "probability", "share", None, None, None, "probability that the year exceeds the threshold"),
        _c("signed_p10", "count", "projects", 0, _P, None, "10th percentile of a projected signed count"),
        _c("signed_p90", "count", "projects", 0, _P, None, "90th percentile of a projected signed count"),
        _c("landed_median", "count", "projects", None, _P, None, "median projected landed count"),
        _c("landed_mean", "count", "projects", None, _P, None, "mean projected landed count"),
        _c("rate_median", "rate", "share", None, None, None, "median projected landing rate"),
        _c("actual", "avg", "metric", None, None, "actual", "the figure published later"),
        _c("actual_qualifier", "hedge", None, None, None, "hedge", "its hedge"),
        _c("actual_range", "range", "metric", None, None, None, "its interval when derived"),
        _c("actual_source", "id", None, None, None, None, "stated, or the sum of periods"),
        _c("actual_lo", "count", "projects", 0, _P, None, "fewest landed projects a later statement allows"),
        _c("actual_hi", "count", "projects", 0, _P, None, "most landed projects a later statement allows"),
        _c("inside80", "flag", None, None, None, "inside80", "whether the actual lies inside the 80 % interval"),
        _c("inside95", "flag", None, None, None, "inside95", "whether the actual lies inside the 95 % interval"),
        _c("interval_score80", "score", "metric", 1, None, "interval_score", "interval score of the 80 % interval"),
        _c("interval_score95", "score", "metric", 1, None, "interval_score", "interval score of the 95 % interval"),
        _c("crps", "score", "metric", 1, None, "crps", "continuous ranked probability score"),
        # the calibration study's table
        _c(
            "is_ratio", "ratio", None, 2, None, "is_ratio", "interval score of the model ÷ that of the Poisson baseline"
        ),
        *_MODEL_COLUMNS,
    ]
}


def column(name: str) -> Column:
    """The facts of column ``name``.

    Parameters
    ----------
    name : str
        A column name of :data:`COLUMNS`.

    Returns
    -------
    Column

    Examples
    --------
    >>> column("investment_100m_yuan").short_unit
    '100m_yuan'
    """
    try:
        return COLUMNS[name]
    except KeyError:
        raise KeyError(f"no column {name!r} in analysis.core.columns.COLUMNS") from None


def decimals(name: str) -> int:
    """The decimals a table shows for column ``name``.

    Parameters
    ----------
    name : str
        A column of :data:`COLUMNS` shown as a fixed-point number.

    Returns
    -------
    int

    Examples
    --------
    >>> decimals("projects"), decimals("investment_100m_yuan"), decimals("projects_per_year")
    (0, 2, 1)
    """
    nd = column(name).decimals
    if nd is None:
        raise ValueError(f"column {name!r} is not shown with fixed decimals")
    return nd


def is_count(name: str) -> bool:
    """Whether column ``name`` holds whole numbers (written as JSON integers: 85, not 85.0).

    Parameters
    ----------
    name : str
        A column of :data:`COLUMNS`.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_count("signed"), is_count("rate")
    (True, False)
    """
    c = column(name)
    return c.kind == "count" and c.decimals == 0


def readme_rows() -> list[str]:
    """The rows of data/README.md's "Result columns" table, one per column, in table order.

    Returns
    -------
    list of str
        Markdown table rows: ``| `name` | kind | unit | decimals | meaning |``.

    Examples
    --------
    >>> print(readme_rows()[3])
    | `n_years` | count | year | 0 | conference years in the period |
    """
    return [
        f"| `{c.name}` | {c.kind} | {c.short_unit or '—'} | {'—' if c.decimals is None else c.decimals} | {c.description} |"
        for c in COLUMNS.values()
    ]
