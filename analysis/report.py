"""What the notebooks call: parameter checks, figure display/saving, and prose generated from numbers.

Every number in the prose below is formatted from a computed value; no figure is typed. Each
function takes ``lang`` ("zh" or "en") and returns Markdown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import claims as C
from . import metrics as M
from .qualifiers import APPROX_REL_TOL, NEARLY_REL_TOL, WORDING_EN, WORDING_ZH, agrees
from .data import Dataset

LANGS = ("zh", "en")


# --------------------------------------------------------------------------------------------- notebook plumbing


def check_params(ds: Dataset | None = None, *, lang: str, year: int | None = None, through: int | None = None,
                 horizon: int | None = None) -> None:
    """Validate notebook parameters (papermill silently accepts any value); raise ValueError naming the bad one."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    if ds is not None:
        years = ds.conference_years
        if year is not None and year not in years:
            raise ValueError(f"year {year} is not a conference year in the data ({', '.join(map(str, years))})")
        if through is not None and not years[0] <= through <= years[-1]:
            raise ValueError(f"through {through} is outside the conference years {years[0]}–{years[-1]}")
    if horizon is not None:
        from .projection import MAX_HORIZON  # only the projection notebook has a horizon

        if not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON:
            raise ValueError(f"horizon must be a whole number of years from 1 to {MAX_HORIZON}, got {horizon!r}")


def show(fig, name: str, fig_dir: str | None = None) -> None:
    """Render a figure once to PNG, show it in the notebook, save it as ``<fig_dir>/<name>.png`` when asked.

    The PNG bytes are displayed directly (``IPython.display.Image``), so the output does not depend
    on the kernel's matplotlib backend and carries no ``<Figure ...>`` text; the figure is closed.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    from .plotting import DPI

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    data = buf.getvalue()
    if fig_dir:
        Path(fig_dir).mkdir(parents=True, exist_ok=True)
        (Path(fig_dir) / f"{name}.png").write_bytes(data)
    display(Image(data=data, format="png"))


def md(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def table(df: pd.DataFrame):
    """A table for display as plain HTML: no index, nothing truncated, NA as an em dash, no random ids."""
    from IPython.display import HTML

    return HTML(df.reset_index(drop=True).to_html(index=False, na_rep="—", border=0, classes="report-table"))


# --------------------------------------------------------------------------------------------- formatting


def _t(lang: str, zh: str, en: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return zh if lang == "zh" else en


def num(x, lang: str = "en", nd: int = 2) -> str:
    """A number as a reader wants it: whole numbers without decimals, others with ``nd``."""
    if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
        return _t(lang, "未公布", "not published")
    x = float(x)
    if x.is_integer():
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def pct(x, lang: str = "en", nd: int = 1) -> str:
    if x is None or x is pd.NA or pd.isna(x):
        return "—"
    return f"{float(x) * 100:.{nd}f}%"


def hedge(value, qualifier: str | None, lang: str, unit: str = "") -> str:
    """A stated value with the source's hedge kept: 约280.66亿元 / about 280.66 亿元."""
    if value is None or pd.isna(value):
        return _t(lang, "未公布", "not published")
    q = qualifier or "exact"
    if lang == "zh":
        w = WORDING_ZH[q]
        return f"{num(value, lang)}{w}{unit}" if q == "more_than" else f"{w}{num(value, lang)}{unit}"
    w = WORDING_EN[q]
    return f"{w + ' ' if w else ''}{num(value, lang)}{(' ' + unit) if unit else ''}"


def _yuan(lang: str) -> str:
    return _t(lang, "亿元", "亿元 (100m yuan)")


# --------------------------------------------------------------------------------------------- prose


def title(kind: str, lang: str, year: int | None = None) -> str:
    titles = {
        "trends": ("通州与北三县项目推介洽谈会:签约趋势", "Tongzhou · North Three Counties conferences: signing trends"),
        "landing": ("签约项目落地率", "Landing rates of signed projects"),
        "mix": ("签约项目的类别与区域结构", "Category and place mix of signed projects"),
        "projection": ("未来签约的预测", "Projection of future signings"),
        "year": (f"{year}年度报告", f"Yearly report {year}"),
    }
    zh, en = titles[kind]
    return "# " + _t(lang, zh, en)


