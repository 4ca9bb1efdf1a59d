"""The claims ledger: every checkable quantitative statement of the sources, recomputed from the data.

Two kinds of claim:

* implied by the structure of the tables, for every year: a conference total equals the sum of its
  breakdown (per dimension, counts and amounts); a cumulative total equals the sum of the periods
  inside it; a stated landing rate agrees with landed/signed; a cohort's signed count equals the
  signings of its period;
* stated in prose and written down in ``claims.csv`` (kinds ``sum_of_groups``,
  ``total_minus_groups``, ``conference_count``), such as "8 infrastructure and public-service projects".

Agreement uses :func:`analysis.qualifiers.agrees`. A claim whose computed side rests on a value
derived from the claim itself holds by construction; it is kept in the ledger with
``basis="by construction"`` so the reader sees it was not an independent check.

``reconciliation_problems`` turns every inconsistent claim into a :class:`~analysis.schema.Problem`;
``python -m analysis check`` reports them.
"""

from __future__ import annotations

import pandas as pd

from . import metrics as M
from .qualifiers import agrees
from .schema import BREAKDOWN_DIMENSIONS, Dataset, Problem

DIM_ZH = {"category": "类别", "place": "区域"}

COLUMNS = ["id", "text_en", "text_zh", "stated", "qualifier", "computed", "consistent", "basis", "kind", "file", "line", "column", "last_year"]


def _claim(rows, *, id, text_en, text_zh, stated, qualifier, computed, kind, file, line, column, last_year, basis="independent", bound=False):
    if stated is None or computed is None:
        consistent = None
    elif basis == "by construction":
        # A part was derived from this very total, so the sum is the stated number by construction;
        # judging it against a hedge like 超 (strictly above) would reject a sound release.
        consistent = True
    elif bound:  # stated breakdown amounts may not exceed the total
        consistent = computed <= stated + 1e-6 or agrees(stated, qualifier, computed)
    else:
        consistent = bool(agrees(stated, qualifier, computed))
    rows.append(
        dict(
            id=id,
            text_en=text_en,
            text_zh=text_zh,
            stated=stated,
            qualifier=qualifier,
            computed=computed,
            consistent=consistent,
            basis=basis,
            kind=kind,
            file=file,
            line=line,
            column=column,
            last_year=last_year,
        )
    )


def _breakdown_claims(ds: Dataset, rows: list) -> None:
    totals = M.reported_totals(ds)
    sig = ds["signings"]
    for p in M.breakdown_periods(ds):
        for d in BREAKDOWN_DIMENSIONS:
            part = sig[(sig["dimension"] == d) & (sig["first_year"] == p.first_year) & (sig["last_year"] == p.last_year)]
            if part.empty or p not in totals:
                continue
            tot = totals[p]
            # counts
            t = tot["projects"]
            counts = part["projects"]
            if t.known and counts.notna().any():
                complete = bool(counts.notna().all())
                missing = int(counts.isna().sum())
                _claim(
                    rows,
                    id=f"breakdown_projects_{p.key}_{d}",
                    text_en=(
                        f"{p.label}: the {d} groups' projects add up to the total of {t.value:g}"
                        if complete
                        else f"{p.label}: the {d} groups that state a count add up to no more than the total of "
                        f"{t.value:g}; the other {missing} group(s) carry the rest"
                    ),
                    text_zh=(
                        f"{p.label}年按{DIM_ZH[d]}分组的项目数之和等于总数{t.value:g}个"
                        if complete
                        else f"{p.label}年按{DIM_ZH[d]}分组已公布的项目数之和不超过总数{t.value:g}个,其余{missing}组合计为差额"
                    ),
                    stated=t.value,
                    qualifier=t.qualifier,
                    computed=float(counts.sum()),
                    kind="breakdown_sum" if complete else "breakdown_bound",
                    file="signings.csv",
                    line=t.line,
                    column="projects",
                    last_year=p.last_year,
                    bound=not complete,
                )
            t = tot["investment_100m_yuan"]
            amounts = part["investment_100m_yuan"]
            if t.known and amounts.notna().any():
                complete = bool(amounts.notna().all())
                _claim(
                    rows,
                    id=f"breakdown_investment_{p.key}_{d}",
                    text_en=(
                        f"{p.label}: the {d} groups' investment adds up to the total"
                        if complete
                        else f"{p.label}: the {d} groups that state an investment add up to no more than the total; "
                        f"the other {int(amounts.isna().sum())} group(s) carry the remainder"
                    ),
                    stated=t.value,
                    qualifier=t.qualifier,
                    computed=float(amounts.sum()),
                    text_zh=(
                        f"{p.label}年按{DIM_ZH[d]}分组的意向投资额之和等于总额"
                        if complete
                        else f"{p.label}年按{DIM_ZH[d]}分组已公布的意向投资额之和不超过总额,"
                        f"其余{int(amounts.isna().sum())}组合计为差额"
                    ),
                    kind="breakdown_sum" if complete else "breakdown_bound",
                    file="signings.csv",
                    line=t.line,
                    column="investment_100m_yuan",
                    last_year=p.last_year,
                    bound=not complete,
                )


