"""Prose from the results: one jinja2 template per section and language, under ``analysis/templates``.

A *context builder* per section turns :class:`analysis.stats.results.Results` into plain facts (numbers,
names, verdicts already decided in the results); the template only phrases them, formatting every
number through :mod:`analysis.core.locale`. Wording changes therefore never touch Python, and the zh
templates are written as Chinese. :func:`render` returns Markdown; :func:`md` wraps it for a
notebook; :func:`text` gives the same sentences as plain text (chart notes, page headers).

Data are text, never Markdown: every string a template interpolates is escaped (:func:`md_text`:
Markdown's punctuation backslash-escaped, a line break in a cell collapsed to a space) unless our own
code wrote it as Markdown (:class:`Md`: the numbers, periods, dates and words of the helpers below).
So a publisher named ``[x](javascript:…)`` or a note holding a line break and ``# heading`` stays one
line of text, and the values are never parsed as templates (``{{7*7}}`` stays as written).
"""

from __future__ import annotations

import math
import re

import jinja2
import pandas as pd

from ..core import locale, qualifiers
from ..stats import findings, metrics
from ..stats.metrics import Formula, Period
from ..stats.results import coverage_verdict
from . import facts

SECTIONS = (
    "headline",
    "page_meta",
    "main_points",
    "basis",
    "trends",
    "landing",
    "mix",
    "compare",
    "claims",
    "projection",
    "model",
    "backtest",
    "calibration",
    "since_then",
    "caveats",
    "sources",
    "record",
    "record_headline",
    "record_methods",
)


class Md(str):
    r"""Markdown this package wrote (a number, period, date or word of the vocabulary): interpolated as is.

    Examples
    --------
    >>> from analysis import prose
    >>> prose.md_text("*x*"), prose.Md("*x*")
    ('\\*x\\*', '*x*')
    """


_LINE_BREAKS = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")
#: Inline Markdown: escapes, code, emphasis, links and images, autolinks and raw HTML, tables, headings.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|#])")
#: What opens a block at the start of a line: list items, setext underlines, fences, ordered lists (1. 1)).
_MD_LEADING = re.compile(r"^([-+=~])|^(\d{1,9})([.)])")


def one_line(value: str) -> str:
    r"""A cell's text on one line: a line break (and the spaces around it) becomes one space.

    Parameters
    ----------
    value : str
        Text from the data.

    Returns
    -------
    str
        The text on one line.

    Examples
    --------
    >>> from analysis import prose
    >>> prose.one_line("a\n  b")
    'a b'
    """
    return _LINE_BREAKS.sub(" ", value)


def md_text(value: str) -> str:
    r"""``value`` (text from the data) as Markdown that renders as exactly that text, on one line.

    Markdown's punctuation is backslash-escaped, so nothing in it opens a link, a heading, emphasis or HTML.

    Parameters
    ----------
    value : str
        Text from the data.

    Returns
    -------
    str
        Markdown that renders as ``value``.

    Examples
    --------
    >>> from analysis import prose
    >>> print(prose.md_text("[x](javascript:alert(1)) # not a heading"))
    \[x\](javascript:alert(1)) \# not a heading
    """
    return _MD_LEADING.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), md_inline(value)
    )


def md_inline(value: str) -> str:
    r"""``value`` (text that may hold words from the data) as Markdown inside a sentence, on one line.

    Like :func:`md_text` without the escapes a value needs only at the start of a line.

    Parameters
    ----------
    value : str
        Text from the data, or text built from it (a formula naming its sources).

    Returns
    -------
    str
        Markdown that renders as ``value``.

    Examples
    --------
    >>> from analysis import prose
    >>> print(prose.md_inline("1. <b>bjnews2023</b>: 426.81"))
    1. \<b\>bjnews2023\</b\>: 426.81
    """
    return _MD_INLINE.sub(r"\\\1", one_line(value))


def _as_markdown(value):
    """jinja2's finalize for Markdown templates: data text escaped, our own Markdown (:class:`Md`) as is."""
    return md_text(value) if isinstance(value, str) and not isinstance(value, Md) else value


def _as_text(value):
    """jinja2's finalize for plain-text renderings: a cell's line breaks do not end the sentence's line."""
    return one_line(value) if isinstance(value, str) else value


def _environment(finalize) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("analysis.present", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=finalize,
    )


_ENV = _environment(_as_markdown)  # Markdown for notebooks and pages
_TEXT_ENV = _environment(_as_text)  # the same sentences as plain text