def data_basis_md(ds: Dataset, through: int | None, lang: str) -> str:
    """How little the analysis rests on, stated from the data."""
    t = M.trends(ds, through)
    agg = t[t["n_years"] > 1]
    n_sources = len(ds["sources"])
    if lang == "zh":
        parts = [f"本分析基于{n_sources}篇报道中公布的数字:{len(t)}个公布期"]
        if len(agg):
            parts.append(f"其中{'、'.join(agg['period'])}只有多年合计数,单年数字未公布,此处也不作拆分")
        return ",".join(parts) + "。样本极小,所有区间都应按此理解。"
    parts = [f"This analysis rests on the figures published in {n_sources} article(s): {len(t)} published period(s)"]
    if len(agg):
        parts.append(
            f"of which {', '.join(agg['period'])} exist only as multi-year totals; single years inside them are "
            "not published and are not split here"
        )
    return "; ".join(parts) + ". The sample is tiny; read every interval with that in mind."


def trends_md(ds: Dataset, through: int | None, lang: str) -> str:
    t = M.trends(ds, through)
    c = M.cumulative(ds, through)
    lines = []
    cp = hedge(c["projects"], c["projects_qualifier"], lang, "个" if lang == "zh" else "projects")
    ci = hedge(c["investment_100m_yuan"], c["investment_qualifier"], lang, "亿元")
    how = {
        "reported": _t(lang, "报道所述", "as reported"),
        "derived": _t(lang, "由已公布数字推算", "derived from published figures"),
        None: _t(lang, "未公布", "not published"),
    }
    if not c["periods"]:
        pass  # nothing published through this year; the note below says why
    elif lang == "zh":
        lines.append(
            f"截至{c['through_year']}年({'、'.join(c['periods'])}),累计签约项目{cp}({how[c['projects_status']]}),"
            f"意向投资额累计{ci}({how[c['investment_status']]})。"
        )
    else:
        lines.append(
            f"Through {c['through_year']} ({' + '.join(c['periods'])}): {cp} signed in all ({how[c['projects_status']]}), "
            f"{ci} of intended investment ({how[c['investment_status']]})."
        )
    if c["note"]:
        stop = f"累计数只算到{int(t['last_year'].iloc[-1])}年" if len(t) else "截至该年的累计数无从得知"
        lines.append(_t(lang, f"注:{c['through_year']}年位于合计期{c['inside']}之内,单年数字未公布,{stop}。", f"Note: {c['note']}."))
    for _, r in t.iterrows():
        inv = hedge(r["investment_100m_yuan"], r["investment_qualifier"], lang, "亿元" if lang == "zh" else "亿元")
        derived = r["investment_status"] == "derived"
        if lang == "zh":
            s = f"- **{r['period']}**:签约项目{hedge(r['projects'], r['projects_qualifier'], lang, '个')},意向投资额{inv}"
            if derived:
                s += f"(推算:{r['investment_formula']})"
            if r["n_years"] > 1:
                s += f";年均{num(r['projects_per_year'], lang, 1)}个、{num(r['investment_per_year_100m_yuan'], lang)}亿元"
            s += f";平均每个项目{num(r['investment_per_project_100m_yuan'], lang)}亿元。"
        else:
            s = f"- **{r['period']}**: {hedge(r['projects'], r['projects_qualifier'], lang, 'projects')}, {inv} intended investment"
            if derived:
                s += f" (derived: {r['investment_formula']})"
            if r["n_years"] > 1:
                s += (f"; per year on average {num(r['projects_per_year'], lang, 1)} projects and "
                      f"{num(r['investment_per_year_100m_yuan'], lang)} 亿元")
            s += f"; {num(r['investment_per_project_100m_yuan'], lang)} 亿元 per project."
        lines.append(s)
    if len(t) >= 2:
        last, prev = t.iloc[-1], t.iloc[-2]
        dp, di = last["change_projects_per_year"], last["change_investment_per_year"]
        if lang == "zh":
            lines.append(
                f"\n{last['period']}与{prev['period']}的年均水平相比:签约项目数{_signed_pct(dp)},意向投资额{_signed_pct(di)}。"
            )
        else:
            lines.append(
                f"\nAgainst the {prev['period']} annual average, {last['period']} had {_signed_pct(dp)} projects "
                f"and {_signed_pct(di)} intended investment."
            )
    return "\n".join(lines)


def _signed_pct(x) -> str:
    if x is None or x is pd.NA or pd.isna(x):
        return "—"
    return f"{float(x) * 100:+.1f}%"


