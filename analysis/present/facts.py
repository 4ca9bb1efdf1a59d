"""Claims and formulas in words: the stats layer returns facts (:class:`analysis.stats.claims.Claim`,
:class:`analysis.stats.metrics.Formula`), and the macros of ``templates/{zh,en}/facts.j2`` write them.

One rendering serves every reader: the claims table and the prose of the reports, the JSON's ``text_en``
and ``formula``, the terminal text, and the data check's messages (:func:`reconciliation_problems`).
The sentences are plain text built from data words (source ids, a claim's own text), so this environment does
not escape: every reader escapes them as data text (the Styler, the Markdown templates' ``md_text``/``md_inline``,
the pages' autoescape); none may mark them as its own Markdown or HTML.
"""

from __future__ import annotations

import functools

from ..core import locale
from ..data.schema import Problem
from ..stats import claims as C
from ..stats.metrics import Formula


@functools.cache
def _macros(lang: str):
    """The module of ``{lang}/facts.j2`` (its macros), with the locale's number, period and date writers."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analysis.present", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=False,
    )
    helpers = {
        "num": lambda x, nd=2: locale.num(x, lang, nd),
        "period": lambda p, suffix=True: locale.period(p.first_year, p.last_year, lang, suffix),
        "date": lambda d: locale.date(d, lang),
        "hedged": lambda x, q=None, unit=None: locale.hedged(x, q, lang, unit),
    }
    return env.get_template(f"{locale.check_lang(lang)}/facts.j2").make_module(helpers)


def formula(f: Formula | None, lang: str = "en") -> str | None:
    """A structured formula in words: ``1,080 (2019–2022) − 280.66 (2022)`` / ``1,080（2019–2022年） − 280.66（2022年）``.

    Parameters
    ----------
    f : Formula or None
        The formula (None or a missing value: no formula).
    lang : str
        ``zh`` or ``en``.

    Returns
    -------
    str or None
        None when there is no formula.

    Examples
    --------
    >>> from analysis.stats.metrics import Formula, Period, Term
    >>> f = Formula.of(Term(1080, Period(2019, 2022)), Term(280.66, Period(2022, 2022)), op="−")
    >>> formula(f, "en")
    '1,080 (2019–2022) − 280.66 (2022)'
    >>> formula(f, "zh")
    '1080（2019—2022年） − 280.66（2022年）'
    """
    if not isinstance(f, Formula):
        return None
    return str(_macros(lang).formula(f))


def claim(c, lang: str = "en") -> str:
    """A claim's sentence in ``lang``, from its facts.

    Parameters
    ----------
    c : Claim, pandas.Series or dict
        A claim or a row of :func:`analysis.stats.claims.ledger`.
    lang : str
        ``zh`` or ``en``.

    Returns
    -------
    str
        Plain text (the data's own words for a ``claims.csv`` claim).

    Examples
    --------
    >>> from analysis import load, compute
    >>> res = compute(load(), 2022, projection=False)
    >>> row = res.claims[res.claims["id"] == "cumulative_projects_2019-2021"].iloc[0]
    >>> claim(row, "en")
    '2019–2021: the total of projects equals the sum over 2019–2020 + 2021'
    >>> claim(row, "zh")
    '2019—2021年合计签约项目数等于2019—2020、2021各期之和'
    """
    return str(_macros(lang).claim(C.as_claim(c)))


def claims(frame, lang: str = "en") -> list[str]:
    """The sentences of a ledger's rows, in order.

    Parameters
    ----------
    frame : pandas.DataFrame
        A ledger (or part of one).
    lang : str
        ``zh`` or ``en``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from analysis import load, compute
    >>> claims(compute(load(), 2022, projection=False).claims, "zh")[0]
    '2022年按类别分组的项目数之和等于总数37个'
    """
    return [claim(r, lang) for _, r in frame.iterrows()]


def reconciliation_problems(ds) -> list[Problem]:
    """Each inconsistent claim, and each claim that cannot be computed, as a problem naming its row.

    The problems are English lines for ``python -m analysis check``.

    Parameters
    ----------
    ds : Dataset
        The data, as read.

    Returns
    -------
    list of Problem
        Empty when every claim holds.

    Examples
    --------
    >>> from analysis import load
    >>> reconciliation_problems(load())
    []
    """
    out = []
    for c, why in C.problems(C.ledger(ds)):
        if why == "unchecked":
            msg = f"claim '{c.id}' cannot be checked: the groups or totals it refers to are missing"
        elif why == "impossible":
            msg = (
                f"{claim(c)}: impossible ({formula(c.formula)} = {locale.num(c.computed)}); "
                "the statements contradict each other"
            )
        else:
            unit = "%" if c.kind == "landing_rate" else ""
            msg = (
                f"{claim(c)}: stated {c.qualifier} {locale.num(c.stated)}{unit}, "
                f"but the data give {locale.sig(c.computed, 4)}{unit}"
            )
        out.append(Problem(c.file, c.line, c.column, msg))
    return out
