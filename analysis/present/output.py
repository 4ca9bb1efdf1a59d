"""The metrics as one JSON-ready dict (``metrics --format json``, ``reports/<year>/metrics.json``) and as text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..core import columns, locale
from ..data.dataset import Dataset
from ..stats import metrics as M
from . import facts
from .downloads import ROUND, csv_bytes


def _i(x) -> int | None:
    """A count as a JSON integer (85, not 85.0); everything else is cleaned once by :func:`jsonable`."""
    v = M.as_float(x)
    return None if v is None else int(round(v))


_range = M.bounds_list


def _cell(name: str, value):
    """A result column's value for JSON, by what :mod:`analysis.core.columns` says the column holds: a year
    or a whole count as an integer, an interval as ``[lo, hi]``; the rest as is (cleaned by :func:`jsonable`)."""
    c = columns.column(name)
    if c.kind == "year" or columns.is_count(name):
        return _i(value)
    if c.kind == "range":
        return _range(value)
    return value


def _row(r, keys) -> dict:
    """A frame row as JSON: ``keys`` are the declared columns written, a key written under another name
    given as ``(key, column)``."""
    return {k: _cell(c, r[c]) for k, c in (k if isinstance(k, tuple) else (k, k) for k in keys)}


#: The JSON keys of a period (:class:`analysis.stats.frames.PeriodsFrame`), of a breakdown's group
#: (:class:`~analysis.stats.frames.MixGroupsFrame`) and of a comparison row (:class:`~analysis.stats.frames.CompareFrame`).
PERIOD_KEYS = (
    "first_year",
    "last_year",
    "n_years",
    "projects",
    "projects_qualifier",
    "projects_status",
    "projects_range",
    "investment_100m_yuan",
    "investment_qualifier",
    "investment_status",
    ("investment_range_100m_yuan", "investment_range"),
    "investment_formula",
    "projects_per_year",
    "investment_per_year_100m_yuan",
    "investment_per_project_100m_yuan",
    "change_projects_per_year",
    "change_investment_per_year",
)
GROUP_KEYS = (
    "group_zh",
    "group_en",
    "harmonised",
    "projects",
    "project_share",
    "investment_100m_yuan",
    "investment_qualifier",
    "investment_share",
    "investment_per_project_100m_yuan",
)
COMPARE_KEYS = (
    "period",
    "harmonised",
    "status",
    "names_zh",
    "projects",
    "project_share",
    "investment_100m_yuan",
    "investment_qualifier",
    "investment_share",
    "schemes",
)
TOTAL_KEYS = (
    "first_year",
    "last_year",
    "source_id",
    "projects",
    "projects_qualifier",
    "investment_100m_yuan",
    "investment_qualifier",
)


def _landing_row(s: M.LandingStatement) -> dict:
    """A landing statement's JSON keys, read off its typed record."""
    return {
        "first_year": s.first_year,
        "last_year": s.last_year,
        "source_id": s.source_id,
        "as_of": s.as_of,
        "signed": s.signed,
        "signed_status": s.signed_status,
        "signed_formula": facts.formula(s.signed_formula),
        "landed": s.landed,
        "landed_range": None if s.landed_lo is None else [s.landed_lo, s.landed_hi],
        "rate": s.rate,
        "ci95": [s.ci95_lo, s.ci95_hi],
        "stated_rate": s.stated_rate,
        "stated_qualifier": s.stated_qualifier,
        "consistent": s.consistent,
    }


def _claim_row(c: pd.Series) -> dict:
    return {
        "id": c["id"],
        "text_en": facts.claim(c),
        "stated": (c["stated"]),
        "qualifier": c["qualifier"] if isinstance(c["qualifier"], str) else None,
        "computed": (c["computed"]),
        "formula": facts.formula(c["formula"]),
        "consistent": None if c["consistent"] is None else bool(c["consistent"]),
        "basis": c["basis"],
        "kind": c["kind"],
    }


def _source_row(r: pd.Series) -> dict:
    date = tuple(0 if pd.isna(r[c]) else int(r[c]) for c in ("date_year", "date_month", "date_day"))
    return {
        "source_id": r["source_id"],
        "publisher_zh": r["publisher_zh"],
        "publisher_en": r["publisher_en"],
        "date": M.date_label(date),
        "url": r["url"] if isinstance(r["url"], str) else None,
    }