def periods_table(ds: Dataset, through: int | None, lang: str) -> pd.DataFrame:
    t = M.trends(ds, through)
    cols = {
        "period": ("时期", "period"),
        "n_years": ("年数", "years"),
        "projects": ("签约项目", "projects"),
        "investment_100m_yuan": ("意向投资额(亿元)", "investment (亿元)"),
        "investment_status": ("投资额来源", "investment source"),
        "projects_per_year": ("年均项目", "projects / year"),
        "investment_per_year_100m_yuan": ("年均投资(亿元)", "亿元 / year"),
        "investment_per_project_100m_yuan": ("每项目投资(亿元)", "亿元 / project"),
    }
    out = pd.DataFrame({_t(lang, *v): t[k] for k, v in cols.items()})
    status = {"reported": _t(lang, "报道", "reported"), "derived": _t(lang, "推算", "derived")}
    out[_t(lang, *cols["investment_status"])] = t["investment_status"].map(status)
    for k in ("projects_per_year", "investment_per_year_100m_yuan", "investment_per_project_100m_yuan", "investment_100m_yuan"):
        out[_t(lang, *cols[k])] = t[k].map(lambda v: num(v, lang))
    out[_t(lang, *cols["projects"])] = t["projects"].map(lambda v: num(v, lang))
    return table(out)


def landing_md(ds: Dataset, through: int | None, lang: str) -> str:
    lr = M.landing_rates(ds, through)
    if lr.empty:
        return _t(lang, "截至该年没有公布落地数字。", "No landing figures are published for this period.")
    lines = []
    for _, r in lr.iterrows():
        stated = hedge(r["stated_rate"] * 100 if r["stated_rate"] is not None else None, r["stated_qualifier"], lang, "%")
        ok = bool(r["consistent"]) if r["consistent"] is not None else None
        if lang == "zh":
            verdict = {True: "与报道一致", False: "与报道不一致", None: "无法核对"}[ok]
            lines.append(
                f"- **{r['cohort']}年签约的{r['signed']}个项目**中有{r['landed']}个落地,落地率{pct(r['rate'])}"
                f"(95% Wilson区间 {pct(r['ci95_lo'])}–{pct(r['ci95_hi'])});报道称“落地率{stated}”,{verdict}。"
            )
        else:
            verdict = {True: "consistent with the report", False: "NOT consistent with the report", None: "not checkable"}[ok]
            lines.append(
                f"- **{r['cohort']} cohort**: {r['landed']} of {r['signed']} landed, {pct(r['rate'])} "
                f"(95% Wilson interval {pct(r['ci95_lo'])}–{pct(r['ci95_hi'])}); the report says {stated}: {verdict}."
            )
    for _, e in M.expected_landing(ds, through).iterrows():
        if lang == "zh":
            lines.append(
                f"- 若历史落地率({e['rate_from']}年)保持不变,{e['cohort']}年签约的{e['signed']}个项目预计约有"
                f"{e['expected']:.1f}个落地(期望值的95%区间 {e['lo']:.1f}–{e['hi']:.1f})。"
            )
        else:
            lines.append(
                f"- If the {e['rate_from']} rate holds, about {e['expected']:.1f} of the {e['signed']} projects signed in "
                f"{e['cohort']} will land (95% interval of the expected number {e['lo']:.1f}–{e['hi']:.1f})."
            )
    lines.append(_t(lang, "\n“落地”是主办方自己的口径,本包不作核实。", "\n\"Landed\" (落地) is the organisers' own term and count; it is not verified here."))
    return "\n".join(lines)