def _env_for(loc: locale.Locale, markdown: bool = True) -> dict:
    """The formatting helpers a template calls, bound to ``loc``: their output is our own Markdown (:class:`Md`)."""
    mark = Md if markdown else str
    escape = md_text if markdown else one_line
    inline = md_inline if markdown else one_line

    def ours(fn):
        return lambda *a, **k: mark(fn(*a, **k))

    return {
        "loc": loc,
        "num": ours(loc.num),
        "rounded": ours(loc.rounded),
        "pct": ours(loc.pct),
        "prob": ours(loc.prob),
        "signed_pct": ours(loc.signed_pct),
        "change": ours(loc.change),
        "rate": ours(loc.rate),
        "pct_interval": ours(loc.pct_interval),
        "hedged": ours(lambda x, q=None, unit=None, bounds=None: loc.hedged(x, q, unit, bounds=bounds)),
        "hedged_sum": ours(loc.hedged_sum),
        "period": ours(loc.period),
        "date": ours(loc.date),
        "word": ours(loc.word),
        # the items may be names from the data: escaped one by one, then joined with our own words
        "join": ours(lambda items: loc.join([i if isinstance(i, Md) else escape(str(i)) for i in items])),
        "verdict": ours(loc.verdict),
        "interval": ours(lambda lo, hi: loc.interval(lo, hi)),
        "count_zh": ours(locale.count_zh),
        "hedge_word": ours(loc.hedge_word),
        # a formula is plain text built from the data (a term may name its source): escaped as data text is
        "formula": lambda f: mark(inline(facts.formula(f, loc.lang) or "")),
        # the hedges' tolerances, as the checks use them (analysis.core.qualifiers)
        "tol": {"approx": qualifiers.APPROX_REL_TOL, "nearly": qualifiers.NEARLY_REL_TOL},
    }


def render(section: str, res, lang: str, **extra) -> str:
    r"""Markdown of one section for ``res`` in ``lang`` (``zh`` or ``en``); text from the data is escaped.

    Parameters
    ----------
    section : str
        One of :data:`SECTIONS`.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    **extra
        Arguments of the section's context (``period=`` for ``mix``, ``study=``/``meta=`` for ``calibration``).

    Returns
    -------
    str
        Markdown, ending in one newline.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> prose.render("page_meta", res, "en")
    'Based on 4 articles published by 19 September 2023; figures through 2023.\n'
    """
    return _render(section, res, lang, True, extra)


def text(section: str, res, lang: str, **extra) -> str:
    r"""The section as plain text (a page's header line, an index card's headline), not Markdown.

    Parameters
    ----------
    section : str
        One of :data:`SECTIONS`.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    **extra
        Arguments of the section's context.

    Returns
    -------
    str
        Plain text, ending in one newline.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> prose.text("page_meta", res, Locale("zh"))
    '依据截至2023年9月19日的四篇报道，数据截至2023年。\n'
    """
    return _render(section, res, lang, False, extra)


def _render(section: str, res, lang, markdown: bool, extra: dict) -> str:
    loc = locale.of(lang)
    if section not in SECTIONS:
        raise KeyError(f"no prose section {section!r}; expected one of {', '.join(SECTIONS)}")
    ctx = {**_CONTEXT[section](res, loc, **extra), **_env_for(loc, markdown), "lang": loc.lang}
    env = _ENV if markdown else _TEXT_ENV
    out = re.sub(r"\n{3,}", "\n\n", env.get_template(f"{loc.lang}/{section}.md.j2").render(**ctx).strip()) + "\n"
    return _join_soft_breaks(out) if loc.joins_lines else out


_BLOCK_START = re.compile(r"^(\s*[-*+] |\s*\d+\. |#|\||>|<)")
_CJK_END = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]$")


def _join_soft_breaks(text: str) -> str:
    """Chinese has no spaces between sentences, but Markdown renders a line break inside a paragraph as
    one: join such lines when the first ends in a Chinese character or punctuation mark."""
    out: list[str] = []
    for line in text.split("\n"):
        if (
            out
            and line.strip()
            and out[-1].strip()
            and not _BLOCK_START.match(line)
            and not _BLOCK_START.match(out[-1])
            and _CJK_END.search(out[-1])
        ):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def mix_note(mx, lang: str, part: str) -> str:
    """The sentence about a breakdown's unpublished counts (``part="counts"``) or amounts (``"amounts"``).

    The same template the mix section includes, so a chart's note and the text cannot disagree.

    Parameters
    ----------
    mx : analysis.stats.metrics.Mix
        One breakdown of ``res.mix``.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    part : str
        ``"counts"`` or ``"amounts"``.

    Returns
    -------
    str
        Plain text; empty when every figure is published.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> prose.mix_note(res.mix[res.period]["category"], "en", "counts")
    ''
    """
    if part not in ("counts", "amounts"):
        raise ValueError(f"part must be 'counts' or 'amounts', got {part!r}")
    loc = locale.of(lang)
    ctx = {"m": _mix_facts(mx, loc), **_env_for(loc, markdown=False), "lang": loc.lang}
    return _TEXT_ENV.get_template(f"{loc.lang}/mix_{part}.md.j2").render(**ctx).strip()  # drawn on a chart: plain text


def md(section: str, res, lang: str, **extra):
    """The section as an IPython Markdown object (what a notebook cell displays).

    Parameters
    ----------
    section : str
        One of :data:`SECTIONS`.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    **extra
        Arguments of the section's context.

    Returns
    -------
    IPython.display.Markdown
        What a cell displays.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> prose.md("page_meta", res, "en").data == prose.render("page_meta", res, "en")
    True
    """
    from IPython.display import Markdown

    return Markdown(render(section, res, lang, **extra))