def metrics_dict(
    ds: Dataset,
    through: int | None = None,
    *,
    projection: bool = True,
    horizon: int = 3,
    seed: int | None = None,
) -> dict:
    """Everything ``metrics --format json`` prints. Keys are documented in README.md.

    Parameters
    ----------
    ds : Dataset
        The full dataset.
    through : int, optional
        A conference year (default the last).
    projection : bool
        Whether to project.
    horizon : int
        Years projected.
    seed : int, optional
        The projection's random seed.

    Returns
    -------
    dict
        :func:`results_dict` of :func:`analysis.compute`, cleaned by :func:`jsonable`.

    Examples
    --------
    >>> from analysis import load
    >>> m = metrics_dict(load(), 2022, projection=False)
    >>> m["through_year"], m["landing"][0]["signed"], m["periods"][0]["projects"]
    (2022, 85, 85)
    """
    from ..stats.results import compute

    return jsonable(results_dict(compute(ds, through, projection=projection, horizon=horizon, seed=seed)))


def results_dict(res) -> dict:
    """:class:`analysis.stats.results.Results` as one JSON-ready dict.

    Written from the same records the other renderers read: the landing statements' fields
    (:class:`analysis.stats.metrics.LandingStatement`) and the declared columns of each frame
    (:mod:`analysis.stats.frames`), a whole count written as an integer as :mod:`analysis.core.columns` says.

    Parameters
    ----------
    res : Results
        A :func:`analysis.compute` result.

    Returns
    -------
    dict

    Examples
    --------
    >>> from analysis import load, compute
    >>> d = results_dict(compute(load(), 2022, projection=False))
    >>> d["through_year"], [r["source_id"] for r in d["landing"]]
    (2022, ['cn2021', 'bjd2022'])
    """
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
            "investment_100m_yuan": (cum["investment_100m_yuan"]),
            "investment_qualifier": cum["investment_qualifier"],
            "investment_status": cum["investment_status"],
            "projects_range": _range(cum["projects_range"]),
            "investment_range_100m_yuan": _range(cum["investment_range"]),
            "periods": cum["periods"],
            "note": cum["note"],
        },
        "periods": [],
        "landing": [_landing_row(s) for s in res.landing_statements],
        "mix": {},
        "mix_summary": {},
        "compare": {d: [_row(r, COMPARE_KEYS) for _, r in frame.iterrows()] for d, frame in res.compare.items()},
        "compare_notes": {d: M.taxonomy_notes(res.dataset, d, frame) for d, frame in res.compare.items()},
        "claims": [_claim_row(c) for _, c in res.claims.iterrows()],
    }
    # the formula is a fact (stats.metrics.Formula): written in English words here, as every JSON text is
    out["periods"] = [
        {**_row(t, PERIOD_KEYS), "investment_formula": facts.formula(t["investment_formula"])}
        for _, t in res.periods.iterrows()
    ]
    for p, by_dim in res.mix.items():
        entry, summ = {}, {}
        for d, mx in by_dim.items():
            entry[d] = [_row(r, GROUP_KEYS) for _, r in mx.groups.iterrows()]
            summ[d] = {
                "total_projects": _i(mx.total_projects),
                "total_investment_100m_yuan": (mx.total_investment),
                "stated_investment_100m_yuan": (mx.stated_investment),
                "unstated_groups": mx.unstated_groups,
                "remainder_investment_100m_yuan": (mx.remainder_investment),
                "remainder_projects": _i(mx.remainder_projects),
                "remainder_verdict": mx.remainder_verdict,
                "remainder_range_100m_yuan": None if mx.remainder_range is None else list(mx.remainder_range),
                "hhi_investment": None if mx.hhi_investment is None else list(mx.hhi_investment),
                "complete": mx.complete,
            }
        out["mix"][p.key] = entry
        out["mix_summary"][p.key] = summ
    if res.projection_note is not None:
        out["projection"] = []
        out["projection_note"] = res.projection_note
    elif res.projection is not None:
        out.update(projection_dict(res.projection))
    st = res.since_then
    if st is not None:
        out["backtest"] = _records(st.backtest, _BACKTEST_KEYS)
        out["landing_backtest"] = _records(st.landing_backtest)
        out["since_then"] = {
            "sources": [_source_row(r) for _, r in st.sources.iterrows()],
            "totals": [_row(r, TOTAL_KEYS) for _, r in st.totals.iterrows()],
            "landing": [_landing_row(s) for s in st.landing_statements],
            "claims": [_claim_row(c) for _, c in st.claims.iterrows()],
        }
    return out