def mix_md(mx: M.Mix, lang: str) -> str:
    g = mx.groups
    dim = {"category": ("类别", "category"), "place": ("区域", "place")}[mx.dimension]
    counted = g[g["projects"].notna()]
    lines = [_t(lang, f"**{mx.period.label}年按{dim[0]}**:", f"**{mx.period.label} by {dim[1]}**:")]
    if len(counted):
        top_n = counted.sort_values("projects", ascending=False).iloc[0]
        name = top_n["group_zh"] if lang == "zh" else top_n["group_en"]
        lines.append(_t(lang, f"项目最多的是{name}({num(top_n['projects'])}个,占{pct(top_n['project_share'])})。",
                        f"the largest group by projects is {name} ({num(top_n['projects'])}, {pct(top_n['project_share'])})."))
    missing = g.loc[g["projects"].isna(), "group_zh" if lang == "zh" else "group_en"].tolist()
    if missing:
        rest = "" if mx.remainder_projects is None else _t(
            lang, f",总数减去已公布部分余{num(mx.remainder_projects)}个", f"; the total leaves {num(mx.remainder_projects)} for them")
        lines.append(_t(lang, f"{'、'.join(missing)}未公布项目数{rest}。", f"No count is published for {', '.join(missing)}{rest}."))
    stated = g[g["investment_100m_yuan"].notna()]
    if len(stated):
        top_i = stated.sort_values("investment_100m_yuan", ascending=False).iloc[0]
        name_i = top_i["group_zh"] if lang == "zh" else top_i["group_en"]
        lines.append(_t(
            lang,
            f"投资额最多的是{name_i}({hedge(top_i['investment_100m_yuan'], top_i['investment_qualifier'], lang, '亿元')},"
            f"占总额{pct(top_i['investment_share'])};{num(top_i['projects'])}个项目,平均每个{num(top_i['investment_per_project_100m_yuan'])}亿元)。",
            f"The largest by intended investment is {name_i} ({hedge(top_i['investment_100m_yuan'], top_i['investment_qualifier'], lang, '亿元')}, "
            f"{pct(top_i['investment_share'])} of the total, from {num(top_i['projects'])} projects: "
            f"{num(top_i['investment_per_project_100m_yuan'])} 亿元 each on average).",
        ))
    if mx.unstated_groups:
        names = mx.unstated_groups if lang == "zh" else g.set_index("group_zh").loc[mx.unstated_groups, "group_en"].tolist()
        rem = mx.remainder_investment
        total = hedge(mx.total_investment, mx.total_investment_qualifier, lang, "亿元")
        if rem is None:
            lines.append(_t(lang, f"{'、'.join(names)}未公布投资额;总额未公布,无从推算。",
                            f"No amount is published for {', '.join(names)}, and without a total none can be implied."))
        elif agrees(mx.total_investment, mx.total_investment_qualifier or "exact", mx.stated_investment):
            # the stated groups already make up the (hedged) total: nothing is left to attribute
            lines.append(_t(
                lang,
                f"{'、'.join(names)}未公布投资额;已公布各组合计{num(mx.stated_investment)}亿元,已与总额{total}相符,"
                "报道没有给这些组留下金额,也未说明其投资额是否另计。",
                f"No amount is published for {', '.join(names)}; the stated groups already add up to "
                f"{num(mx.stated_investment)} 亿元, matching the total of {total}, so the article leaves no amount for "
                "them and does not say whether theirs is counted elsewhere.",
            ))
        else:
            lines.append(_t(
                lang,
                f"{'、'.join(names)}未公布投资额;总额{total}减去已公布部分,余下{num(rem)}亿元为它们合计的隐含金额。",
                f"No amount is published for {', '.join(names)}; the total of {total} minus the stated groups leaves "
                f"{num(rem)} 亿元 for them together.",
            ))
    if mx.hhi_investment:
        lo, hi = mx.hhi_investment
        h = f"{lo:.3f}" if abs(hi - lo) < 1e-9 else f"{lo:.3f}–{hi:.3f}"
        lines.append(_t(lang, f"投资集中度(HHI):{h}。", f"Concentration of investment (HHI): {h}."))
    return ("" if lang == "zh" else " ").join(lines)


def mix_table(mx: M.Mix, lang: str) -> pd.DataFrame:
    g = mx.groups
    out = pd.DataFrame(
        {
            _t(lang, "公布名称", "published name"): g["group_zh"],
            _t(lang, "英文", "English"): g["group_en"],
            _t(lang, "统一分组", "harmonised"): g["harmonised_zh"] if lang == "zh" else g["harmonised_en"],
            _t(lang, "项目", "projects"): g["projects"].map(lambda v: num(v, lang)),
            _t(lang, "项目占比", "project share"): g["project_share"].map(pct),
            _t(lang, "意向投资额(亿元)", "investment (亿元)"): [
                hedge(v, q, lang) for v, q in zip(g["investment_100m_yuan"], g["investment_qualifier"])
            ],
            _t(lang, "投资占比", "investment share"): g["investment_share"].map(pct),
            _t(lang, "每项目(亿元)", "亿元 / project"): g["investment_per_project_100m_yuan"].map(lambda v: num(v, lang) if pd.notna(v) else "—"),
        }
    )
    return table(out)