# --------------------------------------------------------------------------------------------- contexts


def _v(x):
    return None if locale.missing(x) else x


def _source_date(r) -> tuple[int, int, int]:
    return tuple(0 if pd.isna(r[c]) else int(r[c]) for c in ("date_year", "date_month", "date_day"))


def _url(url) -> Md | None:
    """A source's address as the target of a Markdown autolink (``<…>``, where escapes do not apply): only an
    http(s) address without quotes, brackets or spaces, as ``check`` accepts (anything else is left out)."""
    from ..data.rules import web_address_problem

    return None if locale.missing(url) or web_address_problem(str(url)) else Md(url)


def _sources(frame: pd.DataFrame) -> list[dict]:
    return [
        {
            "id": r["source_id"],
            "publisher_zh": r["publisher_zh"],
            "publisher_en": r["publisher_en"],
            "date": _source_date(r),
            "url": _url(r["url"]),
            "author_zh": _v(r["author_zh"]),
            "author_en": _v(r["author_en"]),
        }
        for _, r in frame.sort_values(["date_year", "date_month", "date_day"], na_position="first").iterrows()
    ]


def ctx_sources(res, loc):
    """The sources of the results, oldest first.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_sources(res, Locale("en")))
    ['sources']
    """
    return {"sources": _sources(res.sources)}


def _aggregates(periods: pd.DataFrame, loc: locale.Locale) -> list[dict]:
    """The multi-year periods of a trends frame (published only as totals)."""
    return [
        {
            "first": int(r.first_year),
            "last": int(r.last_year),
            "n": int(r.n_years),
            "label": loc.period(int(r.first_year), int(r.last_year)),
        }
        for r in periods.itertuples()
        if r.n_years > 1
    ]


def _period_names(frame: pd.DataFrame, loc: locale.Locale) -> dict[str, Md]:
    """Each period of ``frame`` (a frame with ``first_year`` and ``last_year``) by its label (how the results
    key it, 2019–2020) in the language's words (2019—2020年 / 2019–2020)."""
    return {
        Period(int(a), int(b)).label: Md(loc.period(int(a), int(b)))
        for a, b in zip(frame["first_year"], frame["last_year"], strict=True)
    }


def _span_names(res, loc: locale.Locale) -> dict[str, Md]:
    """Every span of conference years from the first published one to ten years after the release, by its
    label (a landing cohort such as 2019–2022 spans several published periods), in the language's words."""
    first = int(res.periods["first_year"].min()) if len(res.periods) else res.through
    years = range(first, res.through + 11)
    return {Period(a, b).label: Md(loc.period(a, b)) for a in years for b in years if a <= b}


def ctx_basis(res, loc):
    """What a report rests on: its sources, its periods and which of them are multi-year totals.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_basis(res, Locale("en")))
    ['aggregates', 'first_year', 'n_periods', 'sources', 'through']
    """
    t = res.periods
    return {
        "sources": _sources(res.sources),
        "n_periods": len(t),
        "aggregates": _aggregates(t, loc),
        "first_year": int(t["first_year"].min()) if len(t) else None,
        "through": res.through,
    }


def _period_rows(t: pd.DataFrame, caveats=()) -> list[dict]:
    terms = {cv["period"]: cv["term_zh"] for cv in caveats if cv["kind"] == "term"}
    rows = []
    for r in t.to_dict("records"):
        rows.append(
            {
                "first": int(r["first_year"]),
                "last": int(r["last_year"]),
                "n": int(r["n_years"]),
                "projects": _v(r["projects"]),
                "projects_q": r["projects_qualifier"],
                "projects_b": r["projects_range"],
                "investment": _v(r["investment_100m_yuan"]),
                "investment_q": r["investment_qualifier"],
                "investment_b": r["investment_range"],
                "derived": r["investment_status"] == "derived",
                "formula": r["investment_formula"] if isinstance(r["investment_formula"], Formula) else None,
                "per_year_projects": _v(r["projects_per_year"]),
                "per_year_investment": _v(r["investment_per_year_100m_yuan"]),
                "per_project": _v(r["investment_per_project_100m_yuan"]),
                "change_projects": _v(r["change_projects_per_year"]),
                "change_investment": _v(r["change_investment_per_year"]),
                "term_zh": terms.get(r["period"]),  # caveats name a period by its label
            }
        )
    return rows


def ctx_trends(res, loc):
    """The published periods, the cumulative totals and the change against the period before.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_trends(res, Locale("en")))
    ['cum', 'last', 'periods', 'prev', 'through']
    """
    c = res.cumulative
    rows = _period_rows(res.periods, res.caveats)
    names = _period_names(res.periods, loc)
    return {
        "cum": {
            "projects": _v(c["projects"]),
            "projects_q": c["projects_qualifier"],
            "projects_status": c["projects_status"],
            "projects_b": c["projects_range"],
            "investment_b": c["investment_range"],
            "investment": _v(c["investment_100m_yuan"]),
            "investment_q": c["investment_qualifier"],
            "investment_status": c["investment_status"],
            "periods": [names.get(p, p) for p in c["periods"]],
            "inside": names.get(c["inside"], c["inside"]) if c["inside"] else c["inside"],
        },
        "through": res.through,
        "periods": rows,
        "last": rows[-1] if len(rows) >= 2 else None,
        "prev": rows[-2] if len(rows) >= 2 else None,
    }