def jsonable(obj, ndigits: int = ROUND):
    """The one JSON cleaner: NA/NaN -> None, numpy scalars -> Python, floats rounded, tuples -> lists.

    Parameters
    ----------
    obj : object
        A dict, list, tuple or scalar.
    ndigits : int
        Decimals floats are rounded to.

    Returns
    -------
    object
        The same structure with JSON types only.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": (np.int64(2), float("nan"), 1 / 3)})
    {'a': [2, None, 0.333333]}
    """
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


def _records(frame: pd.DataFrame | None, keys=None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    out = []
    for r in frame.to_dict("records"):
        row = {}
        for k, v in r.items():
            name = keys.get(k, k) if keys else k
            if name is None:
                continue
            if k.endswith("_lo") and k[:-3] + "_hi" in r:
                row[k[:-3]] = [v, r[k[:-3] + "_hi"]]
            elif k.endswith("_hi") and k[:-3] + "_lo" in r:
                continue
            else:
                row[name] = v
        out.append(row)
    return out


_BACKTEST_KEYS = {"interval_score95": "interval_score"}


def projection_dict(proj) -> dict:
    """The projection's JSON keys: per-year summaries, the model and its assumptions, thresholds, landing.

    Parameters
    ----------
    proj : Projection
        A projection (:func:`analysis.stats.projection.project`).

    Returns
    -------
    dict
        ``projection``, ``projection_model``, ``threshold_probabilities`` and ``landing_projection``.

    Examples
    --------
    >>> from analysis import load
    >>> from analysis.stats import metrics, projection
    >>> v = metrics.vintage(load(), 2023)
    >>> d = projection_dict(projection.project(v.dataset, v.through, horizon=1, n_sims=200))
    >>> [y["year"] for y in d["projection"]], d["projection_model"]["n_sims"]
    ([2024], 200)
    """
    from ..core.config import PRIORS

    by_year = []
    for y in proj.years:
        row = {"year": y}
        for metric in proj.table.loc[proj.table["year"] == y, "metric"]:
            p = proj.row(y, metric)
            row[metric] = {
                "mean": p["mean"],
                "median": p["median"],
                "pi80": [p["pi80_lo"], p["pi80_hi"]],
                "pi95": [p["pi95_lo"], p["pi95_hi"]],
            }
        by_year.append(row)
    return {
        "projection": by_year,
        "projection_model": {
            "name": "averaged Bayesian model (constant level, local level, drift)",
            "weights": proj.weights,
            "through": proj.through,
            "years": proj.years,
            "n_sims": proj.n_sims,
            "seed": proj.seed,
            "scenario": {
                "growth_projects": proj.scenario.growth_projects,
                "growth_investment_per_project": proj.scenario.growth_investment_per_project,
                "landing_rate": proj.scenario.landing_rate,
            },
            "cumulative_start": proj.start,
            "intervals": "posterior predictive quantiles (inverted CDF) of simulated observed values; every "
            "parameter's and the model choice's uncertainty is integrated",
            "posterior": proj.summary,
            "priors": {
                k: {"distribution": p.dist, "parameters": list(p.params), "reason": p.reason} for k, p in PRIORS.items()
            },
        },
        "threshold_probabilities": _records(proj.thresholds),
        "landing_projection": _records(proj.landing),
    }


def _num(x) -> str:
    return "—" if x is None else locale.num(x)


_PROJECTION_PARTS = (
    ("projects", "cli_projection_projects"),
    ("investment_100m_yuan", "cli_projection_investment"),
    ("cumulative_investment_100m_yuan", "cli_projection_cumulative_investment"),
)
_FLAGS = {True: "cli_flag_ok", False: "cli_flag_bad", None: "cli_flag_unknown"}
_STATUS_WORDS = {"reported": "reported", "derived": "derived", "missing": "cli_status_missing"}


def metrics_text(res, lang: str = "en") -> str:
    """The metrics for the terminal (``metrics --format table``): what :func:`results_dict` holds, in words.

    Every word comes from :data:`analysis.core.locale.WORDS` (the ``cli_*`` block), every number through
    :mod:`analysis.core.locale`, every claim and formula from its facts (:mod:`analysis.present.facts`).

    Parameters
    ----------
    res : Results
        :func:`analysis.compute`'s result.
    lang : str
        ``en`` (the default) or ``zh``.

    Returns
    -------
    str
        Lines without a final newline.

    Examples
    --------
    >>> from analysis import load, compute
    >>> res = compute(load(), 2021, projection=False)
    >>> print(metrics_text(res).splitlines()[0])
    Through 2021, as known on 2021-05-14 (1 article(s): cn2021)
    >>> print(metrics_text(res, "zh").splitlines()[0])
    截至2021年，依据2021-05-14以前发表的报道（1篇：cn2021）
    """
    locale.check_lang(lang)
    m = jsonable(results_dict(res))

    def w(key: str, **fmt) -> str:
        text = locale.word(key, lang)
        return text.format(**fmt) if fmt else text

    def hedged(x, qualifier, unit=None, bounds=None) -> str:
        return locale.hedged(x, qualifier, lang, unit, bounds=bounds)

    def iv(pair) -> str:
        return "—" if pair is None or pair[0] is None else locale.interval(pair[0], pair[1], lang)

    def status(s) -> str:
        return w(_STATUS_WORDS[s])

    v = m["vintage"]
    lines = [
        w(
            "cli_through",
            through=m["through_year"],
            as_of=v["as_of"],
            n=v["n_sources"],
            sources=w("cli_list_sep").join(s["source_id"] for s in v["sources"]),
        )
    ]
    c = m["cumulative"]
    if c["periods"]:
        lines.append(
            w(
                "cli_cumulative",
                projects=hedged(c["projects"], c["projects_qualifier"], "projects", c["projects_range"]),
                projects_status=status(c["projects_status"])
                if c["projects_status"]
                else locale.word("not_published", lang),
                investment=hedged(
                    c["investment_100m_yuan"], c["investment_qualifier"], "yi_yuan", c["investment_range_100m_yuan"]
                ),
                investment_status=status(c["investment_status"])
                if c["investment_status"]
                else locale.word("not_published", lang),
                periods=" + ".join(c["periods"]),
            )
        )
    else:
        lines.append(w("cli_no_cumulative"))
    if c["note"]:
        lines.append(w("cli_note", note=c["note"]))
    lines += [
        "",
        w("cli_periods"),
        f"  {w('cli_col_period'):<11}{w('cli_col_projects'):>9}{w('cli_col_investment'):>10}  {w('cli_col_hedge'):<10}"
        f"{w('cli_col_status'):<9}{w('cli_col_projects_per_year'):>8}{w('cli_col_investment_per_year'):>9}"
        f"{w('cli_col_per_project'):>10}",
    ]
    pad = f"{'':<11}"
    for p, (_, row) in zip(m["periods"], res.periods.iterrows(), strict=True):
        label = locale.period(p["first_year"], p["last_year"], lang)
        lines.append(
            f"  {label:<11}{_num(p['projects']):>9}{_num(p['investment_100m_yuan']):>10}  "
            f"{locale.hedge_cell(p['investment_qualifier'], p['investment_range_100m_yuan'], lang, '—'):<10}"
            f"{status(p['investment_status']) if p['investment_status'] else '—':<9}"
            f"{_num(p['projects_per_year']):>8}{_num(p['investment_per_year_100m_yuan']):>9}{_num(p['investment_per_project_100m_yuan']):>10}"
        )
        if p["projects_qualifier"] not in (None, "exact"):
            lines.append(
                w(
                    "cli_projects_hedged",
                    pad=pad,
                    value=hedged(p["projects"], p["projects_qualifier"], "projects", p["projects_range"]),
                )
            )
        if p["investment_formula"]:
            lines.append(w("cli_investment_derived", pad=pad, formula=facts.formula(row["investment_formula"], lang)))
    lines.append(w("cli_amounts_unit"))
    if m["landing"]:
        lines += ["", w("cli_landing")]
        for stmt in res.landing_statements:  # the typed records (metrics.LandingStatement)
            stated = (
                w("cli_no_rate")
                if stmt.stated_rate is None
                else w("cli_stated_rate", rate=hedged(stmt.stated_rate * 100, stmt.stated_qualifier, "percent"))
                + (
                    ""
                    if stmt.consistent is None
                    else w("cli_rate_verdict", verdict=locale.verdict(stmt.consistent, lang))
                )
            )
            if stmt.landed is not None:
                count = w(
                    "cli_counted",
                    landed=_num(stmt.landed),
                    signed=_num(stmt.signed),
                    rate=locale.pct(stmt.rate),
                    lo=locale.pct(stmt.ci95_lo),
                    hi=locale.pct(stmt.ci95_hi),
                )
            elif stmt.landed_lo is not None:
                lo, hi = stmt.landed_lo, stmt.landed_hi
                count = w(
                    "cli_by_rate", count=_num(lo) if lo == hi else _num(lo) + "–" + _num(hi), signed=_num(stmt.signed)
                )
            else:
                count = w("cli_no_count")
            signed = (
                w(
                    "cli_signed_derived",
                    status=status(stmt.signed_status),
                    formula=facts.formula(stmt.signed_formula, lang),
                )
                if stmt.signed_status == "derived"
                else ""
            )
            lines.append(
                w(
                    "cli_landing_row",
                    period=locale.period(stmt.first_year, stmt.last_year, lang),
                    as_of=stmt.as_of,
                    count=count,
                    stated=stated,
                    signed=signed,
                )
            )
    for key, entry in m["mix"].items():
        for d, groups in entry.items():
            s = m["mix_summary"][key][d]
            hhi = s["hhi_investment"]
            h = (
                ""
                if hhi is None
                else w(
                    "cli_hhi",
                    hhi=locale.num(hhi[0], lang, 3)
                    if abs(hhi[1] - hhi[0]) < 1e-9
                    else f"{locale.num(hhi[0], lang, 3)}–{locale.num(hhi[1], lang, 3)}",
                )
            )
            lines += ["", w("cli_mix", period=key, scheme=d, scheme_label=res.dimension_labels[d][0], hhi=h)]
            names = [w("cli_group", zh=g["group_zh"], en=g["group_en"]) for g in groups]
            width = max(len(n) for n in names) + 2
            for g, group in zip(groups, names, strict=True):
                lines.append(
                    f"  {group:<{width}}{_num(g['projects']):>4} ({locale.pct(g['project_share'])})  "
                    f"{_num(g['investment_100m_yuan']):>8} ({locale.pct(g['investment_share'])})"
                )
            if s["remainder_projects"] is not None:
                lines.append(w("cli_no_count_groups", n=_num(s["remainder_projects"])))
            if s["unstated_groups"]:
                why = w(f"cli_remainder_{s['remainder_verdict']}", amount=_num(s["remainder_investment_100m_yuan"]))
                lines.append(w("cli_no_amount_groups", n=len(s["unstated_groups"]), why=why))
    lines += ["", w("cli_claims")]
    lines += _claim_lines(m["claims"], res.claims, lang, w, hedged)
    if m.get("projection"):
        weights = w("cli_list_sep").join(
            f"{k} {locale.pct(x, lang, 0)}" for k, x in m["projection_model"]["weights"].items()
        )
        lines += ["", w("cli_projection", weights=weights)]
        for y in m["projection"]:
            parts = [
                f"{w(label)} {locale.rounded(y[k]['median'], lang)} [{iv(y[k]['pi80'])}] [{iv(y[k]['pi95'])}]"
                for k, label in _PROJECTION_PARTS
                if k in y
            ]
            lines.append(w("cli_projection_year", year=y["year"], parts=w("cli_part_sep").join(parts)))
    elif m.get("projection_note"):
        lines += ["", w("cli_projection_note", note=m["projection_note"])]
    if m.get("backtest"):
        lines += ["", w("cli_backtest")]
        for b in m["backtest"]:
            lines.append(
                w(
                    "cli_backtest_row",
                    year=b["year"],
                    metric=b["metric"],
                    metric_label=locale.word(locale.METRIC_LABELS[b["metric"]], lang)
                    if b["metric"] in locale.METRIC_LABELS
                    else b["metric"],
                    actual=hedged(b["actual"], b["actual_qualifier"], None, b["actual_range"]),
                    median=locale.rounded(b["median"], lang),
                    pi80=iv(b["pi80"]),
                    pi95=iv(b["pi95"]),
                    inside80=w("cli_inside" if b["inside80"] else "cli_outside"),
                    inside95=w("cli_inside" if b["inside95"] else "cli_outside"),
                    score=locale.rounded(b["interval_score"], lang),
                    crps=locale.rounded(b["crps"], lang),
                )
            )
    if m.get("since_then"):
        st = m["since_then"]
        lines += ["", w("cli_since_then", sources=w("cli_list_sep").join(s["source_id"] for s in st["sources"]))]
        for t in st["totals"]:
            lines.append(
                w(
                    "cli_since_then_total",
                    period=locale.period(t["first_year"], t["last_year"], lang),
                    projects=hedged(t["projects"], t["projects_qualifier"], "projects"),
                    investment=hedged(t["investment_100m_yuan"], t["investment_qualifier"], "yi_yuan"),
                )
            )
        for text in facts.claims(res.since_then.claims, lang):
            lines.append(w("cli_line", text=text))
    return "\n".join(lines)


def _claim_lines(rows: list[dict], led: pd.DataFrame, lang: str, w, hedged) -> list[str]:
    """The ledger's lines: verdict flag, sentence, stated and computed figures, the formula."""
    out = []
    for c, text, (_, fact) in zip(rows, facts.claims(led, lang), led.iterrows(), strict=True):
        unit = "percent" if c["kind"] == "landing_rate" else None
        if c["stated"] is None:
            detail = w("cli_claim_computed", computed=_num(c["computed"]))
            if c["formula"]:
                detail += w("cli_claim_formula", formula=facts.formula(fact["formula"], lang))
        else:
            detail = w(
                "cli_claim_stated", stated=hedged(c["stated"], c["qualifier"], unit), computed=_num(c["computed"])
            )
        out.append(w("cli_claim", flag=w(_FLAGS[c["consistent"]]), text=text, detail=detail))
    return out


# --------------------------------------------------------------------------------------------- CSV downloads


def _cumulative_frame(res, lang, measure: str = "projects", *_, **__) -> pd.DataFrame:
    from .charts import cumulative_points

    loc = locale.of(lang)
    pts = cumulative_points(res, measure)
    return pd.DataFrame(
        {
            loc.word("year"): pts["year"],
            loc.word("furn_cumulative_sum"): pts["sum"],
            loc.word("stated_total"): pts["stated"],
            loc.word("hedge"): [loc.hedge_word(q) if q else "" for q in pts["stated_qualifier"]],
        }
    )


def _projection_frame(res, lang, *_, **__) -> pd.DataFrame | None:
    if not res.projection:
        return None
    loc = locale.of(lang)
    tab = res.projection.table
    frame = {
        loc.word("year"): tab["year"],
        loc.word("metric"): [loc.word(locale.METRIC_LABELS[m]) for m in tab["metric"]],
        loc.word("median"): tab["median"],
        loc.word("mean"): tab["mean"],
    }
    for level in ("80", "95"):
        interval = loc.word(f"pi{level}")
        frame[loc.word("furn_low", interval=interval)] = tab[f"pi{level}_lo"]
        frame[loc.word("furn_high", interval=interval)] = tab[f"pi{level}_hi"]
    return pd.DataFrame(frame)


def _table_frame(fn_name: str):
    """The frame of the table of the same numbers: ``tables.<fn_name>(...).data``."""

    def frame(res, lang, *args, **_):
        from . import tables

        if fn_name == "mix":
            return tables.mix(args[0], lang).data
        if fn_name == "compare":
            return tables.compare(res, args[0], lang).data
        return getattr(tables, fn_name)(res, lang).data

    return frame


def _record_frame(res, lang, rec=None, measure="projects", *_, **__) -> pd.DataFrame:
    """The forecast record's chart: the rows of its table for the measure drawn (``tables.record``)."""
    from ..stats.record import forecast_record
    from . import tables

    rec = forecast_record(res.dataset, refit=False) if rec is None else rec
    return tables.record(
        rec[rec["target"] == ("projects" if measure == "projects" else "investment_100m_yuan")], lang
    ).data


#: chart function name → the frame of the numbers it shows (each with its hedges in a column of its own)
CHART_FRAMES = {
    "signings": _table_frame("periods"),
    "series": _table_frame("periods"),
    "cumulative": _cumulative_frame,
    "landing": _table_frame("landing"),
    "mix": _table_frame("mix"),
    "compare": _table_frame("compare"),
    "projection": _projection_frame,
    "record": _record_frame,
}


def chart_csv(fn, res, lang: str, *args, **kwargs) -> bytes | None:
    r"""The CSV of the numbers the chart ``fn(res, lang, *args, **kwargs)`` shows; None for a chart without one.

    Parameters
    ----------
    fn : callable
        A chart function of :mod:`analysis.present.charts`.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    *args, **kwargs
        The chart's further arguments.

    Returns
    -------
    bytes or None
        The file (:func:`csv_bytes`).

    Examples
    --------
    >>> from analysis import charts, compute, load
    >>> from analysis.present.output import chart_csv
    >>> chart_csv(charts.signings, compute(load(), 2023), "en", "projects").startswith(b"\xef\xbb\xbfperiod,")
    True
    """
    make = CHART_FRAMES.get(getattr(fn, "__name__", ""))
    kwargs = {k: v for k, v in kwargs.items() if k != "size"}
    frame = make(res, lang, *args, **kwargs) if make else None
    return None if frame is None else csv_bytes(frame)