def claims_table(ds: Dataset, through: int | None, lang: str) -> pd.DataFrame:
    """The claims ledger for reading: statement, stated value with its hedge, computed value, verdict."""
    led = C.ledger(ds, through)
    verdict = {True: _t(lang, "一致", "consistent"), False: _t(lang, "不一致", "INCONSISTENT"), None: _t(lang, "无法核对", "not checkable")}
    basis = {"independent": _t(lang, "独立核对", "independent"), "by construction": _t(lang, "由推算保证", "by construction")}
    rate = led["kind"] == "landing_rate"
    out = pd.DataFrame(
        {
            _t(lang, "陈述", "statement"): led["text_zh"] if lang == "zh" else led["text_en"],
            _t(lang, "所述", "stated"): [
                hedge(s, q, lang, "%") if r else hedge(s, q, lang) for s, q, r in zip(led["stated"], led["qualifier"], rate)
            ],
            _t(lang, "计算", "computed"): [pct(c / 100) if r else num(c, lang) for c, r in zip(led["computed"], rate)],
            _t(lang, "结论", "verdict"): led["consistent"].map(lambda v: verdict[None if v is None else bool(v)]),
            _t(lang, "依据", "basis"): led["basis"].map(basis),
        }
    )
    return table(out)


def qualifier_rules_md(lang: str) -> str:
    return _t(
        lang,
        f"核对规则:无修饰词按所写精度相等;“约”相差不超过{APPROX_REL_TOL:.0%};“近”不高于所述值且不低于其{1 - NEARLY_REL_TOL:.0%};"
        "“余/逾”高于所述值、低于其末位进一;“超”高于所述值。",
        f"How claims are judged: no hedge means equal to the precision written; 约 (about) within {APPROX_REL_TOL:.0%}; "
        f"近 (nearly) at or below the stated value and not more than {NEARLY_REL_TOL:.0%} below; 余/逾 (more than) above it "
        "and below the next step of its last digit; 超 (over) above it.",
    )


def caveats_md(ds: Dataset, through: int | None, lang: str) -> str:
    """What the figures are not, built from the data: derived values and side amounts of unclear scope."""
    lines = [_t(
        lang,
        "- 意向投资额是签约时公布的意向,不是实际投资;“落地”为主办方口径,本包不作核实。",
        "- Intended investment (意向投资额) is announced at signing, not money spent; \"landed\" is the organisers' own count, not verified here.",
    )]
    through = M._check_through(ds, through)
    for p, vals in sorted(M.period_values(ds).items()):
        if p.last_year > through:
            continue
        for m, v in vals.items():
            if v.status != "derived" or v.from_period is None:
                continue
            what = _t(lang, "项目数" if m == "projects" else "意向投资额", "project count" if m == "projects" else "intended investment")
            lines.append(_t(
                lang,
                f"- {p.label}年的{what}是推算值({v.formula}),依据{v.from_period.label}年的合计数,"
                f"在{v.from_period.last_year}年公布之前并不可知。",
                f"- The {p.label} {what} is derived ({v.formula}) from the {v.from_period.label} total, "
                f"and was not known before {v.from_period.last_year}.",
            ))
    src_year = ds["sources"].set_index("source_id")["date_year"]
    det = ds["details"]
    for _, r in det[det["amount_100m_yuan"].notna()].iterrows():
        year = src_year.get(r["source_id"])
        if pd.isna(year) or int(year) > through:
            continue
        amount = hedge(r["amount_100m_yuan"], r["qualifier"], lang, "亿元")
        lines.append(_t(
            lang,
            f"- {r['subject_zh']}(意向投资额{amount})见于{int(year)}年的报道;它是否计入当年签约项目,报道未说明,本包不将其加入任何合计。",
            f"- The {r['subject_en']} ({amount} intended investment) appears in the {int(year)} article; whether it is among "
            "that year's signed projects is not stated, and it is not added to any total here.",
        ))
    return "\n".join(lines)


