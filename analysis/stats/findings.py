"""Findings: what is new or distinctive in a release, derived from its results, as numbers (no words).

:func:`findings` turns one :class:`~analysis.stats.results.Results` into candidate findings, each a
:class:`Finding` (a frozen record: its kind, what it is about, its numbers with their hedges, and a
strength). The kinds:

``change``
    A period against the period before (annual averages; the amount per project as is).
``record``
    A single conference's figure above (or below) every earlier one back to some period (``since``).
``run``
    A figure rising (or falling) in three periods running or more.
``concentration``
    One group of a breakdown holding far more of the money than of the projects (or of the projects
    than an even split would give it, when the breakdown counts projects only).
``new_scheme`` / ``new_group``
    The first breakdown by a scheme; a group first listed in a scheme published complete before.
``landing_gap``
    Two landing statements of different dates bounding a later cohort's landing below an earlier one's.
``landing``
    The latest landing statement.
``backtest``
    A projection made at an earlier release against the figure published since (the 80 % interval).
``forecast``
    The projection of the next conference (median and 80 % interval).

Every number is an :class:`~analysis.core.qualifiers.Interval` of the values its hedges allow, and every
verdict holds for all of them: a change is a rise only when the smallest value of the new figure exceeds
the largest of the old one, so a tie within the hedges gives no finding, and a fall is never a rise. A
superlative also holds for every value an aggregate allows: a period published only as a total of
several conferences (2019–2020) may have held all of it in one year, so a single conference beats it
only by exceeding the whole total, and can never be lower than its weaker year (which may have had
none). A finding about a period needs that period's figures: a missing figure gives none.

``strength`` is the smallest relative difference every allowed value gives (how far the finding holds
beyond its hedges): the smallest relative change for a change, a record or a run; for a concentration
the group's smallest share of the money over its largest share of the projects, less one; for a first
breakdown the share of the projects its largest group holds; for a landing gap the earlier cohort's
smallest rate over the later one's largest, less one; for a backtest how far the actual figure lies
outside the interval, relative to its nearer end. Statements with nothing to measure (the latest
landing statement, the forecast) have strength 0. :func:`for_subject` ranks a page's findings by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.locale import missing
from ..core.qualifiers import RANGE, Hedged, Interval, describe, nominal
from . import metrics
from .metrics import Period

#: The kinds of finding, in the order a tie in strength is broken.
KINDS = (
    "record",
    "run",
    "change",
    "concentration",
    "landing_gap",
    "new_group",
    "new_scheme",
    "backtest",
    "landing",
    "forecast",
)
#: The measures of the periods' figures: the count, the amount and the amount per project.
MEASURES = ("projects", "investment", "per_project")
#: The subject (page) each kind belongs to.
SUBJECT_OF = {
    "record": "trends",
    "run": "trends",
    "change": "trends",
    "concentration": "mix",
    "new_group": "mix",
    "new_scheme": "mix",
    "landing_gap": "landing",
    "landing": "landing",
    "backtest": "projection",
    "forecast": "projection",
}
#: The subjects a page can lead with: a release (a period report) or one analysis.
SUBJECTS = ("release", "trends", "mix", "landing", "projection")
#: The interval level of the projection's findings (the main points use one level).
LEVEL = 80
#: A run of rises or falls: at least this many periods in a row.
RUN_PERIODS = 3
#: A record: it beats at least this many earlier periods (one is only a change).
RECORD_MIN_BEATEN = 2
#: How many findings a page leads with (its main points, the first of them its title).
LEAD = 4
#: How many of a page's leading findings one sentence template may write: a release's are all different
#: kinds of sentence; an analysis page may say two things of one kind (two breakdowns' concentrations).
PER_TEMPLATE = {"release": 1}
#: How many of the previous release's sentence templates a release may lead with again.
REPEATS = 1


@dataclass(frozen=True)
class Figure:
    """One number of a finding: the value written, its hedge and the interval of values it allows.

    Parameters
    ----------
    value : float
        The figure as written (for a derived one, the value computed from the figures as written).
    qualifier : str
        Its hedge (``exact``, ``approx`` …, or ``range`` when no hedge word fits).
    lo, hi : float
        The interval of true values (``hi`` may be ``inf``).

    Examples
    --------
    >>> Figure.of(280.66, "approx").lo
    266.627
    """

    value: float
    qualifier: str
    lo: float
    hi: float

    @classmethod
    def of(cls, value: float, qualifier: str | None) -> Figure:
        """A stated figure with its hedge (:func:`analysis.core.qualifiers.nominal`).

        Parameters
        ----------
        value : float
            The figure.
        qualifier : str or None
            Its hedge (None: exact).

        Returns
        -------
        Figure
        """
        iv = nominal(float(value), qualifier or "exact")
        return cls(float(value), qualifier or "exact", iv.lo, iv.hi)

    @classmethod
    def derived(cls, iv: Interval, point: float, count: bool = False) -> Figure:
        """A figure computed from others: its hedge read off its interval (:func:`~analysis.core.qualifiers.describe`).

        A figure no hedge word fits (``range``) keeps ``point`` as its value and is written as its ends.

        Parameters
        ----------
        iv : Interval
            The values the computation allows.
        point : float
            The value computed from the figures as written.
        count : bool
            The figure is a count of projects.

        Returns
        -------
        Figure
        """
        h: Hedged = describe(iv, point, count=count)
        # a range is written as its ends; its value stays the one computed from the figures as written
        return cls(float(point if h.qualifier == RANGE else h.value), h.qualifier, float(iv.lo), float(iv.hi))

    @property
    def bounds(self) -> tuple[float, float | None]:
        """``(lo, hi)`` with an unbounded end as None (what a range is written from)."""
        return self.lo, (None if math.isinf(self.hi) else self.hi)


@dataclass(frozen=True)
class Finding:
    """One candidate finding: what it is about, its numbers with their hedges, and its strength.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    period : Period
        The period (or signing cohort) it is about.
    measure : str
        ``projects``, ``investment`` or ``per_project`` for the periods' figures; ``investment`` or
        ``projects`` for a concentration (the share it is about); ``landing_rate`` for landing; the
        projection's metric for a backtest; ``scheme`` or ``group`` for a first breakdown.
    direction : int
        +1 a rise (or a high, or above the interval), -1 a fall (a low, below), 0 neither.
    strength : float
        The smallest relative difference every allowed value gives (see the module's docstring).
    figures : tuple of (str, Figure)
        The numbers, by name (``value``, ``previous``, ``change``, ``share`` …); a change's ``size`` is
        its magnitude (a fraction, positive for a fall too) with the hedge its two figures allow.
    group : tuple of (str, str) or None
        A breakdown group's name (zh, en), as the data give it.
    scheme : str or None
        The breakdown's scheme (``category``, ``place`` …).
    since : Period or None
        A record: the earliest period it beats; a change: the period compared with; a run: its first
        period; a landing gap: the earlier cohort.
    all_time : bool
        A record over every earlier period.
    series : tuple of (Period, Figure)
        A run's figures, oldest first.
    as_of : tuple of int or None
        A landing finding's date (the later statement's).

    Examples
    --------
    >>> from analysis import load, compute
    >>> f = for_subject(compute(load(), 2022, projection=False), "release")[0]
    >>> f.kind, f.period.label, f.group
    ('concentration', '2022', ('基础设施类', 'Infrastructure'))
    """

    kind: str
    period: Period
    measure: str
    direction: int = 0
    strength: float = 0.0
    figures: tuple[tuple[str, Figure], ...] = ()
    group: tuple[str, str] | None = None
    scheme: str | None = None
    since: Period | None = None
    all_time: bool = False
    series: tuple[tuple[Period, Figure], ...] = ()
    as_of: tuple[int, int, int] | None = None

    @property
    def subject(self) -> str:
        """The page it belongs to (:data:`SUBJECT_OF`)."""
        return SUBJECT_OF[self.kind]

    @property
    def template(self) -> str:
        """The sentence template that writes it: the ``findings.j2`` branch (``concentration_investment``).

        Its kind, and for a concentration the share it is about; a rise and a fall are one template (only
        the word for the direction differs).
        """
        return self.kind + (f"_{self.measure}" if self.kind == "concentration" else "")

    @property
    def about(self) -> tuple:
        """What it is about, for keeping one finding per thing (a trend's period and measure, a breakdown, a group).

        A breakdown's concentration and its first publication are about one thing: a page states one of them.
        """
        if self.subject == "trends":
            return ("trends", self.period, self.measure)
        if self.kind == "new_group":
            return (self.kind, self.period, self.scheme, self.group)
        if self.subject == "mix":
            return ("mix", self.period, self.scheme)
        return (self.kind, self.period, self.measure)

    def figure(self, name: str) -> Figure | None:
        """One of its numbers by name (None when it has none of that name).

        Parameters
        ----------
        name : str
            ``value``, ``previous``, ``change`` ….

        Returns
        -------
        Figure or None
        """
        return dict(self.figures).get(name)


# --------------------------------------------------------------------------------------------- figures


def _ratio(num: Interval, den: Interval) -> Interval:
    """The values ``num / den`` allows (both non-negative); an end with a zero denominator is unbounded."""
    lo = num.lo / den.hi if den.hi > 0 and not math.isinf(den.hi) else 0.0
    hi = num.hi / den.lo if den.lo > 0 else math.inf
    return Interval(lo, hi)


def period_figures(res) -> dict[Period, dict[str, Figure]]:
    """The figures of every published period of the release's vintage, with the intervals their hedges allow.

    A missing figure is left out (unknown is never 0); the amount per project is there only when both
    figures are.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.

    Returns
    -------
    dict
        ``{Period: {measure: Figure}}`` (measures of :data:`MEASURES`), oldest period first.

    Examples
    --------
    >>> from analysis import load, compute
    >>> figs = period_figures(compute(load(), 2021, projection=False))
    >>> [(p.label, sorted(f)) for p, f in figs.items()][0]
    ('2019–2020', ['investment', 'per_project', 'projects'])
    """
    out: dict[Period, dict[str, Figure]] = {}
    for p, vals in sorted(metrics.period_values(res.dataset).items()):
        if p.last_year > res.through:
            continue
        figs: dict[str, Figure] = {}
        for name, key in (("projects", "projects"), ("investment", "investment_100m_yuan")):
            v = vals.get(key)
            if v is not None and v.known:
                iv = v.span
                figs[name] = Figure(float(v.value), v.qualifier or "exact", iv.lo, iv.hi)
        if "projects" in figs and "investment" in figs and figs["projects"].value > 0:
            pr, inv = figs["projects"], figs["investment"]
            figs["per_project"] = Figure.derived(
                _ratio(Interval(inv.lo, inv.hi), Interval(pr.lo, pr.hi)), inv.value / pr.value
            )
        out[p] = figs
    return out


def _per_year(f: Figure, p: Period) -> Interval:
    return Interval(f.lo / p.n_years, f.hi / p.n_years)


def _single_year_max(f: Figure, p: Period, measure: str) -> float:
    """The most a single conference of ``p`` can have held: all of an aggregate in one year."""
    if p.n_years == 1:
        return f.hi
    return f.hi if measure != "per_project" else math.inf  # one project may have carried nearly all the money


def _single_year_min(f: Figure, p: Period) -> float:
    """The least a single conference of ``p`` can have held: an aggregate's weaker year may have had none."""
    return f.lo if p.n_years == 1 else 0.0


def _relative_change(cur: Interval, prev: Interval) -> Interval:
    """The relative changes from ``prev`` to ``cur`` every pair of allowed values gives."""
    r = _ratio(cur, prev)
    return Interval(r.lo - 1, r.hi - 1)


def _compared(measure: str, f: Figure, p: Period) -> Interval:
    """What a change compares: the annual average of a count or an amount, the amount per project as is."""
    return Interval(f.lo, f.hi) if measure == "per_project" else _per_year(f, p)


def _change(p: Period, q: Period, measure: str, cur: Figure, prev: Figure) -> Finding | None:
    rel = _relative_change(_compared(measure, cur, p), _compared(measure, prev, q))
    if rel.lo > 0:
        direction, strength = 1, rel.lo
    elif rel.hi < 0:
        direction, strength = -1, -rel.hi
    else:
        return None  # a tie within the hedges
    a, b = (cur.value, prev.value) if measure == "per_project" else (cur.value / p.n_years, prev.value / q.n_years)
    point = a / b - 1 if b else math.nan
    change = Figure(point, "range", rel.lo, rel.hi)
    # its size (a fall as a positive fraction), hedged as the two figures' hedges allow
    near, far = sorted((abs(rel.lo), abs(rel.hi)))
    size = (
        Figure.derived(Interval(near, far), abs(point)) if not math.isnan(point) else Figure(near, "range", near, far)
    )
    return Finding(
        "change",
        p,
        measure,
        direction,
        strength,
        (("value", cur), ("previous", prev), ("change", change), ("size", size)),
        since=q,
    )


def _record(p: Period, earlier: list[Period], figs: dict, measure: str, direction: int) -> Finding | None:
    """The earliest period back to which ``p`` beats every one (the window), when it beats at least two."""
    cur = figs[p][measure]
    beaten: list[tuple[Period, float]] = []
    for q in reversed(earlier):
        f = figs[q].get(measure)
        if f is None:
            break  # a missing figure ends the window: nothing is said about it
        bound = _single_year_max(f, q, measure) if direction > 0 else _single_year_min(f, q)
        if not (cur.lo > bound if direction > 0 else cur.hi < bound):
            break
        beaten.append((q, bound))
    if len(beaten) < RECORD_MIN_BEATEN:
        return None
    if direction > 0:
        strength = min(cur.lo / b - 1 for _, b in beaten)
    else:
        strength = min(1 - cur.hi / b for _, b in beaten)
    since = beaten[-1][0]
    return Finding(
        "record",
        p,
        measure,
        direction,
        strength,
        (("value", cur),),
        since=since,
        all_time=since == earlier[0] and len(beaten) == len(earlier),
    )


def _run(p: Period, earlier: list[Period], figs: dict, measure: str) -> Finding | None:
    """Rises (or falls) in a row ending at ``p``, each one holding for every allowed value.

    A run is of single conferences: it stops at a period published only as a total of several (2019–2020),
    whose annual average says nothing of either year (one of them may have held all of it).
    """
    if p.n_years > 1:
        return None  # a total of several conferences says nothing of any one year's rise or fall
    chain = [p]
    direction = 0
    for q in reversed(earlier):
        f, g = figs[q].get(measure), figs[chain[-1]].get(measure)
        if f is None or g is None or q.n_years > 1:
            break  # a missing figure, or an aggregate (any of its years may have held all of it), ends the run
        rel = _relative_change(_compared(measure, g, chain[-1]), _compared(measure, f, q))
        step = 1 if rel.lo > 0 else -1 if rel.hi < 0 else 0
        if step == 0 or (direction and step != direction):
            break
        direction = step
        chain.append(q)
    if len(chain) < RUN_PERIODS:
        return None
    first, last = chain[-1], chain[0]
    rel = _relative_change(
        _compared(measure, figs[last][measure], last), _compared(measure, figs[first][measure], first)
    )
    strength = rel.lo if direction > 0 else -rel.hi
    series = tuple((q, figs[q][measure]) for q in reversed(chain))
    return Finding(
        "run",
        p,
        measure,
        direction,
        strength,
        (("value", figs[p][measure]), ("first", figs[first][measure])),
        since=first,
        series=series,
    )


def trend_findings(res) -> list[Finding]:
    """Changes, records and runs of every period of the vintage (the trends' findings).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.

    Returns
    -------
    list of Finding
        In period order.

    Examples
    --------
    >>> from analysis import load, compute
    >>> [f.template for f in trend_findings(compute(load(), 2022, projection=False)) if f.measure == "per_project"]
    ['change']
    """
    figs = period_figures(res)
    periods = list(figs)
    out: list[Finding] = []
    for i, p in enumerate(periods):
        earlier = periods[:i]
        for m in MEASURES:
            if m not in figs[p]:
                continue  # a finding about a period needs its figures
            if earlier and m in figs[earlier[-1]]:
                f = _change(p, earlier[-1], m, figs[p][m], figs[earlier[-1]][m])
                if f is not None:
                    out.append(f)
            if p.n_years == 1:  # a superlative is about one conference
                for d in (1, -1):
                    f = _record(p, earlier, figs, m, d)
                    if f is not None:
                        out.append(f)
            f = _run(p, earlier, figs, m)
            if f is not None:
                out.append(f)
    return out


# --------------------------------------------------------------------------------------------- the mix


def _known(v) -> bool:
    return not missing(v)


def _count_share(projects, total: Figure) -> tuple[Figure, Interval, Figure]:
    """A group's count, the shares of the period's projects it allows, and that share as a figure."""
    n = Figure.of(float(projects), "exact")
    share = _ratio(Interval(n.lo, n.hi), Interval(total.lo, total.hi))
    return n, share, Figure.derived(share, n.value / total.value)


def mix_findings(res) -> list[Finding]:
    """Concentrations, first breakdowns and first-listed groups of every breakdown of the vintage.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.

    Returns
    -------
    list of Finding
        In period order.

    Examples
    --------
    >>> from analysis import load, compute
    >>> sorted({f.kind for f in mix_findings(compute(load(), 2024, projection=False))})
    ['concentration', 'new_group', 'new_scheme']
    """
    figs = period_figures(res)
    out: list[Finding] = []
    seen: dict[str, list] = {}  # scheme -> the earlier breakdowns
    for p in sorted(res.mix):
        total = figs.get(p, {})
        for scheme, mx in res.mix[p].items():
            g = mx.groups
            counted = [r for _, r in g.iterrows() if _known(r["projects"])]
            tp = total.get("projects")
            ti = total.get("investment")
            name = lambda r: (str(r["group_zh"]), str(r["group_en"]))  # noqa: E731
            # concentration of the money: a group's least share of the amount over its most share of the projects
            if tp is not None and ti is not None and tp.lo > 0:
                for r in counted:
                    if not _known(r["investment_100m_yuan"]):
                        continue
                    amount = Figure.of(float(r["investment_100m_yuan"]), r["investment_qualifier"])
                    n, pshare, pshare_fig = _count_share(r["projects"], tp)
                    share = _ratio(Interval(amount.lo, amount.hi), Interval(ti.lo, ti.hi))
                    if n.value <= 0 or not share.lo > pshare.hi:
                        continue
                    per = _ratio(Interval(amount.lo, amount.hi), Interval(n.lo, n.hi))
                    out.append(
                        Finding(
                            "concentration",
                            p,
                            "investment",
                            1,
                            share.lo / pshare.hi - 1,
                            (
                                ("amount", amount),
                                ("projects", n),
                                ("share", Figure.derived(share, amount.value / ti.value)),
                                ("project_share", pshare_fig),
                                ("per_project", Figure.derived(per, amount.value / n.value)),
                                ("total_per_project", total["per_project"]),
                            ),
                            group=name(r),
                            scheme=scheme,
                        )
                    )
            # a breakdown that counts projects only: its largest group against an even split
            if tp is not None and tp.lo > 0 and not g["investment_100m_yuan"].notna().any() and len(counted) > 1:
                top = max(counted, key=lambda r: float(r["projects"]))
                n, pshare, pshare_fig = _count_share(top["projects"], tp)
                even = 1 / len(g)
                if pshare.lo > even:
                    out.append(
                        Finding(
                            "concentration",
                            p,
                            "projects",
                            1,
                            pshare.lo / even - 1,
                            (("projects", n), ("project_share", pshare_fig)),
                            group=name(top),
                            scheme=scheme,
                        )
                    )
            before = seen.setdefault(scheme, [])
            if tp is not None and tp.lo > 0 and counted:
                if not before:
                    top = max(counted, key=lambda r: float(r["projects"]))
                    n, pshare, pshare_fig = _count_share(top["projects"], tp)
                    if len(g) > 1:  # a breakdown into one group tells nothing
                        out.append(
                            Finding(
                                "new_scheme",
                                p,
                                "scheme",
                                0,
                                pshare.lo,
                                (
                                    ("groups", Figure.of(len(g), "exact")),
                                    ("projects", n),
                                    ("project_share", pshare_fig),
                                ),
                                group=name(top),
                                scheme=scheme,
                            )
                        )
                elif all(m.complete for m in before):  # a group absent from a complete breakdown had none
                    listed = {h for m in before for h in m.groups["harmonised"]}
                    for r in counted:
                        if r["harmonised"] in listed or float(r["projects"]) <= 0:
                            continue
                        n, pshare, pshare_fig = _count_share(r["projects"], tp)
                        out.append(
                            Finding(
                                "new_group",
                                p,
                                "group",
                                0,
                                pshare.lo,
                                (("projects", n), ("project_share", pshare_fig)),
                                group=name(r),
                                scheme=scheme,
                                since=before[-1].period,
                            )
                        )
            before.append(mx)
    return out


# --------------------------------------------------------------------------------------------- landing


def landing_findings(res) -> list[Finding]:
    """The landing statements of the vintage: the latest one, and the gaps two statements bound together.

    Landed projects stay landed, so a later statement about a larger cohort bounds the projects signed
    in between: at most its landed count less the earlier cohort's least (2019–2021's 97 less 2019–2020's
    77: at most 20 of 2021's 39). A gap is a finding when that most is below the earlier cohort's least rate.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> from analysis import load, compute
    >>> [(f.kind, f.period.label) for f in landing_findings(compute(load(), 2022, projection=False))]
    [('landing_gap', '2021'), ('landing', '2019–2021')]
    """
    out: list[Finding] = []
    st = [s for s in res.landing_statements if s.landed_lo is not None and s.signed]
    for a in st:
        for b in st:
            pa, pb = a.period, b.period
            if not a.vintage < b.vintage or pa == pb or not pb.contains(pa) or pa.first_year != pb.first_year:
                continue
            rest = Period(pa.last_year + 1, pb.last_year)
            n_rest = b.signed - a.signed
            if n_rest <= 0:
                continue
            at_most = b.landed_hi - a.landed_lo
            rest_hi = at_most / n_rest
            a_lo = a.landed_lo / a.signed
            if not 0 <= rest_hi < a_lo:
                continue
            out.append(
                Finding(
                    "landing_gap",
                    rest,
                    "landing_rate",
                    -1,
                    a_lo / rest_hi - 1 if rest_hi > 0 else math.inf,
                    (
                        ("landed", Figure(float(at_most), "at_most", 0.0, float(at_most))),
                        ("signed", Figure.of(n_rest, "exact")),
                        ("rate", Figure(rest_hi, "at_most", 0.0, rest_hi)),
                        (
                            "earlier_landed",
                            Figure(
                                float(a.landed_lo),
                                "over" if a.landed_hi > a.landed_lo else "exact",
                                float(a.landed_lo),
                                float(a.landed_hi),
                            ),
                        ),
                        ("earlier_signed", Figure.of(a.signed, "exact")),
                        ("earlier_rate", Figure(a_lo, "range", a_lo, a.landed_hi / a.signed)),
                    ),
                    since=pa,
                    as_of=b.vintage,
                )
            )
    if res.landing_statements:
        s = res.landing_statements[-1]
        figs = [("signed", Figure.of(s.signed, "exact"))] if s.signed else []
        if s.landed is not None:
            figs.append(("landed", Figure.of(s.landed, "exact")))
        if s.rate is not None:
            figs.append(("rate", Figure(s.rate, "exact", s.rate, s.rate)))
        if s.stated_rate_pct is not None:
            figs.append(("stated_pct", Figure.of(s.stated_rate_pct, s.stated_qualifier)))
        out.append(Finding("landing", s.period, "landing_rate", 0, 0.0, tuple(figs), as_of=s.vintage))
    return out


# --------------------------------------------------------------------------------------------- projection


def _previous_release(res):
    """:func:`analysis.stats.results.previous_release` (imported here: results computes, findings reads)."""
    from .results import previous_release

    return previous_release(res)


def _backtest_frame(res):
    """The latest backtest (:func:`analysis.stats.results.latest_backtest`) and the year its projection was made."""
    from .results import latest_backtest

    judged = latest_backtest(res)
    bt = None if judged.since_then is None else judged.since_then.backtest
    if bt is None or bt.empty:
        return None, None
    return bt, judged.through


def projection_findings(res) -> list[Finding]:
    """The latest backtest (each figure against its 80 % interval) and the forecast of the next conference.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (the forecast needs its projection; the backtest is computed when the
        results hold none).

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> from analysis import load, compute
    >>> [(f.template, f.measure) for f in projection_findings(compute(load(), 2023))]
    [('backtest', 'projects'), ('backtest', 'investment'), ('forecast', 'forecast')]
    """
    out: list[Finding] = []
    bt, made = _backtest_frame(res)
    names = {"projects": "projects", "investment_100m_yuan": "investment"}
    if bt is not None:
        for r in bt.to_dict("records"):
            if r["metric"] not in names:
                continue
            lo, hi = float(r[f"pi{LEVEL}_lo"]), float(r[f"pi{LEVEL}_hi"])
            rng = r.get("actual_range")
            if r["actual_qualifier"] == "range" and rng:
                actual = Figure(
                    float(r["actual"]), "range", float(rng[0]), math.inf if rng[1] is None else float(rng[1])
                )
            else:
                actual = Figure.of(float(r["actual"]), r["actual_qualifier"])
            if actual.lo > hi:
                direction, strength = 1, actual.lo / hi - 1
            elif actual.hi < lo:
                direction, strength = -1, 1 - actual.hi / lo
            else:
                direction, strength = 0, 0.0
            out.append(
                Finding(
                    "backtest",
                    Period(int(r["year"]), int(r["year"])),
                    names[r["metric"]],
                    direction,
                    strength,
                    (("actual", actual), ("interval", Figure(float(r["median"]), "range", lo, hi))),
                    since=Period(made, made),
                )
            )
    proj = res.projection
    if proj is not None and len(proj.years):
        year = int(proj.years[0])
        t = proj.table
        figs = []
        for metric, name in names.items():
            hit = t[(t["year"] == year) & (t["metric"] == metric)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            lo, hi = float(r[f"pi{LEVEL}_lo"]), float(r[f"pi{LEVEL}_hi"])
            figs.append((name, Figure(float(r["median"]), "range", lo, hi)))
        if figs:
            out.append(Finding("forecast", Period(year, year), "forecast", 0, 0.0, tuple(figs)))
    return out


# --------------------------------------------------------------------------------------------- ranking


def findings(res, projection: bool = True) -> list[Finding]:
    """Every candidate finding of the results, strongest first.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    projection : bool
        Include the projection's findings (the backtest may need the previous release's projection).

    Returns
    -------
    list of Finding
        Ranked by :func:`rank`.

    Examples
    --------
    >>> from analysis import load, compute
    >>> f = findings(compute(load(), 2023, projection=False), projection=False)[0]
    >>> f.kind, f.group
    ('concentration', ('交通项目', 'Transport'))
    """
    out = trend_findings(res) + mix_findings(res) + landing_findings(res)
    if projection:
        out += projection_findings(res)
    return rank(out)


def rank(items) -> list[Finding]:
    """Findings strongest first; a tie goes to the later period, then to :data:`KINDS`' order.

    Parameters
    ----------
    items : iterable of Finding

    Returns
    -------
    list of Finding
    """
    return sorted(items, key=lambda f: (-f.strength, -f.period.last_year, KINDS.index(f.kind), f.measure))


def release_periods(res) -> tuple[Period, ...]:
    """The periods whose figures the release first published (2019–2020 and 2021 for the 2021 release).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.

    Returns
    -------
    tuple of Period
    """
    try:
        return metrics.release_of(res.dataset, res.through).periods
    except metrics.NotPublished:
        return ()


def for_subject(res, subject: str) -> list[Finding]:
    """The findings a page leads with, strongest first: a release's own (``release``) or one analysis's.

    ``release``: the findings about the periods the release first published, and the landing statements
    it made (its own date); ``trends``, ``mix``, ``landing``, ``projection``: the findings of that kind
    over the whole vintage, the trends' runs only those still going (ending at the latest period).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    subject : str
        One of :data:`SUBJECTS`.

    Returns
    -------
    list of Finding

    Raises
    ------
    ValueError
        For an unknown subject.

    Examples
    --------
    >>> from analysis import load, compute
    >>> [f.template for f in for_subject(compute(load(), 2024, projection=False), "trends")][:2]
    ['run', 'record']
    """
    if subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}, got {subject!r}")
    if subject == "release":
        own = set(release_periods(res))
        items = [
            f
            for f in trend_findings(res) + mix_findings(res) + landing_findings(res)
            if (f.period in own and f.subject != "landing") or (f.subject == "landing" and f.as_of == res.vintage)
        ]
        return rank(items)
    if subject == "projection":
        return rank(projection_findings(res))
    if subject == "trends":
        latest = max(period_figures(res), default=None)
        # a run that has ended (the latest period broke it) is no longer news on the trends page
        return rank(f for f in trend_findings(res) if f.kind != "run" or f.period == latest)
    pick = {"mix": mix_findings, "landing": landing_findings}[subject]
    return rank(pick(res))


def lead(res, subject: str = "release", n: int = LEAD) -> list[Finding]:
    """The findings a page leads with: its title is the first, its main points all of them.

    The strongest findings of the subject (:func:`for_subject`), one per thing they are about
    (:attr:`Finding.about`) and at most :data:`PER_TEMPLATE` per sentence template (default 2). A
    release says what is new: of the sentence templates the release before it led with it uses at most
    one (:data:`REPEATS`), so two consecutive reports share at most that one and the line of the
    release's own figures.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    subject : str
        One of :data:`SUBJECTS`.
    n : int
        At most this many.

    Returns
    -------
    list of Finding
        Strongest first.

    Examples
    --------
    >>> from analysis import load, compute
    >>> [f.template for f in lead(compute(load(), 2022, projection=False))]
    ['concentration_investment', 'landing_gap', 'new_scheme', 'change']
    """
    # kept with the vintage's dataset (a release's lead is needed again by the next release's); not the
    # projection's, which depends on the projection's own settings (a what-if scenario)
    key = ("findings.lead", subject, res.through, n) if subject != "projection" else None
    cache = res.dataset.cache if key is not None else {}
    if key in cache:
        return list(cache[key])
    avoid: set[str] = set()
    if subject == "release":
        prev = _previous_release(res)
        if prev is not None:
            avoid = {f.template for f in lead(prev, subject, n)}
    ranked = for_subject(res, subject)
    per = PER_TEMPLATE.get(subject, 2)
    out: list[Finding] = []
    for f in ranked:
        if len(out) >= n:
            break
        used = [g.template for g in out]
        if used.count(f.template) >= per or any(g.about == f.about for g in out):
            continue
        if f.template in avoid and sum(t in avoid for t in used) >= REPEATS:
            continue
        out.append(f)
    if key is not None:
        cache[key] = tuple(out)
    return out
