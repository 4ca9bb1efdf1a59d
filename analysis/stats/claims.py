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

``reconciliation_problems`` turns every inconsistent claim into a :class:`~analysis.data.schema.Problem`;
``python -m analysis check`` reports them.
"""

from __future__ import annotations

import pandas as pd

from . import metrics
from ..core import locale
from ..data.dataset import Dataset
from .metrics import Period
from ..core.qualifiers import Interval, agrees, agrees_interval, interval, interval_of_sum
from ..data.schema import Problem

COLUMNS = ["id", "text_en", "text_zh", "stated", "qualifier", "computed", "formula", "consistent", "basis", "kind",
           "file", "line", "column", "last_year"]


def _fmt(x: float) -> str:
    return locale.num(x)


def _n(x) -> str:
    return locale.num(x)


def _d(date, lang: str = "en") -> str:
    return locale.date(date, lang)


def _claim(rows, *, id, text_en, text_zh, stated, qualifier, computed, kind, file, line, column, last_year,
           basis="independent", bound=False, computed_interval: Interval | None = None, formula=None, consistent=None):
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
    rows.append(dict(id=id, text_en=text_en, text_zh=text_zh, stated=stated, qualifier=qualifier, computed=computed,
                     formula=formula, consistent=consistent, basis=basis, kind=kind, file=file, line=line, column=column,
                     last_year=last_year))


def _breakdown_claims(ds: Dataset, rows: list) -> None:
    totals = metrics.reported_totals(ds)
    labels = metrics.dimension_labels(ds)
    sig = ds["signings"]
    for p in metrics.breakdown_periods(ds):
        for d in metrics.dimensions(ds):
            part = sig[(sig["dimension"] == d) & (sig["first_year"] == p.first_year) & (sig["last_year"] == p.last_year)]
            if part.empty or p not in totals:
                continue
            tot = totals[p]
            d_zh, d_en = labels[d]
            for m, col in (("projects", "projects"), ("investment", "investment_100m_yuan")):
                t = tot[col]
                values = part[col]
                if not t.known or not values.notna().any():
                    continue
                complete = bool(values.notna().all())
                missing = int(values.isna().sum())
                what_en = "projects add up to the total of " + _fmt(t.value) if m == "projects" else "investment adds up to the total"
                what_zh = f"项目数之和等于总数{_fmt(t.value)}个" if m == "projects" else "意向投资额之和等于总额"
                _claim(
                    rows,
                    id=f"breakdown_{m}_{p.key}_{d}",
                    text_en=(f"{p.label}: the {d_en} groups' {what_en}" if complete else
                             f"{p.label}: the {d_en} groups that state {'a count' if m == 'projects' else 'an amount'} add up to no more "
                             f"than the total; the other {missing} group(s) carry the rest"),
                    text_zh=(f"{p.label}年按{d_zh}分组的{what_zh}" if complete else
                             f"{p.label}年按{d_zh}分组已公布的{'项目数' if m == 'projects' else '意向投资额'}之和不超过总{'数' if m == 'projects' else '额'}，"
                             f"其余{missing}组合计为差额"),
                    stated=t.value,
                    qualifier=t.qualifier,
                    computed=float(values.sum()),
                    computed_interval=interval_of_sum(list(zip(part[col].dropna(), part[f"{col.split('_')[0]}_qualifier"].dropna())),
                                                      count=m == "projects"),
                    formula=" + ".join(_fmt(v) for v in values.dropna()),
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
            what = "projects" if m == "projects" else "intended investment (亿元)"
            _claim(
                rows,
                id=f"cumulative_{m.split('_')[0]}_{big.key}",
                text_en=f"{big.label}: the total of {what} equals the sum over " + " + ".join(a.label for a in parts),
                text_zh=f"{big.label}年合计{'签约项目数' if m == 'projects' else '意向投资额（亿元）'}等于"
                + "、".join(a.label for a in parts) + "各期之和",
                stated=t.value,
                qualifier=t.qualifier,
                computed=computed,
                computed_interval=(interval_of_sum([(v.value, v.qualifier) for v in pv], count=m == "projects")
                                   if known and not derived_from_this else None),
                formula=" + ".join(_fmt(v.value) for v in pv) if known else None,
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
                what_en = "projects" if m == "projects" else "intended investment"
                what_zh = "签约项目数" if m == "projects" else "意向投资额"
                total = float(sum(v.value for v in pv))
                formula = (f"{_fmt(whole.value)} ({big.label}) − {_fmt(rv.value)} ({rest.label}) = {_fmt(round(derived, 6))} vs "
                           + " + ".join(f"{_fmt(v.value)} ({a.label})" for a, v in zip(parts, pv)) + f" = {_fmt(total)}")
                _claim(
                    rows,
                    id=f"derived_vs_sum_{m.split('_')[0]}_{span.key}",
                    text_en=f"{span.label}: the {what_en} derived from the {big.label} total ({_fmt(round(derived, 6))}) "
                    f"meets the sum of " + " + ".join(a.label for a in parts),
                    text_zh=f"由{big.label}年合计推算的{span.label}年{what_zh}（{_fmt(round(derived, 6))}）与"
                    + "、".join(a.label for a in parts) + "各期之和相符",
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
            what_en = "projects" if m == "projects" else "intended investment"
            what_zh = "签约项目数" if m == "projects" else "意向投资额"
            _claim(
                rows,
                id=f"derived_nonnegative_{m.split('_')[0]}_{a.key}",
                text_en=f"{a.label}: the {what_en} derived from the {v.from_period.label} total cannot be negative",
                text_zh=f"由{v.from_period.label}年合计推算的{a.label}年{what_zh}不能为负",
                stated=None, qualifier=None, computed=float(v.value), formula=v.formula,
                consistent=bool(iv.hi > 0 or (iv.hi == 0 and not iv.hi_open)),
                kind="derived_nonnegative", file="signings.csv", line=totals[v.from_period][m].line, column=m,
                last_year=v.from_period.last_year,
            )


def _cohort_rest(a: Period, b: Period) -> Period | None:
    return metrics._complement(b, a)


def _landing_claims(ds: Dataset, rows: list) -> None:
    lr = metrics.landing_rates(ds)
    totals = metrics.reported_totals(ds)
    for _, r in lr.iterrows():
        p = Period(int(r["first_year"]), int(r["last_year"]))
        if pd.notna(r["stated_rate"]) and pd.notna(r["landed"]) and pd.notna(r["signed"]) and r["signed"]:
            _claim(
                rows,
                id=f"landing_rate_{p.key}_{r['as_of']}",
                text_en=f"{p.label} cohort as of {_d(r['vintage'])}: {_n(r['landed'])} of {_n(r['signed'])} landed, "
                f"a rate the source gives as {locale.hedged(r['stated_rate_pct'], r['stated_qualifier'], 'en', 'percent')}",
                text_zh=f"截至{_d(r['vintage'], 'zh')}，{locale.period(p.first_year, p.last_year, 'zh')}签约的{_n(r['signed'])}个项目中"
                f"{_n(r['landed'])}个落地，报道称落地率{locale.hedged(r['stated_rate_pct'], r['stated_qualifier'], 'zh', 'percent')}",
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
                text_en=f"{p.label} cohort: the signed count of the landing figure agrees with the projects signed in {p.label}",
                text_zh=f"{p.label}年批次落地数字中的签约数与该时期签约项目数相符",
                stated=t.value,  # the signings total, with its hedge (210余)
                qualifier=t.qualifier,
                computed=float(r["signed"]),
                kind="landing_signed",
                file="landing.csv",
                line=int(r["line"]),
                column="signed",
                last_year=p.last_year,
            )
    _landing_vintage_claims(lr, rows)


def _landing_vintage_claims(lr: pd.DataFrame, rows: list) -> None:
    """What two statements of different dates imply together (landed projects stay landed)."""
    known = lr[lr["landed_lo"].notna() & lr["signed"].notna()]
    for _, a in known.iterrows():
        for _, b in known.iterrows():
            pa, pb = Period(int(a["first_year"]), int(a["last_year"])), Period(int(b["first_year"]), int(b["last_year"]))
            if not a["vintage"] < b["vintage"] or pa == pb or not pb.contains(pa):
                continue
            rest = _cohort_rest(pa, pb)
            if rest is None:
                continue
            signed_rest = int(b["signed"]) - int(a["signed"])
            a_lo, a_hi, b_lo, b_hi = (int(a["landed_lo"]), int(a["landed_hi"]), int(b["landed_lo"]), int(b["landed_hi"]))
            at_most = b_hi - a_lo
            col = "landed" if b["landed"] is not None and not pd.isna(b["landed"]) else "stated_rate_pct"
            if at_most < signed_rest:  # otherwise it says no more than the signed count does (unless negative: below)
                _claim(
                    rows,
                    id=f"landing_vintage_upper_{rest.key}_{b['as_of']}",
                    text_en=(f"At most {_n(at_most)} of the {_n(signed_rest)} projects of {rest.label} had landed by {_d(b['vintage'])} "
                             f"({_n(b_hi)} of {pb.label} then, {_n(a_lo)} of {pa.label} already by {_d(a['vintage'])})" if at_most >= 0 else
                             f"The {pb.label} cohort as of {_d(b['vintage'])} (at most {_n(b_hi)} landed) has fewer landed projects than "
                             f"the {pa.label} cohort inside it already had by {_d(a['vintage'])} ({_n(a_lo)}); landed projects do not un-land"),
                    text_zh=(f"截至{_d(b['vintage'], 'zh')}，{locale.period(rest.first_year, rest.last_year, 'zh')}的{_n(signed_rest)}个项目中"
                             f"至多{_n(at_most)}个落地（届时{locale.period(pb.first_year, pb.last_year, 'zh')}批次共{_n(b_hi)}个落地，"
                             f"其中{locale.period(pa.first_year, pa.last_year, 'zh')}批次在{_d(a['vintage'], 'zh')}已有{_n(a_lo)}个）"
                             if at_most >= 0 else
                             f"截至{_d(b['vintage'], 'zh')}，{locale.period(pb.first_year, pb.last_year, 'zh')}批次至多{_n(b_hi)}个落地，"
                             f"少于其中{locale.period(pa.first_year, pa.last_year, 'zh')}批次在{_d(a['vintage'], 'zh')}已落地的{_n(a_lo)}个；"
                             "已落地的项目不会再“未落地”"),
                    stated=None, qualifier=None, computed=float(at_most),
                    formula=f"{_n(b_hi)} − {_n(a_lo)}",
                    consistent=at_most >= 0,
                    kind="landing_vintage", file="landing.csv", line=int(b["line"]), column=col, last_year=pb.last_year,
                )
            at_least = b_lo - signed_rest - a_hi
            room = int(a["signed"]) - a_lo
            if at_least > 0 or at_least > room:
                _claim(
                    rows,
                    id=f"landing_vintage_lower_{pa.key}_{a['as_of']}_{b['as_of']}",
                    text_en=f"At least {_n(at_least)} more of the {pa.label} projects landed between {_d(a['vintage'])} and {_d(b['vintage'])} "
                    f"({_n(b_lo)} of {pb.label}, less the {_n(signed_rest)} of {rest.label}, less {_n(a_hi)} already landed)",
                    text_zh=f"{_d(a['vintage'], 'zh')}至{_d(b['vintage'], 'zh')}之间，{locale.period(pa.first_year, pa.last_year, 'zh')}的项目至少又有{_n(at_least)}个落地"
                    f"（{locale.period(pb.first_year, pb.last_year, 'zh')}批次{_n(b_lo)}个，减去{locale.period(rest.first_year, rest.last_year, 'zh')}的{_n(signed_rest)}个，再减去此前已落地的{_n(a_hi)}个）",
                    stated=None, qualifier=None, computed=float(at_least),
                    formula=f"{_n(b_lo)} − {_n(signed_rest)} − {_n(a_hi)}",
                    consistent=at_least <= room,
                    kind="landing_vintage", file="landing.csv", line=int(b["line"]), column=col, last_year=pb.last_year,
                )


def _stated_claims(ds: Dataset, rows: list) -> None:
    sig = ds["signings"]
    totals = metrics.reported_totals(ds)
    for line, c in ds["claims"].iterrows():
        p = Period(int(c["first_year"]), int(c["last_year"]))
        computed = None
        if c["kind"] == "conference_count":
            computed = float(sum(1 for y in ds.conference_years if p.covers(y)))
        else:
            groups = str(c["groups_zh"]).split("|") if pd.notna(c["groups_zh"]) else []
            part = sig[
                (sig["dimension"] == c["dimension"]) & (sig["first_year"] == p.first_year) & (sig["last_year"] == p.last_year)
            ]
            sel = part[part["group_zh"].isin(groups)][c["measure"]] if c["measure"] in part else pd.Series(dtype=float)
            if len(sel) == len(groups) and sel.notna().all():
                s = float(sel.sum())
                if c["kind"] == "sum_of_groups":
                    computed = s
                else:  # total_minus_groups
                    t = totals.get(p, {}).get(c["measure"])
                    computed = (t.value - s) if t is not None and t.known else None
        _claim(
            rows,
            id=str(c["claim_id"]),
            text_en=str(c["text_en"]),
            text_zh=str(c["evidence"]),
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
    all_rows, kept = ds.rows["signings"], ds["signings"]
    srcs = ds.rows["sources"]
    superseded_by = {str(old): str(new) for old, new in zip(srcs["supersedes"], srcs["source_id"]) if pd.notna(old)}
    for key, grp in all_rows.groupby(list(table.fact_key), dropna=False, sort=False):
        if grp["source_id"].nunique() < 2:
            continue
        present = set(grp["source_id"])
        first, last, dim, group = key
        winner = kept[(kept["first_year"] == first) & (kept["last_year"] == last) & (kept["dimension"] == dim)
                      & ((kept["group_zh"] == group) if pd.notna(group) else kept["group_zh"].isna())]
        if winner.empty:
            continue
        w = winner.iloc[0]
        p = Period(int(first), int(last))
        for col, qcol in (("projects", "projects_qualifier"), ("investment_100m_yuan", "investment_qualifier")):
            unit = "projects" if col == "projects" else "yi_yuan"
            for line, r in grp.iterrows():
                if (r["source_id"] == w["source_id"] or superseded_by.get(r["source_id"]) in present
                        or pd.isna(r[col]) or pd.isna(w[col])):
                    continue
                kept_iv = value_interval(w[col], w[qcol], col)
                if not value_interval(r[col], r[qcol], col).overlaps(kept_iv):
                    continue  # a disagreement, not an agreement: resolve_sources reports it
                kept_en, other_en = (locale.hedged(x[col], x[qcol], "en", unit) for x in (w, r))
                kept_zh, other_zh = (locale.hedged(x[col], x[qcol], "zh", unit) for x in (w, r))
                _claim(
                    rows,
                    id=f"agree_{col.split('_')[0]}_{p.key}_{dim}{'' if pd.isna(group) else '_' + str(group)}_{r['source_id']}",
                    text_en=(f"{p.label}: {w['source_id']} and {r['source_id']} both state {kept_en}" if kept_en == other_en else
                             f"{p.label}: {r['source_id']} states {other_en} and {w['source_id']} states {kept_en}; "
                             "the two statements agree and the tighter one is used"),
                    text_zh=(f"{p.label}年：{w['source_id']}与{r['source_id']}均称{kept_zh}" if kept_zh == other_zh else
                             f"{p.label}年：{r['source_id']}称{other_zh}，{w['source_id']}称{kept_zh}，"
                             "两者一致，采用更精确的表述"),
                    stated=float(r[col]),
                    qualifier=str(r[qcol]),
                    computed=float(w[col]),
                    computed_interval=kept_iv,
                    formula=f"{w['source_id']}: {kept_en}",
                    kind="sources_agree",
                    file="signings.csv",
                    line=int(line),
                    column=col,
                    last_year=p.last_year,
                )


def ledger(ds: Dataset, through: int | None = None) -> pd.DataFrame:
    """All claims, in a stable order; ``through`` keeps the claims about periods ending by then."""
    rows: list[dict] = []
    _breakdown_claims(ds, rows)
    _cumulative_claims(ds, rows)
    _derived_vs_sum_claims(ds, rows)
    _derived_nonnegative_claims(ds, rows)
    _landing_claims(ds, rows)
    _stated_claims(ds, rows)
    _agreement_claims(ds, rows)
    df = pd.DataFrame(rows, columns=COLUMNS)
    if through is not None:
        df = df[df["last_year"] <= through]
    return df.reset_index(drop=True)


def reconciliation_problems(ds: Dataset) -> list[Problem]:
    """Each inconsistent claim, and each claim that cannot be computed, as a problem naming its row."""
    out = []
    for _, c in ledger(ds).iterrows():
        if c["consistent"] is None:
            if c["file"] == "claims.csv":
                out.append(Problem(c["file"], c["line"], c["column"], f"claim '{c['id']}' cannot be checked: the groups or totals it refers to are missing"))
            continue
        if not c["consistent"]:
            if c["stated"] is None or pd.isna(c["stated"]):
                msg = f"{c['text_en']}: impossible ({c['formula']} = {locale.num(c['computed'])}); the statements contradict each other"
            else:
                unit = "%" if c["kind"] == "landing_rate" else ""
                msg = (f"{c['text_en']}: stated {c['qualifier']} {locale.num(c['stated'])}{unit}, "
                       f"but the data give {locale.sig(c['computed'], 4)}{unit}")
            out.append(Problem(c["file"], c["line"], c["column"], msg))
    return out