def year_md(ds: Dataset, year: int, lang: str) -> str:
    """What is and is not published for one conference year."""
    info = M.single_year(ds, year)
    p = info["period"]
    v = info["values"]
    pr, inv = v["projects"], v["investment_100m_yuan"]
    if info["published"]:
        return _t(
            lang,
            f"{year}年洽谈会签约{num(pr.value)}个项目,意向投资额{hedge(inv.value, inv.qualifier, lang, '亿元')}"
            + ("(推算)" if inv.status == "derived" else "") + "。",
            f"The {year} conference signed {num(pr.value)} projects with {hedge(inv.value, inv.qualifier, lang, '亿元')} "
            "of intended investment" + (" (derived)" if inv.status == "derived" else "") + ".",
        )
    return _t(
        lang,
        f"**{year}年的单年数字未公布。** 报道只给出{p.label}年({p.n_years}年)的合计:签约{num(pr.value)}个项目、"
        f"意向投资额{hedge(inv.value, inv.qualifier, lang, '亿元')}"
        + ("(推算)" if inv.status == "derived" else "")
        + f"。本报告不把合计拆分到单年;下文给出该时期与整体背景。",
        f"**Figures for {year} alone are not published.** The sources give only the {p.label} total ({p.n_years} years): "
        f"{num(pr.value)} projects and {hedge(inv.value, inv.qualifier, lang, '亿元')} of intended investment"
        + (" (derived)" if inv.status == "derived" else "")
        + ". This report does not split the total into single years; the context below is for the whole period.",
    )


def projection_md(proj, lang: str) -> str:
    """Summary of a projection: the next year's intervals and threshold probabilities, from the numbers."""
    tab = proj.table
    if tab.empty:
        return _t(lang, "没有可用于预测的完整时期。", "No complete period is available to project from.")
    first = int(tab["year"].min())
    last = int(tab["year"].max())
    row = tab[(tab["year"] == first)].set_index("metric")
    cum = tab[(tab["year"] == last)].set_index("metric")
    p, i = row.loc["projects"], row.loc["investment_100m_yuan"]
    ci = cum.loc["cumulative_investment_100m_yuan"]
    lines = [proj.data_note(lang), ""]
    if lang == "zh":
        lines.append(
            f"- {first}年:签约项目预计{p['mean']:.0f}个(80%预测区间 {p['pi80_lo']:.0f}–{p['pi80_hi']:.0f},95% {p['pi95_lo']:.0f}–{p['pi95_hi']:.0f});"
            f"意向投资额预计{i['mean']:.0f}亿元(80% {i['pi80_lo']:.0f}–{i['pi80_hi']:.0f},95% {i['pi95_lo']:.0f}–{i['pi95_hi']:.0f})。"
        )
        lines.append(f"- 到{last}年累计意向投资额:95%预测区间 {ci['pi95_lo']:.0f}–{ci['pi95_hi']:.0f}亿元。")
    else:
        lines.append(
            f"- {first}: {p['mean']:.0f} projects expected (80% prediction interval {p['pi80_lo']:.0f}–{p['pi80_hi']:.0f}, "
            f"95% {p['pi95_lo']:.0f}–{p['pi95_hi']:.0f}); intended investment {i['mean']:.0f} 亿元 "
            f"(80% {i['pi80_lo']:.0f}–{i['pi80_hi']:.0f}, 95% {i['pi95_lo']:.0f}–{i['pi95_hi']:.0f})."
        )
        lines.append(f"- Cumulative intended investment by {last}: 95% prediction interval {ci['pi95_lo']:.0f}–{ci['pi95_hi']:.0f} 亿元.")
    th = proj.thresholds
    if th is not None and not th.empty:
        for thr, grp in th.groupby("threshold_100m_yuan", sort=True):
            probs = ", ".join(f"{int(y)}: {pr:.0%}" for y, pr in zip(grp["year"], grp["probability"]))
            lines.append(_t(lang, f"- 累计意向投资额超过{thr:,.0f}亿元的概率:{probs}。",
                            f"- Probability that cumulative intended investment exceeds {thr:,.0f} 亿元: {probs}."))
    return "\n".join(lines)


def projection_table(proj, lang: str) -> pd.DataFrame:
    tab = proj.table
    names = {
        "projects": _t(lang, "签约项目", "projects"),
        "investment_100m_yuan": _t(lang, "意向投资额(亿元)", "investment (亿元)"),
        "cumulative_projects": _t(lang, "累计项目", "cumulative projects"),
        "cumulative_investment_100m_yuan": _t(lang, "累计投资(亿元)", "cumulative 亿元"),
    }
    out = pd.DataFrame(
        {
            _t(lang, "年份", "year"): tab["year"].astype(int),
            _t(lang, "指标", "metric"): tab["metric"].map(names),
            _t(lang, "均值", "mean"): tab["mean"].map(lambda v: f"{v:,.0f}"),
            _t(lang, "80%区间", "80% interval"): [f"{a:,.0f}–{b:,.0f}" for a, b in zip(tab["pi80_lo"], tab["pi80_hi"])],
            _t(lang, "95%区间", "95% interval"): [f"{a:,.0f}–{b:,.0f}" for a, b in zip(tab["pi95_lo"], tab["pi95_hi"])],
        }
    )
    return table(out)