def _claim_text(c, loc: locale.Locale) -> str:
    return facts.claim(c, loc.lang)


def _landing_facts(s: metrics.LandingStatement) -> dict:
    """A landing statement's facts for the templates, read off its typed record (built once, in stats)."""
    return {
        "first": s.first_year,
        "last": s.last_year,
        "as_of": s.vintage,
        "signed": s.signed,
        "signed_status": s.signed_status,
        "signed_formula": s.signed_formula,
        "signed_from": s.signed_from,
        "landed": s.landed,
        "landed_lo": s.landed_lo,
        "landed_hi": s.landed_hi,
        "rate": s.rate,
        "ci_lo": s.ci95_lo,
        "ci_hi": s.ci95_hi,
        "stated": s.stated_rate,
        "stated_q": s.stated_qualifier,
        "consistent": s.consistent,
    }


def ctx_landing(res, loc, scope=None):
    """The landing statements, the bounds the articles imply and the projected next statement.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).
    scope : object, optional
        Unused (kept for the notebooks' calls).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_landing(res, Locale("en")))
    ['bounds', 'prediction', 'statements']
    """
    rows = [_landing_facts(s) for s in res.landing_statements]
    bounds = [
        {"text": _claim_text(c, loc), "formula": c["formula"], "consistent": c["consistent"]}
        for c in res.claims.to_dict("records")
        if c["kind"] == "landing_vintage"
    ]
    return {"statements": rows, "bounds": bounds, "prediction": _landing_prediction(res)}


def _landing_prediction(res) -> list[dict]:
    proj = res.projection
    if proj is None or getattr(proj, "landing", None) is None or proj.landing.empty:
        return []
    return proj.landing.to_dict("records")


def _mix_facts(mx, loc: locale.Locale) -> dict:
    g = mx.groups
    counted = g[g["projects"].notna()]
    top_n = counted.sort_values("projects", ascending=False, kind="stable").iloc[0] if len(counted) else None
    stated = g[g["investment_100m_yuan"].notna()]
    top_i = stated.sort_values("investment_100m_yuan", ascending=False, kind="stable").iloc[0] if len(stated) else None
    return {
        "first": mx.period.first_year,
        "last": mx.period.last_year,
        "dimension": mx.dimension,
        "n_groups": len(g),
        "top_projects": None
        if top_n is None
        else {"name": loc.col(top_n, "group"), "projects": top_n["projects"], "share": _v(top_n["project_share"])},
        "top_investment": None
        if top_i is None
        else {
            "name": loc.col(top_i, "group"),
            "amount": top_i["investment_100m_yuan"],
            "q": top_i["investment_qualifier"],
            "share": _v(top_i["investment_share"]),
            "projects": _v(top_i["projects"]),
            "per_project": _v(top_i["investment_per_project_100m_yuan"]),
        },
        "no_count": loc.col(g[g["projects"].isna()], "group").tolist(),
        "remainder_projects": _v(mx.remainder_projects),
        "unstated": loc.col(g[g["investment_100m_yuan"].isna()], "group").tolist(),
        "verdict": mx.remainder_verdict,
        "remainder": _v(mx.remainder_investment),
        "remainder_range": mx.remainder_range,
        "stated_sum": mx.stated_investment,
        "total": _v(mx.total_investment),
        "total_q": mx.total_investment_qualifier,
        "hhi": mx.hhi_investment,
    }


def ctx_mix(res, loc, period: Period | None = None):
    """The facts of each breakdown (of one period, or of all).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).
    period : analysis.stats.metrics.Period, optional
        Only this period's breakdowns.

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_mix(res, Locale("en")))
    ['mixes']
    """
    labels = res.dimension_labels
    out = []
    for p, by_dim in res.mix.items():
        if period is not None and p != period:
            continue
        for d, mx in by_dim.items():
            f = _mix_facts(mx, loc)
            f["dimension_label"] = loc.pick(labels[d])
            out.append(f)
    return {"mixes": out}


def ctx_compare(res, loc):
    """Each classification scheme across the periods: where it is published, merged groups, notes.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_compare(res, Locale("en")))
    ['schemes']
    """
    labels = res.dimension_labels
    out = []
    for d, frame in res.compare.items():
        if frame.empty:
            continue
        status = metrics.period_statuses(frame)
        per = frame.drop_duplicates("period").set_index("period")
        name = _period_names(frame, loc)
        merged = frame[frame["names_zh"].fillna("").str.contains(locale.NAME_SEP)]
        out.append(
            {
                "dimension_label": loc.pick(labels[d]),
                "published": [name[p] for p, s in status.items() if s == "published"],
                "differently": [
                    {"period": name[p], "schemes": [loc.pick(labels[s]) for s in str(per.at[p, "schemes"]).split(", ")]}
                    for p, s in status.items()
                    if s == "classified_differently"
                ],
                "unpublished": [name[p] for p, s in status.items() if s == "not_published"],
                "merged": [
                    {"period": name[r["period"]], "group": loc.col(r, "harmonised"), "names": loc.col(r, "names")}
                    for _, r in merged.iterrows()
                ],
                "notes": [
                    {
                        "name": loc.word("name_with_translation", zh=n["group_zh"], en=n["group_en"]),
                        "note": loc.col(n, "note"),
                    }
                    for n in metrics.taxonomy_notes(res.dataset, d, frame)
                ],
            }
        )
    return {"schemes": out}


