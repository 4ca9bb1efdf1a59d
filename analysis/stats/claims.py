"""The claims ledger: every checkable quantitative statement of the sources, recomputed from the data.

Kinds of claim:

* implied by the structure of the tables: a period total equals the sum of its breakdown (per
  scheme, counts and amounts; ``breakdown_sum``, or ``breakdown_bound`` when a group is unstated);
  a span's total equals the sum of the periods inside it (``cumulative_sum``: the 2022 article's
  124 projects for 2019–2021 against 85 + 39); a span's amount derived from an enclosing total meets
  the sum of its parts (``derived_vs_sum``: 1080 − 约280.66 against 552 + 约247); a stated landing
  rate agrees with landed/signed (``landing_rate``); a cohort's signed count equals its signings
  (``landing_signed``);
* across vintages of landing statements (``landing_vintage``): the same projects counted again,
  later, can only have landed more, which bounds what happened in between ("at most 20 of the 39
  projects of 2021 had landed by 2022"); a bound that is impossible is a contradiction;
* stated in prose and written down in ``claims.csv`` (kinds ``sum_of_groups``,
  ``total_minus_groups``, ``conference_count``).

Agreement is interval arithmetic on the hedges (:mod:`analysis.core.qualifiers`): a sum of 约 parts is an
interval, and it agrees with a stated total when the two intervals overlap. A claim whose computed
side rests on a value derived from the claim itself holds by construction; it stays in the ledger
with ``basis="by construction"`` so the reader sees it was not an independent check.

Each claim is a :class:`Claim`: facts (kind, measure, periods, figures, verdict), no words. Its sentence is
written by the templates (:func:`analysis.present.facts.claim`), and :func:`problems` lists the claims the
data check reports (:func:`analysis.present.facts.reconciliation_problems` words them for
``python -m analysis check``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.qualifiers import Interval, agrees, agrees_interval, interval, interval_of_sum
from ..data.dataset import Dataset
from ..data.reading import is_missing, rows_of
from . import metrics
from .metrics import Formula, Period, Term


@dataclass(frozen=True)
class Claim:
    """One checkable statement as facts, with its verdict.

    What is claimed, about which periods, with which figures, and the verdict. No words:
    :func:`analysis.present.facts.claim` writes its sentence in zh or en from the templates
    (``present/templates/{zh,en}/facts.j2``).

    Parameters
    ----------
    id : str
        Stable identifier (``breakdown_projects_2023_category``, a ``claims.csv`` claim_id …).
    kind : str
        ``breakdown_sum``, ``breakdown_bound``, ``cumulative_sum``, ``derived_vs_sum``, ``derived_nonnegative``,
        ``landing_rate``, ``landing_signed``, ``landing_vintage``, ``sources_agree`` or a ``claims.csv`` kind.
    measure : str or None
        ``projects`` or ``investment_100m_yuan`` (the figure the claim is about); for landing claims
        ``landing_rate``, ``signed`` or ``landed``; for ``claims.csv`` the file's ``measure`` (None for a
        conference count).
    period : Period
        The period (or signing cohort) the claim is about; for ``landing_vintage`` the cohort it bounds.
    parts : tuple of Period
        The periods summed (``cumulative_sum``, ``derived_vs_sum``).
    whole : Period or None
        The enclosing total a value is derived from (``derived_*``); for ``landing_vintage`` the later,
        larger cohort.
    inner : Period or None
        ``landing_vintage``: the earlier cohort inside ``whole``.
    dimension : tuple of (str, str) or None
        Breakdown claims: the scheme's name in the data, ``(zh, en)``.
    as_of : tuple
        Landing claims: the statements' dates, earlier first (``(year, month, day)``).
    terms : dict of str to float
        The named figures the claim relates: ``unstated`` (breakdown groups without a figure), ``total`` (a
        breakdown's stated total), ``derived`` (a value derived from ``whole``), ``landed``/``signed`` (a
        landing statement), ``at_most``/``at_least``, ``later``/``earlier``/``signed_rest`` (landing_vintage:
        the later cohort's landed bound, the earlier one's, the signed projects of the cohort between).
    sources : tuple of str
        ``sources_agree``: the source kept and the other source stating the same figure.
    source_text : tuple of (str, str) or None
        ``claims.csv`` claims: the claim in the data's own words, ``(evidence (zh), text_en)``.
    stated : float or None
        The stated figure (None for a bound derived from other figures).
    qualifier : str or None
        Its hedge (``exact``, ``approx``, ``over`` …).
    computed : float or None
        What the data give.
    computed_qualifier : str or None
        The hedge of ``computed`` when it is itself a stated figure (``sources_agree``).
    computed_interval : Interval or None
        The true values ``computed`` allows, when it is a sum of hedged figures.
    formula : Formula or None
        How ``computed`` was obtained.
    consistent : bool or None
        The verdict; None when it cannot be checked.
    basis : str
        ``independent`` or ``by construction`` (a part was derived from this very total).
    file : str
        The data file the claim names (for ``python -m analysis check``).
    line : int
        Its line.
    column : str
        Its column.
    last_year : int
        The last year the claim is about (a vintage keeps the claims ending by its release).
    """

    id: str
    kind: str
    measure: str | None
    period: Period
    parts: tuple[Period, ...] = ()
    whole: Period | None = None
    inner: Period | None = None
    dimension: tuple[str, str] | None = None
    as_of: tuple = ()
    terms: dict = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    source_text: tuple[str, str] | None = None
    stated: float | None = None
    qualifier: str | None = None
    computed: float | None = None
    computed_qualifier: str | None = None
    computed_interval: Interval | None = None
    formula: Formula | None = None
    consistent: bool | None = None
    basis: str = "independent"
    file: str = ""
    line: int = 0
    column: str = ""
    last_year: int = 0


#: The ledger's columns: one per :class:`Claim` field, in its order.
COLUMNS = [f.name for f in dataclasses.fields(Claim)]


def as_claim(row) -> Claim:
    """A ledger row (a Series or a dict) as its :class:`Claim`; a missing number (NaN) becomes None.

    Parameters
    ----------
    row : pandas.Series, dict or Claim
        One row of :func:`ledger` (or a claim, returned as it is); a Series without ``id`` (a row of
        ``ledger(ds).set_index("id")``) takes its name as the id.

    Returns
    -------
    Claim
    """
    if isinstance(row, Claim):
        return row
    fields = {c: _none_if_nan(row[c]) for c in COLUMNS if c in row}
    fields.setdefault("id", getattr(row, "name", None))  # a row of ledger().set_index("id")
    return Claim(**fields)


def _none_if_nan(x):
    """A frame's cell as the field it was: numpy scalars as Python ones, a missing number as None."""
    if isinstance(x, np.generic):
        x = x.item()
    return None if isinstance(x, float) and x != x else x