def backtest_md(proj, lang: str) -> str:
    """The projection's forecast-versus-actual rows (empty when no later conference is in the data)."""
    bt = proj.backtest
    if bt is None or bt.empty:
        return _t(lang, "数据中尚无该年之后的实际数字,暂无回测。", "No later conferences are in the data yet, so there is no backtest.")
    lines = [_t(lang, f"以截至{proj.model['through']}年的数据所作的预测,对照其后公布的实际数字:",
                f"The projection made from the data through {proj.model['through']}, scored against the figures published since:")]
    for _, b in bt.iterrows():
        inside = bool(b["inside95"])
        metric = {"projects": _t(lang, "签约项目", "projects"), "investment_100m_yuan": _t(lang, "意向投资额(亿元)", "investment (亿元)")}.get(b["metric"], b["metric"])
        lines.append(_t(
            lang,
            f"- {int(b['year'])}年{metric}:实际{num(b['actual'])},预测均值{b['mean']:.1f},95%区间 {b['pi95_lo']:.0f}–{b['pi95_hi']:.0f}"
            f"({'落在区间内' if inside else '落在区间外'});区间得分{b['interval_score']:.1f}。",
            f"- {int(b['year'])} {metric}: actual {num(b['actual'])}, projected mean {b['mean']:.1f}, 95% interval "
            f"{b['pi95_lo']:.0f}–{b['pi95_hi']:.0f} ({'inside' if inside else 'OUTSIDE'}); interval score {b['interval_score']:.1f}.",
        ))
    return "\n".join(lines)


def model_md(proj, lang: str) -> str:
    """The projection's assumptions, spelled out from ``proj.model`` (nothing typed)."""
    m = proj.model
    pr, inv, lnd, sc = m["projects"], m["investment"], m["landing"], m["scenario"]
    alpha_cv = pr["alpha"] ** 0.5 if pr.get("alpha") else None
    if lang == "zh":
        lines = [
            "**模型假定**",
            f"- 签约项目数:{'负二项(允许超泊松波动)' if m['name'] == 'negbin' else '泊松'}模型,每个公布期作为一个观测值,"
            f"以年数为暴露量;拟合的年均签约率为{pr['rate_per_year']:.1f}个(对数标准误{pr['log_rate_se']:.3f})。",
        ]
        if m["name"] == "negbin":
            lines.append(
                f"- 离散参数α取{pr['alpha']:.3f}({'下限,属假定' if pr['alpha_source'] == 'floor' else '矩估计'}),"
                f"即年度签约率的变异系数约{alpha_cv:.0%}。"
            )
        lines += [
            f"- 意向投资额:复合模型,每个项目的金额服从对数正态分布,均值{inv['mean_per_project_100m_yuan']:.2f}亿元/项目"
            f"(历史总额÷总项目数),对数标准差σ={inv['sigma']:.2f}"
            f"({'依据' + '、'.join(inv['breakdowns']) + '年公布的分组平均值校准' if inv['sigma_source'] == 'breakdown' else '无分组数据,取默认值'})。",
            f"- 落地:每批项目按二项分布落地,落地率取{lnd['rate_from'] + '年批次' if sc['landing_rate'] is None else '情景设定'}的"
            f"{(lnd['rate'] if sc['landing_rate'] is None else sc['landing_rate']):.1%}。",
            f"- 情景:项目数年增长{sc['growth_projects']:+.1%},每项目投资额年增长{sc['growth_investment_per_project']:+.1%}"
            f"{',含对数线性趋势' if sc['trend'] else ''}。",
            f"- 模拟{m['n_sims']:,}次,随机种子{m['seed']};区间为将观测值的预测区间,含参数不确定性,不含假定本身的不确定性。",
        ]
        return "\n".join(lines)
    lines = [
        "**Model assumptions**",
        f"- Projects signed: {'negative binomial (extra-Poisson variation allowed)' if m['name'] == 'negbin' else 'Poisson'} "
        f"model, each published period one observation with its length in years as exposure; fitted rate "
        f"{pr['rate_per_year']:.1f} projects a year (log standard error {pr['log_rate_se']:.3f}).",
    ]
    if m["name"] == "negbin":
        lines.append(
            f"- Dispersion alpha = {pr['alpha']:.3f} ({'the floor, an assumption' if pr['alpha_source'] == 'floor' else 'moment estimate'}): "
            f"a year-to-year coefficient of variation of the rate of about {alpha_cv:.0%}."
        )
    lines += [
        f"- Intended investment: compound model; per-project amounts lognormal with mean "
        f"{inv['mean_per_project_100m_yuan']:.2f} 亿元 (total investment / total projects) and log-scale sigma "
        f"{inv['sigma']:.2f} ({'calibrated on the group averages published for ' + ', '.join(inv['breakdowns']) if inv['sigma_source'] == 'breakdown' else 'no breakdown published: default value'}).",
        f"- Landing: each cohort lands binomially at "
        f"{(lnd['rate'] if sc['landing_rate'] is None else sc['landing_rate']):.1%} "
        f"({'the ' + lnd['rate_from'] + ' rate, with its uncertainty' if sc['landing_rate'] is None else 'scenario value'}).",
        f"- Scenario: projects {sc['growth_projects']:+.1%} a year, investment per project "
        f"{sc['growth_investment_per_project']:+.1%} a year{'; log-linear trend' if sc['trend'] else ''}.",
        f"- {m['n_sims']:,} simulations, seed {m['seed']}; intervals are for the values that will be observed and include "
        "parameter uncertainty, not the uncertainty of these assumptions.",
    ]
    return "\n".join(lines)