def ctx_claims(res, loc):
    """How many of the articles' own figures were checked and which disagree.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_claims(res, Locale("en")))
    ['bad', 'n', 'n_consistent', 'n_construction']
    """
    led = res.claims
    bad = led[led["consistent"].map(lambda v: v is not None and not pd.isna(v) and not bool(v))]
    return {
        "n": len(led),
        "n_consistent": int(
            led["consistent"].map(lambda v: bool(v) if v is not None and not pd.isna(v) else False).sum()
        ),
        "n_construction": int((led["basis"] == "by construction").sum()),
        "bad": [_claim_text(c, loc) for c in bad.to_dict("records")],
    }


def ctx_caveats(res, loc):
    """The caveats of the results.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_caveats(res, Locale("en")))
    ['caveats']
    """
    names = _period_names(res.periods, loc)
    return {
        "caveats": [
            {**c, **{k: names.get(c[k], c[k]) for k in ("period", "from_period") if k in c}} for c in res.caveats
        ]
    }


def ctx_since_then(res, loc):
    """What was published after the release (None when nothing was).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_since_then(res, Locale("en")))
    ['st']
    """
    st = res.since_then
    if st is None:
        return {"st": None}
    totals = [
        {
            "first": int(r["first_year"]),
            "last": int(r["last_year"]),
            "projects": _v(r["projects"]),
            "projects_q": r["projects_qualifier"],
            "investment": _v(r["investment_100m_yuan"]),
            "investment_q": r["investment_qualifier"],
        }
        for _, r in st.totals.sort_values(["last_year", "first_year"]).iterrows()
    ]
    landing = [_landing_facts(s) for s in st.landing_statements]
    claims = [
        {"text": _claim_text(c, loc), "consistent": c["consistent"]}
        for c in st.claims.to_dict("records")
        if c["kind"] != "landing_rate"
    ]
    return {
        "st": {
            "sources": _sources(st.sources),
            "totals": totals,
            "landing": landing,
            "claims": claims,
            "backtest": st.backtest.to_dict("records") if st.backtest is not None else [],
        }
    }


def _cell(proj, year, metric) -> dict | None:
    t = proj.table
    hit = t[(t["year"] == year) & (t["metric"] == metric)]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return {
        "year": year,
        "median": r["median"],
        "mean": r["mean"],
        "lo80": r["pi80_lo"],
        "hi80": r["pi80_hi"],
        "lo95": r["pi95_lo"],
        "hi95": r["pi95_hi"],
    }


def ctx_projection(res, loc):
    """The projection's first and last year, its key figures and thresholds.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_projection(res, Locale("en")))
    ['cum_investment', 'cum_projects', 'first', 'investment', 'last', 'proj', 'projects', 'scenario', 'start', 'thresholds', 'through', 'widen']
    """
    proj = res.projection
    if proj is None:
        return {"proj": None, "note": res.projection_note, "through": res.through}
    first, last = proj.years[0], proj.years[-1]
    p1, p3 = _cell(proj, first, "projects"), _cell(proj, last, "projects")
    thresholds = []
    for t, grp in proj.thresholds.groupby("threshold_100m_yuan", sort=True):
        thresholds.append({"threshold": t, "probs": list(zip(grp["year"], grp["probability"], strict=True))})
    return {
        "proj": True,
        "through": res.through,
        "first": first,
        "last": last,
        "projects": p1,
        "investment": _cell(proj, first, "investment_100m_yuan"),
        "cum_projects": _cell(proj, last, "cumulative_projects"),
        "cum_investment": _cell(proj, last, "cumulative_investment_100m_yuan"),
        "widen": (p3["hi80"] - p3["lo80"]) / max(p1["hi80"] - p1["lo80"], 1e-9) if last != first else None,
        "thresholds": thresholds,
        "start": proj.start,
        "scenario": None if proj.scenario.is_default else proj.scenario,
    }


def ctx_model(res, loc):
    """The projection model in facts: weights, growth, landing, the priors with their reasons.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_model(res, Locale("en")))
    ['aggregate_labels', 'aggregates', 'growth', 'landing', 'n_landing', 'n_periods', 'n_sims', 'priors', 'proj', 'seed', 'start', 'weights']
    """
    from ..core.config import PRIORS

    proj = res.projection
    if proj is None:
        return {"proj": None}
    summ = proj.summary
    drift = summ["models"].get("drift", {})
    land = summ.get("landing")
    return {
        "proj": True,
        "weights": proj.weights,
        "growth": drift.get("growth"),
        "landing": land,
        "priors": [
            {"name": k, "dist": p.dist, "params": p.params, "reason": loc.prior_reason(k, p)} for k, p in PRIORS.items()
        ],
        "n_sims": proj.n_sims,
        "seed": proj.seed,
        "start": proj.start,
        "aggregates": _aggregates(proj.history, loc),
        "aggregate_labels": [a["label"] for a in _aggregates(proj.history, loc)],
        "n_periods": len(proj.history),
        "n_landing": res.landing["source_id"].nunique() if len(res.landing) else 0,
    }


