"""The metrics as one JSON-ready dict (``metrics --format json``, ``reports/<year>/metrics.json``) and as text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import metrics as M
from .qualifiers import WORDING_EN
from .data import Dataset

ROUND = 6


def _f(x) -> float | None:
    v = M.as_float(x)
    return None if v is None else round(v, ROUND)


def _i(x) -> int | None:
    v = M.as_float(x)
    return None if v is None else int(round(v))


def _group(row: pd.Series) -> dict:
    return {
        "group_zh": row["group_zh"],
        "group_en": row["group_en"],
        "harmonised": row["harmonised"],
        "projects": _i(row["projects"]),
        "project_share": _f(row["project_share"]),
        "investment_100m_yuan": _f(row["investment_100m_yuan"]),
        "investment_qualifier": None if pd.isna(row["investment_qualifier"]) else row["investment_qualifier"],
        "investment_share": _f(row["investment_share"]),
        "investment_per_project_100m_yuan": _f(row["investment_per_project_100m_yuan"]),
    }


def _landing_row(r: pd.Series) -> dict:
    return {
        "first_year": int(r["first_year"]),
        "last_year": int(r["last_year"]),
        "source_id": r["source_id"],
        "as_of": r["as_of"],
        "signed": _i(r["signed"]),
        "signed_status": r["signed_status"],
        "signed_formula": r["signed_formula"] if isinstance(r["signed_formula"], str) else None,
        "landed": _i(r["landed"]),
        "landed_range": None if M.as_float(r["landed_lo"]) is None else [_i(r["landed_lo"]), _i(r["landed_hi"])],
        "rate": _f(r["rate"]),
        "ci95": [_f(r["ci95_lo"]), _f(r["ci95_hi"])],
        "stated_rate": _f(r["stated_rate"]),
        "stated_qualifier": r["stated_qualifier"],
        "consistent": None if r["consistent"] is None or pd.isna(r["consistent"]) else bool(r["consistent"]),
    }


def _claim_row(c: pd.Series) -> dict:
    return {
        "id": c["id"],
        "text_en": c["text_en"],
        "stated": _f(c["stated"]),
        "qualifier": c["qualifier"] if isinstance(c["qualifier"], str) else None,
        "computed": _f(c["computed"]),
        "formula": c["formula"] if isinstance(c["formula"], str) else None,
        "consistent": None if c["consistent"] is None else bool(c["consistent"]),
        "basis": c["basis"],
        "kind": c["kind"],
    }


def _compare_row(r: pd.Series) -> dict:
    return {
        "period": r["period"],
        "harmonised": r["harmonised"],
        "status": r["status"],
        "names_zh": r["names_zh"],
        "projects": _i(r["projects"]),
        "project_share": _f(r["project_share"]),
        "investment_100m_yuan": _f(r["investment_100m_yuan"]),
        "investment_qualifier": r["investment_qualifier"],
        "investment_share": _f(r["investment_share"]),
        "schemes": r["schemes"],
    }


def _source_row(r: pd.Series) -> dict:
    date = tuple(0 if pd.isna(r[c]) else int(r[c]) for c in ("date_year", "date_month", "date_day"))
    return {"source_id": r["source_id"], "publisher_zh": r["publisher_zh"], "publisher_en": r["publisher_en"],
            "date": M.date_label(date), "url": r["url"] if isinstance(r["url"], str) else None}


def metrics_dict(
    ds: Dataset,
    through: int | None = None,
    *,
    projection: bool = True,
    horizon: int = 3,
    seed: int | None = None,
) -> dict:
    """Everything ``metrics --format json`` prints. Keys are documented in README.md."""
    from .results import compute

    return jsonable(results_dict(compute(ds, through, projection=projection, horizon=horizon, seed=seed)))


def results_dict(res) -> dict:
    """:class:`analysis.results.Results` as one JSON-ready dict."""
    cum = res.cumulative
    out: dict = {
        "through_year": res.through,
        "vintage": {
            "as_of": res.vintage_label,
            "n_sources": int(len(res.sources)),
            "sources": [_source_row(r) for _, r in res.sources.iterrows()],
        },
        "cumulative": {
            "projects": _i(cum["projects"]),
            "projects_qualifier": cum["projects_qualifier"],
            "projects_status": cum["projects_status"],
            "investment_100m_yuan": _f(cum["investment_100m_yuan"]),
            "investment_qualifier": cum["investment_qualifier"],
            "investment_status": cum["investment_status"],
            "periods": cum["periods"],
            "note": cum["note"],
        },
        "periods": [],
        "landing": [_landing_row(r) for _, r in res.landing.iterrows()],
        "expected_landing": [],
        "mix": {},
        "mix_summary": {},
        "compare": {d: [_compare_row(r) for _, r in frame.iterrows()] for d, frame in res.compare.items()},
        "claims": [_claim_row(c) for _, c in res.claims.iterrows()],
    }
    for _, t in res.periods.iterrows():
        out["periods"].append(
            {
                "first_year": int(t["first_year"]),
                "last_year": int(t["last_year"]),
                "n_years": int(t["n_years"]),
                "projects": _i(t["projects"]),
                "projects_status": t["projects_status"],
                "investment_100m_yuan": _f(t["investment_100m_yuan"]),
                "investment_qualifier": t["investment_qualifier"],
                "investment_status": t["investment_status"],
                "investment_formula": t["investment_formula"] if isinstance(t["investment_formula"], str) else None,
                "projects_per_year": _f(t["projects_per_year"]),
                "investment_per_year_100m_yuan": _f(t["investment_per_year_100m_yuan"]),
                "investment_per_project_100m_yuan": _f(t["investment_per_project_100m_yuan"]),
                "change_projects_per_year": _f(t["change_projects_per_year"]),
                "change_investment_per_year": _f(t["change_investment_per_year"]),
            }
        )
    for _, e in res.expected_landing.iterrows():
        out["expected_landing"].append(
            {
                "cohort": e["cohort"],
                "signed": int(e["signed"]),
                "rate": _f(e["rate"]),
                "rate_from": e["rate_from"],
                "expected": _f(e["expected"]),
                "ci95": [_f(e["lo"]), _f(e["hi"])],
            }
        )
    for p, by_dim in res.mix.items():
        entry, summ = {}, {}
        for d, mx in by_dim.items():
            entry[d] = [_group(r) for _, r in mx.groups.iterrows()]
            summ[d] = {
                "total_projects": _i(mx.total_projects),
                "total_investment_100m_yuan": _f(mx.total_investment),
                "stated_investment_100m_yuan": _f(mx.stated_investment),
                "unstated_groups": mx.unstated_groups,
                "remainder_investment_100m_yuan": _f(mx.remainder_investment),
                "remainder_projects": _i(mx.remainder_projects),
                "hhi_investment": None if mx.hhi_investment is None else [_f(x) for x in mx.hhi_investment],
                "complete": mx.complete,
            }
        out["mix"][p.key] = entry
        out["mix_summary"][p.key] = summ
    if res.projection_note is not None:
        out["projection"] = []
        out["projection_note"] = res.projection_note
    elif res.projection is not None:
        out.update(res.projection.to_json())
        out.pop("backtest", None)
    st = res.since_then
    if st is not None:
        out["backtest"] = _backtest_rows(st.backtest)
        out["since_then"] = {
            "sources": [_source_row(r) for _, r in st.sources.iterrows()],
            "totals": [
                {"first_year": int(r["first_year"]), "last_year": int(r["last_year"]), "source_id": r["source_id"],
                 "projects": _i(r["projects"]), "projects_qualifier": r["projects_qualifier"],
                 "investment_100m_yuan": _f(r["investment_100m_yuan"]), "investment_qualifier": r["investment_qualifier"]}
                for _, r in st.totals.iterrows()
            ],
            "landing": [_landing_row(r) for _, r in st.landing.iterrows()],
            "claims": [_claim_row(c) for _, c in st.claims.iterrows()],
        }
    return out


def jsonable(obj, ndigits: int = ROUND):
    """The one JSON cleaner: NA/NaN -> None, numpy scalars -> Python, floats rounded, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v, ndigits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, ndigits) for v in obj]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else round(float(obj), ndigits)
    return obj