SECTIONS = {
    "published": ("公布了什么", "What was published"),
    "trends": ("签约与意向投资", "Signings and intended investment"),
    "mix": ("类别与区域结构", "Category and place mix"),
    "compare": ("按统一分组比较各期", "Periods compared on harmonised groups"),
    "landing": ("落地", "Landing"),
    "claims": ("报道数字核对", "The reports' figures, checked"),
    "projection": ("预测", "Projection"),
    "model": ("模型与假定", "Model and assumptions"),
    "backtest": ("回测", "Backtest"),
    "caveats": ("说明", "Caveats"),
}


def section(key: str, lang: str) -> str:
    """A second-level heading for a report section."""
    return "## " + _t(lang, *SECTIONS[key])


def backtest_section(ds: Dataset, year: int, lang: str) -> str:
    """How the projection made just before ``year``'s figures (from the previous period) fared against them."""
    from . import projection as P

    prev = M.previous_period_end(ds, year)
    if prev is None:
        return _t(lang, f"{year}年所在时期之前没有已公布的时期,无从回测。",
                  f"No published period precedes the one holding {year}, so there is nothing to backtest.")
    return backtest_md(P.project(ds, through=prev), lang)


def projection_backtest_md(ds: Dataset, proj, lang: str) -> str:
    """The backtest of ``proj`` when later conferences exist; otherwise that of the previous projection."""
    if proj.backtest is not None and not proj.backtest.empty:
        return backtest_md(proj, lang)
    return backtest_section(ds, int(proj.model["through"]), lang)


def harmonised_table(ds: Dataset, dimension: str, through: int | None, lang: str):
    """Periods side by side on harmonised groups, with each year's published names beside them."""
    h = M.harmonised_mix(ds, dimension, through)
    if h.empty:
        return table(pd.DataFrame())
    h = h.sort_values(["harmonised", "period"], kind="stable")
    out = pd.DataFrame(
        {
            _t(lang, "统一分组", "harmonised group"): h["harmonised_zh"] if lang == "zh" else h["harmonised_en"],
            _t(lang, "时期", "period"): h["period"],
            _t(lang, "公布名称", "published name"): h["group_zh"] if lang == "zh" else h["group_zh"] + " (" + h["group_en"] + ")",
            _t(lang, "项目", "projects"): h["projects"].map(lambda v: num(v, lang)),
            _t(lang, "项目占比", "project share"): h["project_share"].map(pct),
            _t(lang, "意向投资额(亿元)", "investment (亿元)"): [
                hedge(v, q, lang) for v, q in zip(h["investment_100m_yuan"], h["investment_qualifier"])
            ],
            _t(lang, "投资占比", "investment share"): h["investment_share"].map(pct),
        }
    )
    return table(out)