def _claim(
    rows,
    *,
    stated,
    qualifier,
    computed,
    column,
    basis="independent",
    bound=False,
    computed_interval: Interval | None = None,
    consistent=None,
    **facts,
):
    if consistent is not None:
        pass  # decided by the caller (derived bounds have no stated side)
    elif stated is None or computed is None:
        consistent = None
    elif basis == "by construction":
        # A part was derived from this very total, so the sum is the stated number by construction;
        # judging it against a hedge like 超 (strictly above) would reject a sound release.
        consistent = True
    elif bound:  # stated breakdown amounts may not exceed the total
        consistent = computed <= stated + 1e-6 or agrees(stated, qualifier, computed)
    elif computed_interval is not None:
        consistent = bool(agrees_interval(stated, qualifier, computed_interval, count=column == "projects"))
    else:
        consistent = bool(agrees(stated, qualifier, computed))
    rows.append(
        Claim(
            stated=stated,
            qualifier=qualifier,
            computed=computed,
            column=column,
            basis=basis,
            computed_interval=computed_interval,
            consistent=None if consistent is None else bool(consistent),
            **facts,
        )
    )


def _cells_sum(cells: list, dtype) -> float:
    """``float(column.sum())`` of these cells of a column of ``dtype``, empty cells skipped.

    Made the way pandas sums a column (numpy, over the cells with a value), not with Python's ``sum``: the
    two can differ in the last bit of a sum of many amounts, and the ledger's figures must not move.
    """
    return float(pd.Series(pd.array(cells, dtype=dtype)).sum())