def _backtest_rows(bt) -> list[dict]:
    if bt is None or bt.empty:
        return []
    return bt.to_dict("records")


def ctx_backtest(res, loc):
    """The template context of the projection against the figures published later.

    First the figures themselves, year by year, then how many of them (landing included) fell inside its
    intervals.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_backtest(res, Locale("en")))
    ['has_projection', 'landing', 'n', 'n80', 'n95', 'rows', 'through', 'years']
    """
    st = res.since_then
    rows = [
        {**b, "metric_name": Md(loc.word(f"metric_{b['metric']}"))}
        for b in _backtest_rows(None if st is None else st.backtest)
    ]
    names = _span_names(res, loc)
    landing = [
        {**b, "cohort": names.get(b["cohort"], b["cohort"])}
        for b in _backtest_rows(None if st is None else st.landing_backtest)
    ]
    years: dict[int, list[dict]] = {}
    for b in rows:
        years.setdefault(int(b["year"]), []).append(b)
    scored = rows + landing
    return {
        "rows": rows,
        "landing": landing,
        "years": [{"year": y, "figures": f} for y, f in sorted(years.items())],
        "n": len(scored),
        "n80": sum(bool(b["inside80"]) for b in scored),
        "n95": sum(bool(b["inside95"]) for b in scored),
        "through": res.through,
        "has_projection": res.projection is not None,
    }


#: :func:`analysis.stats.calibration.summary` of the studies summarised in this process, by their tables' content
_SUMMARIES: dict[tuple, dict] = {}


def clear_cache() -> None:
    """Forget the studies' summaries and the records' facts kept in this process (a patching test asks afresh).

    Examples
    --------
    >>> from analysis import prose
    >>> prose.clear_cache()
    """
    from ..stats import record

    _SUMMARIES.clear()
    record.clear_cache()


def _study_summary(study) -> dict:
    """:func:`analysis.stats.calibration.summary` of ``study``, summarised once per process and content.

    Every page with a projection words the stored study in both languages; its summary depends only on its
    tables. A copy is returned (the templates' facts are built around it).
    """
    import copy

    from ..stats import calibration

    tables = [study] if isinstance(study, pd.DataFrame) else [study.table, study.pit, study.diagnostics]
    key = tuple(
        (tuple(t.columns), tuple(map(str, t.dtypes)), int(pd.util.hash_pandas_object(t, index=True).sum()))
        for t in tables
    )
    if key not in _SUMMARIES:
        if len(_SUMMARIES) >= 4:
            _SUMMARIES.clear()
        _SUMMARIES[key] = calibration.summary(study)
    return copy.deepcopy(_SUMMARIES[key])


def ctx_calibration(res, loc, study=None, meta=None):
    """The calibration study (default: the stored one) in words; ``meta`` says how it was run.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).
    study : analysis.stats.calibration.Study, optional
        A study (default: the stored one).
    meta : dict, optional
        How it was run.

    Returns
    -------
    dict
        The template's facts: ``own`` and ``others`` (per world: coverage ranges and their verdicts),
        ``under`` (every world with a target that under-covers, its targets and their worst tail),
        ``fine`` (the worlds with none), ``out_of_family`` (the worlds built to break the model), ``khat``
        (the largest share of fits with k-hat above 0.7, and its world) and how the study was run.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_calibration(res, Locale("en")))[:6]
    ['aggregates', 'alpha', 'fine', 'horizon', 'khat', 'khat_limit']
    """
    from ..stats import calibration

    if study is None:
        study, meta = calibration.stored()
    s = _study_summary(study)
    procs = []
    for name, e in s["processes"].items():
        verdict = {}
        for lv in (round(100 * level) for level in calibration.LEVELS):
            lo, hi = e[f"coverage{lv}"]
            se = e[f"mc_se{lv}"]
            verdict[lv] = coverage_verdict(lo, hi, se, lv / 100)
        label = calibration.process_label(name, loc.lang)
        procs.append(
            {"key": name, "name": label, "name_in_text": label[:1].lower() + label[1:], **e, "verdict": verdict}
        )
    shape = list(meta["shape"]) if meta and "shape" in meta else list(calibration.SHAPE)
    # the shape of the data this report stands on (its vintage), which may differ from the study's
    own_shape = [int(n) for n in res.periods["n_years"]] if len(res.periods) else []
    table = study.table if isinstance(study, calibration.Study) else study
    khat = [(p["khat_bad"], p["name_in_text"]) for p in procs if p["khat_bad"] is not None]
    return {
        "n": s["n_histories"],
        "horizon": int(table["horizon"].max()),
        "aggregates": [L for L in shape if L > 1],
        "singles": sum(1 for L in shape if L == 1),
        "vintage_aggregates": [L for L in own_shape if L > 1],
        "vintage_singles": sum(1 for L in own_shape if L == 1),
        "same_shape": own_shape == shape,
        "own": next((p for p in procs if p["key"] == "model"), None),
        "others": [p for p in procs if p["key"] != "model"],
        "under": [p for p in procs if p["under"]],
        "fine": [p for p in procs if not p["under"]],
        "out_of_family": [p for p in procs if p["out_of_family"]],
        "n_tests": 2 * len(table),
        "alpha": s["alpha"],
        "khat": max(khat) if khat else None,
        "khat_limit": calibration.KHAT_BAD,
        "stored": meta is not None,
    }


