"""Compute once: every figure a renderer shows, for one ``through`` year, in one :class:`Results`.

:func:`compute` takes the full dataset and a ``through`` year (the last year of a published period)
and returns what was known when that period's figures were published (its *vintage*: only the
sources dated up to that release) and, separately, what was learnt since (later articles, later
landing statements, the backtest of the projection against later actuals). Prose, charts, JSON and
terminal text all read this object, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from ..core import locale
from ..data.dataset import Dataset
from . import claims, frames, metrics
from .metrics import Date, LandingStatement, Mix, Period

#: Claims a later article makes about the periods of a report: its totals of earlier spans and landing.
SINCE_THEN_CLAIMS = ("cumulative_sum", "derived_vs_sum", "landing_rate", "landing_vintage")


@dataclass
class SinceThen:
    """What later sources added about the periods up to ``through``.

    Parameters
    ----------
    sources : pandas.DataFrame
        The later articles (rows of sources.csv; :class:`~analysis.stats.frames.SourcesFrame`).
    totals : pandas.DataFrame
        Cumulative totals from the first conference that only the later articles state, one row per
        figure (:class:`~analysis.stats.frames.TotalsFrame`).
    landing : pandas.DataFrame
        The later landing statements (:class:`~analysis.stats.frames.LandingFrame`).
    claims : pandas.DataFrame
        Claims that only the later sources make possible (:class:`~analysis.stats.frames.ClaimsFrame`).
    backtest : pandas.DataFrame
        The projection made at the release against later actuals (empty without a projection;
        :class:`~analysis.stats.frames.BacktestFrame`).
    landing_backtest : pandas.DataFrame
        Its predicted landed count against a later statement
        (:class:`~analysis.stats.frames.LandingBacktestFrame`).
    landing_statements : tuple of LandingStatement
        :attr:`landing` as typed records, the rows every renderer reads.
    """

    sources: pd.DataFrame
    totals: pd.DataFrame
    landing: pd.DataFrame
    claims: pd.DataFrame
    backtest: pd.DataFrame
    landing_backtest: pd.DataFrame
    landing_statements: tuple[LandingStatement, ...] = ()


@dataclass
class Results:
    """Every figure of one release, as the renderers read it (made by :func:`compute`).

    Parameters
    ----------
    through : int
        The last year the release states (a whole release: 2021 for a question about 2020).
    period : Period or None
        The published period ending at ``through`` (None when ``through`` lies inside an aggregate).
    vintage : tuple of int
        The release's date (year, month, day): the date of the latest source kept.
    dataset : Dataset
        The vintage: the dataset as known at the release (:func:`analysis.stats.metrics.vintage`).
    sources : pandas.DataFrame
        The vintage's articles (:class:`~analysis.stats.frames.SourcesFrame`).
    periods : pandas.DataFrame
        One row per atomic period ending by ``through`` (:class:`~analysis.stats.frames.PeriodsFrame`).
    cumulative : dict
        The cumulative totals (:func:`analysis.stats.metrics.cumulative`).
    landing : pandas.DataFrame
        One row per landing statement (:class:`~analysis.stats.frames.LandingFrame`).
    mix : dict
        ``{Period: {scheme: Mix}}``: every published breakdown (groups:
        :class:`~analysis.stats.frames.MixGroupsFrame`).
    compare : dict
        ``{scheme: frame}``: periods side by side on the harmonised groups
        (:class:`~analysis.stats.frames.CompareFrame`).
    dimension_labels : dict
        ``{scheme: (zh, en)}`` labels from taxonomy.csv.
    claims : pandas.DataFrame
        The claims ledger of the vintage (:class:`~analysis.stats.frames.ClaimsFrame`).
    landing_statements : tuple of LandingStatement
        :attr:`landing` as typed records, built once: the rows every renderer reads.
    projection : Projection or None
        The projection from ``through`` (None when not asked for or not possible).
    projection_note : str or None
        Why nothing is projected, when ``through`` is not the end of a published period.
    since_then : SinceThen or None
        What later sources added (None when there is no later source).
    caveats : list of dict
        What the figures are not (:func:`caveats`).

    Examples
    --------
    >>> from analysis import load, compute
    >>> res = compute(load(), 2022, projection=False)
    >>> res.through, res.period.label, res.landing_statements[0].cohort
    (2022, '2022', '2019–2020')
    """

    through: int
    period: Period | None
    vintage: Date
    dataset: Dataset
    sources: pd.DataFrame
    periods: pd.DataFrame
    cumulative: dict
    landing: pd.DataFrame
    mix: dict[Period, dict[str, Mix]]
    compare: dict[str, pd.DataFrame]
    dimension_labels: dict[str, tuple[str, str]]
    claims: pd.DataFrame
    landing_statements: tuple[LandingStatement, ...] = ()
    projection: object | None = None
    projection_note: str | None = None
    since_then: SinceThen | None = None
    caveats: list[dict] = field(default_factory=list)

    @property
    def vintage_label(self) -> str:
        """The release's date as far as it is known ('2023-09')."""
        return metrics.date_label(self.vintage)

    def comparable_schemes(self) -> list[str]:
        """Schemes with a breakdown in two periods or more: the ones a comparison can show.

        Returns
        -------
        list of str
        """
        return [
            d
            for d, frame in self.compare.items()
            if list(metrics.period_statuses(frame).values()).count("published") > 1
        ]