def _same(a, b) -> bool:
    """Whether two cells are equal as a frame's ``==`` selects rows: an empty cell equals nothing."""
    return not is_missing(a) and not is_missing(b) and a == b


def _breakdown_claims(ds: Dataset, rows: list) -> None:
    totals = metrics.reported_totals(ds)
    labels = metrics.dimension_labels(ds)
    sig = ds["signings"]
    # the rows of each scheme and period, in file order (one pass: a selection per pair cost most of the ledger)
    by_part: dict[tuple, list[dict]] = {}
    for _, r in rows_of(sig):
        if not any(is_missing(r[c]) for c in ("dimension", "first_year", "last_year")):
            by_part.setdefault((r["dimension"], r["first_year"], r["last_year"]), []).append(r)
    for p in metrics.breakdown_periods(ds):
        for d in metrics.dimensions(ds):
            part = [] if is_missing(d) else by_part.get((d, p.first_year, p.last_year), [])
            if not part or p not in totals:
                continue
            tot = totals[p]
            for m, col in (("projects", "projects"), ("investment", "investment_100m_yuan")):
                t = tot[col]
                values = [r[col] for r in part]
                known = [v for v in values if not is_missing(v)]
                if not t.known or not known:
                    continue
                complete = len(known) == len(values)
                hedges = [r[f"{col.split('_')[0]}_qualifier"] for r in part]
                _claim(
                    rows,
                    id=f"breakdown_{m}_{p.key}_{d}",
                    measure=col,
                    period=p,
                    dimension=tuple(labels[d]),
                    terms={"total": t.value, "unstated": len(values) - len(known)},
                    stated=t.value,
                    qualifier=t.qualifier,
                    computed=_cells_sum(values, sig[col].dtype),
                    computed_interval=interval_of_sum(
                        list(zip(known, [q for q in hedges if not is_missing(q)], strict=True)),
                        count=m == "projects",
                    ),
                    formula=Formula.of(*(Term(float(v)) for v in known)),
                    kind="breakdown_sum" if complete else "breakdown_bound",
                    file="signings.csv",
                    line=t.line,
                    column=col,
                    last_year=p.last_year,
                    bound=not complete,
                )


def _cumulative_claims(ds: Dataset, rows: list) -> None:
    totals = metrics.reported_totals(ds)
    vals = metrics.period_values(ds)
    atoms = sorted(vals)
    for big, tv in sorted(totals.items()):
        parts = [a for a in atoms if big.contains(a)]
        if len(parts) < 2:
            continue
        for m in metrics.MEASURES:
            t = tv[m]
            if not t.known:
                continue
            pv = [vals[a][m] for a in parts]
            known = all(v.known for v in pv)
            computed = float(sum(v.value for v in pv)) if known else None
            derived_from_this = any(v.status == "derived" and v.from_period == big for v in pv)
            _claim(
                rows,
                id=f"cumulative_{m.split('_')[0]}_{big.key}",
                measure=m,
                period=big,
                parts=tuple(parts),
                stated=t.value,
                qualifier=t.qualifier,
                computed=computed,
                computed_interval=(
                    interval_of_sum([(v.value, v.qualifier) for v in pv], count=m == "projects")
                    if known and not derived_from_this
                    else None
                ),
                formula=Formula.of(*(Term(v.value) for v in pv)) if known else None,
                kind="cumulative_sum",
                file="signings.csv",
                line=t.line,
                column=m,
                last_year=big.last_year,
                basis="by construction" if derived_from_this else "independent",
            )