def _backtest_rows(bt: pd.DataFrame) -> list[dict]:
    return [
        {
            "year": int(r["year"]),
            "metric": r["metric"],
            "actual": _f(r["actual"]),
            "mean": _f(r["mean"]),
            "pi80": [_f(r["pi80_lo"]), _f(r["pi80_hi"])],
            "pi95": [_f(r["pi95_lo"]), _f(r["pi95_hi"])],
            "inside80": bool(r["inside80"]),
            "inside95": bool(r["inside95"]),
            "interval_score": _f(r["interval_score"]),
        }
        for _, r in bt.iterrows()
    ]


def _num(x, nd=2) -> str:
    if x is None:
        return "—"
    return f"{x:,.{nd}f}" if isinstance(x, float) and not float(x).is_integer() else f"{x:,.0f}"


def _hedged(x, qualifier) -> str:
    """The report's wording of a hedged value (about 280.66), in English for the terminal."""
    from .report import hedge

    return hedge(x, qualifier, "en")


def metrics_text(m: dict) -> str:
    """A human-readable rendering of :func:`metrics_dict` for the terminal."""
    lines = [f"Through {m['through_year']}"]
    c = m["cumulative"]
    if c["periods"]:
        lines.append(
            f"  cumulative: {_hedged(c['projects'], c['projects_qualifier'])} projects ({c['projects_status'] or 'not published'}), "
            f"{_hedged(c['investment_100m_yuan'], c['investment_qualifier'])} 亿元 ({c['investment_status'] or 'not published'}) "
            f"over {' + '.join(c['periods'])}"
        )
    else:
        lines.append("  cumulative: nothing published through this year")
    if c["note"]:
        lines.append(f"  note: {c['note']}")
    lines.append("")
    lines.append("Periods")
    lines.append(f"  {'period':<11}{'projects':>9}{'亿元':>10}  {'hedge':<7}{'status':<9}{'proj/yr':>8}{'亿元/yr':>9}{'亿元/proj':>10}")
    for p in m["periods"]:
        label = str(p["first_year"]) if p["first_year"] == p["last_year"] else f"{p['first_year']}–{p['last_year']}"
        lines.append(
            f"  {label:<11}{_num(p['projects']):>9}{_num(p['investment_100m_yuan']):>10}  {WORDING_EN.get(p['investment_qualifier'] or 'exact') or '—':<7}{p['investment_status'] or '—':<9}"
            f"{_num(p['projects_per_year']):>8}{_num(p['investment_per_year_100m_yuan']):>9}{_num(p['investment_per_project_100m_yuan']):>10}"
        )
        if p["investment_formula"]:
            lines.append(f"  {'':<11}investment derived: {p['investment_formula']}")
    if m["landing"]:
        lines += ["", "Landing"]
        for r in m["landing"]:
            stated = (
                "no rate stated"
                if r["stated_rate"] is None
                else f"stated {_hedged(r['stated_rate'] * 100, r['stated_qualifier'])}%: "
                + {True: "consistent", False: "INCONSISTENT", None: "not checkable"}[r["consistent"]]
            )
            ci = "—" if r["ci95"][0] is None else f"{r['ci95'][0]:.1%}–{r['ci95'][1]:.1%}"
            rate = "—" if r["rate"] is None else f"{r['rate']:.1%}"
            lines.append(f"  {r['first_year']}–{r['last_year']}: {r['landed']}/{r['signed']} = {rate} (95% Wilson {ci}); {stated}")
        for e in m["expected_landing"]:
            lines.append(
                f"  {e['cohort']} cohort: {e['signed']} signed, expected to land {e['expected']:.1f} "
                f"(95% {e['ci95'][0]:.1f}–{e['ci95'][1]:.1f}) at the {e['rate_from']} rate"
            )
    for key, entry in m["mix"].items():
        for d in ("category", "place"):
            if d not in entry:
                continue
            s = m["mix_summary"][key][d]
            hhi = s["hhi_investment"]
            if hhi is None:
                lines += ["", f"Mix {key} by {d}"]
            else:
                h = f"{hhi[0]:.3f}" if abs(hhi[1] - hhi[0]) < 1e-9 else f"{hhi[0]:.3f}–{hhi[1]:.3f}"
                lines += ["", f"Mix {key} by {d} (HHI of investment {h})"]
            width = max(len(g["group_en"]) for g in entry[d]) + 2
            for g in entry[d]:
                share = "—" if g["investment_share"] is None else f"{g['investment_share']:.1%}"
                pshare = "—" if g["project_share"] is None else f"{g['project_share']:.1%}"
                lines.append(
                    f"  {g['group_en']:<{width}}{_num(g['projects']):>4} ({pshare})  {_num(g['investment_100m_yuan']):>8} 亿元 ({share})"
                )
            if s["remainder_projects"] is not None:
                lines.append(f"  no count stated for some groups; the total leaves {_num(s['remainder_projects'])} project(s) for them")
            if s["unstated_groups"]:
                rem = s["remainder_investment_100m_yuan"]
                lines.append(
                    f"  no amount stated for {len(s['unstated_groups'])} group(s); "
                    + ("no total to imply one" if rem is None else
                       "the stated groups already make up the total" if abs(rem) < 0.005 else
                       f"the total minus the stated groups leaves {_num(rem)} 亿元 for them together")
                )
    lines += ["", "Claims"]
    for c in m["claims"]:
        flag = {True: "ok ", False: "BAD", None: " ? "}[c["consistent"]]
        unit = "%" if c["kind"] == "landing_rate" else ""
        lines.append(f"  [{flag}] {c['text_en']} (stated {_hedged(c['stated'], c['qualifier'])}{unit}, computed {_num(c['computed'])}{unit})")
    if m.get("projection"):
        lines += ["", f"Projection ({m['projection_model'].get('name', '')}): mean [80% interval] [95% interval]"]
        for y in m["projection"]:
            parts = []
            for k, label in (("projects", "projects"), ("investment_100m_yuan", "亿元"), ("cumulative_investment_100m_yuan", "cum. 亿元")):
                v = y[k]
                parts.append(f"{label} {v['mean']:.0f} [{v['pi80'][0]:.0f}–{v['pi80'][1]:.0f}] [{v['pi95'][0]:.0f}–{v['pi95'][1]:.0f}]")
            lines.append(f"  {y['year']}: " + "; ".join(parts))
    if m.get("backtest"):
        lines += ["", "Backtest"]
        for b in m["backtest"]:
            lines.append(
                f"  {b['year']} {b['metric']}: actual {_num(b['actual'])}, projected {b['mean']:.1f} "
                f"95% [{b['pi95'][0]:.0f}–{b['pi95'][1]:.0f}] {'inside' if b['inside95'] else 'OUTSIDE'}"
            )
    return "\n".join(lines)