def coverage_verdict(lo: float, hi: float, mc_se: float, level: float) -> str:
    """The calibration study's verdict on one interval level: its coverage against the nominal level.

    ``wide`` when the lowest coverage found is above the level by more than two Monte-Carlo standard
    errors, ``narrow`` when the highest is below it by as much, else ``nominal``. Renderers word it;
    they do not decide it.

    Parameters
    ----------
    lo, hi : float
        The lowest and highest coverage of the level across the study's horizons (0–1).
    mc_se : float
        The largest Monte-Carlo standard error of those coverages.
    level : float
        The nominal level (0.8, 0.95).

    Returns
    -------
    str
        ``wide``, ``narrow`` or ``nominal``.

    Examples
    --------
    >>> coverage_verdict(0.97, 0.99, 0.005, 0.95), coverage_verdict(0.78, 0.82, 0.01, 0.8)
    ('wide', 'nominal')
    """
    return "wide" if lo > level + 2 * mc_se else "narrow" if hi < level - 2 * mc_se else "nominal"


def _later(full: Dataset, known: Dataset, name: str) -> pd.DataFrame:
    later_ids = set(full.rows["sources"]["source_id"]) - set(known.rows["sources"]["source_id"])
    frame = full.rows[name]
    return frame[frame["source_id"].isin(later_ids)]


def _later_totals(full: Dataset, known: Dataset) -> pd.DataFrame:
    """Cumulative totals (from the first conference) that only later sources state: one row per figure,
    the tightest statement when several later sources state it."""

    def keys(frame: pd.DataFrame) -> list[tuple]:  # one fact's key per row (a missing group is None)
        cols = frame[["first_year", "last_year", "dimension", "group_zh"]].astype(object)
        return [tuple(k) for k in cols.where(cols.notna(), None).values.tolist()]

    seen = set(keys(known.rows["signings"]))
    later_keys = set(keys(_later(full, known, "signings"))) - seen
    resolved = full["signings"]
    out = resolved[[k in later_keys for k in keys(resolved)]]
    return out[(out["dimension"] == "total") & (out["first_year"] == full.conference_years[0])]


def caveats(ds: Dataset, through: int) -> list[dict]:
    """What the figures are not, built from the data (derived values, wording, side amounts).

    Parameters
    ----------
    ds : Dataset
        The vintage.
    through : int
        The release's last year.

    Returns
    -------
    list of dict
        One per caveat, with its ``kind`` (intended_investment, derived, term, side_amount) and facts.
    """
    out = [{"kind": "intended_investment"}]
    for p, vals in sorted(metrics.period_values(ds).items()):
        if p.last_year > through:
            continue
        for m, v in vals.items():
            if v.status == "derived" and v.from_period is not None:
                out.append(
                    {
                        "kind": "derived",
                        "period": p.label,
                        "measure": m,
                        "formula": v.formula,
                        "from_period": v.from_period.label,
                        "known_from": v.from_period.last_year,
                    }
                )
    sig = ds["signings"]
    funds = sig[(sig["investment_term_zh"] == locale.FUNDS_TERM) & (sig["last_year"] <= through)]
    for _, r in funds.iterrows():
        out.append(
            {
                "kind": "term",
                "period": Period(int(r["first_year"]), int(r["last_year"])).label,
                "term_zh": r["investment_term_zh"],
                "source_id": r["source_id"],
            }
        )
    dates = ds.source_dates
    det = ds["details"]
    for _, r in det[det["amount_100m_yuan"].notna()].iterrows():
        year = dates[r["source_id"]][0]
        if year <= through:
            out.append(
                {
                    "kind": "side_amount",
                    "subject_zh": r["subject_zh"],
                    "subject_en": r["subject_en"],
                    "amount": float(r["amount_100m_yuan"]),
                    "qualifier": r["qualifier"],
                    "year": year,
                }
            )
    return out


#: Results of :func:`compute` kept in this process, most recently used last (at most :data:`MEMO_SIZE`).
_MEMO: OrderedDict[tuple, Results] = OrderedDict()
#: How many results :func:`compute` keeps (a release with and without its projection, for a few datasets).
MEMO_SIZE = 8