def _complement_total(totals, big: Period, part: Period, m: str):
    """The stated total of ``big`` minus ``part`` when ``part`` is a stated period at one end of ``big``."""
    rest = metrics._complement(big, part)
    if rest is None or rest not in totals or not totals[rest][m].known:
        return None
    return rest, totals[rest][m]


def _derived_vs_sum_claims(ds: Dataset, rows: list) -> None:
    """A span without a stated amount, derived from an enclosing total, against the sum of its parts."""
    totals = metrics.reported_totals(ds)
    vals = metrics.period_values(ds)
    atoms = sorted(vals)
    for span, tv in sorted(totals.items()):
        if span in vals:
            continue
        parts = [a for a in atoms if span.contains(a)]
        covered = {y for a in parts for y in range(a.first_year, a.last_year + 1)}
        if len(parts) < 2 or covered != set(range(span.first_year, span.last_year + 1)):
            continue
        for m in metrics.MEASURES:
            if tv[m].known:
                continue  # stated: the cumulative claim above checks it
            pv = [vals[a][m] for a in parts]
            if not all(v.known for v in pv) or any(v.status == "derived" for v in pv):
                continue
            for big, bv in sorted(totals.items(), key=lambda kv: kv[0].n_years):
                whole = bv[m]
                if big == span or not big.contains(span) or not whole.known:
                    continue
                found = _complement_total(totals, big, span, m)
                if found is None:
                    continue
                rest, rv = found
                c = m == "projects"
                derived_iv = interval(whole.value, whole.qualifier, c) - interval(rv.value, rv.qualifier, c)
                derived = whole.value - rv.value
                sum_iv = interval_of_sum([(v.value, v.qualifier) for v in pv], count=c)
                consistent = bool(derived_iv.overlaps(sum_iv))
                total = float(sum(v.value for v in pv))
                formula = Formula.of(
                    Term(whole.value, big),
                    Term(rv.value, rest),
                    op="−",
                    result=round(derived, 6),
                    versus=Formula.of(*(Term(v.value, a) for a, v in zip(parts, pv, strict=True)), result=total),
                )
                _claim(
                    rows,
                    id=f"derived_vs_sum_{m.split('_')[0]}_{span.key}",
                    measure=m,
                    period=span,
                    parts=tuple(parts),
                    whole=big,
                    terms={"derived": round(derived, 6)},
                    stated=None,
                    qualifier=None,
                    computed=total,
                    formula=formula,
                    consistent=consistent,
                    kind="derived_vs_sum",
                    file="signings.csv",
                    line=whole.line,
                    column=m,
                    last_year=big.last_year,
                )
                break


def _derived_nonnegative_claims(ds: Dataset, rows: list) -> None:
    """A period's value derived from an enclosing total must be able to be at or above 0: a total smaller than
    what its other periods already hold contradicts them (projects and amounts are never negative)."""
    totals = metrics.reported_totals(ds)
    for a, vals in sorted(metrics.period_values(ds).items()):
        for m, v in vals.items():
            if v.status != "derived" or v.interval is None:
                continue
            iv = v.interval
            _claim(
                rows,
                id=f"derived_nonnegative_{m.split('_')[0]}_{a.key}",
                measure=m,
                period=a,
                whole=v.from_period,
                stated=None,
                qualifier=None,
                computed=float(v.value),
                formula=v.formula,
                consistent=bool(iv.hi > 0 or (iv.hi == 0 and not iv.hi_open)),
                kind="derived_nonnegative",
                file="signings.csv",
                line=totals[v.from_period][m].line,
                column=m,
                last_year=v.from_period.last_year,
            )


def _cohort_rest(a: Period, b: Period) -> Period | None:
    return metrics._complement(b, a)