def _cumulative_claims(ds: Dataset, rows: list) -> None:
    totals = M.reported_totals(ds)
    vals = M.period_values(ds)
    atoms = sorted(vals)
    for big, tv in sorted(totals.items()):
        parts = [a for a in atoms if big.contains(a)]
        if len(parts) < 2:
            continue
        for m in M.MEASURES:
            t = tv[m]
            if not t.known:
                continue
            pv = [vals[a][m] for a in parts]
            computed = float(sum(v.value for v in pv)) if all(v.known for v in pv) else None
            derived_from_this = any(v.status == "derived" and v.formula and f"({big.label})" in v.formula for v in pv)
            what = "projects" if m == "projects" else "intended investment (亿元)"
            _claim(
                rows,
                id=f"cumulative_{m.split('_')[0]}_{big.key}",
                text_en=f"{big.label}: cumulative {what} equal the sum over "
                + " + ".join(a.label for a in parts),
                text_zh=f"{big.label}年累计{'签约项目数' if m == 'projects' else '意向投资额(亿元)'}等于"
                + "、".join(a.label for a in parts) + "各期之和",
                stated=t.value,
                qualifier=t.qualifier,
                computed=computed,
                kind="cumulative_sum",
                file="signings.csv",
                line=t.line,
                column=m,
                last_year=big.last_year,
                basis="by construction" if derived_from_this else "independent",
            )


def _landing_claims(ds: Dataset, rows: list) -> None:
    totals = M.reported_totals(ds)
    for _, r in M.landing_rates(ds).iterrows():
        p = M.Period(int(r["first_year"]), int(r["last_year"]))
        if r["stated_rate"] is not None and not pd.isna(r["stated_rate"]):
            _claim(
                rows,
                id=f"landing_rate_{p.key}",
                text_en=f"{p.label} cohort: {int(r['landed'])} of {int(r['signed'])} landed, "
                f"a rate the source gives as {r['stated_qualifier']} {r['stated_rate']:.0%}",
                text_zh=f"{p.label}年签约的{int(r['signed'])}个项目中{int(r['landed'])}个落地(报道所述落地率)",
                stated=float(r["stated_rate"]) * 100,  # percent, the scale the source writes
                qualifier=r["stated_qualifier"],
                computed=float(r["rate"]) * 100,
                kind="landing_rate",
                file="landing.csv",
                line=int(r["line"]),
                column="stated_rate_pct",
                last_year=p.last_year,
            )
        t = totals.get(p, {}).get("projects")
        if t is not None and t.known:
            _claim(
                rows,
                id=f"landing_signed_{p.key}",
                text_en=f"{p.label} cohort: the signed count of the landing figure equals the projects signed in {p.label}",
                text_zh=f"{p.label}年批次落地数字中的签约数等于该时期签约项目数",
                stated=float(r["signed"]),
                qualifier="exact",
                computed=t.value,
                kind="landing_signed",
                file="landing.csv",
                line=int(r["line"]),
                column="signed",
                last_year=p.last_year,
            )


def _stated_claims(ds: Dataset, rows: list) -> None:
    sig = ds["signings"]
    totals = M.reported_totals(ds)
    for line, c in ds["claims"].iterrows():
        p = M.Period(int(c["first_year"]), int(c["last_year"]))
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


def ledger(ds: Dataset, through: int | None = None) -> pd.DataFrame:
    """All claims, in a stable order; ``through`` keeps the claims about periods ending by then."""
    rows: list[dict] = []
    _breakdown_claims(ds, rows)
    _cumulative_claims(ds, rows)
    _landing_claims(ds, rows)
    _stated_claims(ds, rows)
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
            unit = "%" if c["kind"] == "landing_rate" else ""
            out.append(
                Problem(
                    c["file"],
                    c["line"],
                    c["column"],
                    f"{c['text_en']}: stated {c['qualifier']} {c['stated']:g}{unit}, but the data give {c['computed']:.4g}{unit}",
                )
            )
    return out