def clear_cache() -> None:
    """Forget the results :func:`compute` kept, and the models its projections fitted: its next calls compute afresh.

    A benchmark's cold run (:func:`analysis.stats.projection.clear_cache`: the fitted models).

    Examples
    --------
    >>> clear_cache()
    """
    from . import projection

    _MEMO.clear()
    projection.clear_cache()


def content_key(ds: Dataset) -> tuple:
    """What a dataset holds, as a hashable key: its folder, date, and every frame's columns, types and values.

    Two datasets read from the same files give the same key; a dataset edited in place (a value, a row, a
    column) gives another. Computed on every call (a frame can be edited after a first :func:`compute`): a
    digest of the pickled frames, about 2 ms for the repository's data.

    Parameters
    ----------
    ds : Dataset
        A dataset (the full one or a vintage).

    Returns
    -------
    tuple
        The key.

    Examples
    --------
    >>> from analysis import load
    >>> content_key(load()) == content_key(load())
    True
    """
    h = hashlib.blake2b(digest_size=20)
    for kind, named in (("tables", ds.tables), ("rows", ds.rows)):
        for name, frame in sorted(named.items()):
            h.update(f"{kind}/{name}\0".encode())
            h.update(pickle.dumps(frame, protocol=5))  # index, columns, types and values (a tenth of hashing's CPU)
    return (str(ds.data_dir), ds.as_of, h.hexdigest())


def compute(
    ds: Dataset,
    through: int | None = None,
    *,
    projection: bool = True,
    horizon: int = 3,
    seed: int | None = None,
    scenario=None,
) -> Results:
    """All results for the release that first published ``through`` (default: the last conference year).

    Results are for a whole release: ``through=2020`` gives the 2021 release, which published
    2019–2020 and 2021 together, so ``res.through`` is 2021 and nothing it states is forecast.

    What is cached: the results of the last :data:`MEMO_SIZE` calls in this process, keyed on the dataset's
    content (:func:`content_key`: its folder, date and every frame's values, not the object) and on the
    arguments. A call with an equal dataset and the same arguments returns a copy of the kept results
    (:func:`analysis.stats.metrics.fresh`: frames, arrays, dicts, lists and mutable records copied, a few
    milliseconds; frozen values and the vintage dataset shared, as every result shares them): editing what
    one call returns cannot change what the next returns. An edited dataset is computed again.
    :func:`clear_cache` forgets them.

    Parameters
    ----------
    ds : Dataset
        The full dataset (:func:`analysis.load`); the vintage is cut from it here, once.
    through : int, optional
        A conference year (default the last); checked here, once (:func:`analysis.stats.metrics.vintage`).
    projection : bool
        Whether to project from ``through`` (the slow part).
    horizon : int
        Years projected.
    seed : int, optional
        The projection's random seed (default :data:`analysis.stats.projection.DEFAULT_SEED`).
    scenario : Scenario, optional
        A what-if for the projection.

    Returns
    -------
    Results
        Every frame checked against its declared columns (:mod:`analysis.stats.frames`).

    Raises
    ------
    ValueError
        When ``through`` is before the first or after the last conference of the data.

    Examples
    --------
    >>> from analysis import load, compute
    >>> res = compute(load(), 2020, projection=False)
    >>> res.through, res.vintage_label, list(res.periods["period"])
    (2021, '2021-05-14', ['2019–2020', '2021'])
    >>> s = res.landing_statements[0]
    >>> s.cohort, s.signed, s.signed_from, (s.landed_lo, s.landed_hi)
    ('2019–2020', 85, 'total', (77, 85))
    """
    try:
        key = _memo_key(ds, through, projection, horizon, seed, scenario)
        hash(key)
    except (TypeError, pickle.PickleError):  # an unhashable scenario, an unpicklable cell: computed every time
        key = None
    if key is None:  # nor is a ``through`` that is no int year (the door says why)
        return _compute(ds, through, projection=projection, horizon=horizon, seed=seed, scenario=scenario)
    res = metrics.remembered(
        _MEMO,
        key,
        MEMO_SIZE,
        lambda: _compute(ds, through, projection=projection, horizon=horizon, seed=seed, scenario=scenario),
    )
    return metrics.fresh(res)


def _memo_key(ds: Dataset, through, projection, horizon, seed, scenario) -> tuple | None:
    """The memo's key of a :func:`compute` call: the dataset's content and the arguments as they act (the
    default year and seed filled in; without a projection, its arguments left out). None for a ``through``
    that is no int year: not kept, so that the door's check is made every time."""
    if isinstance(through, bool) or not (through is None or isinstance(through, int)):
        return None
    year = ds.conference_years[-1] if through is None else through
    if not projection:
        return (content_key(ds), year, False)
    from . import projection as P

    return (content_key(ds), year, True, horizon, P.DEFAULT_SEED if seed is None else seed, scenario or P.Scenario())