def _landing_claims(ds: Dataset, rows: list) -> None:
    lr = metrics.landing_rates(ds)
    totals = metrics.reported_totals(ds)
    statements = [r for _, r in rows_of(lr)]
    for r in statements:
        p = Period(int(r["first_year"]), int(r["last_year"]))
        if pd.notna(r["stated_rate"]) and pd.notna(r["landed"]) and pd.notna(r["signed"]) and r["signed"]:
            _claim(
                rows,
                id=f"landing_rate_{p.key}_{r['as_of']}",
                measure="landing_rate",
                period=p,
                as_of=(r["vintage"],),
                terms={"landed": int(r["landed"]), "signed": int(r["signed"])},
                stated=float(r["stated_rate_pct"]),  # as written, in percent (a fraction × 100 is not always exact)
                qualifier=r["stated_qualifier"],
                computed=100 * float(r["landed"]) / float(r["signed"]),
                kind="landing_rate",
                file="landing.csv",
                line=int(r["line"]),
                column="stated_rate_pct",
                last_year=p.last_year,
            )
        t = totals.get(p, {}).get("projects")
        if r["signed_status"] == "reported" and t is not None and t.known:
            _claim(
                rows,
                id=f"landing_signed_{p.key}_{r['as_of']}",
                measure="signed",
                period=p,
                as_of=(r["vintage"],),
                stated=t.value,  # the signings total, with its hedge (210余)
                qualifier=t.qualifier,
                computed=float(r["signed"]),
                kind="landing_signed",
                file="landing.csv",
                line=int(r["line"]),
                column="signed",
                last_year=p.last_year,
            )
    _landing_vintage_claims(statements, rows)


def _landing_vintage_claims(statements: list[dict], rows: list) -> None:
    """What two statements of different dates imply together (landed projects stay landed)."""
    known = [r for r in statements if not is_missing(r["landed_lo"]) and not is_missing(r["signed"])]
    for a in known:
        for b in known:
            pa, pb = (
                Period(int(a["first_year"]), int(a["last_year"])),
                Period(int(b["first_year"]), int(b["last_year"])),
            )
            if not a["vintage"] < b["vintage"] or pa == pb or not pb.contains(pa):
                continue
            rest = _cohort_rest(pa, pb)
            if rest is None:
                continue
            signed_rest = int(b["signed"]) - int(a["signed"])
            a_lo, a_hi, b_lo, b_hi = (
                int(a["landed_lo"]),
                int(a["landed_hi"]),
                int(b["landed_lo"]),
                int(b["landed_hi"]),
            )
            at_most = b_hi - a_lo
            col = "landed" if b["landed"] is not None and not pd.isna(b["landed"]) else "stated_rate_pct"
            if at_most < signed_rest:  # otherwise it says no more than the signed count does (unless negative: below)
                _claim(
                    rows,
                    id=f"landing_vintage_upper_{rest.key}_{b['as_of']}",
                    measure="landed",
                    period=rest,
                    whole=pb,
                    inner=pa,
                    as_of=(a["vintage"], b["vintage"]),
                    terms={"at_most": at_most, "signed_rest": signed_rest, "later": b_hi, "earlier": a_lo},
                    stated=None,
                    qualifier=None,
                    computed=float(at_most),
                    formula=Formula.of(Term(b_hi), Term(a_lo), op="−"),
                    consistent=at_most >= 0,
                    kind="landing_vintage",
                    file="landing.csv",
                    line=int(b["line"]),
                    column=col,
                    last_year=pb.last_year,
                )
            at_least = b_lo - signed_rest - a_hi
            room = int(a["signed"]) - a_lo
            if at_least > 0 or at_least > room:
                _claim(
                    rows,
                    id=f"landing_vintage_lower_{pa.key}_{a['as_of']}_{b['as_of']}",
                    measure="landed",
                    period=pa,
                    whole=pb,
                    inner=rest,
                    as_of=(a["vintage"], b["vintage"]),
                    terms={"at_least": at_least, "signed_rest": signed_rest, "later": b_lo, "earlier": a_hi},
                    stated=None,
                    qualifier=None,
                    computed=float(at_least),
                    formula=Formula.of(Term(b_lo), Term(signed_rest), Term(a_hi), op="−"),
                    consistent=at_least <= room,
                    kind="landing_vintage",
                    file="landing.csv",
                    line=int(b["line"]),
                    column=col,
                    last_year=pb.last_year,
                )