def ctx_main_points(res, loc, subject: str = "release"):
    """The main points: a page's leading findings on its own subject (:func:`analysis.stats.findings.lead`).

    A release's page (``subject="release"``) first states the release's figures and the cumulative
    totals, then its findings; an analysis page (``trends``, ``mix``, ``landing``, ``projection``)
    states its own findings only.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).
    subject : str
        One of :data:`analysis.stats.findings.SUBJECTS`.

    Returns
    -------
    dict
        The template's facts.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023)
    >>> sorted(prose.ctx_main_points(res, Locale("en")))
    ['cum', 'cur', 'n_periods', 'points', 'subject', 'through']
    """
    rows = _period_rows(res.periods, res.caveats)
    cur = next((r for r in rows if r["last"] == res.through), None)
    return {
        "subject": subject,
        "cur": cur if subject == "release" else None,
        "cum": ctx_trends(res, loc)["cum"],
        "through": res.through,
        "n_periods": len(res.periods),
        "points": [finding_facts(f, res, loc) for f in findings.lead(res, subject)],
    }


def ctx_headline(res, loc, subject: str | None = None):
    """A card's headline (the release's figures), or with ``subject`` a page's title: its strongest finding.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    loc : analysis.core.locale.Locale
        The language (the facts are language-free but for names and statements in it).
    subject : str, optional
        One of :data:`analysis.stats.findings.SUBJECTS`: the title of that page.

    Returns
    -------
    dict
        The template's facts: ``cur`` (the release's period) and ``top`` (the finding of a title, or None).

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), 2023, projection=False)
    >>> sorted(prose.ctx_headline(res, Locale("en"), subject="release"))
    ['cur', 'own_period', 'subject', 'top']
    """
    rows = _period_rows(res.periods, res.caveats)
    cur = next((r for r in rows if r["last"] == res.through), None)
    top = None
    if subject is not None:
        lead = findings.lead(res, subject)
        top = finding_facts(lead[0], res, loc) if lead else None
    own = (
        subject == "release"
        and top is not None
        and cur is not None
        and (top["first"], top["last"]) == (cur["first"], cur["last"])
    )
    return {"cur": cur, "subject": subject, "top": top, "own_period": own}


def ctx_record(res, loc, record=None):
    """The forecast record in words: what the archived forecasts did against the figures that followed.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (its data: the archive beside them is read when ``record`` is not given).
    loc : analysis.core.locale.Locale
        The language.
    record : pandas.DataFrame, optional
        What :func:`analysis.stats.record.forecast_record` returns (default: the archive's, without today's refit).

    Returns
    -------
    dict
        :func:`analysis.stats.record.facts`, with the dates and the targets' names in the language.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> res = compute(load(), projection=False)
    >>> prose.ctx_record(res, Locale("en"))["years"]
    [2022, 2023, 2024]
    """
    from ..stats import projection as P
    from ..stats import record as R

    f = R.archived_facts(res.dataset) if record is None else R.facts(record)
    made = [loc.date(tuple(int(x) for x in d.split("-"))) for d in f["made"]]
    targets = [{**t, "name": Md(loc.word(f"metric_{t['target']}"))} for t in f["targets"]]
    return {**f, "made": [Md(m) for m in made], "targets": targets, "levels": len(R.LEVELS), "n_sims": P.N_SIMS}


def finding(f, res, lang, form: str = "sentence") -> str:
    """One finding in words, as plain text: the sentence of a main point or the clause of a title.

    Parameters
    ----------
    f : analysis.stats.findings.Finding
        A finding of ``res``.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    form : str
        ``sentence`` or ``clause``.

    Returns
    -------
    str
        The text, on one line.

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.stats import findings
    >>> res = compute(load(), 2024, projection=False)
    >>> f = [f for f in findings.for_subject(res, "trends") if f.kind == "record"][0]
    >>> prose.finding(f, res, "en", "clause")  # doctest: +ELLIPSIS
    '...the most since 2021'
    """
    if form not in ("sentence", "clause"):
        raise ValueError(f"form must be 'sentence' or 'clause', got {form!r}")
    loc = locale.of(lang)
    ctx = {"f": finding_facts(f, res, loc), "form": form, "show_period": True, **_env_for(loc, markdown=False)}
    return _TEXT_ENV.get_template(f"{loc.lang}/findings.j2").render(**ctx).strip()