def _compute(ds: Dataset, through, *, projection, horizon, seed, scenario) -> Results:
    """:func:`compute` itself, without the memo."""
    door = metrics.vintage(ds, through)  # the one check of ``through``; the one cut of the dataset
    known, through = door.dataset, door.through
    vintage = known.as_of
    periods = metrics.trends(known, through)
    cum = metrics.cumulative(known, through)
    period = next(
        (
            metrics.Period(int(r.first_year), int(r.last_year))
            for r in periods.itertuples()
            if int(r.last_year) == through
        ),
        None,
    )
    dims = metrics.dimensions(known)
    statements = metrics.landing_statements(known, through)  # built once; the frame is their table
    res = Results(
        through=through,
        period=period,
        vintage=vintage,
        dataset=known,
        sources=metrics.dated_sources(known["sources"]),
        periods=periods,
        cumulative=cum,
        landing=metrics.landing_frame(statements),
        landing_statements=statements,
        mix=metrics.mixes(known, through),
        compare={d: metrics.compare_mix(known, d, through) for d in dims},
        dimension_labels=metrics.dimension_labels(known),
        claims=claims.ledger(known, through),
        caveats=caveats(known, through),
    )
    if projection:
        if periods.empty or cum["note"]:
            res.projection_note = (
                f"{through} is not the end of a published period; nothing is projected from it "
                "(single years inside an aggregate are not published)"
            )
        else:
            from . import projection as P

            res.projection = P.project(
                known,
                through=through,
                horizon=horizon,
                seed=P.DEFAULT_SEED if seed is None else seed,
                scenario=scenario or P.Scenario(),
            )
    later_sources = _later(ds, known, "sources")
    if len(later_sources):
        later_ledger = claims.ledger(ds)
        seen = set(res.claims["id"])
        backtest = landing_bt = pd.DataFrame()
        if res.projection is not None:
            from . import projection as P

            backtest = P.backtest(res.projection, ds, after=vintage)
            landing_bt = P.landing_backtest(res.projection, ds, after=vintage)
        later_ids = set(later_sources["source_id"])
        since_statements = tuple(s for s in metrics.landing_statements(ds) if s.source_id in later_ids)
        res.since_then = SinceThen(
            sources=metrics.dated_sources(later_sources),
            totals=_later_totals(ds, known),
            landing=metrics.landing_frame(since_statements),
            landing_statements=since_statements,
            claims=later_ledger[
                ~later_ledger["id"].isin(seen)
                & later_ledger["kind"].isin(SINCE_THEN_CLAIMS)
                & (later_ledger["last_year"] <= through)
            ].reset_index(drop=True),
            backtest=backtest,
            landing_backtest=landing_bt,
        )
    frames.validate(frames.result_frames(res))  # once per compute: the declared columns
    return res


def previous_release(res: Results, projection: bool = False) -> Results | None:
    """The results of the release before ``res``'s, as known then (None for the first release).

    Computed once per dataset and kept in its cache (the findings and the backtest of a page both ask).

    Parameters
    ----------
    res : Results
        What :func:`compute` returns.
    projection : bool
        With the previous release's projection (the default seed).

    Returns
    -------
    Results or None
        The previous release's results.

    Examples
    --------
    >>> from analysis import load, compute
    >>> from analysis.stats.results import previous_release
    >>> previous_release(compute(load(), 2024, projection=False)).through
    2023
    """
    earlier = [r for r in metrics.releases(res.dataset) if r.through < res.through]
    if not earlier:
        return None
    key = ("results.previous_release", earlier[-1].through, projection)
    cache = res.dataset.cache
    if key not in cache:
        cache[key] = compute(res.dataset, earlier[-1].through, projection=projection)
    return cache[key]


def latest_backtest(res: Results) -> Results:
    """The results whose projection the latest published figures judge (a release's, else the previous one's).

    ``res`` itself when figures came out after its release, else the previous release's results (its projection
    against this release's figures).

    Parameters
    ----------
    res : Results
        What :func:`compute` returns.

    Returns
    -------
    Results
        ``res``, or the previous release's results (with their projection); ``res`` when there is none.

    Examples
    --------
    >>> from analysis import load, compute
    >>> from analysis.stats.results import latest_backtest
    >>> bt = latest_backtest(compute(load(), 2024))
    >>> bt.through, sorted(set(bt.since_then.backtest["year"]))
    (2023, [2024])
    """
    if res.since_then is not None and res.since_then.backtest is not None and not res.since_then.backtest.empty:
        return res
    return previous_release(res, projection=True) or res