def _stated_claims(ds: Dataset, rows: list) -> None:
    sig = ds["signings"]
    sig_rows = [r for _, r in rows_of(sig)]
    totals = metrics.reported_totals(ds)
    years = None  # the conference years, read when a conference_count claim needs them
    for line, c in rows_of(ds["claims"]):
        p = Period(int(c["first_year"]), int(c["last_year"]))
        computed = None
        if c["kind"] == "conference_count":
            years = ds.conference_years if years is None else years
            computed = float(sum(1 for y in years if p.covers(y)))
        else:
            groups = str(c["groups_zh"]).split("|") if pd.notna(c["groups_zh"]) else []
            if c["measure"] in sig:
                sel = [
                    r[c["measure"]]
                    for r in sig_rows
                    if _same(r["dimension"], c["dimension"])
                    and _same(r["first_year"], p.first_year)
                    and _same(r["last_year"], p.last_year)
                    and not is_missing(r["group_zh"])
                    and r["group_zh"] in groups
                ]
                dtype = sig[c["measure"]].dtype
            else:
                sel, dtype = [], float
            if len(sel) == len(groups) and not any(is_missing(v) for v in sel):
                s = _cells_sum(sel, dtype)
                if c["kind"] == "sum_of_groups":
                    computed = s
                else:  # total_minus_groups
                    t = totals.get(p, {}).get(c["measure"])
                    computed = (t.value - s) if t is not None and t.known else None
        _claim(
            rows,
            id=str(c["claim_id"]),
            measure=None if pd.isna(c["measure"]) else str(c["measure"]),
            period=p,
            source_text=(str(c["evidence"]), str(c["text_en"])),
            stated=float(c["stated"]),
            qualifier=str(c["qualifier"]),
            computed=computed,
            kind=str(c["kind"]),
            file="claims.csv",
            line=int(line),
            column="stated",
            last_year=p.last_year,
        )


def _agreement_claims(ds: Dataset, rows: list) -> None:
    """Two sources stating one figure: the tighter statement is the value, the other is judged against it
    (331.02 and 约331.02 agree: the interval 约 allows holds the exact figure).

    A statement superseded by another source of the same fact is not judged (the newer one replaces it),
    and two statements that do not overlap are not called agreeing: the data check names them as a
    disagreement (rules.resolve_sources).
    """
    from ..data.rules import value_interval
    from ..data.schema import TABLES

    table = TABLES["signings"]
    srcs = ds.rows["sources"]
    superseded_by = {
        str(old): str(new) for old, new in zip(srcs["supersedes"], srcs["source_id"], strict=True) if pd.notna(old)
    }

    def fact(r: dict) -> tuple:
        """The fact a row states (its fact key), an empty cell None (empty cells group together)."""
        return tuple(None if is_missing(r[c]) else r[c] for c in table.fact_key)

    # the statements of each fact, in order of first appearance, as groupby(fact_key, dropna=False, sort=False)
    statements: dict[tuple, list[tuple[int, dict]]] = {}
    for line, r in rows_of(ds.rows["signings"]):
        statements.setdefault(fact(r), []).append((line, r))
    kept: dict[tuple, dict] = {}  # the row kept for each fact (the first, in file order)
    for _, r in rows_of(ds["signings"]):
        kept.setdefault(fact(r), r)
    for key, grp in statements.items():
        if len({r["source_id"] for _, r in grp if not is_missing(r["source_id"])}) < 2:
            continue
        present = {r["source_id"] for _, r in grp}
        first, last, dim, group = key
        if first is None or last is None or dim is None or key not in kept:
            continue  # no kept row states it (an empty year or scheme matches no row)
        w = kept[key]
        p = Period(int(first), int(last))
        for col, qcol in (("projects", "projects_qualifier"), ("investment_100m_yuan", "investment_qualifier")):
            unit = "projects" if col == "projects" else "yi_yuan"
            for line, r in grp:
                if (
                    r["source_id"] == w["source_id"]
                    or superseded_by.get(r["source_id"]) in present
                    or pd.isna(r[col])
                    or pd.isna(w[col])
                ):
                    continue
                kept_iv = value_interval(w[col], w[qcol], col)
                if not value_interval(r[col], r[qcol], col).overlaps(kept_iv):
                    continue  # a disagreement, not an agreement: resolve_sources reports it
                _claim(
                    rows,
                    id=f"agree_{col.split('_')[0]}_{p.key}_{dim}{'' if group is None else '_' + str(group)}_{r['source_id']}",
                    measure=col,
                    period=p,
                    sources=(str(w["source_id"]), str(r["source_id"])),
                    stated=float(r[col]),
                    qualifier=str(r[qcol]),
                    computed=float(w[col]),
                    computed_qualifier=None if pd.isna(w[qcol]) else str(w[qcol]),
                    computed_interval=kept_iv,
                    formula=Formula.of(
                        Term(
                            float(w[col]),
                            source=str(w["source_id"]),
                            qualifier=None if pd.isna(w[qcol]) else str(w[qcol]),
                            unit=unit,
                        )
                    ),
                    kind="sources_agree",
                    file="signings.csv",
                    line=int(line),
                    column=col,
                    last_year=p.last_year,
                )