# ---- findings as template facts (issue 21, item 1): the numbers of :mod:`analysis.stats.findings`, rounded
# for the sentence (a share of hedged figures to a whole percent, of exact ones to a tenth)


def _figure_facts(f: findings.Figure | None, scale: float = 1.0, nd: int | None = None) -> dict | None:
    """A finding's number for ``hedged``: value, hedge and bounds, scaled (100 for a percent) and rounded."""
    if f is None:
        return None
    if nd is None:
        nd = 1 if f.qualifier == "exact" else 0
    value = round(f.value * scale, nd)
    lo, hi = f.bounds
    lo = _round_out(lo * scale, nd, math.floor)  # rounded outward: the range written holds every allowed value
    hi = None if hi is None else _round_out(hi * scale, nd, math.ceil)
    return {"value": value, "q": f.qualifier, "b": (lo, hi), "lo": lo, "hi": hi}


def _round_out(x: float, nd: int, direction) -> float:
    """``x`` to ``nd`` decimals towards ``direction`` (math.floor for a lower end, math.ceil for an upper one);
    a value already at ``nd`` decimals (to 1e-9) is kept."""
    k = 10**nd
    near = round(x * k)
    return (near if abs(x * k - near) < 1e-9 else direction(x * k)) / k


#: A finding's numbers that are shares or rates (written as percents) and counts (whole numbers).
_PERCENTS = ("share", "project_share", "rate", "earlier_rate", "size")
_COUNTS = ("projects", "signed", "landed", "earlier_landed", "earlier_signed", "groups", "stated_pct")


def finding_facts(f: findings.Finding, res, loc: locale.Locale) -> dict:
    """One finding as a template's facts: its kind, direction, periods, names and numbers.

    Parameters
    ----------
    f : analysis.stats.findings.Finding
        A finding.
    res : analysis.stats.results.Results
        What ``compute`` returns (the schemes' labels).
    loc : analysis.core.locale.Locale
        The language of the names.

    Returns
    -------
    dict
        ``template``, ``kind``, ``direction``, ``measure``, ``first``/``last``/``n``, ``since`` (or None),
        ``all_time``, ``name``, ``scheme``, ``as_of``, ``figs`` (by name: ``value``, ``q``, ``b``),
        ``series`` and ``change`` (the size of a change, a fraction).

    Examples
    --------
    >>> from analysis import compute, load, prose
    >>> from analysis.core.locale import Locale
    >>> from analysis.stats import findings
    >>> res = compute(load(), 2022, projection=False)
    >>> prose.finding_facts(findings.lead(res)[0], res, Locale("en"))["name"]
    'Infrastructure'
    """
    p = f.period
    figs = {}
    for name, fig in f.figures:
        if name in _PERCENTS:
            figs[name] = _figure_facts(fig, 100.0, None if name in ("share", "project_share") else 1)
        elif name in _COUNTS or (f.measure == "projects" and name in ("value", "previous", "first", "actual")):
            figs[name] = _figure_facts(fig, 1.0, 0)
        else:
            figs[name] = _figure_facts(fig, 1.0, 2)
    change = f.figure("change")
    series = []
    for q, fig in f.series:
        per_year = f.measure != "per_project" and q.n_years > 1
        scaled = findings.Figure(fig.value / q.n_years, fig.qualifier, fig.lo / q.n_years, fig.hi / q.n_years)
        series.append(
            {
                "first": q.first_year,
                "last": q.last_year,
                "per_year": per_year,
                "fig": _figure_facts(scaled if per_year else fig, 1.0, 1 if per_year else 2),
            }
        )
    return {
        "template": f.template,
        "kind": f.kind,
        "direction": f.direction,
        "measure": f.measure,
        "first": p.first_year,
        "last": p.last_year,
        "n": p.n_years,
        "since": None
        if f.since is None
        else {"first": f.since.first_year, "last": f.since.last_year, "n": f.since.n_years},
        "all_time": f.all_time,
        "name": None if f.group is None else loc.pick(f.group),
        "scheme": None if f.scheme is None else loc.pick(res.dimension_labels[f.scheme]),
        "as_of": f.as_of,
        "figs": figs,
        "series": series,
        "steps": max(len(series) - 1, 0),
        "change": None if change is None else abs(change.value),
    }


_CONTEXT = {
    "headline": ctx_headline,
    "page_meta": lambda res, loc: {"sources": _sources(res.sources), "through": res.through},
    "main_points": ctx_main_points,
    "basis": ctx_basis,
    "trends": ctx_trends,
    "landing": ctx_landing,
    "mix": ctx_mix,
    "compare": ctx_compare,
    "claims": ctx_claims,
    "projection": ctx_projection,
    "model": ctx_model,
    "backtest": ctx_backtest,
    "calibration": ctx_calibration,
    "since_then": ctx_since_then,
    "caveats": ctx_caveats,
    "sources": ctx_sources,
    "record": ctx_record,
    "record_headline": ctx_record,
    "record_methods": ctx_record,
}