def ledger(ds: Dataset, through: int | None = None) -> pd.DataFrame:
    """All claims as facts, one row per :class:`Claim` (its fields are the columns), in a stable order.

    Parameters
    ----------
    ds : Dataset
        The data, as loaded.
    through : int or None
        Keep the claims about periods ending by this year (None: all).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; :func:`as_claim` turns a row back into its :class:`Claim`, and
        :func:`analysis.present.facts.claim` writes its sentence.

    Examples
    --------
    >>> from analysis import load
    >>> led = ledger(load(), 2023)
    >>> led.loc[led["id"] == "cumulative_projects_2019-2021", ["kind", "stated", "computed"]].values.tolist()
    [['cumulative_sum', 124.0, 124.0]]
    """
    df = _all_claims(ds)
    if through is not None:
        df = df[df["last_year"] <= through]
    return df.reset_index(drop=True)


@metrics.per_dataset  # the check at load, every release's "since then" and the vintage's own ledger ask for it
def _all_claims(ds: Dataset) -> pd.DataFrame:
    """Every claim of ``ds``, built once per dataset (:func:`ledger` keeps those up to a year)."""
    rows: list[Claim] = []
    _breakdown_claims(ds, rows)
    _cumulative_claims(ds, rows)
    _derived_vs_sum_claims(ds, rows)
    _derived_nonnegative_claims(ds, rows)
    _landing_claims(ds, rows)
    _stated_claims(ds, rows)
    _agreement_claims(ds, rows)
    return pd.DataFrame([{c: getattr(r, c) for c in COLUMNS} for r in rows], columns=COLUMNS)


def problems(led: pd.DataFrame) -> list[tuple[Claim, str]]:
    """The claims the data check reports, each as ``(claim, why)``.

    ``why`` is ``"unchecked"`` (a ``claims.csv`` claim whose groups or totals are missing), ``"impossible"``
    (a derived bound that cannot hold) or ``"disagrees"`` (a stated figure the data contradict).

    Parameters
    ----------
    led : pandas.DataFrame
        A :func:`ledger`.

    Returns
    -------
    list of (Claim, str)
    """
    out = []
    for _, row in rows_of(led):
        c = as_claim(row)
        if c.consistent is None:
            if c.file == "claims.csv":
                out.append((c, "unchecked"))
        elif not c.consistent:
            out.append((c, "impossible" if c.stated is None else "disagrees"))
    return out
